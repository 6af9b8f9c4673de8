// EventImpl: the base class of an event loop written in TypeScript that libvirt drives through
// virEventRegisterImpl, with the helpers that call libvirt's C callbacks back safely.
import { callable, reportCallbackError } from "../ffi/callbacks.ts";
import { log, logEnabled } from "../log.ts";

const handleCallbackDef = {
  parameters: ["i32", "i32", "i32", "pointer"], // (int watch, int fd, int events, void *opaque)
  result: "void",
} as const;
const timeoutCallbackDef = {
  parameters: ["i32", "pointer"], // (int timer, void *opaque)
  result: "void",
} as const;
const freeCallbackDef = { parameters: ["pointer"], result: "void" } as const; // (void *opaque)

// One callable per C function pointer: libvirt passes the same few functions again and again.
const handleFns = new Map<bigint, Deno.UnsafeFnPointer<typeof handleCallbackDef>>();
const timeoutFns = new Map<bigint, Deno.UnsafeFnPointer<typeof timeoutCallbackDef>>();
const freeFns = new Map<bigint, Deno.UnsafeFnPointer<typeof freeCallbackDef>>();

/**
 * An event loop implementation that libvirt uses for every fd and timer it watches, once it is
 * registered with `Event.register(impl)` (`virEventRegisterImpl`). Subclass it to plug libvirt
 * into a loop of your own; `DenoEventImpl` is the ready-made one on Deno's loop.
 *
 * Contract (libvirt's, see `virEventRegisterImpl`): ids are positive and not reused while live;
 * a handle's callback gets the events that happened (`HANDLE_*` bits, ERROR and HANGUP even when
 * not asked for); a timeout of N ms fires every N ms, 0 on every loop iteration, -1 never; a
 * removed handle or timer never fires again; and the free callback `ff` of a removed
 * registration runs exactly once, later, outside any callback and outside `removeHandle` /
 * `removeTimeout` (libvirt may hold its own locks there). `freeCallbackOpaque` does that part.
 *
 * Threads: the methods run on Deno's JS thread. libvirt calls them from inside libvirt API calls
 * (which this module makes on the JS thread) or from inside `runHandleCallback` /
 * `runTimeoutCallback`; a call from another libvirt thread is queued onto the JS thread by Deno.
 * They must not block and must not wait for the loop to turn.
 *
 * @example
 * ```ts
 * import { EventImpl } from "./mod.ts";
 * // A loop that records what libvirt asks for (a real one must also poll the fds and run timers).
 * class RecordingImpl extends EventImpl {
 *   calls: string[] = [];
 *   #next = 1;
 *   addHandle(fd: number, events: number): number {
 *     this.calls.push(`addHandle ${fd} ${events}`);
 *     return this.#next++;
 *   }
 *   updateHandle(watch: number, events: number): void {
 *     this.calls.push(`updateHandle ${watch} ${events}`);
 *   }
 *   removeHandle(watch: number): number {
 *     this.calls.push(`removeHandle ${watch}`);
 *     return 0;
 *   }
 *   addTimeout(frequency: number): number {
 *     this.calls.push(`addTimeout ${frequency}`);
 *     return this.#next++;
 *   }
 *   updateTimeout(timer: number, frequency: number): void {
 *     this.calls.push(`updateTimeout ${timer} ${frequency}`);
 *   }
 *   removeTimeout(timer: number): number {
 *     this.calls.push(`removeTimeout ${timer}`);
 *     return 0;
 *   }
 * }
 * const impl = new RecordingImpl();
 * ```
 */
export abstract class EventImpl {
  #dispatchDepth = 0;
  readonly #pendingFrees: { ff: Deno.PointerObject; opaque: Deno.PointerValue }[] = [];
  #drainScheduled = false;
  #freesRun = 0;

  /**
   * Starts watching `fd` for `events` (`HANDLE_READABLE | HANDLE_WRITABLE`); returns a positive
   * watch id, or -1 on failure. `cb` and `opaque` go to `runHandleCallback`, `ff` and `opaque`
   * to `freeCallbackOpaque` once the watch is removed.
   *
   * @example
   * ```ts
   * // Called by libvirt, e.g. when a remote connection opens its socket.
   * ```
   */
  abstract addHandle(
    fd: number,
    events: number,
    cb: Deno.PointerValue,
    opaque: Deno.PointerValue,
    ff: Deno.PointerValue,
  ): number;

  /**
   * Changes the events a watch waits for; 0 keeps the watch but silences it.
   *
   * @example
   * ```ts
   * // Called by libvirt, e.g. to add HANDLE_WRITABLE while it has data to send.
   * ```
   */
  abstract updateHandle(watch: number, events: number): void;

  /**
   * Stops a watch; returns 0, or -1 when `watch` is unknown. Must not run `ff` itself.
   *
   * @example
   * ```ts
   * // Called by libvirt, e.g. when a connection closes its socket.
   * ```
   */
  abstract removeHandle(watch: number): number;

  /**
   * Adds a timer firing every `frequency` ms (0: every iteration, -1: disabled); returns a
   * positive timer id, or -1 on failure.
   *
   * @example
   * ```ts
   * // Called by libvirt, e.g. for a connection's keepalive timer.
   * ```
   */
  abstract addTimeout(
    frequency: number,
    cb: Deno.PointerValue,
    opaque: Deno.PointerValue,
    ff: Deno.PointerValue,
  ): number;

  /**
   * Changes a timer's frequency; the next expiry is now + `frequency`.
   *
   * @example
   * ```ts
   * // Called by libvirt, e.g. to set a queue-flush timer to 0 when events wait.
   * ```
   */
  abstract updateTimeout(timer: number, frequency: number): void;

  /**
   * Removes a timer; returns 0, or -1 when `timer` is unknown. Must not run `ff` itself.
   *
   * @example
   * ```ts
   * // Called by libvirt, e.g. when keepalive stops.
   * ```
   */
  abstract removeTimeout(timer: number): number;

  /**
   * Free callbacks scheduled by `freeCallbackOpaque` that have not run yet.
   *
   * @example
   * ```ts
   * import { DenoEventImpl } from "./mod.ts";
   * console.log(new DenoEventImpl().pendingFrees); // 0
   * ```
   */
  get pendingFrees(): number {
    return this.#pendingFrees.length;
  }

  /**
   * How many free callbacks this impl has run (each registration's exactly once).
   *
   * @example
   * ```ts
   * import { DenoEventImpl } from "./mod.ts";
   * console.log(new DenoEventImpl().freesRun); // 0
   * ```
   */
  get freesRun(): number {
    return this.#freesRun;
  }

  /** Whether a handle or timeout callback is running right now (on this impl). */
  protected get dispatching(): boolean {
    return this.#dispatchDepth > 0;
  }

  /**
   * Calls libvirt's handle callback `cb(watch, fd, events, opaque)` synchronously. An exception
   * (from a JS callback behind `cb`) is reported, never thrown.
   *
   * @example
   * ```ts
   * // In a subclass, when poll says the watched fd is readable:
   * // this.runHandleCallback(watch, fd, HANDLE_READABLE, h.cb, h.opaque);
   * ```
   */
  runHandleCallback(
    watch: number,
    fd: number,
    events: number,
    cb: Deno.PointerValue,
    opaque: Deno.PointerValue,
  ): void {
    if (cb === null) return;
    this.#dispatchDepth++;
    try {
      callable(handleFns, cb, handleCallbackDef).call(watch, fd, events, opaque);
    } catch (e) {
      reportCallbackError(`event handle callback (watch ${watch})`, e);
    } finally {
      this.#dispatchDepth--;
    }
  }

  /**
   * Calls libvirt's timeout callback `cb(timer, opaque)` synchronously; exceptions are reported.
   *
   * @example
   * ```ts
   * // In a subclass, when a timer expires:
   * // this.runTimeoutCallback(timer, t.cb, t.opaque);
   * ```
   */
  runTimeoutCallback(timer: number, cb: Deno.PointerValue, opaque: Deno.PointerValue): void {
    if (cb === null) return;
    this.#dispatchDepth++;
    try {
      callable(timeoutFns, cb, timeoutCallbackDef).call(timer, opaque);
    } catch (e) {
      reportCallbackError(`event timeout callback (timer ${timer})`, e);
    } finally {
      this.#dispatchDepth--;
    }
  }

  /**
   * Schedules libvirt's free callback `ff(opaque)` of a removed handle or timer: it runs exactly
   * once, after the current dispatch (or in a later macrotask when none is running), never
   * inside a callback and never inside the `removeHandle` / `removeTimeout` that asked for it.
   * A null `ff` is ignored.
   *
   * @example
   * ```ts
   * // In a subclass's removeHandle:
   * // this.freeCallbackOpaque(h.ff, h.opaque);
   * ```
   */
  freeCallbackOpaque(ff: Deno.PointerValue, opaque: Deno.PointerValue): void {
    if (ff === null) return;
    this.#pendingFrees.push({ ff, opaque });
    this.#scheduleDrain();
  }

  /**
   * Runs the free callbacks scheduled so far, unless a callback is running. A subclass calls it
   * at the end of each dispatch; otherwise they run in a macrotask of their own.
   *
   * @example
   * ```ts
   * // At the end of a subclass's dispatch: this.runDeferredFrees();
   * ```
   */
  protected runDeferredFrees(): void {
    if (this.#dispatchDepth > 0) return;
    // A free callback may remove more registrations (libvirt objects dropping their last
    // reference), which append to the queue: loop until it is empty.
    while (this.#pendingFrees.length > 0) {
      const { ff, opaque } = this.#pendingFrees.shift()!;
      this.#freesRun++;
      this.#dispatchDepth++;
      try {
        callable(freeFns, ff, freeCallbackDef).call(opaque);
      } catch (e) {
        reportCallbackError("event free callback", e);
      } finally {
        this.#dispatchDepth--;
      }
    }
  }

  #scheduleDrain(): void {
    if (this.#drainScheduled) return;
    this.#drainScheduled = true;
    // A macrotask, not a microtask: a microtask could run as soon as a JS callback that libvirt
    // called from another thread returns, while that thread still holds libvirt's locks.
    setImmediate(() => {
      this.#drainScheduled = false;
      if (logEnabled.debug && this.#pendingFrees.length > 0) {
        log("debug", "event: running deferred free callbacks", {
          count: this.#pendingFrees.length,
        });
      }
      if (this.#dispatchDepth > 0) this.#scheduleDrain();
      else this.runDeferredFrees();
    });
  }
}
