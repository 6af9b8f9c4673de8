// Domain overrides, migration: migrate3 and migrateToURI3 with typed parameters, the older
// migrate and migrate2, and the migration tunables that come back through out-parameters.
import { abortable, type AsyncJobOptions, jobSignal } from "../../ffi/abort.ts";
import { optionalStringArg } from "../../ffi/args.ts";
import { flagsArg, stringArg, u64Arg } from "../../ffi/marshal.ts";
import { int, type Plan, ptr, runAsync, runSync } from "../call_plan.ts";
import { encodeRecord, keep, type ParamInput } from "../param_codec.ts";
import { MIGRATE_PARAMETERS_TYPES, type MigrateParameters } from "../typed_param_names.ts";
import type { Connection } from "../connection.ts";
import type { Domain } from "../domain.ts";
import { DomainBlock } from "./block.ts";

type P = Deno.PointerObject;
type Encoded = ReturnType<typeof encodeRecord>;

/** Wraps a new `virDomainPtr` of `conn` as the final Domain class. */
type DomainFactory = { fromPointer(conn: Connection, ptr: Deno.PointerObject): Domain };

/**
 * Moving a domain to another host.
 *
 * @example
 * ```ts
 * import { Connection, DomainMigrateFlags } from "./mod.ts";
 * using src = Connection.open("qemu:///system");
 * using dst = Connection.open("qemu+ssh://other/system");
 * const moved = src.lookupDomainByName("web").migrate3(dst, { bandwidth: 100n }, DomainMigrateFlags.LIVE);
 * console.log(moved.getName());
 * ```
 */
export abstract class DomainMigrate extends DomainBlock {
  // A migration call on Deno's thread pool, as one job: the signal aborts it (virDomainAbortJob
  // skips the connection's queue, so it reaches the call in flight); resolves with the domain
  // on `dconn`.
  #migration(
    dconn: Connection,
    plan: Plan<Deno.PointerObject>,
    options: AsyncJobOptions,
  ): Promise<Domain> {
    return abortable(
      () => runAsync(this, plan),
      jobSignal(options),
      () => this.abortJobAsync(),
    ).then((p) => (this.constructor as unknown as DomainFactory).fromPointer(dconn, p));
  }

  /**
   * Migrates the domain to the host `dconn` is connected to, tuned by `params`
   * (`migrate_uri`, `destination_xml`, `bandwidth`, `migrate_disks` …) and
   * `DomainMigrateFlags`; returns the domain on `dconn` (`virDomainMigrate3`,
   * https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainMigrate3).
   *
   * @example
   * ```ts
   * import { type Connection, type Domain, DomainMigrateFlags } from "./mod.ts";
   * declare const dom: Domain, dst: Connection;
   * dom.migrate3(dst, { persistent_xml: dom.getXMLDesc() }, DomainMigrateFlags.LIVE);
   * ```
   */
  migrate3(dconn: Connection, params: ParamInput<MigrateParameters> = {}, flags = 0): Domain {
    const [dc, enc] = migrateArgs(dconn, params);
    const p = runSync(migrate3(this.ptr("migrate"), dc, enc, flagsArg(flags)));
    return (this.constructor as unknown as DomainFactory).fromPointer(dconn, p);
  }

  /**
   * `migrate3()` with the libvirt call off the JS thread (a migration takes a while).
   * libvirt: [`virDomainMigrate3`](https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainMigrate3).
   *
   * @example
   * ```ts
   * import type { Connection, Domain } from "./mod.ts";
   * declare const dom: Domain, dst: Connection;
   * const moved = await dom.migrate3Async(dst, {}, 0, { signal: AbortSignal.timeout(600_000) });
   * ```
   */
  migrate3Async(
    dconn: Connection,
    params: ParamInput<MigrateParameters> = {},
    flags = 0,
    options: AsyncJobOptions = {},
  ): Promise<Domain> {
    const [dc, enc] = migrateArgs(dconn, params);
    const f = flagsArg(flags);
    const dp = this.ptr("migrate");
    return this.#migration(dconn, migrate3(dp, dc, enc, f), options);
  }

  /**
   * Migrates the domain to the host `dconn` is connected to, the first way libvirt offered:
   * an optional new name, hypervisor URI and bandwidth (MiB/s); returns the domain on `dconn`
   * (`virDomainMigrate`, https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainMigrate).
   * `migrate3()` takes every parameter.
   *
   * @example
   * ```ts
   * import { type Connection, type Domain, DomainMigrateFlags } from "./mod.ts";
   * declare const dom: Domain, dst: Connection;
   * dom.migrate(dst, DomainMigrateFlags.LIVE, null, null, 100);
   * ```
   */
  migrate(
    dconn: Connection,
    flags = 0,
    dname: string | null = null,
    uri: string | null = null,
    bandwidth = 0,
  ): Domain {
    const [dc, f, n, u, bw] = oldMigrateArgs(dconn, flags, dname, uri, bandwidth);
    const p = runSync(ptr("virDomainMigrate", this.ptr("migrate"), dc, f, n, u, bw));
    return (this.constructor as unknown as DomainFactory).fromPointer(dconn, p);
  }

  /**
   * `migrate()` that also gives the domain's XML for the destination (`dxml`, null keeps
   * it) (`virDomainMigrate2`,
   * https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainMigrate2).
   *
   * @example
   * ```ts
   * import { type Connection, type Domain, DomainMigrateFlags } from "./mod.ts";
   * declare const dom: Domain, dst: Connection;
   * dom.migrate2(dst, dom.getXMLDesc(), DomainMigrateFlags.LIVE);
   * ```
   */
  migrate2(
    dconn: Connection,
    dxml: string | null = null,
    flags = 0,
    dname: string | null = null,
    uri: string | null = null,
    bandwidth = 0,
  ): Domain {
    const x = optionalStringArg(dxml, "dxml");
    const [dc, f, n, u, bw] = oldMigrateArgs(dconn, flags, dname, uri, bandwidth);
    const p = runSync(ptr("virDomainMigrate2", this.ptr("migrate"), dc, x, f, n, u, bw));
    return (this.constructor as unknown as DomainFactory).fromPointer(dconn, p);
  }

  /**
   * `migrate()` with the libvirt call off the JS thread (`virDomainMigrate`); the signal aborts
   * the migration job, as with `migrate3Async`.
   * libvirt: [`virDomainMigrate`](https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainMigrate).
   *
   * @example
   * ```ts
   * import { type Connection, type Domain, DomainMigrateFlags } from "./mod.ts";
   * declare const dom: Domain, dst: Connection;
   * const moved = await dom.migrateAsync(dst, DomainMigrateFlags.LIVE);
   * ```
   */
  migrateAsync(
    dconn: Connection,
    flags = 0,
    dname: string | null = null,
    uri: string | null = null,
    bandwidth = 0,
    options: AsyncJobOptions = {},
  ): Promise<Domain> {
    const [dc, f, n, u, bw] = oldMigrateArgs(dconn, flags, dname, uri, bandwidth);
    const dp = this.ptr("migrate");
    return this.#migration(dconn, ptr("virDomainMigrate", dp, dc, f, n, u, bw), options);
  }

  /**
   * `migrate2()` with the libvirt call off the JS thread (`virDomainMigrate2`); the signal
   * aborts the migration job, as with `migrate3Async`.
   * libvirt: [`virDomainMigrate2`](https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainMigrate2).
   *
   * @example
   * ```ts
   * import { type Connection, type Domain, DomainMigrateFlags } from "./mod.ts";
   * declare const dom: Domain, dst: Connection;
   * const moved = await dom.migrate2Async(dst, null, DomainMigrateFlags.LIVE);
   * ```
   */
  migrate2Async(
    dconn: Connection,
    dxml: string | null = null,
    flags = 0,
    dname: string | null = null,
    uri: string | null = null,
    bandwidth = 0,
    options: AsyncJobOptions = {},
  ): Promise<Domain> {
    const x = optionalStringArg(dxml, "dxml");
    const [dc, f, n, u, bw] = oldMigrateArgs(dconn, flags, dname, uri, bandwidth);
    const dp = this.ptr("migrate");
    return this.#migration(dconn, ptr("virDomainMigrate2", dp, dc, x, f, n, u, bw), options);
  }

  /**
   * Migrates the domain to the libvirt URI `dconnuri` (peer-to-peer, with
   * `DomainMigrateFlags.PEER2PEER`) or, with null, straight to the hypervisor at the
   * `migrate_uri` parameter (`virDomainMigrateToURI3`,
   * https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainMigrateToURI3).
   *
   * @example
   * ```ts
   * import { type Domain, DomainMigrateFlags } from "./mod.ts";
   * declare const dom: Domain;
   * dom.migrateToURI3("qemu+ssh://other/system", {}, DomainMigrateFlags.PEER2PEER);
   * ```
   */
  migrateToURI3(
    dconnuri: string | null,
    params: ParamInput<MigrateParameters> = {},
    flags = 0,
  ): void {
    const [uri, enc] = toUriArgs(dconnuri, params);
    runSync(migrateToURI3(this.ptr("migrate"), uri, enc, flagsArg(flags)));
  }

  /**
   * `migrateToURI3()` with the libvirt call off the JS thread.
   * libvirt: [`virDomainMigrateToURI3`](https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainMigrateToURI3).
   *
   * @example
   * ```ts
   * import { type Domain, DomainMigrateFlags } from "./mod.ts";
   * declare const dom: Domain;
   * await dom.migrateToURI3Async("qemu+ssh://other/system", {}, DomainMigrateFlags.PEER2PEER, {
   *   signal: AbortSignal.timeout(600_000), // aborts the migration job when it fires
   * });
   * ```
   */
  migrateToURI3Async(
    dconnuri: string | null,
    params: ParamInput<MigrateParameters> = {},
    flags = 0,
    options: AsyncJobOptions = {},
  ): Promise<void> {
    const [uri, enc] = toUriArgs(dconnuri, params);
    const f = flagsArg(flags);
    const dp = this.ptr("migrate");
    return abortable(
      () => runAsync(this, migrateToURI3(dp, uri, enc, f)),
      jobSignal(options),
      () => this.abortJobAsync(),
    );
  }

  /**
   * The size of the cache used to compress repeated pages during migration, in bytes
   * (`virDomainMigrateGetCompressionCache`,
   * https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainMigrateGetCompressionCache).
   *
   * @example
   * ```ts
   * import type { Domain } from "./mod.ts";
   * declare const dom: Domain;
   * console.log(dom.migrateGetCompressionCache());
   * ```
   */
  migrateGetCompressionCache(flags = 0): bigint {
    const p = this.ptr("get the compression cache");
    return runSync(u64Out("virDomainMigrateGetCompressionCache", p, flagsArg(flags)));
  }

  /**
   * `migrateGetCompressionCache()` with the libvirt call off the JS thread.
   * libvirt: [`virDomainMigrateGetCompressionCache`](https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainMigrateGetCompressionCache).
   *
   * @example
   * ```ts
   * import type { Domain } from "./mod.ts";
   * declare const dom: Domain;
   * console.log(await dom.migrateGetCompressionCacheAsync());
   * ```
   */
  migrateGetCompressionCacheAsync(flags = 0): Promise<bigint> {
    const p = this.ptr("get the compression cache");
    return runAsync(this, u64Out("virDomainMigrateGetCompressionCache", p, flagsArg(flags)));
  }

  /**
   * The longest pause allowed at the end of a live migration, in milliseconds
   * (`virDomainMigrateGetMaxDowntime`,
   * https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainMigrateGetMaxDowntime).
   *
   * @example
   * ```ts
   * import type { Domain } from "./mod.ts";
   * declare const dom: Domain;
   * console.log(dom.migrateGetMaxDowntime());
   * ```
   */
  migrateGetMaxDowntime(flags = 0): bigint {
    const p = this.ptr("get the max downtime");
    return runSync(u64Out("virDomainMigrateGetMaxDowntime", p, flagsArg(flags)));
  }

  /**
   * `migrateGetMaxDowntime()` with the libvirt call off the JS thread.
   * libvirt: [`virDomainMigrateGetMaxDowntime`](https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainMigrateGetMaxDowntime).
   *
   * @example
   * ```ts
   * import type { Domain } from "./mod.ts";
   * declare const dom: Domain;
   * console.log(await dom.migrateGetMaxDowntimeAsync());
   * ```
   */
  migrateGetMaxDowntimeAsync(flags = 0): Promise<bigint> {
    const p = this.ptr("get the max downtime");
    return runAsync(this, u64Out("virDomainMigrateGetMaxDowntime", p, flagsArg(flags)));
  }

  /**
   * The migration bandwidth limit, in MiB/s (bytes/s with
   * `DomainMigrateMaxSpeedFlags.BYTES`: hence a bigint) (`virDomainMigrateGetMaxSpeed`,
   * https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainMigrateGetMaxSpeed).
   *
   * @example
   * ```ts
   * import type { Domain } from "./mod.ts";
   * declare const dom: Domain;
   * console.log(dom.migrateGetMaxSpeed());
   * ```
   */
  migrateGetMaxSpeed(flags = 0): bigint {
    const p = this.ptr("get the max speed");
    return runSync(u64Out("virDomainMigrateGetMaxSpeed", p, flagsArg(flags)));
  }

  /**
   * `migrateGetMaxSpeed()` with the libvirt call off the JS thread.
   * libvirt: [`virDomainMigrateGetMaxSpeed`](https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainMigrateGetMaxSpeed).
   *
   * @example
   * ```ts
   * import type { Domain } from "./mod.ts";
   * declare const dom: Domain;
   * console.log(await dom.migrateGetMaxSpeedAsync());
   * ```
   */
  migrateGetMaxSpeedAsync(flags = 0): Promise<bigint> {
    const p = this.ptr("get the max speed");
    return runAsync(this, u64Out("virDomainMigrateGetMaxSpeed", p, flagsArg(flags)));
  }
}

// ---- call plans (shared by the sync and async forms)

function migrateArgs(dconn: Connection, params: unknown): [P, Encoded] {
  if (dconn === null || typeof dconn !== "object" || typeof dconn.handle !== "function") {
    throw new TypeError("dconn must be the Connection to the destination host");
  }
  const enc = encodeRecord(params, MIGRATE_PARAMETERS_TYPES, "Migration parameters");
  return [dconn.handle("migrate to it"), enc];
}

function toUriArgs(uri: string | null, params: unknown): [Uint8Array<ArrayBuffer> | null, Encoded] {
  const u = uri === null ? null : stringArg(uri, "dconnuri");
  return [u, encodeRecord(params, MIGRATE_PARAMETERS_TYPES, "Migration parameters")];
}

// The arguments of virDomainMigrate and virDomainMigrate2 (flags is an unsigned long there).
function oldMigrateArgs(
  dconn: Connection,
  flags: number,
  dname: string | null,
  uri: string | null,
  bandwidth: number,
): [P, bigint, Uint8Array<ArrayBuffer> | null, Uint8Array<ArrayBuffer> | null, bigint] {
  const [dc] = migrateArgs(dconn, {});
  return [
    dc,
    BigInt(flagsArg(flags)),
    optionalStringArg(dname, "dname"),
    optionalStringArg(uri, "uri"),
    u64Arg(bandwidth, "bandwidth"),
  ];
}
function* migrate3(d: P, dconn: P, enc: Encoded, f: number): Plan<Deno.PointerObject> {
  try {
    return yield* ptr("virDomainMigrate3", d, dconn, enc.ptr, enc.count, f);
  } finally {
    keep(enc);
  }
}

function* migrateToURI3(
  d: P,
  uri: Uint8Array<ArrayBuffer> | null,
  enc: Encoded,
  f: number,
): Plan<void> {
  try {
    yield* int("virDomainMigrateToURI3", d, uri, enc.ptr, enc.count, f);
  } finally {
    keep(enc);
  }
}

function* u64Out(
  name:
    | "virDomainMigrateGetCompressionCache"
    | "virDomainMigrateGetMaxDowntime"
    | "virDomainMigrateGetMaxSpeed",
  d: P,
  f: number,
): Plan<bigint> {
  const out = new BigUint64Array(1);
  yield* int(name, d, out, f);
  return out[0];
}
