// The C side of every event registration: one permanent callback per C signature, routing each
// call through the opaque id to the registration's JS decoder and handler.
import { OpaqueRegistry, permanentCallback, reportCallbackError } from "../../ffi/callbacks.ts";

/**
 * One live registration, as the C callbacks see it. `fire` gets the object pointer (borrowed
 * from libvirt for the duration of the call) and the arguments between it and `opaque`.
 */
export interface Registration {
  /** Names the registration in error reports. */
  where: string;
  /** Decodes the arguments and calls the user's handler. */
  fire(obj: Deno.PointerValue, args: readonly unknown[]): void;
}

/**
 * Every registration of every connection, by the id passed to libvirt as `opaque`. Deleting one
 * stops its deliveries at once (ids are never reused).
 */
export const registrations: OpaqueRegistry<Registration> = new OpaqueRegistry<Registration>();

/**
 * The C signatures of libvirt 9.0's event callbacks, as Deno sees them (several event IDs share
 * one: the decoder, chosen per registration, tells them apart). Every one starts with
 * (virConnectPtr, object pointer) and ends with `void *opaque`.
 */
export const SHAPES = {
  /** virConnectDomainEventCallback (returns int: the legacy and LIFECYCLE callbacks). */
  lifecycleInt: ["pointer", "pointer", "i32", "i32", "pointer"],
  /** (int, int): network/pool/nodedev/secret lifecycle, agent lifecycle. */
  intInt: ["pointer", "pointer", "i32", "i32", "pointer"],
  /** (): the generic callbacks of every object type. */
  none: ["pointer", "pointer", "pointer"],
  /** (int): watchdog, PM wakeup/suspend/suspend-disk, migration iteration. */
  int: ["pointer", "pointer", "i32", "pointer"],
  /** (long long): RTC change. */
  i64: ["pointer", "pointer", "i64", "pointer"],
  /** (unsigned long long): balloon change. */
  u64: ["pointer", "pointer", "u64", "pointer"],
  /** (const char *): device removed/added/removal failed. */
  str: ["pointer", "pointer", "pointer", "pointer"],
  /** (const char *, int): tray change. */
  strInt: ["pointer", "pointer", "pointer", "i32", "pointer"],
  /**
   * (virTypedParameterPtr, int): tunable, job completed. The C signature of `strInt`, with a
   * callback of its own so that the event relay's Worker knows how to read its first argument.
   */
  paramsInt: ["pointer", "pointer", "pointer", "i32", "pointer"],
  /** (int, const char *): metadata change. */
  intStr: ["pointer", "pointer", "i32", "pointer", "pointer"],
  /** (const char *, const char *, int): I/O error. */
  strStrInt: ["pointer", "pointer", "pointer", "pointer", "i32", "pointer"],
  /** (const char *, const char *, int, const char *): I/O error with reason. */
  strStrIntStr: ["pointer", "pointer", "pointer", "pointer", "i32", "pointer", "pointer"],
  /** (int, address *, address *, const char *, subject *): graphics. */
  graphics: ["pointer", "pointer", "i32", "pointer", "pointer", "pointer", "pointer", "pointer"],
  /** (const char *, int, int): block job, block job 2. */
  strIntInt: ["pointer", "pointer", "pointer", "i32", "i32", "pointer"],
  /** (const char *, const char *, const char *, int): disk change. */
  strStrStrInt: ["pointer", "pointer", "pointer", "pointer", "pointer", "i32", "pointer"],
  /** (const char *, const char *, u64, u64): block threshold. */
  strStrU64U64: ["pointer", "pointer", "pointer", "pointer", "u64", "u64", "pointer"],
  /** (int, int, unsigned int): memory failure. */
  intIntU32: ["pointer", "pointer", "i32", "i32", "u32", "pointer"],
  /** (const char *, u64): memory device size change. */
  strU64: ["pointer", "pointer", "pointer", "u64", "pointer"],
} as const satisfies Record<string, readonly Deno.NativeType[]>;

/** The name of one C callback signature. */
export type Shape = keyof typeof SHAPES;

// What libvirt's dispatch calls. It runs on the JS thread (Deno queues calls from libvirt's
// threads there), so registrations cannot change under it; a throw must never reach C.
function dispatch(args: unknown[]): void {
  const entry = registrations.get(args[args.length - 1] as Deno.PointerValue);
  // Gone once deleted: a call libvirt had already queued is then dropped.
  if (!entry) return;
  try {
    entry.fire(args[1] as Deno.PointerValue, args.slice(2, -1));
  } catch (e) {
    reportCallbackError(entry.where, e);
  }
}

const made = new Map<Shape, Deno.PointerObject>();

/** What the C callback of a signature returns: an int for the lifecycle one, else nothing. */
export function shapeResult(shape: Shape): "i32" | "void" {
  return shape === "lifecycleInt" ? "i32" : "void";
}

/** The function pointer for one signature, created on first use and never closed. */
export function callbackPointer(shape: Shape): Deno.PointerObject {
  let ptr = made.get(shape);
  if (ptr === undefined) {
    const result = shapeResult(shape);
    const fn = result === "i32"
      ? (...args: unknown[]) => (dispatch(args), 0)
      : (...args: unknown[]) => void dispatch(args);
    const cb = permanentCallback({ parameters: SHAPES[shape], result }, fn as never);
    ptr = cb.pointer;
    made.set(shape, ptr);
  }
  return ptr;
}

// No virFreeCallback is passed with these opaques (ids, not memory): every path that ends a
// registration deletes it here first (deregistration, the connection's close, a collected
// connection's backstop), so libvirt's free call would have nothing left to do. And it could
// deadlock: libvirt's event state calls it while holding its own lock, when it purges the
// callbacks deregistered during a dispatch. On libvirt's default loop that is the loop's
// thread, which would then wait for the JS thread, while a JS-thread call that needs the same
// lock (a registration, a deregistration, the close) waits for it. The stream callbacks had
// that deadlock (stream/callbacks.ts).

/**
 * Reads a `const char *` argument libvirt owns for the duration of the callback, or passes on
 * the string the event relay already read from it (api/events/relay.ts).
 */
export function str(p: unknown): string | null {
  if (p === null || typeof p === "string") return p;
  return Deno.UnsafePointerView.getCString(p as Deno.PointerObject);
}
