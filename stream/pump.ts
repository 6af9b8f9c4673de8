// Turns a non-blocking stream's event callbacks into promises, arming libvirt only for what waits.
import { StreamEventType } from "../ffi/enums.ts";
import { log } from "../log.ts";

/** The libvirt side of a pump: register, change and drop the stream's one callback. */
export interface PumpTarget {
  /** Registers the callback for `events`. */
  add(events: number, dispatch: (events: number) => void): void;
  /** Changes the events watched. */
  update(events: number): void;
  /**
   * null when `update` may be called now; otherwise a Promise that resolves once it may be
   * (the stream's connection has an async call in flight: ffi/turn.ts).
   */
  turn?(): Promise<void> | null;
  /**
   * Whether the connection under the stream still lives. libvirt's remote client does not tell
   * a stream that its connection closed (daemon gone, keepalive timeout): recv keeps returning
   * -2 and no event ever comes. So while someone waits, the pump asks this now and then.
   */
  alive?(): boolean;
  /** The error for waiters when `alive()` turned false. */
  deadError?(): Error;
}

/** How often a waiting pump checks that its connection still lives. */
export const ALIVE_CHECK_MS = 500;

/**
 * Told once what a wait ended with: `resolve` runs synchronously inside libvirt's dispatch of
 * the stream event (so it may recv/send right there, before libvirt's loop turns again);
 * `reject` runs when the pump closed (stream ended, connection gone).
 */
export interface PumpWaiter {
  /** The events seen; runs inside libvirt's dispatch and must not throw. */
  resolve(events: number): void;
  /** Why the wait can never end. */
  reject(e: unknown): void;
}

interface Waiter extends PumpWaiter {
  mask: number;
}

// ERROR and HANGUP wake every waiter: the next recv/send then reports what happened.
const ALWAYS = StreamEventType.ERROR | StreamEventType.HANGUP;

/**
 * Promises for READABLE / WRITABLE on one stream. The callback stays armed after it woke
 * someone (the next wait usually follows within a microtask, so re-arming would cost two FFI
 * calls per chunk); a dispatch that finds nobody waiting disarms what nobody wants.
 */
export class EventPump {
  readonly #target: PumpTarget;
  #registered = false;
  #armed = 0;
  #waiters: Waiter[] = [];
  #closed: Error | null = null;
  #aliveTimer: ReturnType<typeof setInterval> | undefined;
  #disarmPending = false;

  /** A pump over `target`; nothing is registered until the first wait. */
  constructor(target: PumpTarget) {
    this.#target = target;
  }

  /** Whether the pump holds the stream's libvirt callback. */
  get registered(): boolean {
    return this.#registered;
  }

  /** Resolves with the events seen once one of `mask` (or an error/hangup) is reported. */
  wait(mask: number): Promise<number> {
    const { promise, resolve, reject } = Promise.withResolvers<number>();
    try {
      this.notify(mask, { resolve, reject });
    } catch (e) {
      return Promise.reject(e);
    }
    return promise;
  }

  /**
   * wait() without a promise: `waiter.resolve` runs inside libvirt's dispatch. A promise's
   * continuation would run only after DenoEventImpl's next (synchronous) poll, which then
   * finds libvirt's zero timer still armed for data nobody took yet: one extra loop turn,
   * and a disarm and re-arm, per packet of a Web Stream. Throws when the pump is closed or
   * libvirt refuses the callback.
   */
  notify(mask: number, waiter: PumpWaiter): void {
    if (this.#closed) throw this.#closed;
    const want = this.#armed | mask;
    if (!this.#registered) {
      this.#target.add(want, (events) => this.#dispatch(events));
      this.#registered = true;
      this.#armed = want;
    } else if (want !== this.#armed) {
      this.#target.update(want);
      this.#armed = want;
    }
    this.#waiters.push({ mask, resolve: waiter.resolve, reject: waiter.reject });
    this.#watchConnection();
  }

  // A ref'd timer on purpose, and only while someone waits: when the connection died, libvirt's
  // loop may have nothing left to watch, and this check is what settles the waiter.
  #watchConnection(): void {
    const target = this.#target;
    if (this.#aliveTimer !== undefined || !target.alive) return;
    this.#aliveTimer = setInterval(() => {
      if (this.#waiters.length === 0) return this.#stopWatching();
      let alive = true;
      try {
        alive = target.alive!();
      } catch (e) {
        log("debug", "stream liveness check failed", { error: e });
      }
      if (!alive) {
        this.close(target.deadError?.() ?? new Error("The stream's connection was closed"));
      }
    }, ALIVE_CHECK_MS);
  }

  #stopWatching(): void {
    clearInterval(this.#aliveTimer);
    this.#aliveTimer = undefined;
  }

  #dispatch(events: number): void {
    if (this.#closed) return;
    const woken = this.#waiters.filter((w) => (w.mask | ALWAYS) & events);
    if (woken.length > 0) {
      this.#waiters = this.#waiters.filter((w) => !woken.includes(w));
      for (const w of woken) {
        try {
          w.resolve(events);
        } catch (e) {
          log("debug", "stream waiter failed", { error: e });
        }
      }
      // A waiter may have waited again from inside resolve().
      if (this.#waiters.length === 0) this.#stopWatching();
      return;
    }
    // Nobody waited for this: stop libvirt from repeating it (its remote streams fire a zero
    // timer for as long as WRITABLE, or READABLE with queued data, stays armed). Not while the
    // connection has an async call in flight, when this dispatch may run on the pool: once
    // plain calls are allowed again.
    const turn = this.#target.turn?.() ?? null;
    if (turn !== null) {
      if (!this.#disarmPending) {
        this.#disarmPending = true;
        turn.then(() => {
          this.#disarmPending = false;
          if (!this.#closed && this.#registered) this.#dispatch(0);
        });
      }
      return;
    }
    const want = this.#waiters.reduce((m, w) => m | w.mask, 0);
    if (want !== this.#armed) {
      // Runs inside libvirt's dispatch; a failure (the stream just broke) surfaces in the
      // next recv/send, so it only needs to leave the mask as it was.
      try {
        this.#target.update(want);
        this.#armed = want;
      } catch (e) {
        log("debug", "stream event update failed", { error: e });
      }
    }
  }

  /**
   * Rejects every waiter with `error` and refuses new waits. The owner removes the libvirt
   * callback itself (before finishing or aborting the stream).
   */
  close(error: Error): void {
    if (this.#closed) return;
    this.#closed = error;
    this.#registered = false;
    this.#stopWatching();
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w.reject(error);
  }
}
