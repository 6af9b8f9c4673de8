// C arrays the override methods pass to libvirt (string lists, unsigned lists) and take back
// from it (string lists libvirt allocated, which are freed here exactly once).
import { libc } from "../ffi/libc.ts";
import { cString, describe } from "../ffi/marshal.ts";

/** A `const char **` built from JS strings; keep the whole object alive until the call returns. */
export interface CStringArray {
  /** The pointer array, NULL-terminated (libvirt gets the count separately, or stops at NULL). */
  array: BigUint64Array<ArrayBuffer>;
  /** How many strings it holds. */
  count: number;
  /** The strings the array points into. */
  strings: Uint8Array<ArrayBuffer>[];
}

/** Checks a string list and lays it out as a `const char **` (TypeError on anything else). */
export function cStringArray(list: readonly string[], what: string): CStringArray {
  if (!Array.isArray(list) || list.some((s) => typeof s !== "string")) {
    throw new TypeError(`${what} must be an array of strings, got ${describe(list)}`);
  }
  const strings = list.map((s) => cString(s));
  const array = new BigUint64Array(list.length + 1);
  strings.forEach((s, i) => {
    array[i] = BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(s)));
  });
  return { array, count: list.length, strings };
}

/** Checks a list of unsigned 32-bit integers and lays it out as a C array. */
export function u32Array(list: readonly number[], what: string): Uint32Array<ArrayBuffer> {
  if (
    !Array.isArray(list) ||
    list.some((n) => typeof n !== "number" || !Number.isInteger(n) || n < 0 || n > 0xffffffff)
  ) {
    throw new TypeError(`${what} must be an array of unsigned integers, got ${describe(list)}`);
  }
  return Uint32Array.from(list);
}

/**
 * Reads the first `count` strings of a `char **` libvirt allocated (its address is in `holder`,
 * or `array` is the array itself), and frees each string and the array.
 */
export function takeStringArray(
  holder: BigUint64Array | Deno.PointerValue,
  count: number,
): string[] {
  const array = holder instanceof BigUint64Array ? Deno.UnsafePointer.create(holder[0]) : holder;
  if (array === null) return [];
  const { free } = libc().symbols;
  const view = new Deno.UnsafePointerView(array);
  const out: string[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const s = view.getPointer(i * 8);
      if (s === null) continue;
      out.push(Deno.UnsafePointerView.getCString(s));
      free(s);
    }
  } finally {
    free(array);
  }
  return out;
}
