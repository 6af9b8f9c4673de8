// Room in the connection's socket before a non-blocking stream sends, waited for off the JS
// thread. libvirt's remote client sends stream data synchronously even on a non-blocking stream
// (`virNetClientSendStream` queues the packet without its non-blocking flag): `virStreamSend`
// returns once the whole packet is in the socket, never -2. While the daemon does not read (its
// disk is slower than the link, it is stopped, a far end stalls), a send would freeze the JS
// thread until it does: with the daemon stopped in the middle of an upload, a 5 ms interval
// ticked once in 600 ms, and not at all until the daemon ran again
// (tests/stream_stalled_daemon_test.ts).
import { libc } from "../ffi/libc.ts";
import {
  polled,
  POLLERR,
  POLLFD_SIZE,
  POLLHUP,
  POLLNVAL,
  POLLOUT,
  setPollfd,
  setTimespec,
} from "../event/poll.ts";

/** How long one wait on the thread pool lasts before the connection is checked again. */
export const ROOM_WAIT_MS = 100;

let waits = 0;

/** How many sends so far found no room and waited on the pool (for tests and the bench). */
export function roomWaitCount(): number {
  return waits;
}

const now = new Uint8Array(POLLFD_SIZE);
const nowView = new DataView(now.buffer);

/**
 * Whether libvirt would write to `fd` now: POLLOUT. libvirt's client polls for POLLOUT before
 * each write of a message, so that, not the free space, decides whether a send waits. A unix
 * stream socket reports it while at most a quarter of its send buffer is used (512 KiB of the 2
 * MiB the open asks for here), a TCP socket while its free space is at least half of what it
 * holds. Measured: with the daemon stopped, a send that found 1.5 MiB free by SIOCOUTQ still
 * waited, at 537 KiB queued. An error or hang-up counts as POLLOUT: the send then reports it.
 */
export function hasRoom(fd: number): boolean {
  setPollfd(nowView, 0, fd, POLLOUT);
  if (libc().symbols.pollNow(now, 1n, 0) !== 1) return false;
  return (polled(nowView, 0) & (POLLOUT | POLLERR | POLLHUP | POLLNVAL)) !== 0;
}

/**
 * Resolves once `fd` has room (see `hasRoom`) or `alive()` turned false. Each wait is a
 * `ppoll(2)` of at most `ROOM_WAIT_MS` on Deno's thread pool, so the JS thread runs meanwhile;
 * between waits, `alive()` makes sure the fd is still the connection's (libvirt closes it when
 * the connection fails, and the number may then be reused).
 */
export async function waitForRoom(fd: number, alive: () => boolean): Promise<void> {
  waits++;
  // Buffers of their own: a pending call reads them on another thread until it settles.
  const pfd = new Uint8Array(POLLFD_SIZE);
  const view = new DataView(pfd.buffer);
  const timeout = new BigInt64Array(2);
  setTimespec(timeout, ROOM_WAIT_MS * 1000);
  const tmo = new Uint8Array(timeout.buffer);
  while (alive()) {
    setPollfd(view, 0, fd, POLLOUT);
    const r = await libc().symbols.ppollWait(pfd, 1n, tmo, null);
    if (r < 0 || (r === 1 && polled(view, 0) !== 0)) return;
  }
}
