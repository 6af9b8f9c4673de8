// Interface: a host network interface (virInterfacePtr), managed through the connection.
import { callRaw } from "../ffi/call.ts";
import type { Connection } from "./connection.ts";
import { InterfaceGenerated } from "./generated/interface.ts";

/**
 * A host network interface, `virInterfacePtr`. Obtained from `Connection`
 * (`lookupInterfaceByName`, `lookupInterfaceByMACString`, `defineInterfaceXML`...); freed when
 * the connection closes. Its methods (`getName`, `getXMLDesc`, `create`, `destroy`...) follow
 * libvirt's `virInterface*` functions.
 *
 * @example
 * ```ts
 * import { Connection } from "./mod.ts";
 * using conn = Connection.open("test:///default");
 * using iface = conn.lookupInterfaceByName("eth1");
 * console.log(iface.getName(), iface.getMACString(), iface.isActive());
 * ```
 */
export class Interface extends InterfaceGenerated {
  readonly #conn: Connection;

  private constructor(conn: Connection, ptr: Deno.PointerObject) {
    super(ptr, "virInterfaceFree", "Interface", conn);
    this.#conn = conn;
  }

  /**
   * @internal Wraps a `virInterfacePtr` whose reference the caller hands over; it is freed with
   * `conn`.
   *
   * @example
   * ```ts
   * import { Connection, Interface } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * console.log(conn.lookupInterfaceByName("eth1") instanceof Interface); // true
   * ```
   */
  static fromPointer(conn: Connection, ptr: Deno.PointerObject): Interface {
    if (ptr === null || typeof ptr !== "object") {
      throw new TypeError("Expected an interface pointer");
    }
    if (conn.freed) {
      callRaw("virInterfaceFree", ptr);
      throw new Error("Cannot wrap an Interface: its Connection was closed");
    }
    return new Interface(conn, ptr);
  }

  /**
   * The connection this interface belongs to (`virInterfaceGetConnect`).
   * libvirt: [`virInterfaceGetConnect`](https://libvirt.org/html/libvirt-libvirt-interface.html#virInterfaceGetConnect).
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * console.log(conn.lookupInterfaceByName("eth1").getConnect() === conn); // true
   * ```
   */
  getConnect(): Connection {
    this.ptr("get its connection");
    return this.#conn;
  }
}
