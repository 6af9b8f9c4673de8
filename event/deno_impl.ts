// DenoEventImpl: libvirt's event loop on Deno's own loop — fds waited on with poll(2) on Deno's
// thread pool, libvirt's callbacks dispatched on the JS thread (on the pool while async calls run).
import { EventImpl } from "./impl.ts";
import { PollSet } from "./poll.ts";
import { type Timer, TimerTable } from "./timers.ts";
import { EventHandleType } from "../ffi/enums.ts";
import { intArg } from "../ffi/marshal.ts";
import { coalesceBlocked, holdBlocked } from "./hold.ts";
import { log, logEnabled } from "../log.ts";
import {
  asyncCallsInFlight,
  type ConnectionTag,
  enterAsync,
  leaveAsync,
  mustDispatchOffThread,
  NO_CONNECTION,
  registrationTag,
  setDispatchTag,
} from "../ffi/inflight.ts";
import { runHandleCallbackOffThread, runTimeoutCallbackOffThread } from "./dispatch_async.ts";

/** In unref'd mode, the longest a poll waits before the loop lets the process exit if idle. */
const UNREF_POLL_MS = 250;

/**
 * How many loop turns in a row may find their fds ready with a synchronous zero-timeout poll
 * (no thread hop) before the loop yields to Deno's macrotask queue once (see `#run`). A
 * dispatch's extra passes over the handles in a flood count as turns (see `#dispatch`).
 */
const SYNC_TURNS = 8;

/**
 * The default of `DenoEventImplOptions.holdMicros`. An event flood's next event comes 300 to
 * 700 µs after the last (bench/ours/generator.ts: 1,400 to 3,300 a second, as busy as the
 * machine is); 250 to 2,000 µs measured alike there (bench/findings.md). Waits that rarely find
 * anything stop by themselves.
 */
const HOLD_MICROS = 500;

/**
 * The default of `DenoEventImplOptions.coalesceMillis`. 1, 2 and 4 ms cost alike per event in an
 * event flood (bench/findings.md, eighth pass); the shortest delay that Deno's timers keep well is
 * what a listener should pay for it.
 */
const COALESCE_MILLIS = 2;

/** How many quick dispatches in a row make a flood, which the loop gathers with a timer. */
const GATHER_AFTER = 6;

/**
 * In a flood, how many times a dispatch may check the fds again and run the handle callbacks
 * once more before it runs the timers (libvirt reads one message per callback). Bounded below
 * that by the turns left before the loop yields (`SYNC_TURNS`), so the rest of Deno waits no
 * longer for a flood than before.
 */
const DRAIN_PASSES = 16;

/** Options of `DenoEventImpl`. */
export interface DenoEventImplOptions {
  /**
   * After a callback ran, how many microseconds the loop may wait for libvirt's next data in
   * poll(2) on the JS thread itself, before it hands the wait to Deno's thread pool (default
   * 500; 0: never wait there, only check). Waiting there saves two thread wake-ups per
   * callback while data comes in quickly (a transfer, an event flood); it blocks the JS thread
   * meanwhile, so timers and I/O may run up to this long late. The loop stops such waits by
   * itself while they rarely find anything, and makes none while a Web stream over a libvirt
   * stream transfers (its other end is Deno's own I/O, which they would delay) or while an
   * `…Async` call is in flight (its thread may need the JS thread meanwhile).
   */
  holdMicros?: number;
  /**
   * After a callback ran, while no stream transfer may be under way, how many milliseconds the
   * loop lets Deno's own loop run before it checks what libvirt sent meanwhile (default 2; 0:
   * never, hold or wait on the pool instead). An event flood is then dispatched in batches, one
   * timer per batch instead of one thread wake-up per event, which halves its CPU per event;
   * an event that comes while a batch gathers is delivered up to this much later. Each batch
   * also reads what libvirt's socket already holds before libvirt's timers run, so that one
   * firing of libvirt's event-queue timer delivers several events. The first event after a
   * quiet spell is not delayed, and the loop stops gathering by itself while it rarely finds
   * anything. No gathering while a stream transfers (a Web stream or a stream with an event
   * callback sent or received in the last 100 ms; an idle console does not count) or an
   * `…Async` call is in flight: those get `holdMicros`.
   */
  coalesceMillis?: number;
}

interface Handle {
  readonly watch: number;
  readonly fd: number;
  events: number;
  readonly cb: Deno.PointerValue;
  readonly opaque: Deno.PointerValue;
  readonly ff: Deno.PointerValue;
  removed: boolean;
  /** The events the pending poll watches this fd for (set when the poll set is built). */
  polled: number;
  /** The connection it belongs to (ffi/inflight.ts), which decides where its callback runs. */
  readonly tag: ConnectionTag | null;
}

const ALWAYS = EventHandleType.ERROR | EventHandleType.HANGUP;

/**
 * The event loop on Deno's own loop (like libvirt-python's libvirtaio or Perl's
 * Sys::Virt::Event::IO::Async). Register it once, before the first connection:
 * `Event.register(new DenoEventImpl())`.
 *
 * How it waits: Deno cannot watch an arbitrary fd, so each loop iteration hands a `pollfd`
 * array to libc `ppoll(2)` (its timeout to the microsecond) as a nonblocking FFI call, which
 * waits on Deno's thread pool while Deno's loop keeps running. Changing a registration from the
 * JS thread writes to an eventfd that is part of every poll, so the wait restarts with the new
 * set at once. When poll returns, the loop dispatches on the JS thread: handle callbacks
 * (filtered through each handle's current mask plus ERROR and HANGUP), then expired timers,
 * then the deferred free callbacks.
 * A timer of 0 ms makes the iteration poll without waiting (synchronously) and then yield to
 * Deno's loop with `setImmediate`, so other work is never starved. In an event flood the loop
 * gathers instead: after a callback it lets a Deno timer of `coalesceMillis` run, then
 * dispatches all that came meanwhile (see `DenoEventImplOptions`).
 *
 * Threading: libvirt's remote client calls `virEventUpdateHandle` (this impl, on the JS thread)
 * while it holds a connection's client lock, and handle and timeout callbacks take that lock.
 * While only synchronous calls are made, libvirt calls the impl from the JS thread itself
 * (nested in those calls or in our dispatch) and callbacks run on the JS thread: the cheapest
 * way. While an async call (the `...Async` methods, ffi/call_async.ts) on a connection is
 * queued or running, a pool thread may hold that connection's client lock and wait for the JS
 * thread; then that connection's handle and timeout callbacks run on Deno's thread pool
 * (event/dispatch_async.ts), one at a time, in the same order, with the JS thread free to answer
 * libvirt meanwhile. Callbacks of the other connections stay on the JS thread: on the pool they
 * would hold their connection's lock while the JS thread may be in a sync call on it. Each
 * registration is tagged with its connection when libvirt makes it (ffi/inflight.ts). The free
 * callbacks of removed registrations still run on the JS thread, never while a callback runs.
 *
 * Process lifetime: a pending poll keeps the process alive (a nonblocking FFI call cannot be
 * unref'd). So the loop only runs while there is something to wait for — a handle whose mask is
 * not 0 or a timer that is not -1. Once libvirt removed everything (say the last connection was
 * closed and its socket watch and keepalive timer went away), the loop stops and the script can
 * exit by itself; the next registration starts it again. `stop()` ends it on demand, and
 * `unref()` lets the process end while the loop still watches (for listeners that must not
 * hold a script open).
 *
 * @example
 * ```ts
 * import { Connection, DenoEventImpl, Event } from "./mod.ts";
 * const loop = new DenoEventImpl();
 * Event.register(loop); // before the first connection
 * using conn = Connection.open("test:///default");
 * ```
 */
export class DenoEventImpl extends EventImpl {
  readonly #handles = new Map<number, Handle>();
  readonly #timers = new TimerTable();
  #nextWatch = 1;
  #polls: PollSet | null = null;
  #loop: Promise<void> | null = null;
  #waiting = false;
  #stopped = false;
  #unrefd = false;
  #iterations = 0;
  #poolWaits = 0;
  #heldWaits = 0;
  #coalescedWaits = 0;
  #drained = 0;
  /** Set by every registration change; `#build` clears it (see `#gather`). */
  #rebuild = false;
  readonly #hold: number;
  readonly #coalesce: number;

  /**
   * Makes a loop; register it with `Event.register` before the first connection.
   *
   * @param options How long the JS thread may wait for libvirt's next piece of data itself, and
   * how long the loop may gather data with a timer.
   *
   * @example
   * ```ts
   * import { DenoEventImpl } from "./mod.ts";
   * const loop = new DenoEventImpl({ holdMicros: 0 }); // every wait on Deno's thread pool
   * ```
   */
  constructor(options: DenoEventImplOptions = {}) {
    super();
    this.#hold = intArg(options.holdMicros ?? HOLD_MICROS, "holdMicros", 0, 1_000_000);
    this.#coalesce = intArg(
      options.coalesceMillis ?? COALESCE_MILLIS,
      "coalesceMillis",
      0,
      1000,
    );
  }

  /**
   * Watches `fd`; see `EventImpl.addHandle`. Called by libvirt.
   *
   * @example
   * ```ts
   * import { DenoEventImpl } from "./mod.ts";
   * const loop = new DenoEventImpl();
   * console.log(loop.addHandle(0, 0, null, null, null) > 0); // a silent watch on stdin
   * ```
   */
  addHandle(
    fd: number,
    events: number,
    cb: Deno.PointerValue,
    opaque: Deno.PointerValue,
    ff: Deno.PointerValue,
  ): number {
    const watch = this.#nextWatch++;
    const tag = registrationTag();
    this.#handles.set(watch, { watch, fd, events, cb, opaque, ff, removed: false, polled: 0, tag });
    if (logEnabled.debug) log("debug", "event: addHandle", { watch, fd, events });
    this.#changed();
    return watch;
  }

  /**
   * Changes a watch's events; see `EventImpl.updateHandle`. Called by libvirt.
   *
   * @example
   * ```ts
   * import { DenoEventImpl, Event } from "./mod.ts";
   * const loop = new DenoEventImpl();
   * const w = loop.addHandle(0, 0, null, null, null);
   * loop.updateHandle(w, Event.HANDLE_READABLE);
   * loop.removeHandle(w);
   * ```
   */
  updateHandle(watch: number, events: number): void {
    const h = this.#handles.get(watch);
    if (logEnabled.debug) log("debug", "event: updateHandle", { watch, events, known: !!h });
    if (!h) return;
    h.events = events;
    // libvirt's remote client silences its socket and restores it within every call it makes
    // itself (each stream send/recv): when the pending poll already covers the new mask, waking
    // it would cost a poll round trip on the thread pool for nothing, since dispatch filters
    // stale results through the current mask. Only if nothing is left to watch once libvirt's
    // call is over must the poll end (so the process can exit): checked a macrotask later.
    // (Measured by bench/: 2 wake-ups per 64 KiB chunk of a piped upload, a third of its CPU.)
    if (this.#waiting && (events & ~h.polled) === 0) {
      if (!this.#hasWork()) this.#wakeIfIdleLater();
      return;
    }
    if ((events & ~h.polled) !== 0) this.#widened = true;
    this.#changed();
  }

  /**
   * Stops a watch (its free callback runs later); see `EventImpl.removeHandle`.
   *
   * @example
   * ```ts
   * import { DenoEventImpl } from "./mod.ts";
   * const loop = new DenoEventImpl();
   * console.log(loop.removeHandle(12345)); // -1: unknown
   * ```
   */
  removeHandle(watch: number): number {
    const h = this.#handles.get(watch);
    if (logEnabled.debug) log("debug", "event: removeHandle", { watch, fd: h?.fd ?? null });
    if (!h) return -1;
    this.#handles.delete(watch);
    h.removed = true;
    this.freeCallbackOpaque(h.ff, h.opaque);
    this.#changed();
    return 0;
  }

  /**
   * Adds a timer; see `EventImpl.addTimeout`. Called by libvirt.
   *
   * @example
   * ```ts
   * import { DenoEventImpl } from "./mod.ts";
   * const loop = new DenoEventImpl();
   * const t = loop.addTimeout(-1, null, null, null); // disabled until updated
   * loop.removeTimeout(t);
   * ```
   */
  addTimeout(
    frequency: number,
    cb: Deno.PointerValue,
    opaque: Deno.PointerValue,
    ff: Deno.PointerValue,
  ): number {
    const { timer } = this.#timers.add(frequency, cb, opaque, ff);
    this.#timerTags.set(timer, registrationTag());
    if (logEnabled.debug) log("debug", "event: addTimeout", { timer, frequency });
    this.#changed();
    return timer;
  }

  /**
   * Changes a timer's frequency, counting from now; see `EventImpl.updateTimeout`.
   *
   * @example
   * ```ts
   * import { DenoEventImpl } from "./mod.ts";
   * const loop = new DenoEventImpl();
   * const t = loop.addTimeout(-1, null, null, null);
   * loop.updateTimeout(t, -1);
   * loop.removeTimeout(t);
   * ```
   */
  updateTimeout(timer: number, frequency: number): void {
    const known = this.#timers.update(timer, frequency);
    if (logEnabled.debug) log("debug", "event: updateTimeout", { timer, frequency, known });
    if (known) this.#changed();
  }

  /**
   * Removes a timer (its free callback runs later); see `EventImpl.removeTimeout`.
   *
   * @example
   * ```ts
   * import { DenoEventImpl } from "./mod.ts";
   * const loop = new DenoEventImpl();
   * console.log(loop.removeTimeout(12345)); // -1: unknown
   * ```
   */
  removeTimeout(timer: number): number {
    const t = this.#timers.take(timer);
    this.#timerTags.delete(timer);
    if (logEnabled.debug) log("debug", "event: removeTimeout", { timer, known: !!t });
    if (!t) return -1;
    this.freeCallbackOpaque(t.ff, t.opaque);
    this.#changed();
    return 0;
  }

  /**
   * Whether the loop is turning (it runs by itself while something is watched).
   *
   * @example
   * ```ts
   * import { DenoEventImpl } from "./mod.ts";
   * console.log(new DenoEventImpl().running); // false: nothing to wait for
   * ```
   */
  get running(): boolean {
    return this.#loop !== null;
  }

  /**
   * How many poll iterations the loop has made (for tests and diagnostics).
   *
   * @example
   * ```ts
   * import { DenoEventImpl } from "./mod.ts";
   * console.log(new DenoEventImpl().iterations); // 0
   * ```
   */
  get iterations(): number {
    return this.#iterations;
  }

  /**
   * How many of those iterations handed their wait to Deno's thread pool; the others found
   * their fds ready in a poll on the JS thread (for tests and diagnostics).
   *
   * @example
   * ```ts
   * import { DenoEventImpl } from "./mod.ts";
   * console.log(new DenoEventImpl().poolWaits); // 0
   * ```
   */
  get poolWaits(): number {
    return this.#poolWaits;
  }

  /**
   * How many iterations found their fds ready while the JS thread waited for them itself, up to
   * `holdMicros` after a callback (for tests and diagnostics).
   *
   * @example
   * ```ts
   * import { DenoEventImpl } from "./mod.ts";
   * console.log(new DenoEventImpl().heldWaits); // 0
   * ```
   */
  get heldWaits(): number {
    return this.#heldWaits;
  }

  /**
   * How many iterations found their fds ready when the loop checked after gathering for
   * `coalesceMillis` (for tests and diagnostics).
   *
   * @example
   * ```ts
   * import { DenoEventImpl } from "./mod.ts";
   * console.log(new DenoEventImpl().coalescedWaits); // 0
   * ```
   */
  get coalescedWaits(): number {
    return this.#coalescedWaits;
  }

  /**
   * How many times a dispatch in an event flood checked the fds again and ran the handle
   * callbacks once more before the timers, so that one firing of libvirt's flush timer
   * delivered several events (for tests and diagnostics).
   *
   * @example
   * ```ts
   * import { DenoEventImpl } from "./mod.ts";
   * console.log(new DenoEventImpl().drainedPasses); // 0
   * ```
   */
  get drainedPasses(): number {
    return this.#drained;
  }

  /**
   * Lets the process exit while the loop still watches something, like Node's `unref()`: the
   * loop then waits at most 250 ms per poll and, when such a wait ends with nothing to do, goes
   * on through an unref'd timer, so Deno can end the process there. Costs a few wake-ups per
   * second; event latency is unchanged. Events keep arriving while other work keeps the
   * process alive.
   *
   * @example
   * ```ts
   * import { DenoEventImpl, Event } from "./mod.ts";
   * const loop = new DenoEventImpl();
   * Event.register(loop);
   * loop.unref(); // listeners no longer hold the script open
   * ```
   */
  unref(): void {
    this.#unrefd = true;
    if (this.#waiting) this.#polls?.wake();
  }

  /**
   * Undoes `unref()`: the loop keeps the process alive while it watches something (the default).
   *
   * @example
   * ```ts
   * import { DenoEventImpl } from "./mod.ts";
   * const loop = new DenoEventImpl();
   * loop.unref();
   * loop.ref();
   * ```
   */
  ref(): void {
    this.#unrefd = false;
  }

  /**
   * Stops the loop: wakes a pending poll and resolves once it has settled. Registrations are
   * kept but nothing fires until `start()`. Lets a script end while libvirt still watches fds.
   *
   * @example
   * ```ts
   * import { DenoEventImpl } from "./mod.ts";
   * const loop = new DenoEventImpl();
   * await loop.stop();
   * loop.start();
   * ```
   */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#waiting) this.#polls?.wake();
    if (this.#loop) await this.#loop;
  }

  /**
   * Lets the loop run again after `stop()` (it starts when there is something to wait for).
   *
   * @example
   * ```ts
   * import { DenoEventImpl } from "./mod.ts";
   * new DenoEventImpl().start(); // a no-op unless stop() was called
   * ```
   */
  start(): void {
    this.#stopped = false;
    this.#changed();
  }

  /**
   * Same as `stop()`, for `await using` on a loop that is not registered with libvirt.
   *
   * @example
   * ```ts
   * import { DenoEventImpl } from "./mod.ts";
   * await using loop = new DenoEventImpl();
   * ```
   */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  /** Whether anything could fire: a handle with a mask or an enabled timer. */
  #hasWork(): boolean {
    for (const h of this.#handles.values()) if (h.events !== 0) return true;
    return this.#timers.anyEnabled();
  }

  #idleCheck = false;

  // The deferred half of updateHandle's shortcut: wakes the pending poll if the loop still has
  // nothing to watch after the libvirt call that silenced the last handle has returned.
  #wakeIfIdleLater(): void {
    if (this.#idleCheck) return;
    this.#idleCheck = true;
    setImmediate(() => {
      this.#idleCheck = false;
      if (this.#waiting && !this.#hasWork()) this.#polls?.wake();
    });
  }

  // Called after every registration change. Called from inside libvirt (holding its locks), so
  // it never dispatches: it only wakes a waiting poll or schedules the loop's start.
  #changed(): void {
    this.#rebuild = true;
    if (this.#waiting) {
      this.#polls!.wake();
      return;
    }
    if (this.#loop === null && !this.#stopped && this.#hasWork()) {
      if (logEnabled.debug) log("debug", "event: loop starting");
      this.#loop = this.#run().catch((e) => {
        // Only the setup can fail (no eventfd: out of fds). Stop rather than retry in a loop.
        this.#stopped = true;
        console.error("libvirt: the DenoEventImpl loop stopped:", e);
        log("error", "event: loop failed", { error: e });
      }).finally(() => {
        this.#loop = null;
        if (logEnabled.debug) log("debug", "event: loop idle");
        // A registration made while the loop wound down must not be left unattended.
        if (!this.#stopped && this.#hasWork()) this.#changed();
      });
    }
  }

  async #run(): Promise<void> {
    // Begin in a later macrotask: the call that started us may be libvirt's, holding its locks.
    // `setImmediate` is Deno's global (Node's timers, loaded on its first use, so importing this
    // module stays cheap); `setTimeout(f, 0)` would cost about 2 ms a turn (Deno clamps it).
    await new Promise((r) => setImmediate(r));
    this.#polls ??= new PollSet();
    const polls = this.#polls;
    const polled: Handle[] = [];
    let failures = 0;
    // Whether the last dispatch ran a callback, and how many turns since the last yield found
    // their fds ready without a thread hop. A callback usually leaves more behind, or soon: a
    // stream's next piece (ssh hands libvirt a 256 KiB packet in pieces), a message libvirt just
    // queued for sending (the socket is writable), a flood's next event. So the next turn first
    // waits for it in poll(2) on the JS thread, for at most `#hold` µs, and only hands the wait
    // to the thread pool if nothing came. A pool round trip costs the JS thread ~19 µs to
    // submit plus two thread wake-ups (~50 µs of CPU); a wait here costs one kernel wake-up
    // (bench/findings.md). What it costs instead is the JS thread, blocked for up to `#hold`
    // µs: so the loop yields to Deno's macrotask queue after every such wait that found
    // something (timers and I/O run between them, never more than `#hold` µs late on our
    // account), and it only waits while waiting pays: `hitRate` is a running average of how
    // often these waits found something; below 1 in 4 (an event listener that keeps up with its
    // events) the loop skips the wait except every 16th turn, to sample again, or when a
    // callback widened a watch (libvirt queued a message: its socket is writable now).
    //
    // Gathering instead of holding: while no stream transfers (event/hold.ts) and no async call
    // is in flight, the next turn after a callback does not block the JS thread at all. It lets
    // Deno run a timer of `#coalesce` ms and then checks, without waiting, what came meanwhile;
    // each check that finds more is dispatched at once (libvirt's remote client reads one
    // message per callback), and only a check that finds nothing lets the next turn gather
    // again. An event flood then costs one timer wake-up per batch instead of one wake-up per
    // event (half the CPU per event, measured in bench/findings.md), for at most `#coalesce` ms
    // of delay, and only while events come that fast: the first one after a quiet spell is
    // dispatched as soon as the pool's wait ends.
    let ranCallback = false;
    let syncTurns = 0;
    let hitRate = 1;
    let sample = 0;
    // Whether the last turn found data after gathering: the next turn checks for more first.
    let burst = false;
    // How many dispatches in a row ran callbacks within twice `#coalesce` ms of the last: the
    // loop gathers only after `GATHER_AFTER` of them, so a lone exchange (a keepalive's ping,
    // its write and the reply: three) keeps the cheaper hold, and only a flood pays a timer per
    // batch.
    let quick = 0;
    let lastCallbackAt = -Infinity;
    while (!this.#stopped && this.#hasWork()) {
      this.#build(polls, polled);
      let timeout = this.#pollTimeout();
      this.#iterations++;
      let ready: number;
      let waited = false;
      // How long this turn may wait on the JS thread (0: only check), if it looks at all.
      let hold = 0;
      if (timeout === 0) {
        ready = polls.check();
      } else if (burst && (ready = polls.check()) !== 0) {
        // More of what the gathering found.
      } else {
        ready = 0;
        burst = false;
        const looking = ranCallback &&
          (this.#widened || hitRate >= 0.25 || (++sample & 15) === 0);
        const gather = looking && quick >= GATHER_AFTER ? this.#gatherFor(timeout) : 0;
        if (gather > 0) {
          waited = true;
          if (!(await this.#gather(gather))) {
            // Stopped, or the registrations changed meanwhile: look again with a new set.
            burst = true;
            continue;
          }
          ready = polls.check();
          if (ready > 0) (this.#coalescedWaits++, burst = true);
          timeout = this.#pollTimeout();
        } else if (looking) {
          hold = this.#holdFor(timeout);
          ready = polls.waitHere(hold);
          if (ready !== 0) this.#heldWaits++;
        }
        // One running average for both ways of looking (a gather implies looking).
        if (looking) hitRate = hitRate * 0.875 + (ready !== 0 ? 0.125 : 0);
        if (ready === 0) {
          waited = true;
          this.#poolWaits++;
          this.#waiting = true;
          try {
            ready = await polls.wait(timeout);
          } finally {
            this.#waiting = false;
          }
        }
      }
      if (ready < 0) {
        // EINTR, or a failure that may repeat (its errno stayed on the pool thread): never spin.
        ranCallback = false;
        if (++failures > 3) await new Promise((r) => setTimeout(r, 10));
        if (logEnabled.debug) log("debug", "event: poll failed", { failures });
        continue;
      }
      failures = 0;
      if (polls.drainWake() && logEnabled.debug) log("debug", "event: poll woken");
      if (this.#stopped) break;
      const callbacks = this.#callbacks;
      this.#widened = false;
      // The pause since the last dispatch that ran callbacks ended, not the time between their
      // ends: a drained dispatch may itself take a millisecond.
      const pause = performance.now() - lastCallbackAt;
      // Extra passes count as turns: never more between two yields than SYNC_TURNS allows.
      // Whether batching is allowed at all is asked before each extra pass (`#dispatch`).
      const drain = quick >= GATHER_AFTER
        ? Math.min(DRAIN_PASSES, SYNC_TURNS - 1 - (waited ? 0 : syncTurns))
        : 0;
      const drainedBefore = this.#drained;
      const offThread = this.#dispatch(polls, polled, drain);
      const passes = this.#drained - drainedBefore;
      if (offThread !== null) await offThread;
      ranCallback = this.#callbacks !== callbacks;
      if (ranCallback) {
        quick = pause <= 2 * this.#coalesce ? quick + 1 : 0;
        lastCallbackAt = performance.now();
      }
      if (waited || offThread !== null) {
        syncTurns = passes;
      } else if (timeout === 0 || hold > 0 || (syncTurns += 1 + passes) >= SYNC_TURNS) {
        // Nothing above waited for Deno's loop (a 0 ms timer, or fds found ready again and
        // again): give the rest of Deno a turn.
        syncTurns = 0;
        await new Promise((r) => setImmediate(r));
      } else {
        // Let the promise jobs the callbacks queued run before the next turn.
        await undefined;
      }
      // Unref'd and idle: continue through a timer that does not hold the process open.
      if (ready === 0 && this.#capped) await new Promise((r) => Deno.unrefTimer(setTimeout(r, 0)));
    }
  }

  // Starts a new poll set from the registrations as they are now.
  #build(polls: PollSet, polled: Handle[]): void {
    polls.reset();
    polled.length = 0;
    for (const h of this.#handles.values()) {
      polled.push(h);
      polls.add(h.events === 0 ? -1 : h.fd, h.events);
      h.polled = h.events;
    }
    this.#rebuild = false;
  }

  /** Whether the last `#pollTimeout()` was shortened by `unref()`. */
  #capped = false;

  // The next poll's timeout in ms (-1: none), from libvirt's timers, within unref()'s cap.
  #pollTimeout(): number {
    const timeout = this.#timers.pollTimeout();
    this.#capped = this.#unrefd && (timeout < 0 || timeout > UNREF_POLL_MS);
    return this.#capped ? UNREF_POLL_MS : timeout;
  }

  // Whether a flood may be batched now (gathered with a timer, drained before the timers): not
  // with `coalesceMillis: 0`, which turns it off; not while a transfer may be under way
  // (event/hold.ts: a stream's packets come faster than any timer, and its own libvirt timer
  // must not fall behind); not while an async call is in flight (its replies and the calls' own
  // socket I/O must not wait).
  #mayBatch(): boolean {
    return this.#coalesce !== 0 && !coalesceBlocked() && asyncCallsInFlight() === 0;
  }

  // How many ms the next turn may gather data for with a timer (0: it holds or waits on the
  // pool instead): only while a flood may be batched, and not when one of libvirt's timers is
  // due sooner.
  #gatherFor(timeoutMs: number): number {
    if (!this.#mayBatch()) return 0;
    return timeoutMs < 0 || timeoutMs >= this.#coalesce ? this.#coalesce : 0;
  }

  // Lets Deno's loop run for `ms` ms (a timer, unref'd like the loop). Resolves false when the
  // poll set built before is stale (a registration changed meanwhile) or the loop was stopped.
  async #gather(ms: number): Promise<boolean> {
    // `#build` cleared `#rebuild` just before, with no call into libvirt since.
    await new Promise<void>((resolve) => {
      const id = setTimeout(resolve, ms);
      if (this.#unrefd) Deno.unrefTimer(id);
    });
    return !this.#stopped && !this.#rebuild;
  }

  // How long a wait on the JS thread may last now, in µs (0: only a check), within the poll's
  // own timeout. No wait while a Web stream transfers (its other end is Deno's own I/O,
  // event/hold.ts), nor while an async call is in flight: its pool thread may need the JS
  // thread meanwhile (libvirt calls this impl from it, ffi/call_async.ts), and a wait would hold
  // that call up too.
  #holdFor(timeoutMs: number): number {
    if (this.#hold === 0 || holdBlocked() || asyncCallsInFlight() !== 0) return 0;
    return timeoutMs < 0 ? this.#hold : Math.min(this.#hold, timeoutMs * 1000);
  }

  readonly #timerTags = new Map<number, ConnectionTag | null>();
  /** Callbacks run on the JS thread so far (the loop compares it around a dispatch). */
  #callbacks = 0;
  /** Whether a watch gained events since the last dispatch began (see `#run`). */
  #widened = false;

  // Runs each ready callback on the JS thread, or on the pool when its connection may be in use
  // by a pool thread (ffi/inflight.ts decides, just before each callback: an earlier callback
  // may have started an async call). Returns a Promise once a callback had to go to the pool;
  // the rest of the dispatch then continues there, in the same order, one callback at a time.
  //
  // `drain`: how many more times the handles may be checked and run again before the timers
  // (0: one pass). In an event flood each message libvirt reads queues an event and arms
  // libvirt's flush timer (`updateTimeout(0)`), whose firing delivers the queue and disarms it
  // (`updateTimeout(-1)`): three crossings per event when every turn runs one handle callback
  // and then the timer. Reading what the socket already holds first lets one firing deliver
  // them all.
  #dispatch(polls: PollSet, polled: Handle[], drain = 0): Promise<void> | null {
    for (let pass = 0;; pass++) {
      let ran = false;
      for (let i = 0; i < polled.length; i++) {
        const h = polled[i];
        // Removed or silenced while poll waited (or by an earlier callback): skip it.
        if (h.removed || h.events === 0) continue;
        const events = polls.returned(i + 1) & (h.events | ALWAYS);
        if (events === 0) continue;
        if (mustDispatchOffThread(h.tag)) return this.#dispatchRest(polls, polled, i, -1, null, 0);
        this.#callbacks++;
        ran = true;
        setDispatchTag(h.tag);
        this.runHandleCallback(h.watch, h.fd, events, h.cb, h.opaque);
        setDispatchTag(null);
      }
      // Again only while a handle ran and the fds are ready once more. The set may be stale by
      // now: results still go through each handle's current mask, and a watch made or widened
      // since is seen by the next turn. A wake-up (entry 0) is left to the next turn too.
      // A callback may have started a transfer or an async call: both end the batching.
      if (!ran || pass >= drain || this.#stopped || !this.#mayBatch()) break;
      if (polls.check() <= 0 || polls.returned(0) !== 0) break;
      this.#drained++;
    }
    const now = performance.now();
    const due = this.#timers.due(now);
    for (let j = 0; j < due.length; j++) {
      const t = due[j];
      // Removed, disabled or rescheduled by a callback earlier in this dispatch: skip it.
      if (t.removed || t.frequency < 0 || t.deadline > now) continue;
      const tag = this.#timerTags.get(t.timer) ?? null;
      if (mustDispatchOffThread(tag)) {
        return this.#dispatchRest(polls, polled, polled.length, now, due, j);
      }
      // libvirt's rule: the next expiry counts from this firing.
      t.deadline = now + t.frequency;
      this.#callbacks++;
      setDispatchTag(tag);
      this.runTimeoutCallback(t.timer, t.cb, t.opaque);
      setDispatchTag(null);
    }
    this.runDeferredFrees();
    return null;
  }

  #offThread = 0;

  // The same dispatch from handle `from` (or timer `dueFrom`) on, awaiting each callback that
  // goes to the pool. Registrations may change while one runs there (the JS thread answers
  // libvirt meanwhile): the checks are made again just before each callback.
  async #dispatchRest(
    polls: PollSet,
    polled: Handle[],
    from: number,
    now: number,
    due: Timer[] | null,
    dueFrom: number,
  ): Promise<void> {
    this.#offThread++;
    try {
      for (let i = from; i < polled.length; i++) {
        const h = polled[i];
        if (h.removed || h.events === 0) continue;
        const events = polls.returned(i + 1) & (h.events | ALWAYS);
        if (events === 0) continue;
        await this.#runOne(
          h.tag,
          () => this.runHandleCallback(h.watch, h.fd, events, h.cb, h.opaque),
          () => runHandleCallbackOffThread(h.watch, h.fd, events, h.cb, h.opaque),
        );
      }
      if (now < 0) now = performance.now();
      due ??= this.#timers.due(now);
      for (let j = dueFrom; j < due.length; j++) {
        const t = due[j];
        if (t.removed || t.frequency < 0 || t.deadline > now) continue;
        t.deadline = now + t.frequency;
        await this.#runOne(
          this.#timerTags.get(t.timer) ?? null,
          () => this.runTimeoutCallback(t.timer, t.cb, t.opaque),
          () => runTimeoutCallbackOffThread(t.timer, t.cb, t.opaque),
        );
      }
    } finally {
      this.#offThread--;
    }
    this.runDeferredFrees();
  }

  // One callback, where its tag says. On the pool its connection counts as busy meanwhile, so
  // no sync call on it starts while that thread may hold its lock and wait for the JS thread.
  #runOne(
    tag: ConnectionTag | null,
    here: () => void,
    pooled: () => Promise<void>,
  ): Promise<void> | void {
    if (!mustDispatchOffThread(tag)) {
      setDispatchTag(tag);
      try {
        return here();
      } finally {
        setDispatchTag(null);
      }
    }
    // The tag itself is what is marked busy: its connection may become known only later.
    const key = tag !== null && tag !== NO_CONNECTION ? tag : null;
    if (key !== null) enterAsync(key);
    setDispatchTag(tag, true);
    return pooled().finally(() => {
      setDispatchTag(null, true);
      if (key !== null) leaveAsync(key);
    });
  }

  /**
   * Runs the scheduled free callbacks, except while a callback runs on the thread pool: libvirt
   * frees an object only once no callback of it can be running (its own loops run frees after
   * the dispatch); the dispatch runs them when it ends.
   *
   * @example
   * ```ts
   * // Called by the loop itself at the end of each dispatch.
   * ```
   */
  protected override runDeferredFrees(): void {
    if (this.#offThread > 0) return;
    super.runDeferredFrees();
  }
}
