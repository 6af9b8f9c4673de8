// Domain overrides, statistics: block, interface and memory counters, CPU usage, the running
// job's progress and the state of the domain's control interface.
import { flagsArg, intArg, stringArg } from "../../ffi/marshal.ts";
import { int, type Plan, raw, runAsync, runSync } from "../call_plan.ts";
import { allocatedParams, countedParams, keep } from "../param_codec.ts";
import {
  decodeTypedParams,
  TYPED_PARAM_SIZE,
  type TypedParams,
  typedParamsToRecord,
} from "../typed_params.ts";
import type {
  BlockStatsParameters,
  CPUStatsParameters,
  JobStatsParameters,
} from "../typed_param_names.ts";
import {
  BLOCK_STATS_SIZE,
  CONTROL_INFO_SIZE,
  decodeBlockStats,
  decodeControlInfo,
  decodeInterfaceStats,
  decodeJobInfo,
  decodeMemoryStats,
  type DomainBlockStats,
  type DomainControlInfo,
  type DomainInterfaceStats,
  type DomainJobInfo,
  INTERFACE_STATS_SIZE,
  JOB_INFO_SIZE,
  MEMORY_STAT_SIZE,
} from "../structs.ts";
import { DomainDeviceParams } from "./device_params.ts";

type P = Deno.PointerObject;
type Bytes = Uint8Array<ArrayBuffer>;

/** What `Domain.getJobStats()` returns. */
export interface DomainJobStats {
  /** The job's type (`DomainJobType`; NONE when no job runs). */
  type: number;
  /** Its statistics (`time_elapsed`, `memory_processed` …). */
  stats: JobStatsParameters;
}

// VIR_DOMAIN_MEMORY_STAT_NR in libvirt 9.0 is 13; room for a few more tags of newer daemons.
const MEMORY_STAT_SLOTS = 32;

/**
 * Statistics of a domain: counters are bigint (they can pass 2^53), -1 where the hypervisor
 * does not report one.
 *
 * @example
 * ```ts
 * import { Connection } from "./mod.ts";
 * using conn = Connection.open("test:///default");
 * const dom = conn.lookupDomainByName("test");
 * console.log(dom.memoryStats(), dom.getJobInfo().type);
 * ```
 */
export abstract class DomainStats extends DomainDeviceParams {
  /**
   * Read and write counters of the disk `disk` (target "vda" or source path)
   * (`virDomainBlockStats`, https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainBlockStats).
   *
   * @example
   * ```ts
   * import type { Domain } from "./mod.ts";
   * declare const dom: Domain;
   * console.log(dom.blockStats("vda").rdBytes);
   * ```
   */
  blockStats(disk: string): DomainBlockStats {
    return runSync(blockStats(this.ptr("get block stats"), stringArg(disk, "disk")));
  }

  /**
   * `blockStats()` with the libvirt call off the JS thread.
   * libvirt: [`virDomainBlockStats`](https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainBlockStats).
   *
   * @example
   * ```ts
   * import type { Domain } from "./mod.ts";
   * declare const dom: Domain;
   * console.log((await dom.blockStatsAsync("vda")).wrReq);
   * ```
   */
  blockStatsAsync(disk: string): Promise<DomainBlockStats> {
    return runAsync(this, blockStats(this.ptr("get block stats"), stringArg(disk, "disk")));
  }

  /**
   * Every counter the hypervisor keeps for `disk` (`rd_total_times`, `flush_operations` …;
   * empty string: the sum over all disks) (`virDomainBlockStatsFlags`,
   * https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainBlockStatsFlags).
   *
   * @example
   * ```ts
   * import type { Domain } from "./mod.ts";
   * declare const dom: Domain;
   * console.log(dom.blockStatsFlags("vda").rd_bytes);
   * ```
   */
  blockStatsFlags(disk: string, flags = 0): BlockStatsParameters {
    const d = stringArg(disk, "disk");
    return runSync(blockStatsFlags(this.ptr("get block stats"), d, flagsArg(flags)));
  }

  /**
   * `blockStatsFlags()` with the libvirt calls off the JS thread.
   * libvirt: [`virDomainBlockStatsFlags`](https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainBlockStatsFlags).
   *
   * @example
   * ```ts
   * import type { Domain } from "./mod.ts";
   * declare const dom: Domain;
   * console.log(await dom.blockStatsFlagsAsync("vda"));
   * ```
   */
  blockStatsFlagsAsync(disk: string, flags = 0): Promise<BlockStatsParameters> {
    const d = stringArg(disk, "disk");
    return runAsync(this, blockStatsFlags(this.ptr("get block stats"), d, flagsArg(flags)));
  }

  /**
   * Traffic counters of the network interface `device` (target name such as "vnet0", or MAC)
   * (`virDomainInterfaceStats`,
   * https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainInterfaceStats).
   *
   * @example
   * ```ts
   * import type { Domain } from "./mod.ts";
   * declare const dom: Domain;
   * console.log(dom.interfaceStats("vnet0").rxBytes);
   * ```
   */
  interfaceStats(device: string): DomainInterfaceStats {
    return runSync(ifaceStats(this.ptr("get interface stats"), stringArg(device, "device")));
  }

  /**
   * `interfaceStats()` with the libvirt call off the JS thread.
   * libvirt: [`virDomainInterfaceStats`](https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainInterfaceStats).
   *
   * @example
   * ```ts
   * import type { Domain } from "./mod.ts";
   * declare const dom: Domain;
   * console.log((await dom.interfaceStatsAsync("vnet0")).txBytes);
   * ```
   */
  interfaceStatsAsync(device: string): Promise<DomainInterfaceStats> {
    const d = stringArg(device, "device");
    return runAsync(this, ifaceStats(this.ptr("get interface stats"), d));
  }

  /**
   * Memory statistics of the guest, in KiB, keyed by libvirt-python's names (`actual`, `rss`,
   * `unused`, `available`, `swap_in` …) (`virDomainMemoryStats`,
   * https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainMemoryStats).
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * console.log(conn.lookupDomainByName("test").memoryStats().actual);
   * ```
   */
  memoryStats(flags = 0): Record<string, bigint> {
    return runSync(memoryStats(this.ptr("get memory stats"), flagsArg(flags)));
  }

  /**
   * `memoryStats()` with the libvirt call off the JS thread.
   * libvirt: [`virDomainMemoryStats`](https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainMemoryStats).
   *
   * @example
   * ```ts
   * import type { Domain } from "./mod.ts";
   * declare const dom: Domain;
   * console.log(await dom.memoryStatsAsync());
   * ```
   */
  memoryStatsAsync(flags = 0): Promise<Record<string, bigint>> {
    return runAsync(this, memoryStats(this.ptr("get memory stats"), flagsArg(flags)));
  }

  /**
   * CPU usage (`cpu_time`, `user_time`, `system_time`, `vcpu_time`, ns). `startCpu` -1 gives
   * one record, the domain's total; otherwise one record per host CPU from `startCpu`, for
   * `ncpus` CPUs (default: all the rest) (`virDomainGetCPUStats`,
   * https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainGetCPUStats).
   *
   * @example
   * ```ts
   * import type { Domain } from "./mod.ts";
   * declare const dom: Domain;
   * const [total] = dom.getCPUStats(-1);
   * console.log(total.cpu_time, dom.getCPUStats(0).length);
   * ```
   */
  getCPUStats(startCpu = -1, ncpus?: number, flags = 0): CPUStatsParameters[] {
    const a = cpuStatsArgs(startCpu, ncpus);
    return runSync(cpuStats(this.ptr("get CPU stats"), a[0], a[1], flagsArg(flags)));
  }

  /**
   * `getCPUStats()` with the libvirt calls off the JS thread.
   * libvirt: [`virDomainGetCPUStats`](https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainGetCPUStats).
   *
   * @example
   * ```ts
   * import type { Domain } from "./mod.ts";
   * declare const dom: Domain;
   * console.log(await dom.getCPUStatsAsync(-1));
   * ```
   */
  getCPUStatsAsync(startCpu = -1, ncpus?: number, flags = 0): Promise<CPUStatsParameters[]> {
    const a = cpuStatsArgs(startCpu, ncpus);
    return runAsync(this, cpuStats(this.ptr("get CPU stats"), a[0], a[1], flagsArg(flags)));
  }

  /**
   * Progress of the domain's running job (migration, save, dump …), or type NONE
   * (`virDomainGetJobInfo`, https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainGetJobInfo).
   *
   * @example
   * ```ts
   * import { Connection, DomainJobType } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * console.log(conn.lookupDomainByName("test").getJobInfo().type === DomainJobType.NONE);
   * ```
   */
  getJobInfo(): DomainJobInfo {
    return runSync(jobInfo(this.ptr("get job info")));
  }

  /**
   * `getJobInfo()` with the libvirt call off the JS thread.
   * libvirt: [`virDomainGetJobInfo`](https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainGetJobInfo).
   *
   * @example
   * ```ts
   * import type { Domain } from "./mod.ts";
   * declare const dom: Domain;
   * console.log((await dom.getJobInfoAsync()).timeElapsed);
   * ```
   */
  getJobInfoAsync(): Promise<DomainJobInfo> {
    return runAsync(this, jobInfo(this.ptr("get job info")));
  }

  /**
   * The running (or, with `DomainGetJobStatsFlags.COMPLETED`, the last) job's type and
   * statistics (`virDomainGetJobStats`,
   * https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainGetJobStats).
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * console.log(conn.lookupDomainByName("test").getJobStats());
   * ```
   */
  getJobStats(flags = 0): DomainJobStats {
    return runSync(jobStats(this.ptr("get job stats"), flagsArg(flags)));
  }

  /**
   * `getJobStats()` with the libvirt call off the JS thread.
   * libvirt: [`virDomainGetJobStats`](https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainGetJobStats).
   *
   * @example
   * ```ts
   * import type { Domain } from "./mod.ts";
   * declare const dom: Domain;
   * console.log((await dom.getJobStatsAsync()).stats);
   * ```
   */
  getJobStatsAsync(flags = 0): Promise<DomainJobStats> {
    return runAsync(this, jobStats(this.ptr("get job stats"), flagsArg(flags)));
  }

  /**
   * Whether libvirt can talk to the domain's hypervisor process right now, and for how long it
   * has been in that state (`virDomainGetControlInfo`,
   * https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainGetControlInfo).
   *
   * @example
   * ```ts
   * import { Connection, DomainControlState } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * const info = conn.lookupDomainByName("test").getControlInfo();
   * console.log(info.state === DomainControlState.OK);
   * ```
   */
  getControlInfo(flags = 0): DomainControlInfo {
    return runSync(controlInfo(this.ptr("get control info"), flagsArg(flags)));
  }

  /**
   * `getControlInfo()` with the libvirt call off the JS thread.
   * libvirt: [`virDomainGetControlInfo`](https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainGetControlInfo).
   *
   * @example
   * ```ts
   * import type { Domain } from "./mod.ts";
   * declare const dom: Domain;
   * console.log((await dom.getControlInfoAsync()).state);
   * ```
   */
  getControlInfoAsync(flags = 0): Promise<DomainControlInfo> {
    return runAsync(this, controlInfo(this.ptr("get control info"), flagsArg(flags)));
  }
}

// ---- call plans (shared by the sync and async forms)

function* blockStats(d: P, disk: Bytes): Plan<DomainBlockStats> {
  const buf = new Uint8Array(BLOCK_STATS_SIZE);
  yield* int("virDomainBlockStats", d, disk, buf, BigInt(BLOCK_STATS_SIZE));
  return decodeBlockStats(buf);
}

function* blockStatsFlags(d: P, disk: Bytes, f: number): Plan<BlockStatsParameters> {
  const list = yield* countedParams((p, n) => int("virDomainBlockStatsFlags", d, disk, p, n, f));
  return typedParamsToRecord(list) as BlockStatsParameters;
}

function* ifaceStats(d: P, dev: Bytes): Plan<DomainInterfaceStats> {
  const buf = new Uint8Array(INTERFACE_STATS_SIZE);
  yield* int("virDomainInterfaceStats", d, dev, buf, BigInt(INTERFACE_STATS_SIZE));
  return decodeInterfaceStats(buf);
}

function* memoryStats(d: P, f: number): Plan<Record<string, bigint>> {
  const buf = new Uint8Array(MEMORY_STAT_SLOTS * MEMORY_STAT_SIZE);
  const n = yield* int("virDomainMemoryStats", d, buf, MEMORY_STAT_SLOTS, f);
  return decodeMemoryStats(buf, n);
}

function cpuStatsArgs(startCpu: number, ncpus: number | undefined): [number, number | undefined] {
  const start = intArg(startCpu, "startCpu", -1);
  if (start === -1) return [-1, 1];
  return [start, ncpus === undefined ? undefined : intArg(ncpus, "ncpus", 1, 128)];
}

// libvirt caps one call at 128 CPUs of per-CPU stats; a longer range is read in slices.
function* cpuStats(d: P, start: number, count: number | undefined, f: number): Plan<TypedParams[]> {
  if (start === -1) {
    const n = yield* int("virDomainGetCPUStats", d, null, 0, -1, 1, f);
    return [(yield* cpuSlice(d, n, -1, 1, f))[0]];
  }
  const total = yield* int("virDomainGetCPUStats", d, null, 0, 0, 0, f); // host CPUs
  const ncpus = count ?? Math.max(0, total - start);
  const n = yield* int("virDomainGetCPUStats", d, null, 0, start, 1, f); // per-CPU params
  const out: TypedParams[] = [];
  for (let at = start; at < start + ncpus; at += 128) {
    out.push(...yield* cpuSlice(d, n, at, Math.min(128, start + ncpus - at), f));
  }
  return out;
}

function* cpuSlice(d: P, n: number, start: number, ncpus: number, f: number): Plan<TypedParams[]> {
  if (n <= 0) return Array.from({ length: ncpus }, () => ({}));
  const buf = new Uint8Array(n * ncpus * TYPED_PARAM_SIZE);
  const p = Deno.UnsafePointer.of(buf);
  try {
    yield* int("virDomainGetCPUStats", d, p, n, start, ncpus, f);
    const all = decodeTypedParams(p, n * ncpus);
    return Array.from(
      { length: ncpus },
      (_, c) => typedParamsToRecord(all.slice(c * n, (c + 1) * n).filter((e) => e.field !== "")),
    );
  } finally {
    // Unfilled slots are zeroed (no string type), so clearing them all is safe.
    yield* raw("virTypedParamsClear", p, n * ncpus);
    keep(buf);
  }
}

function* jobInfo(d: P): Plan<DomainJobInfo> {
  const buf = new Uint8Array(JOB_INFO_SIZE);
  yield* int("virDomainGetJobInfo", d, buf);
  return decodeJobInfo(buf);
}

function* jobStats(d: P, f: number): Plan<DomainJobStats> {
  const type = new Int32Array(1);
  const list = yield* allocatedParams((h, n) => int("virDomainGetJobStats", d, type, h, n, f));
  return { type: type[0], stats: typedParamsToRecord(list) as JobStatsParameters };
}

function* controlInfo(d: P, f: number): Plan<DomainControlInfo> {
  const buf = new Uint8Array(CONTROL_INFO_SIZE);
  yield* int("virDomainGetControlInfo", d, buf, f);
  return decodeControlInfo(buf);
}
