// Domain overrides, tunables: scheduler, memory, blkio and NUMA parameters, read and set as
// records keyed by libvirt's parameter names.
import { flagsArg } from "../../ffi/marshal.ts";
import { int, type Plan, runAsync, runSync, str } from "../call_plan.ts";
import { asRecord, countedParams, type ParamInput, setParams } from "../param_codec.ts";
import type { TypedParam } from "../typed_params.ts";
import {
  BLKIO_PARAMETERS_TYPES,
  type BlkioParameters,
  MEMORY_PARAMETERS_TYPES,
  type MemoryParameters,
  NUMA_PARAMETERS_TYPES,
  type NumaParameters,
  SCHEDULER_PARAMETERS_TYPES,
  type SchedulerParameters,
} from "../typed_param_names.ts";
import { DomainBase } from "./base.ts";

type P = Deno.PointerObject;

/** What `Domain.getSchedulerType()` returns. */
export interface SchedulerType {
  /** The scheduler's name ("posix", "credit", "fair" …). */
  type: string;
  /** How many parameters it has. */
  nparams: number;
}

/**
 * The tunables of a domain, each group read as a record keyed by libvirt's parameter names and
 * set from a partial record (only the names given change). `flags` are
 * `DomainModificationImpact` values (LIVE, CONFIG; 0 is the domain's current state).
 *
 * @example
 * ```ts
 * import { Connection } from "./mod.ts";
 * using conn = Connection.open("test:///default");
 * const dom = conn.lookupDomainByName("test");
 * dom.setSchedulerParameters({ weight: 100 });
 * console.log(dom.getSchedulerParameters().weight); // 100
 * ```
 */
export abstract class DomainParams extends DomainBase {
  /**
   * The CPU scheduler's name and parameter count (`virDomainGetSchedulerType`,
   * https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainGetSchedulerType).
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * console.log(conn.lookupDomainByName("test").getSchedulerType()); // { type: "fair", nparams: 1 }
   * ```
   */
  getSchedulerType(): SchedulerType {
    return runSync(schedulerType(this.ptr("get the scheduler type")));
  }

  /**
   * `getSchedulerType()` with the libvirt call off the JS thread.
   * libvirt: [`virDomainGetSchedulerType`](https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainGetSchedulerType).
   *
   * @example
   * ```ts
   * import type { Domain } from "./mod.ts";
   * declare const dom: Domain;
   * console.log((await dom.getSchedulerTypeAsync()).type);
   * ```
   */
  getSchedulerTypeAsync(): Promise<SchedulerType> {
    return runAsync(this, schedulerType(this.ptr("get the scheduler type")));
  }

  /**
   * The CPU scheduler's parameters (`cpu_shares`, `vcpu_quota`, `weight` …). Without `flags`
   * this is `virDomainGetSchedulerParameters` (the running domain); with them,
   * `virDomainGetSchedulerParametersFlags`
   * (https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainGetSchedulerParametersFlags).
   *
   * @example
   * ```ts
   * import { Connection, DomainModificationImpact } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * const dom = conn.lookupDomainByName("test");
   * console.log(dom.getSchedulerParameters(), dom.getSchedulerParameters(DomainModificationImpact.CONFIG));
   * ```
   */
  getSchedulerParameters(flags?: number): SchedulerParameters {
    const f = flags === undefined ? undefined : flagsArg(flags);
    return runSync(asRecord(schedulerGet(this.ptr("get scheduler parameters"), f)));
  }

  /**
   * `getSchedulerParameters()` with the libvirt calls off the JS thread.
   * libvirt: [`virDomainGetSchedulerParameters`](https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainGetSchedulerParameters), [`virDomainGetSchedulerParametersFlags`](https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainGetSchedulerParametersFlags).
   *
   * @example
   * ```ts
   * import type { Domain } from "./mod.ts";
   * declare const dom: Domain;
   * console.log(await dom.getSchedulerParametersAsync());
   * ```
   */
  getSchedulerParametersAsync(flags?: number): Promise<SchedulerParameters> {
    const f = flags === undefined ? undefined : flagsArg(flags);
    return runAsync(this, asRecord(schedulerGet(this.ptr("get scheduler parameters"), f)));
  }

  /**
   * Changes CPU scheduler parameters. Without `flags` this is
   * `virDomainSetSchedulerParameters`; with them, `virDomainSetSchedulerParametersFlags`
   * (https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainSetSchedulerParametersFlags).
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * conn.lookupDomainByName("test").setSchedulerParameters({ weight: 200 });
   * ```
   */
  setSchedulerParameters(params: ParamInput<SchedulerParameters>, flags?: number): void {
    const f = flags === undefined ? undefined : flagsArg(flags);
    runSync(schedulerSet(this.ptr("set scheduler parameters"), params, f));
  }

  /**
   * `setSchedulerParameters()` with the libvirt calls off the JS thread.
   * libvirt: [`virDomainSetSchedulerParameters`](https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainSetSchedulerParameters), [`virDomainSetSchedulerParametersFlags`](https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainSetSchedulerParametersFlags).
   *
   * @example
   * ```ts
   * import type { Domain } from "./mod.ts";
   * declare const dom: Domain;
   * await dom.setSchedulerParametersAsync({ cpu_shares: 512n });
   * ```
   */
  setSchedulerParametersAsync(
    params: ParamInput<SchedulerParameters>,
    flags?: number,
  ): Promise<void> {
    const f = flags === undefined ? undefined : flagsArg(flags);
    return runAsync(this, schedulerSet(this.ptr("set scheduler parameters"), params, f));
  }

  /**
   * Memory limits in KiB (`hard_limit`, `soft_limit`, `swap_hard_limit`, `min_guarantee`)
   * (`virDomainGetMemoryParameters`,
   * https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainGetMemoryParameters).
   *
   * @example
   * ```ts
   * import type { Domain } from "./mod.ts";
   * declare const dom: Domain;
   * console.log(dom.getMemoryParameters().hard_limit);
   * ```
   */
  getMemoryParameters(flags = 0): MemoryParameters {
    return runSync(asRecord(memoryGet(this.ptr("get memory parameters"), flagsArg(flags))));
  }

  /**
   * `getMemoryParameters()` with the libvirt calls off the JS thread.
   * libvirt: [`virDomainGetMemoryParameters`](https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainGetMemoryParameters).
   *
   * @example
   * ```ts
   * import type { Domain } from "./mod.ts";
   * declare const dom: Domain;
   * console.log(await dom.getMemoryParametersAsync());
   * ```
   */
  getMemoryParametersAsync(flags = 0): Promise<MemoryParameters> {
    return runAsync(this, asRecord(memoryGet(this.ptr("get memory parameters"), flagsArg(flags))));
  }

  /**
   * Changes memory limits (KiB) (`virDomainSetMemoryParameters`,
   * https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainSetMemoryParameters).
   *
   * @example
   * ```ts
   * import type { Domain } from "./mod.ts";
   * declare const dom: Domain;
   * dom.setMemoryParameters({ hard_limit: 4n * 1024n * 1024n });
   * ```
   */
  setMemoryParameters(params: ParamInput<MemoryParameters>, flags = 0): void {
    runSync(memorySet(this.ptr("set memory parameters"), params, flagsArg(flags)));
  }

  /**
   * `setMemoryParameters()` with the libvirt calls off the JS thread.
   * libvirt: [`virDomainSetMemoryParameters`](https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainSetMemoryParameters).
   *
   * @example
   * ```ts
   * import type { Domain } from "./mod.ts";
   * declare const dom: Domain;
   * await dom.setMemoryParametersAsync({ soft_limit: 1048576n });
   * ```
   */
  setMemoryParametersAsync(params: ParamInput<MemoryParameters>, flags = 0): Promise<void> {
    return runAsync(this, memorySet(this.ptr("set memory parameters"), params, flagsArg(flags)));
  }

  /**
   * Block I/O weights and per-device limits (`weight`, `device_weight` …)
   * (`virDomainGetBlkioParameters`,
   * https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainGetBlkioParameters).
   *
   * @example
   * ```ts
   * import type { Domain } from "./mod.ts";
   * declare const dom: Domain;
   * console.log(dom.getBlkioParameters().weight);
   * ```
   */
  getBlkioParameters(flags = 0): BlkioParameters {
    return runSync(asRecord(blkioGet(this.ptr("get blkio parameters"), flagsArg(flags))));
  }

  /**
   * `getBlkioParameters()` with the libvirt calls off the JS thread.
   * libvirt: [`virDomainGetBlkioParameters`](https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainGetBlkioParameters).
   *
   * @example
   * ```ts
   * import type { Domain } from "./mod.ts";
   * declare const dom: Domain;
   * console.log(await dom.getBlkioParametersAsync());
   * ```
   */
  getBlkioParametersAsync(flags = 0): Promise<BlkioParameters> {
    return runAsync(this, asRecord(blkioGet(this.ptr("get blkio parameters"), flagsArg(flags))));
  }

  /**
   * Changes block I/O weights and limits (`virDomainSetBlkioParameters`,
   * https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainSetBlkioParameters).
   *
   * @example
   * ```ts
   * import type { Domain } from "./mod.ts";
   * declare const dom: Domain;
   * dom.setBlkioParameters({ weight: 500 });
   * ```
   */
  setBlkioParameters(params: ParamInput<BlkioParameters>, flags = 0): void {
    runSync(blkioSet(this.ptr("set blkio parameters"), params, flagsArg(flags)));
  }

  /**
   * `setBlkioParameters()` with the libvirt calls off the JS thread.
   * libvirt: [`virDomainSetBlkioParameters`](https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainSetBlkioParameters).
   *
   * @example
   * ```ts
   * import type { Domain } from "./mod.ts";
   * declare const dom: Domain;
   * await dom.setBlkioParametersAsync({ weight: 500 });
   * ```
   */
  setBlkioParametersAsync(params: ParamInput<BlkioParameters>, flags = 0): Promise<void> {
    return runAsync(this, blkioSet(this.ptr("set blkio parameters"), params, flagsArg(flags)));
  }

  /**
   * NUMA memory placement (`numa_mode`, `numa_nodeset`) (`virDomainGetNumaParameters`,
   * https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainGetNumaParameters).
   *
   * @example
   * ```ts
   * import type { Domain } from "./mod.ts";
   * declare const dom: Domain;
   * console.log(dom.getNumaParameters().numa_nodeset);
   * ```
   */
  getNumaParameters(flags = 0): NumaParameters {
    return runSync(asRecord(numaGet(this.ptr("get NUMA parameters"), flagsArg(flags))));
  }

  /**
   * `getNumaParameters()` with the libvirt calls off the JS thread.
   * libvirt: [`virDomainGetNumaParameters`](https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainGetNumaParameters).
   *
   * @example
   * ```ts
   * import type { Domain } from "./mod.ts";
   * declare const dom: Domain;
   * console.log(await dom.getNumaParametersAsync());
   * ```
   */
  getNumaParametersAsync(flags = 0): Promise<NumaParameters> {
    return runAsync(this, asRecord(numaGet(this.ptr("get NUMA parameters"), flagsArg(flags))));
  }

  /**
   * Changes NUMA placement (`virDomainSetNumaParameters`,
   * https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainSetNumaParameters).
   *
   * @example
   * ```ts
   * import type { Domain } from "./mod.ts";
   * declare const dom: Domain;
   * dom.setNumaParameters({ numa_nodeset: "0" });
   * ```
   */
  setNumaParameters(params: ParamInput<NumaParameters>, flags = 0): void {
    runSync(numaSet(this.ptr("set NUMA parameters"), params, flagsArg(flags)));
  }

  /**
   * `setNumaParameters()` with the libvirt calls off the JS thread.
   * libvirt: [`virDomainSetNumaParameters`](https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainSetNumaParameters).
   *
   * @example
   * ```ts
   * import type { Domain } from "./mod.ts";
   * declare const dom: Domain;
   * await dom.setNumaParametersAsync({ numa_nodeset: "0" });
   * ```
   */
  setNumaParametersAsync(params: ParamInput<NumaParameters>, flags = 0): Promise<void> {
    return runAsync(this, numaSet(this.ptr("set NUMA parameters"), params, flagsArg(flags)));
  }
}

// ---- call plans (shared by the sync and async forms)

function* schedulerType(d: P): Plan<SchedulerType> {
  const n = new Int32Array(1);
  const type = yield* str("virDomainGetSchedulerType", d, n);
  return { type, nparams: n[0] };
}

function* schedulerGet(d: P, flags: number | undefined): Plan<TypedParam[]> {
  const n = new Int32Array(1);
  yield* str("virDomainGetSchedulerType", d, n);
  return yield* countedParams(
    (p, np) =>
      flags === undefined
        ? int("virDomainGetSchedulerParameters", d, p, np)
        : int("virDomainGetSchedulerParametersFlags", d, p, np, flags),
    n[0],
  );
}

function schedulerSet(d: P, values: unknown, flags: number | undefined): Plan<void> {
  return setParams(
    values,
    SCHEDULER_PARAMETERS_TYPES,
    "Scheduler parameters",
    () => schedulerGet(d, flags),
    (p, n) =>
      flags === undefined
        ? int("virDomainSetSchedulerParameters", d, p, n)
        : int("virDomainSetSchedulerParametersFlags", d, p, n, flags),
  );
}

const memoryGet = (d: P, f: number) =>
  countedParams((p, n) => int("virDomainGetMemoryParameters", d, p, n, f));
const memorySet = (d: P, v: unknown, f: number) =>
  setParams(
    v,
    MEMORY_PARAMETERS_TYPES,
    "Memory parameters",
    () => memoryGet(d, f),
    (p, n) => int("virDomainSetMemoryParameters", d, p, n, f),
  );

const blkioGet = (d: P, f: number) =>
  countedParams((p, n) => int("virDomainGetBlkioParameters", d, p, n, f));
const blkioSet = (d: P, v: unknown, f: number) =>
  setParams(
    v,
    BLKIO_PARAMETERS_TYPES,
    "Blkio parameters",
    () => blkioGet(d, f),
    (p, n) => int("virDomainSetBlkioParameters", d, p, n, f),
  );

const numaGet = (d: P, f: number) =>
  countedParams((p, n) => int("virDomainGetNumaParameters", d, p, n, f));
const numaSet = (d: P, v: unknown, f: number) =>
  setParams(
    v,
    NUMA_PARAMETERS_TYPES,
    "NUMA parameters",
    () => numaGet(d, f),
    (p, n) => int("virDomainSetNumaParameters", d, p, n, f),
  );
