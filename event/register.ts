// Choosing libvirt's event loop: a TypeScript EventImpl (virEventRegisterImpl) or libvirt's own
// default loop (virEventRegisterDefaultImpl) — once per process, before the first connection.
import { callInt, callRaw } from "../ffi/call.ts";
import { permanentCallback } from "../ffi/callbacks.ts";
import { connectionsOpened, markLoopRegistered, registeredLoop } from "./state.ts";
import { EventImpl } from "./impl.ts";
import { log } from "../log.ts";

let current: EventImpl | null = null;

// libvirt's six entry points into the registered impl. libvirt calls them from the thread that
// made a libvirt call (the JS thread, or a pool thread running an async call), or from our
// dispatch; a call from any other thread is queued onto the JS thread by Deno. They return what the impl
// returns; an exception must not unwind into C, so it becomes -1 (or nothing) and is reported.
function guarded<T>(what: string, fallback: T, fn: (impl: EventImpl) => T): T {
  if (current === null) return fallback;
  try {
    return fn(current);
  } catch (e) {
    console.error(`libvirt: the event impl's ${what} threw:`, e);
    log("error", `event impl ${what} threw`, { error: e });
    return fallback;
  }
}

const addHandleCb = permanentCallback(
  { parameters: ["i32", "i32", "function", "pointer", "function"], result: "i32" } as const,
  (fd, events, cb, opaque, ff) =>
    guarded("addHandle", -1, (impl) => impl.addHandle(fd, events, cb, opaque, ff)),
);
const updateHandleCb = permanentCallback(
  { parameters: ["i32", "i32"], result: "void" } as const,
  (watch, events) => guarded("updateHandle", undefined, (i) => i.updateHandle(watch, events)),
);
const removeHandleCb = permanentCallback(
  { parameters: ["i32"], result: "i32" } as const,
  (watch) => guarded("removeHandle", -1, (impl) => impl.removeHandle(watch)),
);
const addTimeoutCb = permanentCallback(
  { parameters: ["i32", "function", "pointer", "function"], result: "i32" } as const,
  (frequency, cb, opaque, ff) =>
    guarded("addTimeout", -1, (impl) => impl.addTimeout(frequency, cb, opaque, ff)),
);
const updateTimeoutCb = permanentCallback(
  { parameters: ["i32", "i32"], result: "void" } as const,
  (timer, frequency) =>
    guarded("updateTimeout", undefined, (i) => i.updateTimeout(timer, frequency)),
);
const removeTimeoutCb = permanentCallback(
  { parameters: ["i32"], result: "i32" } as const,
  (timer) => guarded("removeTimeout", -1, (impl) => impl.removeTimeout(timer)),
);

function checkCanRegister(what: string): void {
  const loop = registeredLoop();
  if (loop !== "none") {
    throw new Error(
      `Cannot ${what}: an event loop (${loop}) is already registered; libvirt accepts one ` +
        `registration per process`,
    );
  }
  if (connectionsOpened() > 0) {
    throw new Error(
      `Cannot ${what} after a connection was opened: libvirt needs its event loop registered ` +
        `before the first connection`,
    );
  }
}

/**
 * Makes `impl` libvirt's event loop (`virEventRegisterImpl`). Allowed once per process, before
 * the first connection is opened; a second registration (of any kind) throws.
 *
 * Register from the main module, not from a Worker that may end: libvirt keeps the six
 * callbacks for the life of the process, and they belong to the JS isolate that registered
 * them; a call into an isolate that is gone kills the process.
 *
 * @example
 * ```ts
 * import { DenoEventImpl, Event } from "./mod.ts";
 * Event.register(new DenoEventImpl());
 * ```
 */
export function register(impl: EventImpl): void {
  if (!(impl instanceof EventImpl)) {
    throw new TypeError("Event.register expects an EventImpl (for example a DenoEventImpl)");
  }
  checkCanRegister("register an event implementation");
  current = impl;
  callRaw(
    "virEventRegisterImpl",
    addHandleCb.pointer,
    updateHandleCb.pointer,
    removeHandleCb.pointer,
    addTimeoutCb.pointer,
    updateTimeoutCb.pointer,
    removeTimeoutCb.pointer,
  );
  markLoopRegistered("custom");
  log("info", "event: custom event implementation registered", {
    impl: impl.constructor.name,
  });
}

/**
 * Registers libvirt's own event loop (`virEventRegisterDefaultImpl`); then run it with
 * `runDefaultImpl()` or `DefaultEventLoop`. Allowed once per process, before the first
 * connection.
 *
 * @example
 * ```ts
 * import { Event } from "./mod.ts";
 * Event.registerDefaultImpl();
 * ```
 */
export function registerDefaultImpl(): void {
  checkCanRegister("register the default event implementation");
  callInt("virEventRegisterDefaultImpl");
  markLoopRegistered("default");
  log("info", "event: default event implementation registered");
}

/**
 * The `EventImpl` registered with `register`, or null (none, or libvirt's default loop).
 *
 * @example
 * ```ts
 * import { Event } from "./mod.ts";
 * console.log(Event.registeredImpl()); // null until Event.register(...)
 * ```
 */
export function registeredImpl(): EventImpl | null {
  return current;
}
