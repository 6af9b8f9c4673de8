// Conversions between JS values and C memory: strings, UUIDs, pointer arrays, struct fields.
import { libc } from "./libc.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A NUL-terminated UTF-8 copy of `s` for a `const char *` parameter; `null` stays null. */
export function cString(s: string): Uint8Array<ArrayBuffer>;
export function cString(s: string | null | undefined): Uint8Array<ArrayBuffer> | null;
export function cString(s: string | null | undefined): Uint8Array<ArrayBuffer> | null {
  if (s === null || s === undefined) return null;
  if (typeof s !== "string") throw new TypeError(`Expected a string, got ${describe(s)}`);
  if (s.includes("\0")) throw new TypeError("A string passed to libvirt cannot contain NUL");
  const bytes = new Uint8Array(s.length * 3 + 1);
  const { written } = encoder.encodeInto(s, bytes);
  return bytes.slice(0, written + 1);
}

/** Reads a C string that libvirt still owns (`const char *`); null reads as null. */
export function readCString(ptr: Deno.PointerValue): string | null {
  if (ptr === null) return null;
  return Deno.UnsafePointerView.getCString(ptr);
}

/** Reads a C string the caller owns (`char *` from libvirt) and frees it. */
export function takeCString(ptr: Deno.PointerValue): string | null {
  if (ptr === null) return null;
  try {
    return Deno.UnsafePointerView.getCString(ptr);
  } finally {
    libc().symbols.free(ptr);
  }
}

/** Copies `bytes` into memory from malloc(), for libvirt to free() later. */
export function mallocCopy(bytes: Uint8Array): Deno.PointerObject {
  const mem = libc().symbols.malloc(BigInt(bytes.length));
  if (mem === null) throw new Error("Out of memory");
  new Uint8Array(Deno.UnsafePointerView.getArrayBuffer(mem, bytes.length)).set(bytes);
  return mem;
}

/** Decodes a NUL-terminated string from a buffer libvirt filled. */
export function decodeCString(buf: Uint8Array): string {
  const end = buf.indexOf(0);
  return decoder.decode(end < 0 ? buf : buf.subarray(0, end));
}

/** VIR_UUID_BUFLEN and VIR_UUID_STRING_BUFLEN. */
export const UUID_BUFLEN = 16;
/** Length of a UUID string with its NUL. */
export const UUID_STRING_BUFLEN = 37;

const UUID_RE = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

/** Checks a UUID string before it reaches libvirt and returns it as a C string. */
export function uuidCString(uuid: string): Uint8Array<ArrayBuffer> {
  if (typeof uuid !== "string" || !UUID_RE.test(uuid)) {
    throw new TypeError(`Expected a UUID string, got ${describe(uuid)}`);
  }
  return cString(uuid);
}

/**
 * Wraps each pointer of a list that an async call returned. The parent may have been freed
 * while the call ran (its libvirt reference waits for the call, its wrapper is gone at once):
 * `wrap` then releases the pointer and throws. Every pointer is still handed to it, so none
 * leaks, and the first error is thrown.
 *
 * @example
 * ```ts
 * import { wrapPointers } from "./ffi/marshal.ts";
 * console.log(wrapPointers([], (p) => p).length); // 0
 * ```
 */
export function wrapPointers<T>(
  ptrs: Deno.PointerObject[],
  wrap: (p: Deno.PointerObject) => T,
): T[] {
  const out: T[] = [];
  let failure: { error: unknown } | null = null;
  for (const p of ptrs) {
    try {
      out.push(wrap(p));
    } catch (e) {
      failure ??= { error: e };
    }
  }
  if (failure) throw failure.error;
  return out;
}

/**
 * Reads the array libvirt allocated for a `virXxxPtr **` out-parameter (`count` pointers), frees
 * the array itself, and returns the element pointers (which the caller now owns).
 */
export function takePointerArray(holder: BigUint64Array, count: number): Deno.PointerObject[] {
  const array = Deno.UnsafePointer.create(holder[0]);
  if (array === null) return [];
  try {
    const view = new Deno.UnsafePointerView(array);
    const out: Deno.PointerObject[] = [];
    for (let i = 0; i < count; i++) {
      const p = view.getPointer(i * 8);
      if (p !== null) out.push(p);
    }
    return out;
  } finally {
    libc().symbols.free(array);
  }
}

/** An opaque pointer that carries a small integer id through libvirt (for `void *opaque`). */
export function idPointer(id: number): Deno.PointerValue {
  return Deno.UnsafePointer.create(BigInt(id));
}

/** The integer id carried by an opaque pointer made with `idPointer`. */
export function pointerId(ptr: Deno.PointerValue): number {
  return Number(Deno.UnsafePointer.value(ptr));
}

/** A short description of a value for TypeError messages. */
export function describe(v: unknown): string {
  if (v === null) return "null";
  if (v === undefined) return "undefined";
  if (typeof v === "string") return `"${v.length > 40 ? v.slice(0, 40) + "…" : v}"`;
  if (typeof v === "object") return (v as object).constructor?.name ?? "object";
  return `${typeof v} ${String(v)}`;
}

/** Checks an unsigned 32-bit flags argument. */
export function flagsArg(flags: number | undefined, what = "flags"): number {
  if (flags === undefined) return 0;
  if (!Number.isInteger(flags) || flags < 0 || flags > 0xffffffff) {
    throw new TypeError(`${what} must be an unsigned 32-bit integer, got ${describe(flags)}`);
  }
  return flags;
}

/** Checks an int argument within [min, max]. */
export function intArg(v: number, what: string, min = -0x80000000, max = 0x7fffffff): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
    throw new TypeError(`${what} must be an integer in [${min}, ${max}], got ${describe(v)}`);
  }
  return v;
}

/** Checks an unsigned 64-bit argument given as a number or bigint. */
export function u64Arg(v: number | bigint, what: string): bigint {
  const b = typeof v === "bigint" ? v : (Number.isInteger(v) && v >= 0 ? BigInt(v) : -1n);
  if (b < 0n || b > 0xffffffffffffffffn) {
    throw new TypeError(`${what} must be a non-negative integer, got ${describe(v)}`);
  }
  return b;
}

/** Checks a string argument. */
export function stringArg(v: string, what: string): Uint8Array<ArrayBuffer> {
  if (typeof v !== "string") throw new TypeError(`${what} must be a string, got ${describe(v)}`);
  return cString(v);
}
