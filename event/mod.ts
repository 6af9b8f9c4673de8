/**
 * libvirt's event loop for Deno (Perl's Sys::Virt::Event): choose the loop libvirt uses for its
 * fds and timers — `DenoEventImpl` on Deno's own loop, libvirt's default loop run on Deno's
 * thread pool, or an `EventImpl` of your own — and watch your own fds and timers on it.
 * Register the loop once per process, before the first connection: libvirt needs it for
 * domain events, keepalive and streams of remote connections.
 *
 * Threading rule: every libvirt API call of this module is synchronous on Deno's JS thread, so
 * a TypeScript event impl is only called from the JS thread (nested in those calls or in its own
 * dispatch) and libvirt never waits on the JS thread while holding a lock the JS thread needs.
 * With libvirt's default loop, the loop runs on a pool thread inside `runDefaultImpl()` and
 * every callback it makes is queued onto the JS thread by Deno.
 *
 * One loop per process, for the life of the process: libvirt keeps the loop's callbacks (and
 * every event callback) after the JS isolate that created them is gone, so register from the
 * main module, not from a Worker that may end (nor from several `deno test` files sharing one
 * process: run each in its own process).
 *
 * What keeps the process alive: a `DenoEventImpl` while it watches something (a handle with a
 * non-zero mask or an enabled timer), and a pending `runDefaultImpl()` iteration. Closing the
 * last connection removes libvirt's watches, so a script with DenoEventImpl ends by itself.
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

/** The fd is readable (`VIR_EVENT_HANDLE_READABLE`). */
export const HANDLE_READABLE: 1 = EventHandleType.READABLE;
/** The fd is writable (`VIR_EVENT_HANDLE_WRITABLE`). */
export const HANDLE_WRITABLE: 2 = EventHandleType.WRITABLE;
/** An error on the fd; reported even when not asked for (`VIR_EVENT_HANDLE_ERROR`). */
export const HANDLE_ERROR: 4 = EventHandleType.ERROR;
/** The peer hung up; reported even when not asked for (`VIR_EVENT_HANDLE_HANGUP`). */
export const HANDLE_HANGUP: 8 = EventHandleType.HANGUP;

export { EventImpl } from "./impl.ts";
export { DenoEventImpl } from "./deno_impl.ts";
export { register, registerDefaultImpl, registeredImpl } from "./register.ts";
export { DefaultEventLoop, runDefaultImpl, runDefaultImplLoop } from "./default_loop.ts";
export {
  addHandle,
  addTimeout,
  removeHandle,
  removeTimeout,
  updateHandle,
  updateTimeout,
} from "./api.ts";
export type { HandleCallback, TimeoutCallback } from "./api.ts";
