// NWFilterBinding: a network filter bound to a port (virNWFilterBindingPtr).
import { callRaw } from "../ffi/call.ts";
import type { Connection } from "./connection.ts";
import { NWFilterBindingGenerated } from "./generated/nwfilter_binding.ts";

/**
 * A filter binding, `virNWFilterBindingPtr`. Obtained from `Connection`
 * (`lookupNWFilterBindingByPortDev`, `createNWFilterBindingXML`); freed when
 * the connection closes. Its methods (`getPortDev`, `getFilterName`, `getXMLDesc`, `delete`) follow
 * libvirt's `virNWFilterBinding*` functions.
 *
 * @example
 * ```ts
 * import { Connection } from "./mod.ts";
 * declare const conn: Connection; // a qemu:///system connection (nwfilter driver)
 * using binding = conn.lookupNWFilterBindingByPortDev("vnet0");
 * console.log(binding.getFilterName());
 * ```
 */
export class NWFilterBinding extends NWFilterBindingGenerated {
  readonly #conn: Connection;

  private constructor(conn: Connection, ptr: Deno.PointerObject) {
    super(ptr, "virNWFilterBindingFree", "NWFilterBinding", conn);
    this.#conn = conn;
  }

  /**
   * @internal Wraps a `virNWFilterBindingPtr` whose reference the caller hands over; it is freed with
   * `conn`.
   *
   * @example
   * ```ts
   * import { Connection, NWFilterBinding } from "./mod.ts";
   * declare const conn: Connection; // a connection whose driver has network filters
   * console.log(conn.lookupNWFilterBindingByPortDev("vnet0") instanceof NWFilterBinding);
   * ```
   */
  static fromPointer(conn: Connection, ptr: Deno.PointerObject): NWFilterBinding {
    if (ptr === null || typeof ptr !== "object") {
      throw new TypeError("Expected a filter binding pointer");
    }
    if (conn.freed) {
      callRaw("virNWFilterBindingFree", ptr);
      throw new Error("Cannot wrap an NWFilterBinding: its Connection was closed");
    }
    return new NWFilterBinding(conn, ptr);
  }

  /**
   * The connection this binding belongs to.
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * declare const conn: Connection;
   * console.log(conn.lookupNWFilterBindingByPortDev("vnet0").getConnect() === conn); // true
   * ```
   */
  getConnect(): Connection {
    this.ptr("get its connection");
    return this.#conn;
  }
}
