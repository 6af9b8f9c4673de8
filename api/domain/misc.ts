// Domain overrides, the rest: security labels, save with parameters, starting with passed file
// descriptors, and the snapshot and checkpoint lists.
import { describe, flagsArg, stringArg, takePointerArray } from "../../ffi/marshal.ts";
import { libc } from "../../ffi/libc.ts";
import { countedNames, int, type Plan, runAsync, runSync } from "../call_plan.ts";
import { encodeRecord, keep, type ParamInput } from "../param_codec.ts";
import { SAVE_PARAMETERS_TYPES, type SaveParameters } from "../typed_param_names.ts";
import { decodeSecurityLabels, SECURITY_LABEL_SIZE, type SecurityLabel } from "../structs.ts";
import { DomainSnapshot } from "../domain_snapshot.ts";
import { DomainCheckpoint } from "../domain_checkpoint.ts";
import type { Domain } from "../domain.ts";
import { DomainMigrate } from "./migrate.ts";

type P = Deno.PointerObject;
type Encoded = ReturnType<typeof encodeRecord>;

/** Checks a list of file descriptors and lays it out as a C `int` array. */
export function fdArray(fds: readonly number[]): Int32Array<ArrayBuffer> {
  if (
    !Array.isArray(fds) ||
    fds.some((n) => typeof n !== "number" || !Number.isInteger(n) || n < 0 || n > 0x7fffffff)
  ) {
    throw new TypeError(`files must be an array of open file descriptors, got ${describe(fds)}`);
  }
  return Int32Array.from(fds);
}

/**
 * Security labels, saving with parameters, file descriptors, snapshot and checkpoint lists.
 *
 * @example
 * ```ts
 * import { Connection } from "./mod.ts";
 * using conn = Connection.open("test:///default");
 * const dom = conn.lookupDomainByName("test");
 * dom.snapshotCreateXML("<domainsnapshot><name>s1</name></domainsnapshot>");
 * console.log(dom.listAllSnapshots().map((s) => s.getName())); // ["s1"]
 * ```
 */
export abstract class DomainMisc extends DomainMigrate {
  /**
   * The security label of the running domain's process (`virDomainGetSecurityLabel`,
   * https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainGetSecurityLabel).
   *
   * @example
   * ```ts
   * import type { Domain } from "./mod.ts";
   * declare const dom: Domain;
   * console.log(dom.getSecurityLabel().label);
   * ```
   */
  getSecurityLabel(): SecurityLabel {
    return runSync(securityLabel(this.ptr("get the security label")));
  }

  /**
   * `getSecurityLabel()` with the libvirt call off the JS thread.
   * libvirt: [`virDomainGetSecurityLabel`](https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainGetSecurityLabel).
   *
   * @example
   * ```ts
   * import type { Domain } from "./mod.ts";
   * declare const dom: Domain;
   * console.log(await dom.getSecurityLabelAsync());
   * ```
   */
  getSecurityLabelAsync(): Promise<SecurityLabel> {
    return runAsync(this, securityLabel(this.ptr("get the security label")));
  }

  /**
   * Every security label of the running domain's process, one per security driver
   * (`virDomainGetSecurityLabelList`,
   * https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainGetSecurityLabelList).
   *
   * @example
   * ```ts
   * import type { Domain } from "./mod.ts";
   * declare const dom: Domain;
   * console.log(dom.getSecurityLabelList());
   * ```
   */
  getSecurityLabelList(): SecurityLabel[] {
    return runSync(securityLabels(this.ptr("get the security labels")));
  }

  /**
   * `getSecurityLabelList()` with the libvirt call off the JS thread.
   * libvirt: [`virDomainGetSecurityLabelList`](https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainGetSecurityLabelList).
   *
   * @example
   * ```ts
   * import type { Domain } from "./mod.ts";
   * declare const dom: Domain;
   * console.log(await dom.getSecurityLabelListAsync());
   * ```
   */
  getSecurityLabelListAsync(): Promise<SecurityLabel[]> {
    return runAsync(this, securityLabels(this.ptr("get the security labels")));
  }

  /**
   * Saves the domain's memory to the `file` parameter and stops it; `dxml` changes the saved
   * configuration (`virDomainSaveParams`,
   * https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainSaveParams).
   *
   * @example
   * ```ts
   * import type { Domain } from "./mod.ts";
   * declare const dom: Domain;
   * dom.saveParams({ file: "/var/lib/libvirt/save/web.img" });
   * ```
   */
  saveParams(params: ParamInput<SaveParameters>, flags = 0): void {
    const enc = encodeRecord(params, SAVE_PARAMETERS_TYPES, "Save parameters");
    runSync(saveParams(this.ptr("save"), enc, flagsArg(flags)));
  }

  /**
   * `saveParams()` with the libvirt call off the JS thread.
   * libvirt: [`virDomainSaveParams`](https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainSaveParams).
   *
   * @example
   * ```ts
   * import type { Domain } from "./mod.ts";
   * declare const dom: Domain;
   * await dom.saveParamsAsync({ file: "/tmp/web.img" });
   * ```
   */
  saveParamsAsync(params: ParamInput<SaveParameters>, flags = 0): Promise<void> {
    const enc = encodeRecord(params, SAVE_PARAMETERS_TYPES, "Save parameters");
    return runAsync(this, saveParams(this.ptr("save"), enc, flagsArg(flags)));
  }

  /**
   * Starts the defined domain, handing it the open file descriptors `files` (for an LXC
   * container's init) (`virDomainCreateWithFiles`,
   * https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainCreateWithFiles).
   *
   * @example
   * ```ts
   * import type { Domain } from "./mod.ts";
   * declare const dom: Domain;
   * dom.createWithFiles([]);
   * ```
   */
  createWithFiles(files: readonly number[], flags = 0): void {
    const fds = fdArray(files);
    runSync(withFiles(this.ptr("start"), fds, flagsArg(flags)));
  }

  /**
   * `createWithFiles()` with the libvirt call off the JS thread.
   * libvirt: [`virDomainCreateWithFiles`](https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainCreateWithFiles).
   *
   * @example
   * ```ts
   * import type { Domain } from "./mod.ts";
   * declare const dom: Domain;
   * await dom.createWithFilesAsync([]);
   * ```
   */
  createWithFilesAsync(files: readonly number[], flags = 0): Promise<void> {
    const fds = fdArray(files);
    return runAsync(this, withFiles(this.ptr("start"), fds, flagsArg(flags)));
  }

  /**
   * Passes the open file descriptors `files` to the domain under `name`, for disks whose
   * source refers to that name (`virDomainFDAssociate`,
   * https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainFDAssociate).
   *
   * @example
   * ```ts
   * import type { Domain } from "./mod.ts";
   * declare const dom: Domain, fd: number; // an open file descriptor of this process
   * dom.fdAssociate("disk0", [fd]);
   * ```
   */
  fdAssociate(name: string, files: readonly number[], flags = 0): void {
    const n = stringArg(name, "name");
    const fds = fdArray(files);
    runSync(fdAssociate(this.ptr("associate file descriptors"), n, fds, flagsArg(flags)));
  }

  /**
   * `fdAssociate()` with the libvirt call off the JS thread.
   * libvirt: [`virDomainFDAssociate`](https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainFDAssociate).
   *
   * @example
   * ```ts
   * import type { Domain } from "./mod.ts";
   * declare const dom: Domain;
   * await dom.fdAssociateAsync("disk0", []);
   * ```
   */
  fdAssociateAsync(name: string, files: readonly number[], flags = 0): Promise<void> {
    const n = stringArg(name, "name");
    const fds = fdArray(files);
    return runAsync(
      this,
      fdAssociate(this.ptr("associate file descriptors"), n, fds, flagsArg(flags)),
    );
  }

  /**
   * The domain's snapshots, filtered by `DomainSnapshotListFlags`; each is freed with the
   * domain (`virDomainListAllSnapshots`,
   * https://libvirt.org/html/libvirt-libvirt-domain-snapshot.html#virDomainListAllSnapshots).
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * const dom = conn.lookupDomainByName("test");
   * for (const snap of dom.listAllSnapshots()) console.log(snap.getName());
   * ```
   */
  listAllSnapshots(flags = 0): DomainSnapshot[] {
    const ptrs = runSync(
      listAll("virDomainListAllSnapshots", this.ptr("list snapshots"), flagsArg(flags)),
    );
    return ptrs.map((p) => DomainSnapshot.fromPointer(this as unknown as Domain, p));
  }

  /**
   * `listAllSnapshots()` with the libvirt call off the JS thread.
   * libvirt: [`virDomainListAllSnapshots`](https://libvirt.org/html/libvirt-libvirt-domain-snapshot.html#virDomainListAllSnapshots).
   *
   * @example
   * ```ts
   * import type { Domain } from "./mod.ts";
   * declare const dom: Domain;
   * console.log((await dom.listAllSnapshotsAsync()).length);
   * ```
   */
  listAllSnapshotsAsync(flags = 0): Promise<DomainSnapshot[]> {
    const p = this.ptr("list snapshots");
    return runAsync(this, listAll("virDomainListAllSnapshots", p, flagsArg(flags))).then((ptrs) =>
      ptrs.map((q) => DomainSnapshot.fromPointer(this as unknown as Domain, q))
    );
  }

  /**
   * The names of the domain's snapshots (the older list call; `listAllSnapshots()` returns the
   * snapshots themselves) (`virDomainSnapshotListNames`,
   * https://libvirt.org/html/libvirt-libvirt-domain-snapshot.html#virDomainSnapshotListNames).
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * console.log(conn.lookupDomainByName("test").snapshotListNames());
   * ```
   */
  snapshotListNames(flags = 0): string[] {
    return runSync(snapshotNames(this.ptr("list snapshot names"), flagsArg(flags)));
  }

  /**
   * `snapshotListNames()` with the libvirt calls off the JS thread.
   * libvirt: [`virDomainSnapshotListNames`](https://libvirt.org/html/libvirt-libvirt-domain-snapshot.html#virDomainSnapshotListNames).
   *
   * @example
   * ```ts
   * import type { Domain } from "./mod.ts";
   * declare const dom: Domain;
   * console.log(await dom.snapshotListNamesAsync());
   * ```
   */
  snapshotListNamesAsync(flags = 0): Promise<string[]> {
    return runAsync(this, snapshotNames(this.ptr("list snapshot names"), flagsArg(flags)));
  }

  /**
   * The domain's checkpoints, filtered by `DomainCheckpointListFlags`; each is freed with the
   * domain (`virDomainListAllCheckpoints`,
   * https://libvirt.org/html/libvirt-libvirt-domain-checkpoint.html#virDomainListAllCheckpoints).
   *
   * @example
   * ```ts
   * import type { Domain } from "./mod.ts";
   * declare const dom: Domain;
   * for (const cp of dom.listAllCheckpoints()) console.log(cp.getName());
   * ```
   */
  listAllCheckpoints(flags = 0): DomainCheckpoint[] {
    const p = this.ptr("list checkpoints");
    const ptrs = runSync(listAll("virDomainListAllCheckpoints", p, flagsArg(flags)));
    return ptrs.map((q) => DomainCheckpoint.fromPointer(this as unknown as Domain, q));
  }

  /**
   * `listAllCheckpoints()` with the libvirt call off the JS thread.
   * libvirt: [`virDomainListAllCheckpoints`](https://libvirt.org/html/libvirt-libvirt-domain-checkpoint.html#virDomainListAllCheckpoints).
   *
   * @example
   * ```ts
   * import type { Domain } from "./mod.ts";
   * declare const dom: Domain;
   * console.log((await dom.listAllCheckpointsAsync()).length);
   * ```
   */
  listAllCheckpointsAsync(flags = 0): Promise<DomainCheckpoint[]> {
    const p = this.ptr("list checkpoints");
    return runAsync(this, listAll("virDomainListAllCheckpoints", p, flagsArg(flags))).then((ptrs) =>
      ptrs.map((q) => DomainCheckpoint.fromPointer(this as unknown as Domain, q))
    );
  }
}

// ---- call plans (shared by the sync and async forms)

function* securityLabel(d: P): Plan<SecurityLabel> {
  const buf = new Uint8Array(SECURITY_LABEL_SIZE);
  yield* int("virDomainGetSecurityLabel", d, buf);
  return decodeSecurityLabels(buf, 1)[0];
}

// libvirt allocates one array of structs (not of pointers); free() releases it.
function* securityLabels(d: P): Plan<SecurityLabel[]> {
  const holder = new BigUint64Array(1);
  const n = yield* int("virDomainGetSecurityLabelList", d, holder);
  const array = Deno.UnsafePointer.create(holder[0]);
  if (array === null) return [];
  try {
    const bytes = new Uint8Array(
      Deno.UnsafePointerView.getArrayBuffer(array, n * SECURITY_LABEL_SIZE),
    );
    return decodeSecurityLabels(bytes.slice(), n);
  } finally {
    libc().symbols.free(array);
  }
}

function* saveParams(d: P, enc: Encoded, f: number): Plan<void> {
  try {
    yield* int("virDomainSaveParams", d, enc.ptr, enc.count, f);
  } finally {
    keep(enc);
  }
}

function* withFiles(d: P, fds: Int32Array<ArrayBuffer>, f: number): Plan<void> {
  yield* int("virDomainCreateWithFiles", d, fds.length, fds, f);
}

function* fdAssociate(
  d: P,
  name: Uint8Array<ArrayBuffer>,
  fds: Int32Array<ArrayBuffer>,
  f: number,
): Plan<void> {
  yield* int("virDomainFDAssociate", d, name, fds.length, fds, f);
}

function* listAll(
  name: "virDomainListAllSnapshots" | "virDomainListAllCheckpoints",
  d: P,
  f: number,
): Plan<Deno.PointerObject[]> {
  const holder = new BigUint64Array(1);
  const n = yield* int(name, d, holder, f);
  return takePointerArray(holder, n);
}

function snapshotNames(d: P, f: number): Plan<string[]> {
  return countedNames(
    int("virDomainSnapshotNum", d, f),
    (slots, max) => int("virDomainSnapshotListNames", d, slots, max, f),
  );
}
