// The fd-waiting half of DenoEventImpl: a pollfd array for libc poll(2) and an eventfd that
// wakes a poll waiting on Deno's thread pool.
import { libc } from "../ffi/libc.ts";
import { EventHandleType } from "../ffi/enums.ts";

// <poll.h> (Linux values), for every poll(2) of the module.
/** Readable. */
export const POLLIN = 0x001;
/** Urgent data. */
export const POLLPRI = 0x002;
/** Writable. */
export const POLLOUT = 0x004;
/** An error (returned only). */
export const POLLERR = 0x008;
/** Hung up (returned only). */
export const POLLHUP = 0x010;
/** Not an open fd (returned only). */
export const POLLNVAL = 0x020;
// <sys/eventfd.h>.
const EFD_CLOEXEC = 0o2000000;
const EFD_NONBLOCK = 0o4000;

/** sizeof(struct pollfd { int fd; short events; short revents; }). */
export const POLLFD_SIZE = 8;

/** Writes entry `i` of a `struct pollfd` array: watch `fd` for `pollEvents`, none returned yet. */
export function setPollfd(view: DataView, i: number, fd: number, pollEvents: number): void {
  const off = i * POLLFD_SIZE;
  view.setInt32(off, fd, true);
  view.setInt16(off + 4, pollEvents, true);
  view.setInt16(off + 6, 0, true);
}

/** The poll(2) events returned in entry `i` of a `struct pollfd` array. */
export function polled(view: DataView, i: number): number {
  return view.getUint16(i * POLLFD_SIZE + 6, true);
}

/** Writes `us` microseconds (a whole number) into `ts` as ppoll's `struct timespec`. */
export function setTimespec(ts: BigInt64Array, us: number): void {
  ts[0] = BigInt(Math.floor(us / 1e6));
  ts[1] = BigInt((us % 1e6) * 1000);
}

/** The 8-byte counter increment that wake() writes to the eventfd (1, little-endian). */
const ONE = new Uint8Array([1, 0, 0, 0, 0, 0, 0, 0]);

/** libvirt's `HANDLE_*` bits as poll(2) events. */
export function toPollEvents(events: number): number {
  let p = 0;
  if (events & EventHandleType.READABLE) p |= POLLIN;
  if (events & EventHandleType.WRITABLE) p |= POLLOUT;
  return p;
}

/** poll(2)'s returned events as libvirt's `HANDLE_*` bits (POLLNVAL counts as ERROR). */
export function fromPollEvents(revents: number): number {
  let e = 0;
  if (revents & (POLLIN | POLLPRI)) e |= EventHandleType.READABLE;
  if (revents & POLLOUT) e |= EventHandleType.WRITABLE;
  if (revents & (POLLERR | POLLNVAL)) e |= EventHandleType.ERROR;
  if (revents & POLLHUP) e |= EventHandleType.HANGUP;
  return e;
}

/**
 * A growable array of `struct pollfd` whose entry 0 is always the wake-up eventfd.
 * The buffer must stay referenced until a nonblocking poll over it settles: it is only rebuilt
 * between polls, by the one loop that owns it.
 */
export class PollSet {
  #buf = new Uint8Array(POLLFD_SIZE * 16);
  #view = new DataView(this.#buf.buffer);
  #count = 0;
  readonly #wakeFd: number;
  /** Where drainWake reads the eventfd's counter to (reused: one wake-up per registration change). */
  readonly #scratch = new Uint8Array(8);

  /** Creates the eventfd; throws when the system refuses one. */
  constructor() {
    const fd = libc().symbols.eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (fd < 0) throw new Error(`eventfd() failed (errno ${libc().errno()})`);
    this.#wakeFd = fd;
  }

  /** Starts a new array holding only the wake-up fd. */
  reset(): void {
    this.#count = 0;
    this.#push(this.#wakeFd, POLLIN);
  }

  /** Appends an entry (fd -1 makes poll ignore it); returns its index. */
  add(fd: number, events: number): number {
    return this.#push(fd, toPollEvents(events));
  }

  #push(fd: number, pollEvents: number): number {
    if ((this.#count + 1) * POLLFD_SIZE > this.#buf.length) {
      const bigger = new Uint8Array(this.#buf.length * 2);
      bigger.set(this.#buf);
      this.#buf = bigger;
      this.#view = new DataView(bigger.buffer);
    }
    setPollfd(this.#view, this.#count, fd, pollEvents);
    return this.#count++;
  }

  /** The `HANDLE_*` bits poll returned for entry `i`. */
  returned(i: number): number {
    return fromPollEvents(polled(this.#view, i));
  }

  /** ppoll's `struct timespec` of the wait on the pool: only rewritten between waits. */
  readonly #waitTimespec = new BigInt64Array(2);
  readonly #waitTimespecBytes = new Uint8Array(this.#waitTimespec.buffer);

  /** Waits up to `timeoutMs` (to the microsecond; -1: forever) on Deno's thread pool. */
  wait(timeoutMs: number): Promise<number> {
    // `buf` and the timespec are captured by the promise chain's caller until it settles (see
    // class comment).
    if (timeoutMs < 0) return libc().symbols.ppollWait(this.#buf, BigInt(this.#count), null, null);
    setTimespec(this.#waitTimespec, Math.ceil(timeoutMs * 1000));
    return libc().symbols.ppollWait(
      this.#buf,
      BigInt(this.#count),
      this.#waitTimespecBytes,
      null,
    );
  }

  /** Checks the fds without waiting, on the JS thread. */
  check(): number {
    return libc().symbols.pollNow(this.#buf, BigInt(this.#count), 0);
  }

  /** ppoll's `struct timespec` (tv_sec, tv_nsec), reused by every waitHere. */
  readonly #timespec = new BigInt64Array(2);
  readonly #timespecBytes = new Uint8Array(this.#timespec.buffer);

  /** Waits up to `us` microseconds on the JS thread itself (0: only checks). */
  waitHere(us: number): number {
    setTimespec(this.#timespec, Math.round(us));
    return libc().symbols.ppoll(this.#buf, BigInt(this.#count), this.#timespecBytes, null);
  }

  /** Whether the wake-up fd was written to; drains it so the next poll waits again. */
  drainWake(): boolean {
    if (this.#count === 0 || this.returned(0) === 0) return false;
    libc().symbols.read(this.#wakeFd, this.#scratch, 8n);
    return true;
  }

  /** Makes a pending (or the next) poll return at once. Safe from the JS thread at any time. */
  wake(): void {
    libc().symbols.write(this.#wakeFd, ONE, 8n);
  }

  /** Closes the eventfd; only once no poll is pending. */
  close(): void {
    libc().symbols.close(this.#wakeFd);
  }
}
