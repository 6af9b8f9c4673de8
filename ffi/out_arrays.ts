// Out-arrays libvirt fills: names in an array the caller allocates (`char ** const names`), each
// string malloc'ed by libvirt and freed here once read.
import { takeCString } from "./marshal.ts";

/**
 * Reads `count` strings from an array of `char *` libvirt filled (the caller's memory) and frees
 * each string.
 *
 * @example
 * ```ts
 * import { takeNames } from "./ffi/out_arrays.ts";
 * console.log(takeNames(new BigUint64Array(2), 0)); // []
 * ```
 */
export function takeNames(slots: BigUint64Array, count: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < slots.length; i++) {
    const s = takeCString(Deno.UnsafePointer.create(slots[i]));
    if (i < count && s !== null) out.push(s);
  }
  return out;
}
