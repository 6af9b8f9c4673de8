// Argument checks the generated methods use beside ffi/marshal.ts's: each turns a JS value into
// what the C parameter takes, or throws a TypeError before any FFI call.
import { cString, describe, UUID_BUFLEN } from "./marshal.ts";

/** The part of a wrapper the checks need: its pointer, which throws once it was released. */
interface Handle {
  readonly unsafePointer: Deno.PointerObject;
}

/**
 * The pointer of a libvirt object passed as an argument (a Stream, a Domain...): a TypeError when
 * it is no wrapper, an Error when it was freed.
 *
 * @example
 * ```ts
 * import { objectArg } from "./ffi/args.ts";
 * import { Connection } from "./mod.ts";
 * using conn = Connection.open("test:///default");
 * console.log(objectArg(conn, "Connection") !== null);
 * ```
 */
export function objectArg(v: Handle, kind: string): Deno.PointerObject {
  if (typeof v !== "object" || v === null || !("unsafePointer" in v)) {
    throw new TypeError(`Expected a ${kind}, got ${describe(v)}`);
  }
  return v.unsafePointer;
}

/**
 * A `const char *` that may be NULL: a string, or null/undefined for NULL.
 *
 * @example
 * ```ts
 * import { optionalStringArg } from "./ffi/args.ts";
 * console.log(optionalStringArg(null, "uri")); // null
 * ```
 */
export function optionalStringArg(
  v: string | null | undefined,
  what: string,
): Uint8Array<ArrayBuffer> | null {
  if (v === null || v === undefined) return null;
  if (typeof v !== "string") throw new TypeError(`${what} must be a string, got ${describe(v)}`);
  return cString(v);
}

/**
 * A raw UUID: exactly 16 bytes, copied.
 *
 * @example
 * ```ts
 * import { uuidBytesArg } from "./ffi/args.ts";
 * console.log(uuidBytesArg(new Uint8Array(16)).length); // 16
 * ```
 */
export function uuidBytesArg(v: Uint8Array): Uint8Array<ArrayBuffer> {
  if (!(v instanceof Uint8Array) || v.length !== UUID_BUFLEN) {
    throw new TypeError(`Expected a raw UUID of ${UUID_BUFLEN} bytes, got ${describe(v)}`);
  }
  return v.slice();
}

/**
 * An `unsigned int` argument.
 *
 * @example
 * ```ts
 * import { uintArg } from "./ffi/args.ts";
 * console.log(uintArg(3, "screen")); // 3
 * ```
 */
export function uintArg(v: number, what: string): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v > 0xffffffff) {
    throw new TypeError(`${what} must be an unsigned 32-bit integer, got ${describe(v)}`);
  }
  return v;
}

/**
 * A `long long` argument, as a number or a bigint.
 *
 * @example
 * ```ts
 * import { i64Arg } from "./ffi/args.ts";
 * console.log(i64Arg(-1, "offset")); // -1n
 * ```
 */
export function i64Arg(v: number | bigint, what: string): bigint {
  const ok = typeof v === "bigint" || (typeof v === "number" && Number.isInteger(v));
  const b = ok ? BigInt(v) : 0n;
  if (!ok || b < -0x8000000000000000n || b > 0x7fffffffffffffffn) {
    throw new TypeError(`${what} must be a 64-bit integer, got ${describe(v)}`);
  }
  return b;
}

/**
 * A `double` argument.
 *
 * @example
 * ```ts
 * import { doubleArg } from "./ffi/args.ts";
 * console.log(doubleArg(0.5, "rate")); // 0.5
 * ```
 */
export function doubleArg(v: number, what: string): number {
  if (typeof v !== "number") throw new TypeError(`${what} must be a number, got ${describe(v)}`);
  return v;
}

/**
 * A C `int` used as a boolean (autostart): `true` is 1, `false` 0; anything else is a TypeError.
 *
 * @example
 * ```ts
 * import { boolArg } from "./ffi/args.ts";
 * console.log(boolArg(true, "autostart")); // 1
 * ```
 */
export function boolArg(v: boolean, what: string): number {
  if (typeof v !== "boolean") throw new TypeError(`${what} must be a boolean, got ${describe(v)}`);
  return v ? 1 : 0;
}
