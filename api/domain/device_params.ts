// Domain overrides, device tunables: interface bandwidth, block I/O throttling, I/O thread
// polling, perf events and launch security, read and set as records of libvirt's names.
import { flagsArg, intArg, stringArg } from "../../ffi/marshal.ts";
import { int, runAsync, runSync } from "../call_plan.ts";
import {
  allocatedParams,
  asRecord,
  countedParams,
  type ParamInput,
  setParams,
} from "../param_codec.ts";
import {
  BLOCK_IO_TUNE_PARAMETERS_TYPES,
  type BlockIoTuneParameters,
  INTERFACE_PARAMETERS_TYPES,
  type InterfaceParameters,
  IOTHREAD_PARAMETERS_TYPES,
  type IOThreadParameters,
  LAUNCH_SECURITY_PARAMETERS_TYPES,
  type LaunchSecurityParameters,
  PERF_EVENTS_PARAMETERS_TYPES,
  type PerfEventsParameters,
} from "../typed_param_names.ts";
import { DomainParams } from "./params.ts";

type P = Deno.PointerObject;
type Bytes = Uint8Array<ArrayBuffer>;

/**
 * The tunables of a domain's devices and of its security features, each group read as a record
 * and set from a partial one. `flags` are `DomainModificationImpact` values.
 *
 * @example
 * ```ts
 * import { Connection } from "./mod.ts";
 * using conn = Connection.open("test:///default");
 * const dom = conn.lookupDomainByName("test");
 * dom.setInterfaceParameters("testnet0", { "inbound.average": 1000 });
 * console.log(dom.getInterfaceParameters("testnet0")["inbound.average"]); // 1000
 * ```
 */
export abstract class DomainDeviceParams extends DomainParams {
  /**
   * Bandwidth limits of the network interface `device` (its target name or MAC address):
   * `inbound.average`, `outbound.peak` … (`virDomainGetInterfaceParameters`,
   * https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainGetInterfaceParameters).
   *
   * @example
   * ```ts
   * import type { Domain } from "./mod.ts";
   * declare const dom: Domain;
   * console.log(dom.getInterfaceParameters("vnet0")["inbound.average"]);
   * ```
   */
  getInterfaceParameters(device: string, flags = 0): InterfaceParameters {
    const d = stringArg(device, "device");
    const p = this.ptr("get interface parameters");
    return runSync(asRecord(ifaceGet(p, d, flagsArg(flags))));
  }

  /**
   * `getInterfaceParameters()` with the libvirt calls off the JS thread.
   * libvirt: [`virDomainGetInterfaceParameters`](https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainGetInterfaceParameters).
   *
   * @example
   * ```ts
   * import type { Domain } from "./mod.ts";
   * declare const dom: Domain;
   * console.log(await dom.getInterfaceParametersAsync("vnet0"));
   * ```
   */
  getInterfaceParametersAsync(device: string, flags = 0): Promise<InterfaceParameters> {
    const d = stringArg(device, "device");
    const p = this.ptr("get interface parameters");
    return runAsync(this, asRecord(ifaceGet(p, d, flagsArg(flags))));
  }

  /**
   * Changes the bandwidth limits of interface `device` (`virDomainSetInterfaceParameters`,
   * https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainSetInterfaceParameters).
   *
   * @example
   * ```ts
   * import type { Domain } from "./mod.ts";
   * declare const dom: Domain;
   * dom.setInterfaceParameters("vnet0", { "inbound.average": 1000 });
   * ```
   */
  setInterfaceParameters(
    device: string,
    params: ParamInput<InterfaceParameters>,
    flags = 0,
  ): void {
    const d = stringArg(device, "device");
    runSync(ifaceSet(this.ptr("set interface parameters"), d, params, flagsArg(flags)));
  }

  /**
   * `setInterfaceParameters()` with the libvirt calls off the JS thread.
   * libvirt: [`virDomainSetInterfaceParameters`](https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainSetInterfaceParameters).
   *
   * @example
   * ```ts
   * import type { Domain } from "./mod.ts";
   * declare const dom: Domain;
   * await dom.setInterfaceParametersAsync("vnet0", { "outbound.average": 1000 });
   * ```
   */
  setInterfaceParametersAsync(
    device: string,
    params: ParamInput<InterfaceParameters>,
    flags = 0,
  ): Promise<void> {
    const d = stringArg(device, "device");
    return runAsync(
      this,
      ifaceSet(this.ptr("set interface parameters"), d, params, flagsArg(flags)),
    );
  }

  /**
   * I/O throttling of the disk `disk` (target such as "vda", or source path; null: libvirt's
   * list of names): `total_bytes_sec`, `read_iops_sec` … (`virDomainGetBlockIoTune`,
   * https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainGetBlockIoTune).
   *
   * @example
   * ```ts
   * import type { Domain } from "./mod.ts";
   * declare const dom: Domain;
   * console.log(dom.getBlockIoTune("vda").total_bytes_sec);
   * ```
   */
  getBlockIoTune(disk: string | null, flags = 0): BlockIoTuneParameters {
    const d = disk === null ? null : stringArg(disk, "disk");
    return runSync(asRecord(ioTuneGet(this.ptr("get block I/O tuning"), d, flagsArg(flags))));
  }

  /**
   * `getBlockIoTune()` with the libvirt calls off the JS thread.
   * libvirt: [`virDomainGetBlockIoTune`](https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainGetBlockIoTune).
   *
   * @example
   * ```ts
   * import type { Domain } from "./mod.ts";
   * declare const dom: Domain;
   * console.log(await dom.getBlockIoTuneAsync("vda"));
   * ```
   */
  getBlockIoTuneAsync(disk: string | null, flags = 0): Promise<BlockIoTuneParameters> {
    const d = disk === null ? null : stringArg(disk, "disk");
    const p = this.ptr("get block I/O tuning");
    return runAsync(this, asRecord(ioTuneGet(p, d, flagsArg(flags))));
  }

  /**
   * Changes the I/O throttling of `disk` (`virDomainSetBlockIoTune`,
   * https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainSetBlockIoTune).
   *
   * @example
   * ```ts
   * import type { Domain } from "./mod.ts";
   * declare const dom: Domain;
   * dom.setBlockIoTune("vda", { total_iops_sec: 500n });
   * ```
   */
  setBlockIoTune(disk: string, params: ParamInput<BlockIoTuneParameters>, flags = 0): void {
    const d = stringArg(disk, "disk");
    runSync(ioTuneSet(this.ptr("set block I/O tuning"), d, params, flagsArg(flags)));
  }

  /**
   * `setBlockIoTune()` with the libvirt calls off the JS thread.
   * libvirt: [`virDomainSetBlockIoTune`](https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainSetBlockIoTune).
   *
   * @example
   * ```ts
   * import type { Domain } from "./mod.ts";
   * declare const dom: Domain;
   * await dom.setBlockIoTuneAsync("vda", { total_iops_sec: 500n });
   * ```
   */
  setBlockIoTuneAsync(
    disk: string,
    params: ParamInput<BlockIoTuneParameters>,
    flags = 0,
  ): Promise<void> {
    const d = stringArg(disk, "disk");
    return runAsync(this, ioTuneSet(this.ptr("set block I/O tuning"), d, params, flagsArg(flags)));
  }

  /**
   * Which perf events are counted for the domain (`cmt`, `cpu_cycles` … as booleans)
   * (`virDomainGetPerfEvents`,
   * https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainGetPerfEvents).
   *
   * @example
   * ```ts
   * import type { Domain } from "./mod.ts";
   * declare const dom: Domain;
   * console.log(dom.getPerfEvents().cpu_cycles);
   * ```
   */
  getPerfEvents(flags = 0): PerfEventsParameters {
    return runSync(asRecord(perfGet(this.ptr("get perf events"), flagsArg(flags))));
  }

  /**
   * `getPerfEvents()` with the libvirt call off the JS thread.
   * libvirt: [`virDomainGetPerfEvents`](https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainGetPerfEvents).
   *
   * @example
   * ```ts
   * import type { Domain } from "./mod.ts";
   * declare const dom: Domain;
   * console.log(await dom.getPerfEventsAsync());
   * ```
   */
  getPerfEventsAsync(flags = 0): Promise<PerfEventsParameters> {
    return runAsync(this, asRecord(perfGet(this.ptr("get perf events"), flagsArg(flags))));
  }

  /**
   * Switches perf events on or off (`virDomainSetPerfEvents`,
   * https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainSetPerfEvents).
   *
   * @example
   * ```ts
   * import type { Domain } from "./mod.ts";
   * declare const dom: Domain;
   * dom.setPerfEvents({ cpu_cycles: true });
   * ```
   */
  setPerfEvents(params: ParamInput<PerfEventsParameters>, flags = 0): void {
    runSync(perfSet(this.ptr("set perf events"), params, flagsArg(flags)));
  }

  /**
   * `setPerfEvents()` with the libvirt call off the JS thread.
   * libvirt: [`virDomainSetPerfEvents`](https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainSetPerfEvents).
   *
   * @example
   * ```ts
   * import type { Domain } from "./mod.ts";
   * declare const dom: Domain;
   * await dom.setPerfEventsAsync({ cpu_cycles: false });
   * ```
   */
  setPerfEventsAsync(params: ParamInput<PerfEventsParameters>, flags = 0): Promise<void> {
    return runAsync(this, perfSet(this.ptr("set perf events"), params, flagsArg(flags)));
  }

  /**
   * Launch security facts of an SEV guest (`sev-measurement`, `sev-api-major` …)
   * (`virDomainGetLaunchSecurityInfo`,
   * https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainGetLaunchSecurityInfo).
   *
   * @example
   * ```ts
   * import type { Domain } from "./mod.ts";
   * declare const dom: Domain;
   * console.log(dom.getLaunchSecurityInfo()["sev-measurement"]);
   * ```
   */
  getLaunchSecurityInfo(flags = 0): LaunchSecurityParameters {
    return runSync(asRecord(launchGet(this.ptr("get launch security info"), flagsArg(flags))));
  }

  /**
   * `getLaunchSecurityInfo()` with the libvirt call off the JS thread.
   * libvirt: [`virDomainGetLaunchSecurityInfo`](https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainGetLaunchSecurityInfo).
   *
   * @example
   * ```ts
   * import type { Domain } from "./mod.ts";
   * declare const dom: Domain;
   * console.log(await dom.getLaunchSecurityInfoAsync());
   * ```
   */
  getLaunchSecurityInfoAsync(flags = 0): Promise<LaunchSecurityParameters> {
    const p = this.ptr("get launch security info");
    return runAsync(this, asRecord(launchGet(p, flagsArg(flags))));
  }

  /**
   * Injects a launch secret into an SEV guest (`sev-secret`, `sev-secret-header`, …)
   * (`virDomainSetLaunchSecurityState`,
   * https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainSetLaunchSecurityState).
   *
   * @example
   * ```ts
   * import type { Domain } from "./mod.ts";
   * declare const dom: Domain;
   * dom.setLaunchSecurityState({ "sev-secret": "…", "sev-secret-header": "…" });
   * ```
   */
  setLaunchSecurityState(params: ParamInput<LaunchSecurityParameters>, flags = 0): void {
    runSync(launchSet(this.ptr("set launch security state"), params, flagsArg(flags)));
  }

  /**
   * `setLaunchSecurityState()` with the libvirt call off the JS thread.
   * libvirt: [`virDomainSetLaunchSecurityState`](https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainSetLaunchSecurityState).
   *
   * @example
   * ```ts
   * import type { Domain } from "./mod.ts";
   * declare const dom: Domain;
   * await dom.setLaunchSecurityStateAsync({ "sev-secret": "…", "sev-secret-header": "…" });
   * ```
   */
  setLaunchSecurityStateAsync(
    params: ParamInput<LaunchSecurityParameters>,
    flags = 0,
  ): Promise<void> {
    return runAsync(
      this,
      launchSet(this.ptr("set launch security state"), params, flagsArg(flags)),
    );
  }

  /**
   * Tunes the polling of I/O thread `iothreadId` (`poll_max_ns`, `poll_grow`, `poll_shrink`)
   * (`virDomainSetIOThreadParams`,
   * https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainSetIOThreadParams).
   *
   * @example
   * ```ts
   * import type { Domain } from "./mod.ts";
   * declare const dom: Domain;
   * dom.setIOThreadParams(1, { poll_max_ns: 32768n });
   * ```
   */
  setIOThreadParams(iothreadId: number, params: ParamInput<IOThreadParameters>, flags = 0): void {
    const id = intArg(iothreadId, "iothreadId", 0, 0xffffffff);
    runSync(ioThreadSet(this.ptr("set I/O thread parameters"), id, params, flagsArg(flags)));
  }

  /**
   * `setIOThreadParams()` with the libvirt call off the JS thread.
   * libvirt: [`virDomainSetIOThreadParams`](https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainSetIOThreadParams).
   *
   * @example
   * ```ts
   * import type { Domain } from "./mod.ts";
   * declare const dom: Domain;
   * await dom.setIOThreadParamsAsync(1, { poll_grow: 2 });
   * ```
   */
  setIOThreadParamsAsync(
    iothreadId: number,
    params: ParamInput<IOThreadParameters>,
    flags = 0,
  ): Promise<void> {
    const id = intArg(iothreadId, "iothreadId", 0, 0xffffffff);
    const p = this.ptr("set I/O thread parameters");
    return runAsync(this, ioThreadSet(p, id, params, flagsArg(flags)));
  }
}

// ---- call plans (shared by the sync and async forms)

const ifaceGet = (d: P, dev: Bytes, f: number) =>
  countedParams((p, n) => int("virDomainGetInterfaceParameters", d, dev, p, n, f));
const ifaceSet = (d: P, dev: Bytes, v: unknown, f: number) =>
  setParams(
    v,
    INTERFACE_PARAMETERS_TYPES,
    "Interface parameters",
    () => ifaceGet(d, dev, f),
    (p, n) => int("virDomainSetInterfaceParameters", d, dev, p, n, f),
  );

const ioTuneGet = (d: P, disk: Bytes | null, f: number) =>
  countedParams((p, n) => int("virDomainGetBlockIoTune", d, disk, p, n, f));
const ioTuneSet = (d: P, disk: Bytes, v: unknown, f: number) =>
  setParams(
    v,
    BLOCK_IO_TUNE_PARAMETERS_TYPES,
    "Block I/O tuning",
    () => ioTuneGet(d, disk, f),
    (p, n) => int("virDomainSetBlockIoTune", d, disk, p, n, f),
  );

const perfGet = (d: P, f: number) =>
  allocatedParams((h, n) => int("virDomainGetPerfEvents", d, h, n, f));
const perfSet = (d: P, v: unknown, f: number) =>
  setParams(
    v,
    PERF_EVENTS_PARAMETERS_TYPES,
    "Perf events",
    null,
    (p, n) => int("virDomainSetPerfEvents", d, p, n, f),
  );

const launchGet = (d: P, f: number) =>
  allocatedParams((h, n) => int("virDomainGetLaunchSecurityInfo", d, h, n, f));
const launchSet = (d: P, v: unknown, f: number) =>
  setParams(
    v,
    LAUNCH_SECURITY_PARAMETERS_TYPES,
    "Launch security state",
    null,
    (p, n) => int("virDomainSetLaunchSecurityState", d, p, n, f),
  );

const ioThreadSet = (d: P, id: number, v: unknown, f: number) =>
  setParams(
    v,
    IOTHREAD_PARAMETERS_TYPES,
    "I/O thread parameters",
    null,
    (p, n) => int("virDomainSetIOThreadParams", d, id, p, n, f),
  );
