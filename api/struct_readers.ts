// Readers of the structs libvirt lends an event callback (and fills for a getter's typed
// parameters), written once for two places: the JS thread, which imports them, and the event
// relay's Worker, whose source text is built from theirs (`String(fn)`, api/events/relay.ts)
// because a `data:` Worker imports no module of ours. So each one names nothing outside its own
// body but Deno's globals and its arguments: the layout comes in as an argument, not an import.
// Each reads only while its caller holds the struct (libvirt frees it when the callback returns).

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
  /** `VIR_TYPED_PARAM_*` by name (ffi/enums.ts `TypedParameterType`). */
  readonly types: {
    readonly INT: number;
    readonly UINT: number;
    readonly LLONG: number;
    readonly ULLONG: number;
    readonly DOUBLE: number;
    readonly BOOLEAN: number;
    readonly STRING: number;
  };
}

/** One parameter as read: `type` is libvirt's number, `value` follows it. */
export interface RawTypedParam {
  /** The parameter's name. */
  field: string;
  /** libvirt's `VIR_TYPED_PARAM_*` number. */
  type: number;
  /** INT, UINT, DOUBLE: number; LLONG, ULLONG (and unknown types): bigint; BOOLEAN; STRING. */
  value: number | bigint | boolean | string;
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
): RawTypedParam[] {
  const out: RawTypedParam[] = [];
  if (p === null || count <= 0) return out;
  const v = new Deno.UnsafePointerView(p);
  const T = L.types;
  const utf8 = new TextDecoder();
  for (let i = 0; i < count; i++) {
    const base = i * L.size;
    const name = new Uint8Array(v.getArrayBuffer(L.field, base));
    const end = name.indexOf(0);
    const type = v.getInt32(base + L.type);
    const at = base + L.value;
    let value: RawTypedParam["value"];
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

/** A graphics client's or server's address as read (`family` is libvirt's number). */
export interface RawGraphicsAddress {
  /** `VIR_DOMAIN_EVENT_GRAPHICS_ADDRESS_*`. */
  family: number;
  /** The address. */
  node: string;
  /** The port, or null. */
  service: string | null;
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
export function readGraphicsAddress(p: Deno.PointerValue): RawGraphicsAddress | null {
  if (p === null) return null;
  const v = new Deno.UnsafePointerView(p);
  const node = v.getPointer(8);
  const service = v.getPointer(16);
  return {
    family: v.getInt32(0),
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
export function readGraphicsIdentities(
  p: Deno.PointerValue,
): { type: string; name: string }[] {
  const out: { type: string; name: string }[] = [];
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
