// virTypedParameter arrays: reading the ones libvirt hands out, building the ones it takes.
import { TypedParameterType } from "../ffi/enums.ts";
import { callRaw } from "../ffi/call.ts";
import { cString, describe } from "../ffi/marshal.ts";
import { readTypedParams, type TypedParamLayout } from "./struct_readers.ts";
import { withBigIntJSON } from "../ffi/json.ts";

/** VIR_TYPED_PARAM_FIELD_LENGTH: the size of the NUL-padded `field` name. */
export const TYPED_PARAM_FIELD_LENGTH = 80;

/**
 * sizeof(virTypedParameter) on 64-bit platforms: `char field[80]; int type;` then the 8-byte
 * value union, aligned to 8 (so 4 bytes of padding after `type`).
 */
export const TYPED_PARAM_SIZE = 96;
// Where `type` and the value union sit in a `virTypedParameter`.
const TYPE_OFFSET = 80;
const VALUE_OFFSET = 88;

/**
 * The layout the struct readers take (api/struct_readers.ts): this module's reads, and those of
 * the event relay's Worker, which gets it in a message.
 *
 * @example
 * ```ts
 * import { TYPED_PARAM_LAYOUT } from "./typed_params.ts";
 * console.log(TYPED_PARAM_LAYOUT.value); // 88
 * ```
 */
export const TYPED_PARAM_LAYOUT: TypedParamLayout = {
  size: TYPED_PARAM_SIZE,
  field: TYPED_PARAM_FIELD_LENGTH,
  type: TYPE_OFFSET,
  value: VALUE_OFFSET,
  types: TypedParameterType,
};

/** A decoded value: 32-bit numbers and doubles as number, 64-bit integers as bigint. */
export type TypedParamValue = number | bigint | boolean | string;

/** One `virTypedParameter`, decoded. */
export interface TypedParam {
  /** The parameter's name (`field`), e.g. "cputune.vcpu_period". */
  field: string;
  /** Its type (`TypedParameterType`), which decides the JS type of `value`. */
  type: TypedParameterType;
  /** INT, UINT, DOUBLE: number; LLONG, ULLONG: bigint; BOOLEAN: boolean; STRING: string. */
  value: TypedParamValue;
}

/** Typed parameters by name (the last one wins when libvirt repeats a name). */
export type TypedParams = Record<string, TypedParamValue>;

/**
 * Reads `count` parameters at `ptr` without taking ownership: the caller (libvirt, inside an
 * event callback) still frees them, so nothing here may be freed or kept as a pointer.
 *
 * @example
 * ```ts
 * import { decodeTypedParams } from "./mod.ts";
 * console.log(decodeTypedParams(null, 0)); // []
 * ```
 */
export function decodeTypedParams(ptr: Deno.PointerValue, count: number): TypedParam[] {
  return readTypedParams(ptr, count, TYPED_PARAM_LAYOUT);
}

/**
 * Reads parameters the caller owns (from a getter's out-parameter) and frees them with
 * `virTypedParamsFree`, which also frees their strings.
 *
 * @example
 * ```ts
 * import { takeTypedParams } from "./mod.ts";
 * console.log(takeTypedParams(null, 0)); // []
 * ```
 */
export function takeTypedParams(ptr: Deno.PointerValue, count: number): TypedParam[] {
  if (ptr === null) return [];
  try {
    return decodeTypedParams(ptr, count);
  } finally {
    callRaw("virTypedParamsFree", ptr, count);
  }
}

/**
 * Turns a parameter list into an object keyed by field name.
 *
 * @example
 * ```ts
 * import { TypedParameterType, typedParamsToRecord } from "./mod.ts";
 * const rec = typedParamsToRecord([{ field: "a", type: TypedParameterType.INT, value: 1 }]);
 * console.log(rec.a); // 1
 * ```
 */
export function typedParamsToRecord(params: readonly TypedParam[]): TypedParams {
  if (!Array.isArray(params)) {
    throw new TypeError(`typedParamsToRecord needs an array of parameters, got ${typeof params}`);
  }
  const out: TypedParams = {};
  for (const p of params) {
    if (typeof p?.field !== "string") {
      throw new TypeError(`Each typed parameter needs a string field, got ${JSON.stringify(p)}`);
    }
    out[p.field] = p.value;
  }
  return withBigIntJSON(out); // JSON.stringify prints its ULLONG/LLONG values (ffi/json.ts)
}

/** A parameter array laid out for libvirt, plus the JS buffers its string pointers point into. */
export interface EncodedTypedParams {
  /** `count` virTypedParameter structs, to pass as `virTypedParameterPtr`. */
  buffer: Uint8Array<ArrayBuffer>;
  /** How many parameters `buffer` holds. */
  count: number;
  /** Keep this alive until the call returns: the STRING values live here. */
  strings: Uint8Array<ArrayBuffer>[];
}

/**
 * Lays out parameters for a setter (`virDomainSetSchedulerParameters`, …). The memory is JS
 * memory: pass it only to calls that copy it, never to one that takes ownership and frees it.
 * Values are checked against their type before anything reaches libvirt.
 *
 * @example
 * ```ts
 * import { encodeTypedParams, TypedParameterType } from "./mod.ts";
 * const enc = encodeTypedParams([{ field: "weight", type: TypedParameterType.UINT, value: 100 }]);
 * console.log(enc.count, enc.buffer.length); // 1 96
 * ```
 */
export function encodeTypedParams(params: readonly TypedParam[]): EncodedTypedParams {
  if (!Array.isArray(params)) throw new TypeError("Typed parameters must be an array");
  const buffer = new Uint8Array(params.length * TYPED_PARAM_SIZE);
  const view = new DataView(buffer.buffer);
  const strings: Uint8Array<ArrayBuffer>[] = [];
  params.forEach((p, i) => {
    const base = i * TYPED_PARAM_SIZE;
    const name = cString(fieldName(p?.field));
    if (name.length > TYPED_PARAM_FIELD_LENGTH) {
      throw new TypeError(`Typed parameter name "${p.field}" is longer than 79 bytes`);
    }
    buffer.set(name, base);
    view.setInt32(base + TYPE_OFFSET, p.type, true);
    writeValue(view, base + VALUE_OFFSET, p, strings);
  });
  return { buffer, count: params.length, strings };
}

function fieldName(field: unknown): string {
  if (typeof field !== "string" || field === "") {
    throw new TypeError(`A typed parameter needs a non-empty field name, got ${describe(field)}`);
  }
  return field;
}

function writeValue(view: DataView, at: number, p: TypedParam, keep: Uint8Array[]): void {
  const v = p.value;
  const bad = (want: string) =>
    new TypeError(`Typed parameter "${p.field}" wants ${want}, got ${describe(v)}`);
  const int = (min: number, max: number) => {
    if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
      throw bad("an integer");
    }
    return v;
  };
  const big = (min: bigint, max: bigint) => {
    const b = typeof v === "bigint"
      ? v
      : typeof v === "number" && Number.isInteger(v)
      ? BigInt(v)
      : null;
    if (b === null || b < min || b > max) throw bad("a 64-bit integer");
    return b;
  };
  switch (p.type) {
    case TypedParameterType.INT:
      return view.setInt32(at, int(-0x80000000, 0x7fffffff), true);
    case TypedParameterType.UINT:
      return view.setUint32(at, int(0, 0xffffffff), true);
    case TypedParameterType.LLONG:
      return view.setBigInt64(at, big(-(2n ** 63n), 2n ** 63n - 1n), true);
    case TypedParameterType.ULLONG:
      return view.setBigUint64(at, big(0n, 2n ** 64n - 1n), true);
    case TypedParameterType.DOUBLE:
      if (typeof v !== "number") throw bad("a number");
      return view.setFloat64(at, v, true);
    case TypedParameterType.BOOLEAN:
      if (typeof v !== "boolean") throw bad("a boolean");
      return view.setInt8(at, v ? 1 : 0);
    case TypedParameterType.STRING: {
      if (typeof v !== "string") throw bad("a string");
      const s = cString(v);
      keep.push(s);
      return view.setBigUint64(
        at,
        BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(s))),
        true,
      );
    }
    default:
      throw new TypeError(`Typed parameter "${p.field}" has an unknown type ${describe(p.type)}`);
  }
}
