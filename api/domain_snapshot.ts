// DomainSnapshot: a saved state of a domain (virDomainSnapshotPtr) and its place in the tree.
import { callInt, callPtr, callRaw } from "../ffi/call.ts";
import { flagsArg, takePointerArray } from "../ffi/marshal.ts";
import { takeNames } from "../ffi/out_arrays.ts";
import type { Connection } from "./connection.ts";
import type { Domain } from "./domain.ts";
import { DomainSnapshotGenerated } from "./generated/domain_snapshot.ts";

/**
 * A snapshot of a domain, `virDomainSnapshotPtr`. Obtained from its `Domain`
 * (`snapshotCreateXML`, `snapshotLookupByName`, `snapshotCurrent`, `listAllSnapshots`); freed
 * with that domain (and so with the connection).
 *
 * @example
 * ```ts
 * import { Connection } from "./mod.ts";
 * using conn = Connection.open("test:///default");
 * const dom = conn.lookupDomainByName("test");
 * using snap = dom.snapshotCreateXML("<domainsnapshot><name>s1</name></domainsnapshot>");
 * console.log(snap.getName(), snap.isCurrent(), snap.getDomain() === dom);
 * snap.delete();
 * ```
 */
export class DomainSnapshot extends DomainSnapshotGenerated {
  readonly #dom: Domain;

  private constructor(dom: Domain, ptr: Deno.PointerObject) {
    super(ptr, "virDomainSnapshotFree", "DomainSnapshot", dom);
    this.#dom = dom;
  }

  /**
   * @internal Wraps a `virDomainSnapshotPtr` whose reference the caller hands over; it is freed
   * with `dom`.
   *
   * @example
   * ```ts
   * import { Connection, DomainSnapshot } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * const dom = conn.lookupDomainByName("test");
   * const snap = dom.snapshotCreateXML("<domainsnapshot/>");
   * console.log(snap instanceof DomainSnapshot); // true
   * ```
   */
  static fromPointer(dom: Domain, ptr: Deno.PointerObject): DomainSnapshot {
    if (ptr === null || typeof ptr !== "object") throw new TypeError("Expected a snapshot pointer");
    if (dom.freed) {
      callRaw("virDomainSnapshotFree", ptr);
      throw new Error("Cannot wrap a DomainSnapshot: its Domain was freed");
    }
    return new DomainSnapshot(dom, ptr);
  }

  /**
   * The domain this snapshot belongs to (`virDomainSnapshotGetDomain`).
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
   * The connection of its domain (`virDomainSnapshotGetConnect`).
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
   * The parent snapshot (`virDomainSnapshotGetParent`); `ErrorNumber.NO_DOMAIN_SNAPSHOT` for a
   * root.
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
  getParent(flags = 0): DomainSnapshot {
    const f = flagsArg(flags);
    const p = callPtr("virDomainSnapshotGetParent", this.ptr("get its parent"), f);
    return DomainSnapshot.fromPointer(this.#dom, p);
  }

  /**
   * The children of this snapshot (`virDomainSnapshotListAllChildren`,
   * `DomainSnapshotListFlags`).
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
  listAllChildren(flags = 0): DomainSnapshot[] {
    const f = flagsArg(flags);
    const holder = new BigUint64Array(1);
    const n = callInt(
      "virDomainSnapshotListAllChildren",
      this.ptr("list its children"),
      holder,
      f,
    );
    return takePointerArray(holder, n).map((p) => DomainSnapshot.fromPointer(this.#dom, p));
  }

  /**
   * The names of the children (`virDomainSnapshotListChildrenNames`, at most `numChildren()`).
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * const dom = conn.lookupDomainByName("test");
   * const a = dom.snapshotCreateXML("<domainsnapshot><name>a</name></domainsnapshot>");
   * dom.snapshotCreateXML("<domainsnapshot><name>b</name></domainsnapshot>");
   * console.log(a.listChildrenNames()); // ["b"]
   * ```
   */
  listChildrenNames(flags = 0): string[] {
    const f = flagsArg(flags);
    const max = this.numChildren(f);
    if (max === 0) return [];
    const slots = new BigUint64Array(max);
    const n = callInt(
      "virDomainSnapshotListChildrenNames",
      this.ptr("list its children"),
      slots,
      max,
      f,
    );
    return takeNames(slots, n);
  }
}
