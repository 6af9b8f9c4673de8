// Decodes the C structs the override methods read (vCPU, block, interface, job, node stats,
// security, guest filesystem and address structs) and converts cpumaps to boolean arrays.
// Offsets are LP64's, checked with offsetof()/sizeof() against libvirt 9.0's headers.
import { decodeCString, describe } from "../ffi/marshal.ts";
import { withBigIntJSON } from "../ffi/json.ts";

function dv(buf: Uint8Array, size: number): DataView {
  if (buf.byteLength < size) throw new RangeError(`Struct buffer too small: ${buf.byteLength}`);
  return new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
}

/** One vCPU of `Domain.getVcpus()` (`virVcpuInfo`). */
export interface VcpuInfo {
  /** The vCPU's number. */
  number: number;
  /** Its state (`VcpuState`: offline, running, blocked). */
  state: number;
  /** CPU time it used, in nanoseconds. */
  cpuTime: bigint;
  /** The host CPU it runs on (-1 when offline). */
  cpu: number;
}
/** sizeof(virVcpuInfo): number u32 @0, state i32 @4, cpuTime u64 @8, cpu i32 @16. */
export const VCPU_INFO_SIZE = 24;

/** Decodes `count` consecutive `virVcpuInfo`. */
export function decodeVcpuInfos(buf: Uint8Array, count: number): VcpuInfo[] {
  const v = dv(buf, count * VCPU_INFO_SIZE);
  return Array.from({ length: count }, (_, i) => {
    const o = i * VCPU_INFO_SIZE;
    return withBigIntJSON({
      number: v.getUint32(o, true),
      state: v.getInt32(o + 4, true),
      cpuTime: v.getBigUint64(o + 8, true),
      cpu: v.getInt32(o + 16, true),
    });
  });
}

/** What `Domain.getBlockInfo()` returns (`virDomainBlockInfo`), in bytes. */
export interface DomainBlockInfo {
  /** The size the guest sees. */
  capacity: bigint;
  /** The host storage in use. */
  allocation: bigint;
  /** The host storage reserved (the file or device size). */
  physical: bigint;
}
/** sizeof(virDomainBlockInfo). */
export const BLOCK_INFO_SIZE = 24;

/** Decodes a `virDomainBlockInfo`. */
export function decodeBlockInfo(buf: Uint8Array): DomainBlockInfo {
  const v = dv(buf, BLOCK_INFO_SIZE);
  return withBigIntJSON({
    capacity: v.getBigUint64(0, true),
    allocation: v.getBigUint64(8, true),
    physical: v.getBigUint64(16, true),
  });
}

/** What `Domain.blockStats()` returns (`virDomainBlockStatsStruct`); -1 where unknown. */
export interface DomainBlockStats {
  /** Read requests. */
  rdReq: bigint;
  /** Bytes read. */
  rdBytes: bigint;
  /** Write requests. */
  wrReq: bigint;
  /** Bytes written. */
  wrBytes: bigint;
  /** Errors (driver-specific). */
  errs: bigint;
}
/** sizeof(virDomainBlockStatsStruct): five long long. */
export const BLOCK_STATS_SIZE = 40;

/** Decodes a `virDomainBlockStatsStruct`. */
export function decodeBlockStats(buf: Uint8Array): DomainBlockStats {
  const v = dv(buf, BLOCK_STATS_SIZE);
  const g = (i: number) => v.getBigInt64(i * 8, true);
  return withBigIntJSON({ rdReq: g(0), rdBytes: g(1), wrReq: g(2), wrBytes: g(3), errs: g(4) });
}

/** What `Domain.interfaceStats()` returns (`virDomainInterfaceStatsStruct`); -1 where unknown. */
export interface DomainInterfaceStats {
  /** Bytes received. */
  rxBytes: bigint;
  /** Packets received. */
  rxPackets: bigint;
  /** Receive errors. */
  rxErrs: bigint;
  /** Received packets dropped. */
  rxDrop: bigint;
  /** Bytes sent. */
  txBytes: bigint;
  /** Packets sent. */
  txPackets: bigint;
  /** Send errors. */
  txErrs: bigint;
  /** Sent packets dropped. */
  txDrop: bigint;
}
/** sizeof(virDomainInterfaceStatsStruct): eight long long. */
export const INTERFACE_STATS_SIZE = 64;

/** Decodes a `virDomainInterfaceStatsStruct`. */
export function decodeInterfaceStats(buf: Uint8Array): DomainInterfaceStats {
  const v = dv(buf, INTERFACE_STATS_SIZE);
  const g = (i: number) => v.getBigInt64(i * 8, true);
  return withBigIntJSON({
    rxBytes: g(0),
    rxPackets: g(1),
    rxErrs: g(2),
    rxDrop: g(3),
    txBytes: g(4),
    txPackets: g(5),
    txErrs: g(6),
    txDrop: g(7),
  });
}

/** sizeof(virDomainMemoryStatStruct): tag i32 @0, val u64 @8. */
export const MEMORY_STAT_SIZE = 16;

// VIR_DOMAIN_MEMORY_STAT_* tags, by value, under the names libvirt-python uses.
const MEMORY_STAT_NAMES = [
  "swap_in",
  "swap_out",
  "major_fault",
  "minor_fault",
  "unused",
  "available",
  "actual",
  "rss",
  "usable",
  "last_update",
  "disk_caches",
  "hugetlb_pgalloc",
  "hugetlb_pgfail",
];

/** Decodes `count` `virDomainMemoryStatStruct` into a record keyed by the stat's name. */
export function decodeMemoryStats(buf: Uint8Array, count: number): Record<string, bigint> {
  const v = dv(buf, count * MEMORY_STAT_SIZE);
  const out: Record<string, bigint> = {};
  for (let i = 0; i < count; i++) {
    const tag = v.getInt32(i * MEMORY_STAT_SIZE, true);
    out[MEMORY_STAT_NAMES[tag] ?? `tag_${tag}`] = v.getBigUint64(i * MEMORY_STAT_SIZE + 8, true);
  }
  return withBigIntJSON(out); // JSON.stringify prints the counters (ffi/json.ts)
}

/** What `Domain.getJobInfo()` returns (`virDomainJobInfo`): times in ms, sizes in bytes. */
export interface DomainJobInfo {
  /** The job's type (`DomainJobType`). */
  type: number;
  /** Time since the job started. */
  timeElapsed: bigint;
  /** Estimated time left. */
  timeRemaining: bigint;
  /** Total data to process. */
  dataTotal: bigint;
  /** Data processed. */
  dataProcessed: bigint;
  /** Data left. */
  dataRemaining: bigint;
  /** Memory to process. */
  memTotal: bigint;
  /** Memory processed. */
  memProcessed: bigint;
  /** Memory left. */
  memRemaining: bigint;
  /** File data to process. */
  fileTotal: bigint;
  /** File data processed. */
  fileProcessed: bigint;
  /** File data left. */
  fileRemaining: bigint;
}
/** sizeof(virDomainJobInfo): type i32 @0, then eleven u64 from @8. */
export const JOB_INFO_SIZE = 96;

/** Decodes a `virDomainJobInfo`. */
export function decodeJobInfo(buf: Uint8Array): DomainJobInfo {
  const v = dv(buf, JOB_INFO_SIZE);
  const g = (i: number) => v.getBigUint64(8 + i * 8, true);
  return withBigIntJSON({
    type: v.getInt32(0, true),
    timeElapsed: g(0),
    timeRemaining: g(1),
    dataTotal: g(2),
    dataProcessed: g(3),
    dataRemaining: g(4),
    memTotal: g(5),
    memProcessed: g(6),
    memRemaining: g(7),
    fileTotal: g(8),
    fileProcessed: g(9),
    fileRemaining: g(10),
  });
}

/** sizeof(virNodeCPUStats) and sizeof(virNodeMemoryStats): char field[80], u64 value @80. */
export const NODE_STATS_SIZE = 88;

/** Decodes `count` `virNodeCPUStats`/`virNodeMemoryStats` into a record by field name. */
export function decodeNodeStats(buf: Uint8Array, count: number): Record<string, bigint> {
  const v = dv(buf, count * NODE_STATS_SIZE);
  const out: Record<string, bigint> = {};
  for (let i = 0; i < count; i++) {
    const o = i * NODE_STATS_SIZE;
    out[decodeCString(buf.subarray(o, o + 80))] = v.getBigUint64(o + 80, true);
  }
  return withBigIntJSON(out); // JSON.stringify prints the counters (ffi/json.ts)
}

/** A security label (`virSecurityLabel`). */
export interface SecurityLabel {
  /** The label text. */
  label: string;
  /** Whether the security model enforces it. */
  enforcing: boolean;
}
/** sizeof(virSecurityLabel): char label[4097], int enforcing @4100. */
export const SECURITY_LABEL_SIZE = 4104;

/** Decodes `count` `virSecurityLabel`. */
export function decodeSecurityLabels(buf: Uint8Array, count: number): SecurityLabel[] {
  const v = dv(buf, count * SECURITY_LABEL_SIZE);
  return Array.from({ length: count }, (_, i) => {
    const o = i * SECURITY_LABEL_SIZE;
    return {
      label: decodeCString(buf.subarray(o, o + 4097)),
      enforcing: v.getInt32(o + 4100, true) === 1,
    };
  });
}

/** The host's security model (`virSecurityModel`). */
export interface SecurityModel {
  /** The model's name ("selinux", "apparmor", "none" or ""). */
  model: string;
  /** Its domain of interpretation. */
  doi: string;
}
/** sizeof(virSecurityModel): char model[257], char doi[257]. */
export const SECURITY_MODEL_SIZE = 514;

/** Decodes a `virSecurityModel`. */
export function decodeSecurityModel(buf: Uint8Array): SecurityModel {
  dv(buf, SECURITY_MODEL_SIZE);
  return {
    model: decodeCString(buf.subarray(0, 257)),
    doi: decodeCString(buf.subarray(257, 514)),
  };
}

/** What `Domain.getBlockJobInfo()` returns (`virDomainBlockJobInfo`). */
export interface DomainBlockJobInfo {
  /** The job's type (`DomainBlockJobType`). */
  type: number;
  /** Bandwidth limit (MiB/s unless the BYTES flag asked for bytes/s). */
  bandwidth: bigint;
  /** Progress, out of `end` (units are the job's own). */
  cur: bigint;
  /** The value `cur` reaches when the job is done. */
  end: bigint;
}
/** sizeof(virDomainBlockJobInfo): type i32 @0, bandwidth u64 @8, cur @16, end @24. */
export const BLOCK_JOB_INFO_SIZE = 32;

/** Decodes a `virDomainBlockJobInfo`. */
export function decodeBlockJobInfo(buf: Uint8Array): DomainBlockJobInfo {
  const v = dv(buf, BLOCK_JOB_INFO_SIZE);
  return withBigIntJSON({
    type: v.getInt32(0, true),
    bandwidth: v.getBigUint64(8, true),
    cur: v.getBigUint64(16, true),
    end: v.getBigUint64(24, true),
  });
}

/** What `Domain.getControlInfo()` returns (`virDomainControlInfo`). */
export interface DomainControlInfo {
  /** The control interface's state (`DomainControlState`). */
  state: number;
  /** Details of that state (`DomainControlErrorReason` when in error). */
  details: number;
  /** Milliseconds spent in that state (when not OK). */
  stateTime: bigint;
}
/** sizeof(virDomainControlInfo): state u32 @0, details u32 @4, stateTime u64 @8. */
export const CONTROL_INFO_SIZE = 16;

/** Decodes a `virDomainControlInfo`. */
export function decodeControlInfo(buf: Uint8Array): DomainControlInfo {
  const v = dv(buf, CONTROL_INFO_SIZE);
  return withBigIntJSON({
    state: v.getUint32(0, true),
    details: v.getUint32(4, true),
    stateTime: v.getBigUint64(8, true),
  });
}

/** The number of bytes of a cpumap for `cpus` host CPUs (VIR_CPU_MAPLEN). */
export function cpuMapLen(cpus: number): number {
  return Math.max(1, Math.ceil(cpus / 8));
}

/** Reads `cpus` bits of a cpumap at `offset` as booleans (true: the CPU may be used). */
export function cpuMapToBooleans(buf: Uint8Array, cpus: number, offset = 0): boolean[] {
  return Array.from({ length: cpus }, (_, c) => (buf[offset + (c >> 3)] & (1 << (c & 7))) !== 0);
}

/** Lays out a boolean array (or a list of CPU numbers' membership) as a cpumap. */
export function booleansToCpuMap(
  map: readonly boolean[],
  what = "cpumap",
): Uint8Array<ArrayBuffer> {
  if (!Array.isArray(map) || map.some((b) => typeof b !== "boolean")) {
    throw new TypeError(
      `${what} must be an array of booleans (one per host CPU), got ${describe(map)}`,
    );
  }
  const out = new Uint8Array(cpuMapLen(map.length));
  map.forEach((on, c) => {
    if (on) out[c >> 3] |= 1 << (c & 7);
  });
  return out;
}
