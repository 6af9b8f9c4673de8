// Running libvirt's handle and timeout callbacks on Deno's thread pool (nonblocking FFI), so the
// JS thread stays free while they run: what DenoEventImpl does while async calls are in flight.
//
// Why: an async call runs on a pool thread and, inside libvirt's remote client, calls the event
// impl (`virEventUpdateHandle`, a JS callback that waits for the JS thread) while it holds the
// connection's client lock. A handle or timeout callback of the same connection takes that lock.
// Run on the JS thread, such a callback would wait for the pool thread, which waits for the JS
// thread: a deadlock, measured at once with a lifecycle-event flood (docs: DENO-FFI-NOTES.md).
// Run on a pool thread instead, it waits for the lock while the JS thread answers the impl call,
// and everything moves. It costs a thread-pool round trip per callback, so DenoEventImpl does it
// only while an async call is queued or running (see ffi/inflight.ts), and calls them
// synchronously otherwise.
import { callable, reportCallbackError } from "../ffi/callbacks.ts";

const handleDef = {
  parameters: ["i32", "i32", "i32", "pointer"], // (int watch, int fd, int events, void *opaque)
  result: "void",
  nonblocking: true,
} as const;
const timeoutDef = {
  parameters: ["i32", "pointer"], // (int timer, void *opaque)
  result: "void",
  nonblocking: true,
} as const;

// One callable per C function pointer: libvirt passes the same few functions again and again.
const handleFns = new Map<bigint, Deno.UnsafeFnPointer<typeof handleDef>>();
const timeoutFns = new Map<bigint, Deno.UnsafeFnPointer<typeof timeoutDef>>();

let offThread = 0;

/** How many callbacks run on the thread pool right now (for DenoEventImpl and tests). */
export function callbacksOffThread(): number {
  return offThread;
}

/** Calls `cb(watch, fd, events, opaque)` on the thread pool; resolves when it has returned. */
export async function runHandleCallbackOffThread(
  watch: number,
  fd: number,
  events: number,
  cb: Deno.PointerValue,
  opaque: Deno.PointerValue,
): Promise<void> {
  if (cb === null) return;
  offThread++;
  try {
    await callable(handleFns, cb, handleDef).call(watch, fd, events, opaque);
  } catch (e) {
    reportCallbackError(`event handle callback (watch ${watch})`, e);
  } finally {
    offThread--;
  }
}

/** Calls `cb(timer, opaque)` on the thread pool; resolves when it has returned. */
export async function runTimeoutCallbackOffThread(
  timer: number,
  cb: Deno.PointerValue,
  opaque: Deno.PointerValue,
): Promise<void> {
  if (cb === null) return;
  offThread++;
  try {
    await callable(timeoutFns, cb, timeoutDef).call(timer, opaque);
  } catch (e) {
    reportCallbackError(`event timeout callback (timer ${timer})`, e);
  } finally {
    offThread--;
  }
}
