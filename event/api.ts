// The public virEvent API: an application's own fds and timers on whichever loop is registered
// (virEventAddHandle, virEventAddTimeout and friends).
import { callRaw } from "../ffi/call.ts";
import { OpaqueRegistry, permanentCallback } from "../ffi/callbacks.ts";
import { reportRepeatingError } from "./report.ts";
import { describe, intArg } from "../ffi/marshal.ts";
import { registeredLoop } from "./state.ts";
import { EventHandleType } from "../ffi/enums.ts";
import { log, logEnabled } from "../log.ts";
import { onExitQuiet } from "./exit_quiet.ts";

/** Called when a watched fd is ready: `events` holds `HANDLE_*` bits. */
export type HandleCallback = (watch: number, fd: number, events: number) => void;
/** Called each time a timer fires. */
export type TimeoutCallback = (timer: number) => void;

// What this side knows of a registration. `live` turns false as soon as the app removes it and
// `setting` follows updateHandle / updateTimeout: with libvirt's default loop a firing can already be on its way
// from the loop's thread when the JS thread removes or silences the registration, and it must
// not reach the app after that.
interface Entry<C> {
  readonly cb: C;
  id: number;
  /** A handle's events mask, or a timer's frequency. */
  setting: number;
  live: boolean;
}

// A timer also knows when its period began (its last firing, or the app's last add or update),
// so that an averted end can give back what was left of it rather than a whole new period.
interface TimerEntry extends Entry<TimeoutCallback> {
  since: number;
  /** Set while libvirt holds the remainder instead of `setting`: the next firing puts it back. */
  resuming: boolean;
}

const handles = new OpaqueRegistry<Entry<HandleCallback>>();
const timeouts = new OpaqueRegistry<TimerEntry>();
const byWatch = new Map<number, Entry<HandleCallback>>();
const byTimer = new Map<number, TimerEntry>();
const ALWAYS = EventHandleType.ERROR | EventHandleType.HANGUP;

// At the process's end, no timer or watch of the app's fires again (event/exit_quiet.ts); an
// end averted gets each one's own setting back. A timer's period would start again from that
// update (libvirt counts a frequency from when it is set), so an app that averts errors more often
// than its timer's period would never see it fire: it gets what was left of the period first, and
// its own frequency back at that firing.
onExitQuiet(() => {
  for (const [timer, entry] of byTimer) if (entry.live) callRaw("virEventUpdateTimeout", timer, -1);
  for (const [watch, entry] of byWatch) if (entry.live) callRaw("virEventUpdateHandle", watch, 0);
}, () => {
  const now = performance.now();
  for (const [timer, e] of byTimer) {
    if (!e.live) continue;
    const left = e.setting > 0 ? Math.max(0, Math.ceil(e.since + e.setting - now)) : e.setting;
    e.resuming = left !== e.setting;
    callRaw("virEventUpdateTimeout", timer, left);
  }
  for (const [watch, e] of byWatch) if (e.live) callRaw("virEventUpdateHandle", watch, e.setting);
});

// One C function per signature; the JS callback is found through the opaque id. Each runs on
// the thread of the registered loop's dispatch: the JS thread for a TypeScript EventImpl, the
// default loop's thread (queued onto the JS thread by Deno) for libvirt's own loop.
const handleCb = permanentCallback(
  { parameters: ["i32", "i32", "i32", "pointer"], result: "void" } as const,
  (watch, fd, events, opaque) => {
    const entry = handles.get(opaque);
    if (!entry?.live || entry.setting === 0) return;
    const ev = events & (entry.setting | ALWAYS);
    if (ev === 0) return;
    try {
      entry.cb(watch, fd, ev);
    } catch (e) {
      reportRepeatingError(`Event.addHandle callback (watch ${watch})`, e);
    }
  },
);
const handleFree = permanentCallback(
  { parameters: ["pointer"], result: "void" } as const,
  (opaque) => {
    const entry = handles.take(opaque);
    if (entry && byWatch.get(entry.id) === entry) byWatch.delete(entry.id);
  },
);
const timeoutCb = permanentCallback(
  { parameters: ["i32", "pointer"], result: "void" } as const,
  (timer, opaque) => {
    const entry = timeouts.get(opaque);
    if (!entry?.live || entry.setting < 0) return;
    entry.since = performance.now();
    if (entry.resuming) {
      // The remainder of a period cut by an averted end is over: the app's own frequency again.
      entry.resuming = false;
      callRaw("virEventUpdateTimeout", timer, entry.setting);
    }
    try {
      entry.cb(timer);
    } catch (e) {
      reportRepeatingError(`Event.addTimeout callback (timer ${timer})`, e);
    }
  },
);
const timeoutFree = permanentCallback(
  { parameters: ["pointer"], result: "void" } as const,
  (opaque) => {
    const entry = timeouts.take(opaque);
    if (entry && byTimer.get(entry.id) === entry) byTimer.delete(entry.id);
  },
);

function requireLoop(what: string): void {
  if (registeredLoop() === "none") {
    throw new Error(
      `Cannot ${what}: no event loop is registered; call Event.register(new DenoEventImpl()) ` +
        `or Event.registerDefaultImpl() first`,
    );
  }
}

// A mask of the four HANDLE_* bits.
const eventsArg = (events: number): number => intArg(events, "events (HANDLE_* bits)", 0, 15);
// -1 disables a timer; anything below is meaningless to libvirt.
const frequencyArg = (ms: number): number => intArg(ms, "timer frequency (ms, or -1)", -1);

function callbackArg<T>(cb: T, what: string): T {
  if (typeof cb !== "function") {
    throw new TypeError(`${what} must be a function, got ${describe(cb)}`);
  }
  return cb;
}

/**
 * Watches `fd` for `events` (`HANDLE_READABLE | HANDLE_WRITABLE`; ERROR and HANGUP always come)
 * on the registered loop; returns the watch id. The callback runs on the JS thread.
 *
 * @example
 * ```ts
 * import { DenoEventImpl, Event } from "./mod.ts";
 * Event.register(new DenoEventImpl());
 * const watch = Event.addHandle(0, Event.HANDLE_READABLE, (_w, _fd, events) => {
 *   console.log("stdin ready", events);
 * });
 * Event.removeHandle(watch);
 * ```
 */
export function addHandle(fd: number, events: number, cb: HandleCallback): number {
  const fdNum = intArg(fd, "fd", 0);
  const ev = eventsArg(events);
  callbackArg(cb, "addHandle callback");
  requireLoop("add a handle");
  const entry: Entry<HandleCallback> = { cb, id: 0, setting: ev, live: true };
  const { id, opaque } = handles.add(entry);
  const watch = callRaw(
    "virEventAddHandle",
    fdNum,
    ev,
    handleCb.pointer,
    opaque,
    handleFree.pointer,
  );
  if (watch < 0) {
    // libvirt does not call the free function of a registration it refused.
    handles.delete(id);
    throw new Error(`virEventAddHandle failed for fd ${fdNum}`);
  }
  entry.id = watch;
  byWatch.set(watch, entry);
  if (logEnabled.debug) log("debug", "Event.addHandle", { watch, fd: fdNum, events: ev });
  return watch;
}

/**
 * Changes the events a watch waits for (0 keeps it but silences it).
 *
 * @example
 * ```ts
 * import { DenoEventImpl, Event } from "./mod.ts";
 * Event.register(new DenoEventImpl());
 * const watch = Event.addHandle(0, 0, () => {});
 * Event.updateHandle(watch, Event.HANDLE_READABLE);
 * Event.removeHandle(watch);
 * ```
 */
export function updateHandle(watch: number, events: number): void {
  const w = intArg(watch, "watch");
  const ev = eventsArg(events);
  requireLoop("update a handle");
  const entry = byWatch.get(w);
  if (entry) entry.setting = ev;
  callRaw("virEventUpdateHandle", w, ev);
}

/**
 * Stops a watch; returns 0, or -1 when the loop does not know `watch`.
 *
 * @example
 * ```ts
 * import { DenoEventImpl, Event } from "./mod.ts";
 * Event.register(new DenoEventImpl());
 * console.log(Event.removeHandle(99999)); // -1
 * ```
 */
export function removeHandle(watch: number): number {
  const w = intArg(watch, "watch");
  requireLoop("remove a handle");
  if (callRaw("virEventRemoveHandle", w) < 0) return -1;
  const entry = byWatch.get(w);
  if (entry) entry.live = false;
  return 0;
}

/**
 * Adds a timer firing every `frequencyMs` ms (0: every loop iteration, -1: disabled until
 * `updateTimeout`); returns the timer id. The callback runs on the JS thread.
 *
 * @example
 * ```ts
 * import { DenoEventImpl, Event } from "./mod.ts";
 * Event.register(new DenoEventImpl());
 * const timer = Event.addTimeout(1000, (t) => {
 *   console.log("tick");
 *   Event.removeTimeout(t);
 * });
 * ```
 */
export function addTimeout(frequencyMs: number, cb: TimeoutCallback): number {
  const f = frequencyArg(frequencyMs);
  callbackArg(cb, "addTimeout callback");
  requireLoop("add a timeout");
  const entry: TimerEntry = {
    cb,
    id: 0,
    setting: f,
    live: true,
    since: performance.now(),
    resuming: false,
  };
  const { id, opaque } = timeouts.add(entry);
  const timer = callRaw("virEventAddTimeout", f, timeoutCb.pointer, opaque, timeoutFree.pointer);
  if (timer < 0) {
    timeouts.delete(id);
    throw new Error(`virEventAddTimeout failed (frequency ${f} ms)`);
  }
  entry.id = timer;
  byTimer.set(timer, entry);
  if (logEnabled.debug) log("debug", "Event.addTimeout", { timer, frequency: f });
  return timer;
}

/**
 * Changes a timer's frequency (ms; 0 every iteration, -1 disabled), counting from now.
 *
 * @example
 * ```ts
 * import { DenoEventImpl, Event } from "./mod.ts";
 * Event.register(new DenoEventImpl());
 * const timer = Event.addTimeout(-1, () => {});
 * Event.updateTimeout(timer, 500);
 * Event.removeTimeout(timer);
 * ```
 */
export function updateTimeout(timer: number, frequencyMs: number): void {
  const t = intArg(timer, "timer");
  const f = frequencyArg(frequencyMs);
  requireLoop("update a timeout");
  const entry = byTimer.get(t);
  if (entry) {
    entry.setting = f;
    entry.since = performance.now();
    entry.resuming = false;
  }
  callRaw("virEventUpdateTimeout", t, f);
}

/**
 * Removes a timer; returns 0, or -1 when the loop does not know `timer`.
 *
 * @example
 * ```ts
 * import { DenoEventImpl, Event } from "./mod.ts";
 * Event.register(new DenoEventImpl());
 * console.log(Event.removeTimeout(99999)); // -1
 * ```
 */
export function removeTimeout(timer: number): number {
  const t = intArg(timer, "timer");
  requireLoop("remove a timeout");
  if (callRaw("virEventRemoveTimeout", t) < 0) return -1;
  const entry = byTimer.get(t);
  if (entry) entry.live = false;
  return 0;
}

/** @internal How many app callbacks are registered (tests assert cleanup with it). */
export function liveCallbackCount(): { handles: number; timeouts: number } {
  return { handles: handles.size, timeouts: timeouts.size };
}
