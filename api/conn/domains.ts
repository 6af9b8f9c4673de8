// Connection overrides about domains and CPUs: statistics of many domains in one call, CPU
// baselines, restoring with parameters, starting with file descriptors, the client identity.
import { describe, flagsArg, stringArg } from "../../ffi/marshal.ts";
import { int, type Plan, ptr, raw, runAsync, runSync, str } from "../call_plan.ts";
import { encodeRecord, keep, type ParamInput } from "../param_codec.ts";
import { type CStringArray, cStringArray } from "../c_arrays.ts";
import { decodeTypedParams, type TypedParams, typedParamsToRecord } from "../typed_params.ts";
import {
  IDENTITY_PARAMETERS_TYPES,
  type IdentityParameters,
  SAVE_PARAMETERS_TYPES,
  type SaveParameters,
} from "../typed_param_names.ts";
import { fdArray } from "../domain/misc.ts";
import { Domain } from "../domain.ts";
import type { Connection } from "../connection.ts";
import { ConnectionLists } from "./lists.ts";

type P = Deno.PointerObject;
type Bytes = Uint8Array<ArrayBuffer>;
type Encoded = ReturnType<typeof encodeRecord>;

/** One domain's statistics from `getAllDomainStats()` (`virDomainStatsRecord`). */
export interface DomainStatsRecord {
  /** The domain (freed with the connection, or by `free()`). */
  domain: Domain;
  /** Its statistics by name: `state.state`, `cpu.time`, `balloon.current`, `vcpu.0.time` … */
  stats: TypedParams;
}

/** The arguments of `baselineHypervisorCPU()` besides the CPU list. */
export interface BaselineHypervisorOptions {
  /** The emulator binary (null: the default). */
  emulator?: string | null;
  /** The guest architecture ("x86_64"). */
  arch?: string | null;
  /** The machine type ("q35"). */
  machine?: string | null;
  /** The virtualization type ("kvm"). */
  virttype?: string | null;
}

/**
 * Connection calls about many domains at once, CPU baselines and the client's identity.
 *
 * @example
 * ```ts
 * import { Connection } from "./mod.ts";
 * using conn = Connection.open("test:///default");
 * for (const { domain, stats } of conn.getAllDomainStats()) {
 *   console.log(domain.getName(), stats["state.state"]);
 * }
 * ```
 */
export abstract class ConnectionDomains extends ConnectionLists {
  /**
   * Statistics of every domain (filtered by `ConnectGetAllDomainStatsFlags`), the groups
   * chosen by `stats` (`DomainStatsTypes`, 0: all the driver has) (`virConnectGetAllDomainStats`,
   * https://libvirt.org/html/libvirt-libvirt-domain.html#virConnectGetAllDomainStats).
   *
   * @example
   * ```ts
   * import { Connection, DomainStatsTypes } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * const [rec] = conn.getAllDomainStats(DomainStatsTypes.STATE);
   * console.log(rec.domain.getName(), rec.stats["state.state"]);
   * ```
   */
  getAllDomainStats(stats = 0, flags = 0): DomainStatsRecord[] {
    const s = flagsArg(stats, "stats");
    return runSync(allStats(this.#self(), this.ptr("get domain stats"), null, s, flagsArg(flags)));
  }

  /**
   * `getAllDomainStats()` with the libvirt call off the JS thread.
   * libvirt: [`virConnectGetAllDomainStats`](https://libvirt.org/html/libvirt-libvirt-domain.html#virConnectGetAllDomainStats).
   *
   * @example
   * ```ts
   * import type { Connection } from "./mod.ts";
   * declare const conn: Connection;
   * console.log((await conn.getAllDomainStatsAsync()).length);
   * ```
   */
  getAllDomainStatsAsync(stats = 0, flags = 0): Promise<DomainStatsRecord[]> {
    const s = flagsArg(stats, "stats");
    const p = this.ptr("get domain stats");
    return runAsync(this, allStats(this.#self(), p, null, s, flagsArg(flags)));
  }

  /**
   * Statistics of the domains `doms` (all of this connection) (`virDomainListGetStats`,
   * https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainListGetStats).
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * const dom = conn.lookupDomainByName("test");
   * console.log(conn.domainListGetStats([dom])[0].stats);
   * ```
   */
  domainListGetStats(doms: readonly Domain[], stats = 0, flags = 0): DomainStatsRecord[] {
    const list = this.#domArray(doms);
    const s = flagsArg(stats, "stats");
    return runSync(allStats(this.#self(), this.ptr("get domain stats"), list, s, flagsArg(flags)));
  }

  /**
   * `domainListGetStats()` with the libvirt call off the JS thread.
   * libvirt: [`virDomainListGetStats`](https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainListGetStats).
   *
   * @example
   * ```ts
   * import type { Connection, Domain } from "./mod.ts";
   * declare const conn: Connection, dom: Domain;
   * console.log(await conn.domainListGetStatsAsync([dom]));
   * ```
   */
  domainListGetStatsAsync(
    doms: readonly Domain[],
    stats = 0,
    flags = 0,
  ): Promise<DomainStatsRecord[]> {
    const list = this.#domArray(doms);
    const s = flagsArg(stats, "stats");
    const p = this.ptr("get domain stats");
    return runAsync(this, allStats(this.#self(), p, list, s, flagsArg(flags)));
  }

  /**
   * The most capable CPU that every host CPU in `xmlCPUs` (`<cpu>` XML) can run, as `<cpu>` XML
   * (`virConnectBaselineCPU`,
   * https://libvirt.org/html/libvirt-libvirt-host.html#virConnectBaselineCPU).
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * const cpu = "<cpu><arch>x86_64</arch><model>Haswell</model></cpu>";
   * console.log(conn.baselineCPU([cpu, cpu]));
   * ```
   */
  baselineCPU(xmlCPUs: readonly string[], flags = 0): string {
    const cpus = cStringArray(xmlCPUs, "xmlCPUs");
    return runSync(baseline(this.ptr("compute a baseline CPU"), cpus, flagsArg(flags)));
  }

  /**
   * `baselineCPU()` with the libvirt call off the JS thread.
   * libvirt: [`virConnectBaselineCPU`](https://libvirt.org/html/libvirt-libvirt-host.html#virConnectBaselineCPU).
   *
   * @example
   * ```ts
   * import type { Connection } from "./mod.ts";
   * declare const conn: Connection;
   * console.log(await conn.baselineCPUAsync(["<cpu><model>Haswell</model></cpu>"]));
   * ```
   */
  baselineCPUAsync(xmlCPUs: readonly string[], flags = 0): Promise<string> {
    const cpus = cStringArray(xmlCPUs, "xmlCPUs");
    return runAsync(this, baseline(this.ptr("compute a baseline CPU"), cpus, flagsArg(flags)));
  }

  /**
   * Like `baselineCPU()`, for guests of the given emulator, architecture, machine and
   * virtualization type, using what the hypervisor can actually provide
   * (`virConnectBaselineHypervisorCPU`,
   * https://libvirt.org/html/libvirt-libvirt-host.html#virConnectBaselineHypervisorCPU).
   *
   * @example
   * ```ts
   * import type { Connection } from "./mod.ts";
   * declare const conn: Connection;
   * console.log(conn.baselineHypervisorCPU(["<cpu><model>Haswell</model></cpu>"], { arch: "x86_64" }));
   * ```
   */
  baselineHypervisorCPU(
    xmlCPUs: readonly string[],
    options: BaselineHypervisorOptions = {},
    flags = 0,
  ): string {
    const a = hvArgs(xmlCPUs, options);
    return runSync(hvBaseline(this.ptr("compute a baseline CPU"), a, flagsArg(flags)));
  }

  /**
   * `baselineHypervisorCPU()` with the libvirt call off the JS thread.
   * libvirt: [`virConnectBaselineHypervisorCPU`](https://libvirt.org/html/libvirt-libvirt-host.html#virConnectBaselineHypervisorCPU).
   *
   * @example
   * ```ts
   * import type { Connection } from "./mod.ts";
   * declare const conn: Connection;
   * console.log(await conn.baselineHypervisorCPUAsync(["<cpu><model>Haswell</model></cpu>"]));
   * ```
   */
  baselineHypervisorCPUAsync(
    xmlCPUs: readonly string[],
    options: BaselineHypervisorOptions = {},
    flags = 0,
  ): Promise<string> {
    const a = hvArgs(xmlCPUs, options);
    return runAsync(this, hvBaseline(this.ptr("compute a baseline CPU"), a, flagsArg(flags)));
  }

  /**
   * Starts a domain from the memory image in the `file` parameter (`dxml`: a changed
   * configuration) (`virDomainRestoreParams`,
   * https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainRestoreParams).
   *
   * @example
   * ```ts
   * import type { Connection } from "./mod.ts";
   * declare const conn: Connection;
   * conn.restoreDomainParams({ file: "/var/lib/libvirt/save/web.img" });
   * ```
   */
  restoreDomainParams(params: ParamInput<SaveParameters>, flags = 0): void {
    const enc = encodeRecord(params, SAVE_PARAMETERS_TYPES, "Restore parameters");
    runSync(withParams("virDomainRestoreParams", this.ptr("restore"), enc, flagsArg(flags)));
  }

  /**
   * `restoreDomainParams()` with the libvirt call off the JS thread.
   * libvirt: [`virDomainRestoreParams`](https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainRestoreParams).
   *
   * @example
   * ```ts
   * import type { Connection } from "./mod.ts";
   * declare const conn: Connection;
   * await conn.restoreDomainParamsAsync({ file: "/tmp/web.img" });
   * ```
   */
  restoreDomainParamsAsync(params: ParamInput<SaveParameters>, flags = 0): Promise<void> {
    const enc = encodeRecord(params, SAVE_PARAMETERS_TYPES, "Restore parameters");
    return runAsync(
      this,
      withParams("virDomainRestoreParams", this.ptr("restore"), enc, flagsArg(flags)),
    );
  }

  /**
   * Creates and starts a transient domain from `xml`, handing it the open file descriptors
   * `files` (LXC) (`virDomainCreateXMLWithFiles`,
   * https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainCreateXMLWithFiles).
   *
   * @example
   * ```ts
   * import type { Connection } from "./mod.ts";
   * declare const conn: Connection, xml: string;
   * const dom = conn.createDomainXMLWithFiles(xml, []);
   * ```
   */
  createDomainXMLWithFiles(xml: string, files: readonly number[], flags = 0): Domain {
    const [x, fds] = [stringArg(xml, "xml"), fdArray(files)];
    const p = runSync(createWithFiles(this.ptr("create a domain"), x, fds, flagsArg(flags)));
    return Domain.fromPointer(this.#self(), p);
  }

  /**
   * `createDomainXMLWithFiles()` with the libvirt call off the JS thread.
   * libvirt: [`virDomainCreateXMLWithFiles`](https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainCreateXMLWithFiles).
   *
   * @example
   * ```ts
   * import type { Connection } from "./mod.ts";
   * declare const conn: Connection, xml: string;
   * const dom = await conn.createDomainXMLWithFilesAsync(xml, []);
   * ```
   */
  createDomainXMLWithFilesAsync(
    xml: string,
    files: readonly number[],
    flags = 0,
  ): Promise<Domain> {
    const [x, fds] = [stringArg(xml, "xml"), fdArray(files)];
    const c = this.ptr("create a domain");
    return runAsync(this, createWithFiles(c, x, fds, flagsArg(flags))).then((p) =>
      Domain.fromPointer(this.#self(), p)
    );
  }

  /**
   * Tells the daemon who the client really is (`user-name`, `unix-user-id`, `process-id` …),
   * for a trusted proxy acting for another client (`virConnectSetIdentity`,
   * https://libvirt.org/html/libvirt-libvirt-host.html#virConnectSetIdentity).
   *
   * @example
   * ```ts
   * import type { Connection } from "./mod.ts";
   * declare const conn: Connection;
   * conn.setIdentity({ "user-name": "alice", "unix-user-id": 1000n });
   * ```
   */
  setIdentity(params: ParamInput<IdentityParameters>, flags = 0): void {
    const enc = encodeRecord(params, IDENTITY_PARAMETERS_TYPES, "Identity");
    runSync(
      withParams("virConnectSetIdentity", this.ptr("set the identity"), enc, flagsArg(flags)),
    );
  }

  /**
   * `setIdentity()` with the libvirt call off the JS thread.
   * libvirt: [`virConnectSetIdentity`](https://libvirt.org/html/libvirt-libvirt-host.html#virConnectSetIdentity).
   *
   * @example
   * ```ts
   * import type { Connection } from "./mod.ts";
   * declare const conn: Connection;
   * await conn.setIdentityAsync({ "user-name": "alice" });
   * ```
   */
  setIdentityAsync(params: ParamInput<IdentityParameters>, flags = 0): Promise<void> {
    const enc = encodeRecord(params, IDENTITY_PARAMETERS_TYPES, "Identity");
    return runAsync(
      this,
      withParams("virConnectSetIdentity", this.ptr("set the identity"), enc, flagsArg(flags)),
    );
  }

  #self(): Connection {
    return this as unknown as Connection;
  }

  // A NULL-terminated virDomainPtr array; the Domain objects keep their pointers valid.
  #domArray(
    doms: readonly Domain[],
  ): { array: BigUint64Array<ArrayBuffer>; doms: readonly Domain[] } {
    if (!Array.isArray(doms) || doms.some((d) => !(d instanceof Domain))) {
      throw new TypeError(`doms must be an array of Domain, got ${describe(doms)}`);
    }
    const array = new BigUint64Array(doms.length + 1);
    doms.forEach((d, i) => {
      array[i] = BigInt(Deno.UnsafePointer.value(d.unsafePointer));
    });
    return { array, doms };
  }
}

// ---- call plans (shared by the sync and async forms)

// virDomainStatsRecord (24 bytes): virDomainPtr dom @0, params @8, int nparams @16. The list
// (NULL-terminated) is freed by virDomainStatsRecordListFree, which also drops each record's
// domain reference: every domain handed out takes its own reference first.
function* allStats(
  conn: Connection,
  c: P,
  list: { array: BigUint64Array<ArrayBuffer>; doms: readonly Domain[] } | null,
  stats: number,
  f: number,
): Plan<DomainStatsRecord[]> {
  const holder = new BigUint64Array(1);
  const n = list === null
    ? yield* int("virConnectGetAllDomainStats", c, stats, holder, f)
    : yield* int("virDomainListGetStats", list.array, stats, holder, f);
  keep(list);
  const records = Deno.UnsafePointer.create(holder[0]);
  if (records === null) return [];
  const view = new Deno.UnsafePointerView(records);
  const out: DomainStatsRecord[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const rec = view.getPointer(i * 8);
      if (rec === null) break;
      const r = new Deno.UnsafePointerView(rec);
      const dom = r.getPointer(0);
      const params = typedParamsToRecord(decodeTypedParams(r.getPointer(8), r.getInt32(16)));
      if (dom === null) continue;
      yield* int("virDomainRef", dom);
      out.push({ domain: Domain.fromPointer(conn, dom), stats: params });
    }
  } finally {
    yield* raw("virDomainStatsRecordListFree", records);
  }
  return out;
}

function* baseline(c: P, cpus: CStringArray, f: number): Plan<string> {
  try {
    return yield* str("virConnectBaselineCPU", c, cpus.array, cpus.count, f);
  } finally {
    keep(cpus);
  }
}

interface HvArgs {
  emulator: Bytes | null;
  arch: Bytes | null;
  machine: Bytes | null;
  virttype: Bytes | null;
  cpus: CStringArray;
}

function hvArgs(xmlCPUs: readonly string[], o: BaselineHypervisorOptions): HvArgs {
  if (o === null || typeof o !== "object") {
    throw new TypeError(`options must be an object, got ${describe(o)}`);
  }
  const opt = (v: string | null | undefined, what: string) =>
    v === null || v === undefined ? null : stringArg(v, what);
  return {
    emulator: opt(o.emulator, "emulator"),
    arch: opt(o.arch, "arch"),
    machine: opt(o.machine, "machine"),
    virttype: opt(o.virttype, "virttype"),
    cpus: cStringArray(xmlCPUs, "xmlCPUs"),
  };
}

function* hvBaseline(c: P, a: HvArgs, f: number): Plan<string> {
  try {
    return yield* str(
      "virConnectBaselineHypervisorCPU",
      c,
      a.emulator,
      a.arch,
      a.machine,
      a.virttype,
      a.cpus.array,
      a.cpus.count,
      f,
    );
  } finally {
    keep(a);
  }
}

function* withParams(
  name: "virDomainRestoreParams" | "virConnectSetIdentity",
  c: P,
  enc: Encoded,
  f: number,
): Plan<void> {
  try {
    yield* int(name, c, enc.ptr, enc.count, f);
  } finally {
    keep(enc);
  }
}

function* createWithFiles(c: P, xml: Bytes, fds: Int32Array<ArrayBuffer>, f: number): Plan<P> {
  return yield* ptr("virDomainCreateXMLWithFiles", c, xml, fds.length, fds, f);
}
