// DomainCheckpoint: a point from which a backup can copy what changed (virDomainCheckpointPtr).
import { callInt, callPtr, callRaw } from "../ffi/call.ts";
import { flagsArg, takePointerArray } from "../ffi/marshal.ts";
import type { Connection } from "./connection.ts";
import type { Domain } from "./domain.ts";
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
  readonly #dom: Domain;

  private constructor(dom: Domain, ptr: Deno.PointerObject) {
    super(ptr, "virDomainCheckpointFree", "DomainCheckpoint", dom);
    this.#dom = dom;
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
    if (ptr === null || typeof ptr !== "object") {
      throw new TypeError("Expected a checkpoint pointer");
    }
    if (dom.freed) {
      callRaw("virDomainCheckpointFree", ptr);
      throw new Error("Cannot wrap a DomainCheckpoint: its Domain was freed");
    }
    return new DomainCheckpoint(dom, ptr);
  }

  /**
   * The domain this checkpoint belongs to (`virDomainCheckpointGetDomain`).
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * declare const conn: Connection; // a QEMU connection
   * const dom = conn.lookupDomainByName("guest");
   * console.log(dom.checkpointCreateXML("<domaincheckpoint/>").getDomain() === dom); // true
   * ```
   */
  getDomain(): Domain {
    this.ptr("get its domain");
    return this.#dom;
  }

  /**
   * The connection of its domain (`virDomainCheckpointGetConnect`).
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * declare const conn: Connection; // a QEMU connection
   * const dom = conn.lookupDomainByName("guest");
   * console.log(dom.checkpointCreateXML("<domaincheckpoint/>").getConnect() === conn); // true
   * ```
   */
  getConnect(): Connection {
    this.ptr("get its connection");
    return this.#dom.getConnect();
  }

  /**
   * The parent checkpoint (`virDomainCheckpointGetParent`); `ErrorNumber.NO_DOMAIN_CHECKPOINT` for a
   * root.
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * declare const conn: Connection; // a QEMU connection
   * const dom = conn.lookupDomainByName("guest");
   * const a = dom.checkpointCreateXML("<domaincheckpoint><name>a</name></domaincheckpoint>");
   * const b = dom.checkpointCreateXML("<domaincheckpoint><name>b</name></domaincheckpoint>");
   * console.log(b.getParent().getName()); // a
   * ```
   */
  getParent(flags = 0): DomainCheckpoint {
    const f = flagsArg(flags);
    const p = callPtr("virDomainCheckpointGetParent", this.ptr("get its parent"), f);
    return DomainCheckpoint.fromPointer(this.#dom, p);
  }

  /**
   * The children of this checkpoint (`virDomainCheckpointListAllChildren`,
   * `DomainCheckpointListFlags`).
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * declare const conn: Connection; // a QEMU connection
   * const dom = conn.lookupDomainByName("guest");
   * const a = dom.checkpointCreateXML("<domaincheckpoint><name>a</name></domaincheckpoint>");
   * dom.checkpointCreateXML("<domaincheckpoint><name>b</name></domaincheckpoint>");
   * console.log(a.listAllChildren().map((s) => s.getName())); // ["b"]
   * ```
   */
  listAllChildren(flags = 0): DomainCheckpoint[] {
    const f = flagsArg(flags);
    const holder = new BigUint64Array(1);
    const n = callInt(
      "virDomainCheckpointListAllChildren",
      this.ptr("list its children"),
      holder,
      f,
    );
    return takePointerArray(holder, n).map((p) => DomainCheckpoint.fromPointer(this.#dom, p));
  }
}
