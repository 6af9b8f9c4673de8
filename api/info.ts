// Decodes the C info structs libvirt fills (virDomainInfo, virStoragePoolInfo, virStorageVolInfo,
// virNodeInfo): every layout lives here, checked against /usr/include/libvirt with offsetof().
import type { DomainState, StoragePoolState, StorageVolType } from "../ffi/enums.ts";
import { decodeCString } from "../ffi/marshal.ts";
import { withBigIntJSON } from "../ffi/json.ts";

// Layouts are those of LP64 platforms (Linux, macOS on x86_64/aarch64), where `unsigned long`
// is 8 bytes and fields are naturally aligned; both are little-endian. Offsets were verified
// with offsetof()/sizeof() against libvirt 9.0's headers.
//
// The 64-bit counters (cpuTime, capacity, ...) are bigints, which JSON.stringify refuses: every
// decoded object carries a non-enumerable toJSON (ffi/json.ts) that writes them as exact JSON
// integers, so `JSON.stringify(dom.getInfo())` just works.

/** What `Domain.getInfo()` returns (`virDomainInfo`). */
export interface DomainInfo {
  /** The running state. */
  state: DomainState;
  /** The maximum memory allowed, in KiB. */
  maxMem: number;
  /** The memory in use, in KiB. */
  memory: number;
  /** The number of virtual CPUs. */
  nrVirtCpu: number;
  /** CPU time used, in nanoseconds. */
  cpuTime: bigint;
}

/** What `StoragePool.getInfo()` returns (`virStoragePoolInfo`). */
export interface StoragePoolInfo {
  /** The pool's state. */
  state: StoragePoolState;
  /** Logical size, in bytes. */
  capacity: bigint;
  /** Current allocation, in bytes. */
  allocation: bigint;
  /** Remaining free space, in bytes. */
  available: bigint;
}

/** What `StorageVol.getInfo()` returns (`virStorageVolInfo`). */
export interface StorageVolInfo {
  /** The kind of volume (file, block, …). */
  type: StorageVolType;
  /** Logical size, in bytes. */
  capacity: bigint;
  /** Current allocation, in bytes. */
  allocation: bigint;
}

/** What `Connection.getNodeInfo()` returns (`virNodeInfo`). */
export interface NodeInfo {
  /** The CPU model. */
  model: string;
  /** Memory size, in KiB. */
  memory: number;
  /** The number of active CPUs. */
  cpus: number;
  /** Expected CPU frequency in MHz, 0 if unknown. */
  mhz: number;
  /** The number of NUMA cells (1 for uniform memory access). */
  nodes: number;
  /** CPU sockets per node. */
  sockets: number;
  /** Cores per socket. */
  cores: number;
  /** Threads per core. */
  threads: number;
}

/** sizeof(virDomainInfo): state u8 @0, maxMem u64 @8, memory u64 @16, nrVirtCpu u16 @24, cpuTime u64 @32. */
export const DOMAIN_INFO_SIZE = 40;
/** sizeof(virStoragePoolInfo): state i32 @0, capacity @8, allocation @16, available @24. */
export const STORAGE_POOL_INFO_SIZE = 32;
/** sizeof(virStorageVolInfo): type i32 @0, capacity @8, allocation @16. */
export const STORAGE_VOL_INFO_SIZE = 24;
/** sizeof(virNodeInfo): model char[32] @0, memory u64 @32, then six u32 from @40. */
export const NODE_INFO_SIZE = 64;

function view(buf: Uint8Array, size: number): DataView {
  if (buf.byteLength < size) throw new RangeError(`Struct buffer too small: ${buf.byteLength}`);
  return new DataView(buf.buffer, buf.byteOffset, size);
}

// `unsigned long` counts of KiB stay far below 2^53, so they read as plain numbers.
function ulong(v: DataView, offset: number): number {
  return Number(v.getBigUint64(offset, true));
}

/** Decodes a filled `virDomainInfo`. */
export function decodeDomainInfo(buf: Uint8Array): DomainInfo {
  const v = view(buf, DOMAIN_INFO_SIZE);
  return withBigIntJSON({
    state: v.getUint8(0) as DomainState,
    maxMem: ulong(v, 8),
    memory: ulong(v, 16),
    nrVirtCpu: v.getUint16(24, true),
    cpuTime: v.getBigUint64(32, true),
  });
}

/** Decodes a filled `virStoragePoolInfo`. */
export function decodeStoragePoolInfo(buf: Uint8Array): StoragePoolInfo {
  const v = view(buf, STORAGE_POOL_INFO_SIZE);
  return withBigIntJSON({
    state: v.getInt32(0, true) as StoragePoolState,
    capacity: v.getBigUint64(8, true),
    allocation: v.getBigUint64(16, true),
    available: v.getBigUint64(24, true),
  });
}

/** Decodes a filled `virStorageVolInfo`. */
export function decodeStorageVolInfo(buf: Uint8Array): StorageVolInfo {
  const v = view(buf, STORAGE_VOL_INFO_SIZE);
  return withBigIntJSON({
    type: v.getInt32(0, true) as StorageVolType,
    capacity: v.getBigUint64(8, true),
    allocation: v.getBigUint64(16, true),
  });
}

/** Decodes a filled `virNodeInfo`. */
export function decodeNodeInfo(buf: Uint8Array): NodeInfo {
  const v = view(buf, NODE_INFO_SIZE);
  return {
    model: decodeCString(buf.subarray(0, 32)),
    memory: ulong(v, 32),
    cpus: v.getUint32(40, true),
    mhz: v.getUint32(44, true),
    nodes: v.getUint32(48, true),
    sockets: v.getUint32(52, true),
    cores: v.getUint32(56, true),
    threads: v.getUint32(60, true),
  };
}
