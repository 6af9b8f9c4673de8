// Domain overrides, virtual CPUs: vCPU info and pinning, emulator and I/O thread pinning, and
// the guest agent's view of its vCPUs. cpumaps are boolean arrays indexed by host CPU number.
import { flagsArg, intArg } from "../../ffi/marshal.ts";
import { libc } from "../../ffi/libc.ts";
import { DomainVcpuFlags } from "../../ffi/enums.ts";
import { int, type Plan, ptr, raw, runAsync, runSync } from "../call_plan.ts";
import { allocatedParams, keep } from "../param_codec.ts";
import { type TypedParams, typedParamsToRecord } from "../typed_params.ts";
import {
  booleansToCpuMap,
  cpuMapLen,
  cpuMapToBooleans,
  decodeVcpuInfos,
  VCPU_INFO_SIZE,
  type VcpuInfo,
} from "../structs.ts";
import { DomainStats } from "./stats.ts";

type P = Deno.PointerObject;
type Bytes = Uint8Array<ArrayBuffer>;

/** What `Domain.getVcpus()` returns. */
export interface DomainVcpuInfo {
  /** One entry per running vCPU. */
  info: VcpuInfo[];
  /** For each vCPU, the host CPUs it may run on (index: host CPU number). */
  cpumaps: boolean[][];
}

/** One I/O thread of `Domain.getIOThreadInfo()`. */
export interface IOThreadInfo {
  /** The I/O thread's id. */
  iothreadId: number;
  /** The host CPUs it may run on. */
  cpumap: boolean[];
}

/**
 * The virtual CPUs of a domain and where they may run.
 *
 * @example
 * ```ts
 * import { Connection } from "./mod.ts";
 * using conn = Connection.open("test:///default");
 * const dom = conn.lookupDomainByName("test");
 * const { info, cpumaps } = dom.getVcpus();
 * console.log(info.length, cpumaps[0]);
 * ```
 */
export abstract class DomainVcpus extends DomainStats {
  /**
   * Each running vCPU's state, CPU time and host CPU, with the host CPUs it may use
   * (`virDomainGetVcpus`, https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainGetVcpus).
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * const { info } = conn.lookupDomainByName("test").getVcpus();
   * console.log(info.map((v) => v.cpu));
   * ```
   */
  getVcpus(): DomainVcpuInfo {
    return runSync(vcpus(this.ptr("get vCPUs")));
  }

  /**
   * `getVcpus()` with the libvirt calls off the JS thread.
   * libvirt: [`virDomainGetVcpus`](https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainGetVcpus).
   *
   * @example
   * ```ts
   * import type { Domain } from "./mod.ts";
   * declare const dom: Domain;
   * console.log((await dom.getVcpusAsync()).info);
   * ```
   */
  getVcpusAsync(): Promise<DomainVcpuInfo> {
    return runAsync(this, vcpus(this.ptr("get vCPUs")));
  }

  /**
   * The host CPUs each vCPU is pinned to, live or in the configuration (`flags`:
   * `DomainModificationImpact`) (`virDomainGetVcpuPinInfo`,
   * https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainGetVcpuPinInfo).
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * console.log(conn.lookupDomainByName("test").getVcpuPinInfo()[0]);
   * ```
   */
  getVcpuPinInfo(flags = 0): boolean[][] {
    return runSync(vcpuPinInfo(this.ptr("get vCPU pinning"), flagsArg(flags)));
  }

  /**
   * `getVcpuPinInfo()` with the libvirt calls off the JS thread.
   * libvirt: [`virDomainGetVcpuPinInfo`](https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainGetVcpuPinInfo).
   *
   * @example
   * ```ts
   * import type { Domain } from "./mod.ts";
   * declare const dom: Domain;
   * console.log(await dom.getVcpuPinInfoAsync());
   * ```
   */
  getVcpuPinInfoAsync(flags = 0): Promise<boolean[][]> {
    return runAsync(this, vcpuPinInfo(this.ptr("get vCPU pinning"), flagsArg(flags)));
  }

  /**
   * Pins vCPU `vcpu` to the host CPUs set in `cpumap`. Without `flags` this is
   * `virDomainPinVcpu` (the running domain); with them, `virDomainPinVcpuFlags`
   * (https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainPinVcpuFlags).
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * conn.lookupDomainByName("test").pinVcpu(0, [true, false]);
   * ```
   */
  pinVcpu(vcpu: number, cpumap: readonly boolean[], flags?: number): void {
    const [v, map, f] = pinArgs(vcpu, cpumap, flags);
    runSync(pinVcpu(this.ptr("pin a vCPU"), v, map, f));
  }

  /**
   * `pinVcpu()` with the libvirt call off the JS thread.
   * libvirt: [`virDomainPinVcpu`](https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainPinVcpu), [`virDomainPinVcpuFlags`](https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainPinVcpuFlags).
   *
   * @example
   * ```ts
   * import type { Domain } from "./mod.ts";
   * declare const dom: Domain;
   * await dom.pinVcpuAsync(0, [true, true]);
   * ```
   */
  pinVcpuAsync(vcpu: number, cpumap: readonly boolean[], flags?: number): Promise<void> {
    const [v, map, f] = pinArgs(vcpu, cpumap, flags);
    return runAsync(this, pinVcpu(this.ptr("pin a vCPU"), v, map, f));
  }

  /**
   * The host CPUs the emulator threads may use (`virDomainGetEmulatorPinInfo`,
   * https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainGetEmulatorPinInfo).
   *
   * @example
   * ```ts
   * import type { Domain } from "./mod.ts";
   * declare const dom: Domain;
   * console.log(dom.getEmulatorPinInfo());
   * ```
   */
  getEmulatorPinInfo(flags = 0): boolean[] {
    return runSync(emulatorPinInfo(this.ptr("get emulator pinning"), flagsArg(flags)));
  }

  /**
   * `getEmulatorPinInfo()` with the libvirt calls off the JS thread.
   * libvirt: [`virDomainGetEmulatorPinInfo`](https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainGetEmulatorPinInfo).
   *
   * @example
   * ```ts
   * import type { Domain } from "./mod.ts";
   * declare const dom: Domain;
   * console.log(await dom.getEmulatorPinInfoAsync());
   * ```
   */
  getEmulatorPinInfoAsync(flags = 0): Promise<boolean[]> {
    return runAsync(this, emulatorPinInfo(this.ptr("get emulator pinning"), flagsArg(flags)));
  }

  /**
   * Pins the emulator threads to the host CPUs set in `cpumap` (`virDomainPinEmulator`,
   * https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainPinEmulator).
   *
   * @example
   * ```ts
   * import type { Domain } from "./mod.ts";
   * declare const dom: Domain;
   * dom.pinEmulator([true, false]);
   * ```
   */
  pinEmulator(cpumap: readonly boolean[], flags = 0): void {
    const map = booleansToCpuMap(cpumap);
    runSync(
      int("virDomainPinEmulator", this.ptr("pin the emulator"), map, map.length, flagsArg(flags)),
    );
  }

  /**
   * `pinEmulator()` with the libvirt call off the JS thread.
   * libvirt: [`virDomainPinEmulator`](https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainPinEmulator).
   *
   * @example
   * ```ts
   * import type { Domain } from "./mod.ts";
   * declare const dom: Domain;
   * await dom.pinEmulatorAsync([true, true]);
   * ```
   */
  pinEmulatorAsync(cpumap: readonly boolean[], flags = 0): Promise<void> {
    const map = booleansToCpuMap(cpumap);
    const p = this.ptr("pin the emulator");
    return runAsync(
      this,
      voidPlan(int("virDomainPinEmulator", p, map, map.length, flagsArg(flags))),
    );
  }

  /**
   * The domain's I/O threads and the host CPUs each may use (`virDomainGetIOThreadInfo`,
   * https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainGetIOThreadInfo).
   *
   * @example
   * ```ts
   * import type { Domain } from "./mod.ts";
   * declare const dom: Domain;
   * for (const t of dom.getIOThreadInfo()) console.log(t.iothreadId, t.cpumap);
   * ```
   */
  getIOThreadInfo(flags = 0): IOThreadInfo[] {
    return runSync(ioThreadInfo(this.ptr("get I/O thread info"), flagsArg(flags)));
  }

  /**
   * `getIOThreadInfo()` with the libvirt call off the JS thread.
   * libvirt: [`virDomainGetIOThreadInfo`](https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainGetIOThreadInfo).
   *
   * @example
   * ```ts
   * import type { Domain } from "./mod.ts";
   * declare const dom: Domain;
   * console.log(await dom.getIOThreadInfoAsync());
   * ```
   */
  getIOThreadInfoAsync(flags = 0): Promise<IOThreadInfo[]> {
    return runAsync(this, ioThreadInfo(this.ptr("get I/O thread info"), flagsArg(flags)));
  }

  /**
   * Pins I/O thread `iothreadId` to the host CPUs set in `cpumap` (`virDomainPinIOThread`,
   * https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainPinIOThread).
   *
   * @example
   * ```ts
   * import type { Domain } from "./mod.ts";
   * declare const dom: Domain;
   * dom.pinIOThread(1, [false, true]);
   * ```
   */
  pinIOThread(iothreadId: number, cpumap: readonly boolean[], flags = 0): void {
    const id = intArg(iothreadId, "iothreadId", 0, 0xffffffff);
    const map = booleansToCpuMap(cpumap);
    const p = this.ptr("pin an I/O thread");
    runSync(int("virDomainPinIOThread", p, id, map, map.length, flagsArg(flags)));
  }

  /**
   * `pinIOThread()` with the libvirt call off the JS thread.
   * libvirt: [`virDomainPinIOThread`](https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainPinIOThread).
   *
   * @example
   * ```ts
   * import type { Domain } from "./mod.ts";
   * declare const dom: Domain;
   * await dom.pinIOThreadAsync(1, [true]);
   * ```
   */
  pinIOThreadAsync(iothreadId: number, cpumap: readonly boolean[], flags = 0): Promise<void> {
    const id = intArg(iothreadId, "iothreadId", 0, 0xffffffff);
    const map = booleansToCpuMap(cpumap);
    const p = this.ptr("pin an I/O thread");
    return runAsync(
      this,
      voidPlan(int("virDomainPinIOThread", p, id, map, map.length, flagsArg(flags))),
    );
  }

  /**
   * The guest agent's view of its vCPUs: `vcpus`, `online`, `offlinable` as CPU-list strings
   * such as "0-3" (`virDomainGetGuestVcpus`,
   * https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainGetGuestVcpus).
   *
   * @example
   * ```ts
   * import type { Domain } from "./mod.ts";
   * declare const dom: Domain;
   * console.log(dom.getGuestVcpus().online);
   * ```
   */
  getGuestVcpus(flags = 0): TypedParams {
    return runSync(guestVcpus(this.ptr("get guest vCPUs"), flagsArg(flags)));
  }

  /**
   * `getGuestVcpus()` with the libvirt call off the JS thread.
   * libvirt: [`virDomainGetGuestVcpus`](https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainGetGuestVcpus).
   *
   * @example
   * ```ts
   * import type { Domain } from "./mod.ts";
   * declare const dom: Domain;
   * console.log(await dom.getGuestVcpusAsync());
   * ```
   */
  getGuestVcpusAsync(flags = 0): Promise<TypedParams> {
    return runAsync(this, guestVcpus(this.ptr("get guest vCPUs"), flagsArg(flags)));
  }
}

// ---- call plans (shared by the sync and async forms)

/** The host's CPU count, which sizes every cpumap (libvirt-python's way). */
export function* hostCpuCount(d: P): Plan<number> {
  const conn = yield* ptr("virDomainGetConnect", d); // borrowed: no reference taken
  return yield* int("virNodeGetCPUMap", conn, null, null, 0);
}

function* voidPlan(plan: Plan<number>): Plan<void> {
  yield* plan;
}

function* vcpuCount(d: P, flags: number): Plan<number> {
  // The maximum, so that every vCPU that could be pinned has a slot.
  return yield* int("virDomainGetVcpusFlags", d, flags | DomainVcpuFlags.MAXIMUM);
}

function* vcpus(d: P): Plan<DomainVcpuInfo> {
  const cpus = yield* hostCpuCount(d);
  const max = yield* vcpuCount(d, 0);
  const maplen = cpuMapLen(cpus);
  const info = new Uint8Array(max * VCPU_INFO_SIZE);
  const maps = new Uint8Array(max * maplen);
  const n = yield* int("virDomainGetVcpus", d, info, max, maps, maplen);
  return {
    info: decodeVcpuInfos(info, n),
    cpumaps: Array.from({ length: n }, (_, i) => cpuMapToBooleans(maps, cpus, i * maplen)),
  };
}

function* vcpuPinInfo(d: P, f: number): Plan<boolean[][]> {
  const cpus = yield* hostCpuCount(d);
  const max = yield* vcpuCount(d, f);
  const maplen = cpuMapLen(cpus);
  const maps = new Uint8Array(max * maplen);
  const n = yield* int("virDomainGetVcpuPinInfo", d, max, maps, maplen, f);
  return Array.from({ length: n }, (_, i) => cpuMapToBooleans(maps, cpus, i * maplen));
}

function pinArgs(
  vcpu: number,
  cpumap: readonly boolean[],
  flags: number | undefined,
): [number, Bytes, number | undefined] {
  const v = intArg(vcpu, "vcpu", 0, 0xffffffff);
  return [v, booleansToCpuMap(cpumap), flags === undefined ? undefined : flagsArg(flags)];
}

function* pinVcpu(d: P, v: number, map: Bytes, f: number | undefined): Plan<void> {
  if (f === undefined) yield* int("virDomainPinVcpu", d, v, map, map.length);
  else yield* int("virDomainPinVcpuFlags", d, v, map, map.length, f);
}

function* emulatorPinInfo(d: P, f: number): Plan<boolean[]> {
  const cpus = yield* hostCpuCount(d);
  const map = new Uint8Array(cpuMapLen(cpus));
  yield* int("virDomainGetEmulatorPinInfo", d, map, map.length, f);
  return cpuMapToBooleans(map, cpus);
}

// virDomainIOThreadInfoPtr: iothread_id u32 @0, cpumap pointer @8, cpumaplen i32 @16.
function* ioThreadInfo(d: P, f: number): Plan<IOThreadInfo[]> {
  const holder = new BigUint64Array(1);
  const n = yield* int("virDomainGetIOThreadInfo", d, holder, f);
  const array = Deno.UnsafePointer.create(holder[0]);
  if (array === null) return [];
  const out: IOThreadInfo[] = [];
  const view = new Deno.UnsafePointerView(array);
  try {
    for (let i = 0; i < n; i++) {
      const info = view.getPointer(i * 8);
      if (info === null) continue;
      const v = new Deno.UnsafePointerView(info);
      const maplen = v.getInt32(16);
      const map = v.getPointer(8);
      const bytes = map === null
        ? new Uint8Array(0)
        : new Uint8Array(Deno.UnsafePointerView.getArrayBuffer(map, maplen));
      out.push({ iothreadId: v.getUint32(0), cpumap: cpuMapToBooleans(bytes, maplen * 8) });
    }
  } finally {
    for (let i = 0; i < n; i++) {
      const info = view.getPointer(i * 8);
      if (info !== null) yield* raw("virDomainIOThreadInfoFree", info);
    }
    libc().symbols.free(array);
  }
  return out;
}

function* guestVcpus(d: P, f: number): Plan<TypedParams> {
  const list = yield* allocatedParams((h, n) =>
    int("virDomainGetGuestVcpus", d, h, n as unknown as Uint32Array<ArrayBuffer>, f)
  );
  keep(list);
  return typedParamsToRecord(list);
}
