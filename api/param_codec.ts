// Typed parameters as plain objects for the override methods: records to libvirt arrays and
// back, and the call plans of libvirt's getter and setter shapes.
import { TypedParameterType } from "../ffi/enums.ts";
import { describe } from "../ffi/marshal.ts";
import { type Plan, raw } from "./call_plan.ts";
import {
  decodeTypedParams,
  encodeTypedParams,
  takeTypedParams,
  TYPED_PARAM_SIZE,
  type TypedParam,
  type TypedParams,
  typedParamsToRecord,
  type TypedParamValue,
} from "./typed_params.ts";

/**
 * What a setter accepts for a field read as `V`: a 64-bit field also takes a number, a string
 * field also a list of strings (one entry each).
 *
 * @example
 * ```ts
 * import type { Widen } from "./mod.ts";
 * const v: Widen<bigint> = 512;
 * console.log(v);
 * ```
 */
export type Widen<V> = V extends bigint ? bigint | number
  : V extends string ? string | readonly string[]
  : V;

/**
 * What a setter takes for a parameter group `T`: any subset of its fields; 64-bit fields also
 * accept a safe-integer number, and a string field may repeat (an array gives one entry each,
 * as `migrate_disks` needs).
 *
 * @example
 * ```ts
 * import type { ParamInput, SchedulerParameters } from "./mod.ts";
 * const p: ParamInput<SchedulerParameters> = { cpu_shares: 512 };
 * console.log(p);
 * ```
 */
export type ParamInput<T> = { [K in keyof T]?: Widen<T[K]> };

/** Keeps values referenced up to this point (buffers a finished libvirt call pointed into). */
export function keep(..._values: unknown[]): void {}

function inferType(field: string, v: unknown, what: string): TypedParameterType {
  switch (typeof v) {
    case "string":
      return TypedParameterType.STRING;
    case "boolean":
      return TypedParameterType.BOOLEAN;
    case "bigint":
      return v < 0n ? TypedParameterType.LLONG : TypedParameterType.ULLONG;
    case "number":
      if (!Number.isInteger(v)) return TypedParameterType.DOUBLE;
      throw new TypeError(
        `${what}: "${field}" is not a parameter libvirt knows here, so its integer type is ` +
          `unknown; give a bigint for a 64-bit value`,
      );
    default:
      throw new TypeError(`${what}: "${field}" cannot be ${describe(v)}`);
  }
}

/** Throws a TypeError unless `values` is a plain object of named parameters. */
export function checkRecord(values: unknown, what: string): asserts values is object {
  if (values === null || typeof values !== "object" || Array.isArray(values)) {
    throw new TypeError(`${what} must be an object of named parameters, got ${describe(values)}`);
  }
}

/** Checks a parameter record and lists its entries with their libvirt types. */
export function recordToParams(
  values: unknown,
  types: Readonly<Record<string, TypedParameterType>>,
  what: string,
): TypedParam[] {
  checkRecord(values, what);
  const out: TypedParam[] = [];
  for (const [field, value] of Object.entries(values as object)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) {
      const type = Object.hasOwn(types, field) ? types[field] : inferType(field, v, what);
      out.push({ field, type, value: v as TypedParamValue });
    }
  }
  return out;
}

/** Whether a record names a field the static table lacks (its type must be asked of libvirt). */
export function hasUnknown(values: unknown, types: Readonly<Record<string, unknown>>): boolean {
  if (values === null || typeof values !== "object") return false;
  return Object.entries(values).some(([k, v]) => v !== undefined && !Object.hasOwn(types, k));
}

/** Reads a caller-filled array (libvirt put malloc'd strings in it) and frees those strings. */
function* readFilled(buf: Uint8Array<ArrayBuffer>, count: number): Plan<TypedParam[]> {
  const p = Deno.UnsafePointer.of(buf);
  try {
    return decodeTypedParams(p, count);
  } finally {
    yield* raw("virTypedParamsClear", p, count);
  }
}

/**
 * The "ask the count, then fill my array" getter shape (virDomainGetMemoryParameters …):
 * `call(null, n)` with n = 0 sets the count, `call(array, n)` fills it. `known` skips the
 * first call when the count came from elsewhere (virDomainGetSchedulerType).
 */
export function* countedParams(
  call: (params: Deno.PointerValue, nparams: Int32Array<ArrayBuffer>) => Plan<number>,
  known?: number,
): Plan<TypedParam[]> {
  const n = new Int32Array(1);
  if (known === undefined) yield* call(null, n);
  else n[0] = known;
  if (n[0] <= 0) return [];
  const buf = new Uint8Array(n[0] * TYPED_PARAM_SIZE);
  try {
    yield* call(Deno.UnsafePointer.of(buf), n);
  } finally {
    keep(buf);
  }
  return yield* readFilled(buf, n[0]);
}

/** The "libvirt allocates the array" getter shape (virDomainGetJobStats …): freed here. */
export function* allocatedParams(
  call: (holder: BigUint64Array<ArrayBuffer>, nparams: Int32Array<ArrayBuffer>) => Plan<number>,
): Plan<TypedParam[]> {
  const holder = new BigUint64Array(1);
  const n = new Int32Array(1);
  yield* call(holder, n);
  return takeTypedParams(Deno.UnsafePointer.create(holder[0]), n[0]);
}

/** A getter's result as a record (typed as the group's interface `T`). */
export function* asRecord<T = TypedParams>(plan: Plan<TypedParam[]>): Plan<T> {
  return typedParamsToRecord(yield* plan) as T;
}

/**
 * A setter (virDomainSetMemoryParameters …): checks `values`, takes each field's type from the
 * static table, or, for a name it lacks, from what `getter` reports (libvirt-python's way),
 * then calls `call(array, count)` with the encoded array.
 */
export function* setParams(
  values: unknown,
  types: Readonly<Record<string, TypedParameterType>>,
  what: string,
  getter: (() => Plan<TypedParam[]>) | null,
  call: (params: Deno.PointerValue, nparams: number) => Plan<number>,
): Plan<void> {
  let known = types;
  checkRecord(values, what); // before any call
  if (getter && hasUnknown(values, types)) {
    const current = yield* getter();
    known = { ...types, ...Object.fromEntries(current.map((p) => [p.field, p.type])) };
  }
  const enc = encodeTypedParams(recordToParams(values, known, what));
  try {
    yield* call(enc.count ? Deno.UnsafePointer.of(enc.buffer) : null, enc.count);
  } finally {
    keep(enc);
  }
}

/** Encodes a record whose types are all known statically (migrate, block copy, save …). */
export function encodeRecord(
  values: unknown,
  types: Readonly<Record<string, TypedParameterType>>,
  what: string,
): { ptr: Deno.PointerValue; count: number; keep: unknown } {
  const enc = encodeTypedParams(recordToParams(values ?? {}, types, what));
  return { ptr: enc.count ? Deno.UnsafePointer.of(enc.buffer) : null, count: enc.count, keep: enc };
}
