/**
 * libvirt's event loop for Deno (Perl's Sys::Virt::Event): choose the loop libvirt uses for its
 * fds and timers — `DenoEventImpl` on Deno's own loop, libvirt's default loop run on Deno's
 * thread pool, or an `EventImpl` of your own — and watch your own fds and timers on it.
 * Register the loop once per process, before the first connection: libvirt needs it for
 * domain events, keepalive and streams of remote connections.
 *
 * Threading rule: plain methods are synchronous on Deno's JS thread; the `…Async` forms run on
 * Deno's thread pool, one at a time per connection. A TypeScript event impl is called from the
 * JS thread, or, during an async call, from the pool thread that holds the connection's lock
 * (Deno queues that call onto the JS thread). So while a connection has an async call in
 * flight, `DenoEventImpl` runs that connection's handle and timer callbacks on the pool too, and
 * a plain call on that connection throws instead of deadlocking (README, "Threading rule").
 * With libvirt's default loop, the loop runs on a pool thread inside `runDefaultImpl()` (or, for
 * `DefaultEventLoop`, inside one long call of GLib's main loop) and every callback it makes is
 * queued onto the JS thread by Deno.
 *
 * One loop per process, for the life of the process: libvirt keeps the loop's callbacks (and
 * every event callback) after the JS isolate that created them is gone, so register from the
 * main module, not from a Worker that may end (nor from several `deno test` files sharing one
 * process: run each in its own process).
 *
 * What keeps the process alive: a `DenoEventImpl` while it watches something (a handle with a
 * non-zero mask or an enabled timer), a pending `runDefaultImpl()` iteration and a running
 * `DefaultEventLoop`. Closing the last connection removes libvirt's watches, so a script with
 * DenoEventImpl ends by itself.
 *
 * @example
 * ```ts
 * import { Connection, DenoEventImpl, Event } from "./mod.ts";
 * Event.register(new DenoEventImpl());
 * using conn = Connection.open("test:///default");
 * const timer = Event.addTimeout(100, (t) => {
 *   console.log("tick");
 *   Event.removeTimeout(t);
 * });
 * ```
 *
 * @module
 */
import { EventHandleType } from "../ffi/enums.ts";
import type { EventImpl } from "./impl.ts";
import type { HandleCallback, TimeoutCallback } from "./api.ts";
import * as loopApi from "./api.ts";
import * as registration from "./register.ts";
import * as defaultLoop from "./default_loop.ts";

/** The fd is readable (`VIR_EVENT_HANDLE_READABLE`). */
export const HANDLE_READABLE: 1 = EventHandleType.READABLE;
/** The fd is writable (`VIR_EVENT_HANDLE_WRITABLE`). */
export const HANDLE_WRITABLE: 2 = EventHandleType.WRITABLE;
/** An error on the fd; reported even when not asked for (`VIR_EVENT_HANDLE_ERROR`). */
export const HANDLE_ERROR: 4 = EventHandleType.ERROR;
/** The peer hung up; reported even when not asked for (`VIR_EVENT_HANDLE_HANGUP`). */
export const HANDLE_HANGUP: 8 = EventHandleType.HANGUP;

// The functions of the namespace are declared here, not re-exported by name: the documentation
// tools (deno doc, JSR) list a namespace's own declarations only, so `Event.register` and the
// others would vanish from the published docs. Each one hands over to the file that does the
// work.

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
  return registration.register(impl);
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
  return registration.registerDefaultImpl();
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
  return registration.registeredImpl();
}

/**
 * Runs one iteration of libvirt's default loop (`virEventRunDefaultImpl`): waits for the next
 * fd event or timer and dispatches it. The wait happens on Deno's thread pool, so Deno's loop
 * keeps going; libvirt's callbacks reach the JS thread through Deno's callback queue.
 * Resolves to 0; throws if libvirt reports a failure (libvirt's message is lost: it is
 * recorded on the pool thread that ran the iteration).
 *
 * While an iteration is pending the process stays alive. Needs `registerDefaultImpl()` first;
 * throws while a `DefaultEventLoop` runs the loop continuously.
 *
 * @example
 * ```ts
 * import { Connection, Event } from "./mod.ts";
 * Event.registerDefaultImpl();
 * using conn = Connection.open("test:///default");
 * let done = false;
 * const timer = Event.addTimeout(10, () => void (done = true));
 * while (!done) await Event.runDefaultImpl();
 * Event.removeTimeout(timer);
 * ```
 */
export function runDefaultImpl(): Promise<number> {
  return defaultLoop.runDefaultImpl();
}

/**
 * Runs libvirt's default loop until `signal` aborts; resolves once the last iteration returned.
 *
 * @example
 * ```ts
 * import { Event } from "./mod.ts";
 * const ac = new AbortController();
 * const done = Event.runDefaultImplLoop({ signal: ac.signal });
 * setTimeout(() => ac.abort(), 100);
 * await done;
 * ```
 */
export function runDefaultImplLoop(options?: { signal?: AbortSignal }): Promise<void> {
  return defaultLoop.runDefaultImplLoop(options);
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
  return loopApi.addHandle(fd, events, cb);
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
  return loopApi.updateHandle(watch, events);
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
  return loopApi.removeHandle(watch);
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
  return loopApi.addTimeout(frequencyMs, cb);
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
  return loopApi.updateTimeout(timer, frequencyMs);
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
  return loopApi.removeTimeout(timer);
}

export { EventImpl } from "./impl.ts";
export { DenoEventImpl, type DenoEventImplOptions } from "./deno_impl.ts";
export { DefaultEventLoop } from "./default_loop.ts";
export type { HandleCallback, TimeoutCallback } from "./api.ts";
