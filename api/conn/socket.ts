// The socket that libvirt's remote client opens for a connection, found by the open itself
// (libvirt has no API for it): a larger kernel send buffer on it when it is a unix socket, so
// that a stream upload's next packet goes into the socket while the daemon is still reading the
// last one; and its fd, so that uploads can wait for room in it off the JS thread
// (stream/room.ts).
import { libc } from "../../ffi/libc.ts";
import { log, logEnabled } from "../../log.ts";
import { polled, POLLFD_SIZE, POLLNVAL, setPollfd } from "../../event/poll.ts";
import type { Connection } from "../connection.ts";

// Each connection's socket, as `adoptNewSocket` found it (none for drivers in the process).
const sockets = new WeakMap<Connection, number>();

/** Records `fd` as `conn`'s socket (from `adoptNewSocket`; -1 records nothing). */
export function recordSocket(conn: Connection, fd: number): void {
  if (fd >= 0) sockets.set(conn, fd);
}

/**
 * The fd of `conn`'s socket to its daemon, or -1 if unknown. It stays libvirt's: valid only
 * while libvirt says the connection is alive (`virConnectIsAlive`), since libvirt closes it
 * when the connection fails.
 */
export function socketOf(conn: Connection): number {
  return sockets.get(conn) ?? -1;
}

/**
 * What `Connection.open` asks for by default (`OpenOptions.sendBuffer`): 1 MiB. Linux doubles the
 * request and caps it at twice `net.core.wmem_max` (212,992 on a stock kernel: 425,984 bytes).
 *
 * Why: libvirt sends a stream's data synchronously: `virStreamSend` returns once the whole
 * packet (up to 262,120 bytes) is in the socket. A unix socket's default buffer
 * (`net.core.wmem_default`, 212,992 bytes) holds less than one such packet, so every send waits
 * until the daemon has read most of it, and the client's reading of its source never overlaps
 * the daemon's writing. With room for a packet, they overlap (bench/findings.md, "Sixth
 * pass").
 */
export const SEND_BUFFER = 1 << 20;

// <sys/socket.h> (Linux values).
const SOL_SOCKET = 1;
const SO_TYPE = 3;
const SO_SNDBUF = 7;
const SO_DOMAIN = 39;
const AF_UNIX = 1;
const AF_INET = 2;
const AF_INET6 = 10;
const SOCK_STREAM = 1;

/** fds per poll(2) of a scan. */
const BLOCK = 512;
/**
 * Free fds a block must have for the scan to end there. A new fd is always the lowest free one,
 * so the socket an open makes lies below the first few free slots (libvirt opens a handful of
 * other files meanwhile).
 */
const ROOM = 64;
const MAX_FDS = 1 << 16;

let scanBuf: Uint8Array | null = null;

/**
 * Which fds of the process are open, in one poll(2) per 512 fds (closed ones come back as
 * POLLNVAL): no permission but FFI is needed, and it costs ~15 µs for a small process.
 */
export function openFds(): Uint8Array {
  const buf = scanBuf ??= new Uint8Array(BLOCK * POLLFD_SIZE);
  const view = new DataView(buf.buffer);
  const open: number[] = [];
  let end = 0;
  for (let base = 0; base < MAX_FDS; base += BLOCK) {
    // Events 0: only POLLNVAL, POLLERR and POLLHUP come back.
    for (let i = 0; i < BLOCK; i++) setPollfd(view, i, base + i, 0);
    if (libc().symbols.pollNow(buf, BigInt(BLOCK), 0) < 0) break;
    let free = 0;
    for (let i = 0; i < BLOCK; i++) {
      if (polled(view, i) & POLLNVAL) free++;
      else open.push(base + i);
    }
    end = base + BLOCK;
    if (free >= ROOM) break;
  }
  const flags = new Uint8Array(end);
  for (const fd of open) flags[fd] = 1;
  return flags;
}

const int = new Int32Array(1);
const intBytes = new Uint8Array(int.buffer);
const len = new Uint32Array(1);
const lenBytes = new Uint8Array(len.buffer);

function getInt(fd: number, name: number): number {
  len[0] = 4;
  return libc().symbols.getsockopt(fd, SOL_SOCKET, name, intBytes, lenBytes) === 0 ? int[0] : -1;
}

function setSendBuffer(fd: number, bytes: number): void {
  int[0] = bytes;
  libc().symbols.setsockopt(fd, SOL_SOCKET, SO_SNDBUF, intBytes, 4);
}

/**
 * Finds the stream sockets opened since `before` (an `openFds()`), raises the send buffer of
 * the unix ones to `bytes` (0: none), never lowering one, and returns the fd of the socket when
 * exactly one was opened (libvirt's remote client makes one per connection), else -1. What an
 * open makes between the two scans is libvirt's; a socket that another thread of the process
 * made in that window would only get the larger buffer, and makes the answer -1. TCP sockets
 * (`+tls`, `+tcp`) keep their size: the kernel sizes their buffers itself, and setting one
 * would turn that off.
 */
export function adoptNewSocket(before: Uint8Array, bytes: number): number {
  let found = -1;
  let count = 0;
  try {
    const now = openFds();
    // Only within the range scanned before: the socket took the lowest free fd, which lies
    // there (ROOM), and an fd beyond it may have been open before without being seen.
    const end = Math.min(now.length, before.length);
    for (let fd = 0; fd < end; fd++) {
      if (!now[fd] || before[fd]) continue;
      if (getInt(fd, SO_TYPE) !== SOCK_STREAM) continue;
      const family = getInt(fd, SO_DOMAIN);
      if (family !== AF_UNIX && family !== AF_INET && family !== AF_INET6) continue;
      found = fd;
      count++;
      if (family === AF_UNIX && bytes > 0) widen(fd, bytes);
    }
  } catch (e) {
    // Only a speed-up: the connection works as libvirt made it.
    log("debug", "connection: socket not examined", { error: e });
    return -1;
  }
  return count === 1 ? found : -1;
}

/**
 * Whether `fd` is a unix stream socket (the kind of socket libvirt's command transports, `+ssh`
 * and `+ext`, run over).
 */
export function isUnixStream(fd: number): boolean {
  return getInt(fd, SO_TYPE) === SOCK_STREAM && getInt(fd, SO_DOMAIN) === AF_UNIX;
}

/**
 * Raises `fd`'s send buffer to `bytes` (the kernel doubles it and caps it at twice
 * `net.core.wmem_max`), never lowering it; returns what the kernel reports after.
 */
export function widen(fd: number, bytes: number): number {
  const was = getInt(fd, SO_SNDBUF); // the kernel reports twice what was asked for
  if (was < 0 || was >= bytes * 2) return was;
  setSendBuffer(fd, bytes);
  const got = getInt(fd, SO_SNDBUF);
  // A wmem_max below half the default would have made it smaller: put it back.
  if (got < was) setSendBuffer(fd, was / 2);
  if (logEnabled.debug) log("debug", "connection: socket send buffer", { fd, was, got });
  return Math.max(got, was);
}
