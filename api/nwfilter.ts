// NWFilter: a network filter (virNWFilterPtr): firewall rules that domain interfaces reference.
import { callRaw } from "../ffi/call.ts";
import type { Connection } from "./connection.ts";
import { NWFilterGenerated } from "./generated/nwfilter.ts";

/**
 * A network filter, `virNWFilterPtr`. Obtained from `Connection`
 * (`lookupNWFilterByName`, `defineNWFilterXML`...); freed when
 * the connection closes. Its methods (`getName`, `getUUIDString`, `getXMLDesc`, `undefine`) follow
 * libvirt's `virNWFilter*` functions.
 *
 * @example
 * ```ts
 * import { Connection } from "./mod.ts";
 * declare const conn: Connection; // qemu:///system: the daemon's nwfilter driver
 * using filter = conn.defineNWFilterXML("<filter name='f1' chain='ipv4'/>");
 * console.log(filter.getName(), filter.getUUIDString());
 * ```
 */
export class NWFilter extends NWFilterGenerated {
  readonly #conn: Connection;

  private constructor(conn: Connection, ptr: Deno.PointerObject) {
    super(ptr, "virNWFilterFree", "NWFilter", conn);
    this.#conn = conn;
  }

  /**
   * @internal Wraps a `virNWFilterPtr` whose reference the caller hands over; it is freed with
   * `conn`.
   *
   * @example
   * ```ts
   * import { Connection, NWFilter } from "./mod.ts";
   * declare const conn: Connection; // a connection whose driver has network filters
   * console.log(conn.defineNWFilterXML("<filter name='f2'/>") instanceof NWFilter); // true
   * ```
   */
  static fromPointer(conn: Connection, ptr: Deno.PointerObject): NWFilter {
    if (ptr === null || typeof ptr !== "object") {
      throw new TypeError("Expected a network filter pointer");
    }
    if (conn.freed) {
      callRaw("virNWFilterFree", ptr);
      throw new Error("Cannot wrap an NWFilter: its Connection was closed");
    }
    return new NWFilter(conn, ptr);
  }

  /**
   * The connection this filter belongs to.
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * declare const conn: Connection;
   * console.log(conn.defineNWFilterXML("<filter name='f3'/>").getConnect() === conn); // true
   * ```
   */
  getConnect(): Connection {
    this.ptr("get its connection");
    return this.#conn;
  }
}
