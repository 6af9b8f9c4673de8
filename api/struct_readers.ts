// Readers of the structs libvirt lends an event callback (and fills for a getter's typed
// parameters), written once for two places: the JS thread, which imports them, and the event
// relay's Worker, whose source text is built from theirs (`String(fn)`, api/events/relay.ts)
// because a `data:` Worker imports no module of ours. So each one names nothing outside its own
// body but Deno's globals and its arguments: the layout comes in as an argument, not an import.
// Each reads only while its caller holds the struct (libvirt frees it when the callback returns).
// Their types come from the modules that name them: type imports, which leave no trace in the
// functions' text.
import type { DomainEventGraphicsAddressType, TypedParameterType } from "../ffi/enums.ts";
import type { TypedParam, TypedParamValue } from "./typed_params.ts";
import type { DomainGraphicsAddress, DomainGraphicsIdentity } from "./events/domain_payloads.ts";

/** Where the parts of a `virTypedParameter` sit, and libvirt's type numbers, for the readers. */
export interface TypedParamLayout {
  /** sizeof(virTypedParameter). */
  readonly size: number;
  /** VIR_TYPED_PARAM_FIELD_LENGTH: the NUL-padded name's size, at offset 0. */
  readonly field: number;
  /** The offset of `int type`. */
  readonly type: number;
  /** The offset of the value union. */
  readonly value: number;
  /** `VIR_TYPED_PARAM_*` by name. */
  readonly types: typeof TypedParameterType;
}

/**
 * Reads `count` parameters at `p` without taking them (the caller still frees them).
 *
 * @example
 * ```ts
 * import { readTypedParams } from "./struct_readers.ts";
 * import { TYPED_PARAM_LAYOUT } from "./typed_params.ts";
 * console.log(readTypedParams(null, 0, TYPED_PARAM_LAYOUT)); // []
 * ```
 */
export function readTypedParams(
  p: Deno.PointerValue,
  count: number,
  L: TypedParamLayout,
): TypedParam[] {
  const out: TypedParam[] = [];
  if (p === null || count <= 0) return out;
  const v = new Deno.UnsafePointerView(p);
  const T = L.types;
  const utf8 = new TextDecoder();
  for (let i = 0; i < count; i++) {
    const base = i * L.size;
    const name = new Uint8Array(v.getArrayBuffer(L.field, base));
    const end = name.indexOf(0);
    const type = v.getInt32(base + L.type) as TypedParameterType;
    const at = base + L.value;
    let value: TypedParamValue;
    if (type === T.INT) value = v.getInt32(at);
    else if (type === T.UINT) value = v.getUint32(at);
    else if (type === T.LLONG) value = v.getBigInt64(at);
    else if (type === T.DOUBLE) value = v.getFloat64(at);
    else if (type === T.BOOLEAN) value = v.getInt8(at) !== 0;
    else if (type === T.STRING) {
      const s = v.getPointer(at);
      value = s === null ? "" : Deno.UnsafePointerView.getCString(s);
    } // ULLONG, or a type added after libvirt 9.0: the raw bits rather than failing the array.
    else value = v.getBigUint64(at);
    out.push({ field: utf8.decode(end < 0 ? name : name.subarray(0, end)), type, value });
  }
  return out;
}

/**
 * Reads a `virDomainEventGraphicsAddress` (int family; char *node; char *service: 24 bytes).
 *
 * @example
 * ```ts
 * import { readGraphicsAddress } from "./struct_readers.ts";
 * console.log(readGraphicsAddress(null)); // null
 * ```
 */
export function readGraphicsAddress(p: Deno.PointerValue): DomainGraphicsAddress | null {
  if (p === null) return null;
  const v = new Deno.UnsafePointerView(p);
  const node = v.getPointer(8);
  const service = v.getPointer(16);
  return {
    family: v.getInt32(0) as DomainEventGraphicsAddressType,
    node: node === null ? "" : Deno.UnsafePointerView.getCString(node),
    service: service === null ? null : Deno.UnsafePointerView.getCString(service),
  };
}

/**
 * Reads a `virDomainEventGraphicsSubject` (int nidentity; then a pointer to that many
 * identities, each `char *type, *name`).
 *
 * @example
 * ```ts
 * import { readGraphicsIdentities } from "./struct_readers.ts";
 * console.log(readGraphicsIdentities(null)); // []
 * ```
 */
export function readGraphicsIdentities(p: Deno.PointerValue): DomainGraphicsIdentity[] {
  const out: DomainGraphicsIdentity[] = [];
  if (p === null) return out;
  const v = new Deno.UnsafePointerView(p);
  const count = v.getInt32(0);
  const ids = v.getPointer(8);
  if (ids === null || count <= 0) return out;
  const iv = new Deno.UnsafePointerView(ids);
  for (let i = 0; i < count; i++) {
    const type = iv.getPointer(i * 16);
    const name = iv.getPointer(i * 16 + 8);
    out.push({
      type: type === null ? "" : Deno.UnsafePointerView.getCString(type),
      name: name === null ? "" : Deno.UnsafePointerView.getCString(name),
    });
  }
  return out;
}
