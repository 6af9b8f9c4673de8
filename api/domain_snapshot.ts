// DomainSnapshot: a saved state of a domain (virDomainSnapshotPtr) and its place in the tree.
import { flagsArg } from "../ffi/marshal.ts";
import { countedNames, int, type Plan, runAsync, runSync } from "./call_plan.ts";
import type { Domain } from "./domain.ts";
import { type DomainChildKind, domainChildKind, wrapDomainChild } from "./domain_child.ts";
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
  // Its C functions for DomainChild, and the one way to its private constructor.
  static readonly #kind: DomainChildKind<DomainSnapshot> = domainChildKind(
    "DomainSnapshot",
    (dom, ptr) => new DomainSnapshot(dom, ptr),
  );

  private constructor(dom: Domain, ptr: Deno.PointerObject) {
    super(dom, ptr, DomainSnapshot.#kind);
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
    return wrapDomainChild(DomainSnapshot.#kind, dom, ptr);
  }

  /**
   * The names of the children (`virDomainSnapshotListChildrenNames`, at most `numChildren()`).
   * libvirt: [`virDomainSnapshotListChildrenNames`](https://libvirt.org/html/libvirt-libvirt-domain-snapshot.html#virDomainSnapshotListChildrenNames).
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
    return runSync(childrenNames(this.ptr("list its children"), f));
  }

  // ---- Async forms of the hand-written calls (this class's and DomainChild's): the same libvirt
  // calls on Deno's thread pool, one at a time per connection, in the order they were made.

  /**
   * The Async form of `listChildrenNames` (`virDomainSnapshotNumChildren`, then
   * `virDomainSnapshotListChildrenNames`, both off the JS thread).
   * libvirt: [`virDomainSnapshotListChildrenNames`](https://libvirt.org/html/libvirt-libvirt-domain-snapshot.html#virDomainSnapshotListChildrenNames).
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * const dom = conn.lookupDomainByName("test");
   * const a = dom.snapshotCreateXML("<domainsnapshot><name>a</name></domainsnapshot>");
   * dom.snapshotCreateXML("<domainsnapshot><name>b</name></domainsnapshot>");
   * console.log(await a.listChildrenNamesAsync()); // ["b"]
   * ```
   */
  listChildrenNamesAsync(flags = 0): Promise<string[]> {
    const f = flagsArg(flags);
    return runAsync(this, childrenNames(this.ptr("list its children"), f));
  }
}

// ---- call plans (shared by the sync and async forms)

function childrenNames(snap: Deno.PointerObject, f: number): Plan<string[]> {
  return countedNames(
    int("virDomainSnapshotNumChildren", snap, f),
    (slots, max) => int("virDomainSnapshotListChildrenNames", snap, slots, max, f),
  );
}
