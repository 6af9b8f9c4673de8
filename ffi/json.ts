// Lets JSON.stringify print result objects that carry libvirt's 64-bit counters as bigints.

// JSON.rawJSON (V8, Deno 2) writes a number's exact digits into the JSON text, so a 64-bit
// counter prints as the integer it is, not rounded to a double and not turned into a string.
const rawJSON = (JSON as unknown as { rawJSON?: (text: string) => unknown }).rawJSON;

function jsonValue(v: unknown): unknown {
  if (typeof v === "bigint") {
    if (rawJSON) return rawJSON(v.toString());
    // Without rawJSON: exact numbers stay numbers, larger ones keep their digits as strings.
    return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  }
  if (Array.isArray(v)) return v.map(jsonValue);
  return v;
}

/**
 * Gives `obj` a non-enumerable `toJSON`, so `JSON.stringify` prints it instead of throwing on
 * its bigint fields: they are written as JSON integers with their exact digits (a 64-bit
 * counter past 2^53 too). The object and its fields are unchanged, and `console.log` or
 * `assert.deepEqual` see no extra property. getInfo() results come this way already.
 *
 * @example
 * ```ts
 * import { withBigIntJSON } from "./mod.ts";
 * console.log(JSON.stringify(withBigIntJSON({ cpuTime: 2n ** 64n - 1n, state: 1 })));
 * // {"cpuTime":18446744073709551615,"state":1}
 * ```
 */
export function withBigIntJSON<T extends object>(obj: T): T {
  Object.defineProperty(obj, "toJSON", {
    value: function (this: Record<string, unknown>): Record<string, unknown> {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(this)) out[k] = jsonValue(v);
      return out;
    },
    enumerable: false,
    configurable: true,
    writable: true,
  });
  return obj;
}
