// DomainCheckpoint: a point from which a backup can copy what changed (virDomainCheckpointPtr).
import type { Domain } from "./domain.ts";
import { type DomainChildKind, domainChildKind, wrapDomainChild } from "./domain_child.ts";
import { DomainCheckpointGenerated } from "./generated/domain_checkpoint.ts";

/**
 * A checkpoint of a domain, `virDomainCheckpointPtr`. Obtained from its `Domain`
 * (`checkpointCreateXML`, `checkpointLookupByName`, `listAllCheckpoints`); freed
 * with that domain (and so with the connection).
 *
 * @example
 * ```ts
 * import { Connection } from "./mod.ts";
 * declare const conn: Connection; // a QEMU connection: checkpoints need its driver
 * const dom = conn.lookupDomainByName("guest");
 * using cp = dom.checkpointCreateXML("<domaincheckpoint><name>s1</name></domaincheckpoint>");
 * console.log(cp.getName(), cp.getDomain() === dom);
 * cp.delete();
 * ```
 */
export class DomainCheckpoint extends DomainCheckpointGenerated {
  // Its C functions for DomainChild, and the one way to its private constructor.
  static readonly #kind: DomainChildKind<DomainCheckpoint> = domainChildKind(
    "DomainCheckpoint",
    (dom, ptr) => new DomainCheckpoint(dom, ptr),
  );

  private constructor(dom: Domain, ptr: Deno.PointerObject) {
    super(dom, ptr, DomainCheckpoint.#kind);
  }

  /**
   * @internal Wraps a `virDomainCheckpointPtr` whose reference the caller hands over; it is freed
   * with `dom`.
   *
   * @example
   * ```ts
   * import { Connection, DomainCheckpoint } from "./mod.ts";
   * declare const conn: Connection; // a QEMU connection
   * const dom = conn.lookupDomainByName("guest");
   * const cp = dom.checkpointCreateXML("<domaincheckpoint/>");
   * console.log(cp instanceof DomainCheckpoint); // true
   * ```
   */
  static fromPointer(dom: Domain, ptr: Deno.PointerObject): DomainCheckpoint {
    return wrapDomainChild(DomainCheckpoint.#kind, dom, ptr);
  }
}
