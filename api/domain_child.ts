// DomainChild: what DomainSnapshot and DomainCheckpoint share. Both are objects of one domain,
// kept with the wrapper of that domain, in a tree of parents and children that libvirt walks.
import { callInt, callPtr, callRaw } from "../ffi/call.ts";
import { callIntAsync, callPtrAsync } from "../ffi/call_async.ts";
import { flagsArg, takePointerArray, wrapPointers } from "../ffi/marshal.ts";
import { LibvirtObject } from "./object.ts";
import type { Connection } from "./connection.ts";
import type { Domain } from "./domain.ts";

/**
 * The C functions of one kind of domain child and how to make its wrapper. Each class keeps its
 * own, private: `make` calls the class's private constructor.
 *
 * @example
 * ```ts
 * import type { DomainChildKind, DomainSnapshot } from "./mod.ts";
 * declare const kind: DomainChildKind<DomainSnapshot>;
 * console.log(kind.free); // "virDomainSnapshotFree"
 * ```
 */
export interface DomainChildKind<T> {
  /** The class, for messages ("Cannot wrap a DomainSnapshot ..."). */
  readonly cls: "DomainSnapshot" | "DomainCheckpoint";
  /** What its pointer is called in messages ("snapshot"). */
  readonly noun: string;
  /** Releases a reference. */
  readonly free: "virDomainSnapshotFree" | "virDomainCheckpointFree";
  /** Returns the parent, a new reference. */
  readonly getParent: "virDomainSnapshotGetParent" | "virDomainCheckpointGetParent";
  /** Returns the children, an array of new references. */
  readonly listAllChildren:
    | "virDomainSnapshotListAllChildren"
    | "virDomainCheckpointListAllChildren";
  /** Makes the wrapper of a reference the caller hands over. */
  readonly make: (dom: Domain, ptr: Deno.PointerObject) => T;
}

/**
 * @internal The kind of `cls`, whose C functions are named after it (`vir<cls>Free`, ...).
 *
 * @example
 * ```ts
 * import { domainChildKind } from "./api/domain_child.ts";
 * const kind = domainChildKind("DomainSnapshot", () => "a wrapper");
 * console.log(kind.getParent); // "virDomainSnapshotGetParent"
 * ```
 */
export function domainChildKind<T>(
  cls: "DomainSnapshot" | "DomainCheckpoint",
  make: (dom: Domain, ptr: Deno.PointerObject) => T,
): DomainChildKind<T> {
  return {
    cls,
    noun: cls.slice("Domain".length).toLowerCase(),
    free: `vir${cls}Free` as const,
    getParent: `vir${cls}GetParent` as const,
    listAllChildren: `vir${cls}ListAllChildren` as const,
    make,
  };
}

/**
 * @internal Wraps `ptr`, whose reference the caller hands over, as a child of `dom` (freed with
 * `dom`). A reference that arrives after `dom` was freed is released at once: nothing would
 * ever free it. The classes' `fromPointer`.
 *
 * @example
 * ```ts
 * import { wrapDomainChild } from "./api/domain_child.ts";
 * import type { Domain, DomainChildKind, DomainSnapshot } from "./mod.ts";
 * declare const kind: DomainChildKind<DomainSnapshot>;
 * declare const dom: Domain;
 * declare const ptr: Deno.PointerObject;
 * const snap = wrapDomainChild(kind, dom, ptr);
 * ```
 */
export function wrapDomainChild<T>(
  kind: DomainChildKind<T>,
  dom: Domain,
  ptr: Deno.PointerObject,
): T {
  if (ptr === null || typeof ptr !== "object") {
    throw new TypeError(`Expected a ${kind.noun} pointer`);
  }
  if (dom.freed) {
    callRaw(kind.free, ptr);
    throw new Error(`Cannot wrap a ${kind.cls}: its Domain was freed`);
  }
  return kind.make(dom, ptr);
}

/**
 * The part `DomainSnapshot` and `DomainCheckpoint` share: the domain they belong to, its
 * connection, and their place in the tree (parent, children). Use those classes.
 *
 * @example
 * ```ts
 * import { Connection, DomainSnapshot } from "./mod.ts";
 * using conn = Connection.open("test:///default");
 * const dom = conn.lookupDomainByName("test");
 * const snap = dom.snapshotCreateXML("<domainsnapshot/>");
 * console.log(snap instanceof DomainSnapshot, snap.getDomain() === dom); // true true
 * ```
 */
export abstract class DomainChild<T> extends LibvirtObject {
  readonly #dom: Domain;
  readonly #kind: DomainChildKind<T>;

  /** Takes over `ptr`'s reference; the child is freed with `dom`. Subclasses only. */
  protected constructor(dom: Domain, ptr: Deno.PointerObject, kind: DomainChildKind<T>) {
    super(ptr, kind.free, kind.cls, dom);
    this.#dom = dom;
    this.#kind = kind;
  }

  /**
   * The domain this snapshot or checkpoint belongs to (`virDomainSnapshotGetDomain`,
   * `virDomainCheckpointGetDomain`): the wrapper it was obtained from.
   * libvirt: [`virDomainSnapshotGetDomain`](https://libvirt.org/html/libvirt-libvirt-domain-snapshot.html#virDomainSnapshotGetDomain), [`virDomainCheckpointGetDomain`](https://libvirt.org/html/libvirt-libvirt-domain-checkpoint.html#virDomainCheckpointGetDomain).
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * const dom = conn.lookupDomainByName("test");
   * console.log(dom.snapshotCreateXML("<domainsnapshot/>").getDomain() === dom); // true
   * ```
   */
  getDomain(): Domain {
    this.ptr("get its domain");
    return this.#dom;
  }

  /**
   * The connection of its domain (`virDomainSnapshotGetConnect`,
   * `virDomainCheckpointGetConnect`).
   * libvirt: [`virDomainSnapshotGetConnect`](https://libvirt.org/html/libvirt-libvirt-domain-snapshot.html#virDomainSnapshotGetConnect), [`virDomainCheckpointGetConnect`](https://libvirt.org/html/libvirt-libvirt-domain-checkpoint.html#virDomainCheckpointGetConnect).
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * const dom = conn.lookupDomainByName("test");
   * console.log(dom.snapshotCreateXML("<domainsnapshot/>").getConnect() === conn); // true
   * ```
   */
  getConnect(): Connection {
    this.ptr("get its connection");
    return this.#dom.getConnect();
  }

  /**
   * The parent snapshot or checkpoint (`virDomainSnapshotGetParent`,
   * `virDomainCheckpointGetParent`); `ErrorNumber.NO_DOMAIN_SNAPSHOT` or
   * `NO_DOMAIN_CHECKPOINT` for a root.
   * libvirt: [`virDomainSnapshotGetParent`](https://libvirt.org/html/libvirt-libvirt-domain-snapshot.html#virDomainSnapshotGetParent), [`virDomainCheckpointGetParent`](https://libvirt.org/html/libvirt-libvirt-domain-checkpoint.html#virDomainCheckpointGetParent).
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * const dom = conn.lookupDomainByName("test");
   * const a = dom.snapshotCreateXML("<domainsnapshot><name>a</name></domainsnapshot>");
   * const b = dom.snapshotCreateXML("<domainsnapshot><name>b</name></domainsnapshot>");
   * console.log(b.getParent().getName()); // a
   * ```
   */
  getParent(flags = 0): T {
    const f = flagsArg(flags);
    const p = callPtr(this.#kind.getParent, this.ptr("get its parent"), f);
    return wrapDomainChild(this.#kind, this.#dom, p);
  }

  /**
   * The children of this snapshot or checkpoint (`virDomainSnapshotListAllChildren` with
   * `DomainSnapshotListFlags`, `virDomainCheckpointListAllChildren` with
   * `DomainCheckpointListFlags`).
   * libvirt: [`virDomainSnapshotListAllChildren`](https://libvirt.org/html/libvirt-libvirt-domain-snapshot.html#virDomainSnapshotListAllChildren), [`virDomainCheckpointListAllChildren`](https://libvirt.org/html/libvirt-libvirt-domain-checkpoint.html#virDomainCheckpointListAllChildren).
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * const dom = conn.lookupDomainByName("test");
   * const a = dom.snapshotCreateXML("<domainsnapshot><name>a</name></domainsnapshot>");
   * dom.snapshotCreateXML("<domainsnapshot><name>b</name></domainsnapshot>");
   * console.log(a.listAllChildren().map((s) => s.getName())); // ["b"]
   * ```
   */
  listAllChildren(flags = 0): T[] {
    const f = flagsArg(flags);
    const holder = new BigUint64Array(1);
    const n = callInt(this.#kind.listAllChildren, this.ptr("list its children"), holder, f);
    // libvirt's array is freed by takePointerArray; each reference goes to its wrapper.
    return wrapPointers(
      takePointerArray(holder, n),
      (p) => wrapDomainChild(this.#kind, this.#dom, p),
    );
  }

  // ---- Async forms: the same libvirt calls on Deno's thread pool, one at a time per
  // connection, in the order they were made.

  /**
   * The Async form of `getParent` (`virDomainSnapshotGetParent`, `virDomainCheckpointGetParent`).
   * libvirt: [`virDomainSnapshotGetParent`](https://libvirt.org/html/libvirt-libvirt-domain-snapshot.html#virDomainSnapshotGetParent), [`virDomainCheckpointGetParent`](https://libvirt.org/html/libvirt-libvirt-domain-checkpoint.html#virDomainCheckpointGetParent).
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * const dom = conn.lookupDomainByName("test");
   * dom.snapshotCreateXML("<domainsnapshot><name>a</name></domainsnapshot>");
   * const b = dom.snapshotCreateXML("<domainsnapshot><name>b</name></domainsnapshot>");
   * console.log((await b.getParentAsync()).getName()); // a
   * ```
   */
  getParentAsync(flags = 0): Promise<T> {
    const f = flagsArg(flags);
    const p = this.ptr("get its parent");
    return callPtrAsync(this, this.#kind.getParent, p, f)
      .then((q) => wrapDomainChild(this.#kind, this.#dom, q));
  }

  /**
   * The Async form of `listAllChildren` (`virDomainSnapshotListAllChildren`,
   * `virDomainCheckpointListAllChildren`). The domain may be freed while the call runs: every
   * child libvirt returned is then released, and the Promise rejects.
   * libvirt: [`virDomainSnapshotListAllChildren`](https://libvirt.org/html/libvirt-libvirt-domain-snapshot.html#virDomainSnapshotListAllChildren), [`virDomainCheckpointListAllChildren`](https://libvirt.org/html/libvirt-libvirt-domain-checkpoint.html#virDomainCheckpointListAllChildren).
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * const dom = conn.lookupDomainByName("test");
   * const a = dom.snapshotCreateXML("<domainsnapshot><name>a</name></domainsnapshot>");
   * dom.snapshotCreateXML("<domainsnapshot><name>b</name></domainsnapshot>");
   * console.log((await a.listAllChildrenAsync()).map((s) => s.getName())); // ["b"]
   * ```
   */
  listAllChildrenAsync(flags = 0): Promise<T[]> {
    const f = flagsArg(flags);
    const p = this.ptr("list its children");
    const holder = new BigUint64Array(1);
    return callIntAsync(this, this.#kind.listAllChildren, p, holder, f).then((n) =>
      wrapPointers(takePointerArray(holder, n), (q) => wrapDomainChild(this.#kind, this.#dom, q))
    );
  }
}
