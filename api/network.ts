// Network: a virtual network (virNetworkPtr) — lifecycle, identity and description.
import { callConstString, callInt, callRaw, callString } from "../ffi/call.ts";
import { decodeCString, flagsArg, UUID_STRING_BUFLEN } from "../ffi/marshal.ts";
import { LibvirtObject } from "./object.ts";
import type { Connection } from "./connection.ts";

/**
 * A virtual network, `virNetworkPtr`. Obtained from `Connection` (`lookupNetworkByName`,
 * `listAllNetworks`, `createNetworkXML` …); freed when the connection closes.
 *
 * @example
 * ```ts
 * import { Connection } from "./mod.ts";
 * using conn = Connection.open("test:///default");
 * using net = conn.lookupNetworkByName("default");
 * console.log(net.getBridgeName(), net.isActive());
 * ```
 */
export class Network extends LibvirtObject {
  readonly #conn: Connection;

  private constructor(conn: Connection, ptr: Deno.PointerObject) {
    super(ptr, "virNetworkFree", "Network", conn);
    this.#conn = conn;
  }

  /**
   * @internal Wraps a `virNetworkPtr` whose reference the caller hands over (a fresh lookup, or
   * a borrowed pointer after `virNetworkRef`). The network is freed with `conn`.
   *
   * @example
   * ```ts
   * import { Connection, Network } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * console.log(conn.lookupNetworkByName("default") instanceof Network);
   * ```
   */
  static fromPointer(conn: Connection, ptr: Deno.PointerObject): Network {
    if (ptr === null || typeof ptr !== "object") throw new TypeError("Expected a network pointer");
    if (conn.freed) {
      callRaw("virNetworkFree", ptr);
      throw new Error("Cannot wrap a Network: its Connection was closed");
    }
    return new Network(conn, ptr);
  }

  /**
   * The connection this network belongs to.
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * console.log(conn.lookupNetworkByName("default").getConnect() === conn); // true
   * ```
   */
  getConnect(): Connection {
    this.ptr("get its connection");
    return this.#conn;
  }

  /**
   * Starts a defined, inactive network (`virNetworkCreate`).
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * const net = conn.lookupNetworkByName("default");
   * net.destroy();
   * net.create();
   * ```
   */
  create(): void {
    callInt("virNetworkCreate", this.ptr("create"));
  }

  /**
   * Stops the network (`virNetworkDestroy`). A transient network disappears.
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * conn.lookupNetworkByName("default").destroy();
   * ```
   */
  destroy(): void {
    callInt("virNetworkDestroy", this.ptr("destroy"));
  }

  /**
   * Removes the network's persistent configuration (`virNetworkUndefine`).
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * const net = conn.lookupNetworkByName("default");
   * net.destroy();
   * net.undefine();
   * ```
   */
  undefine(): void {
    callInt("virNetworkUndefine", this.ptr("undefine"));
  }

  /**
   * The network's name.
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * console.log(conn.lookupNetworkByName("default").getName()); // default
   * ```
   */
  getName(): string {
    return callConstString("virNetworkGetName", this.ptr("get the name"));
  }

  /**
   * The network's UUID as a string.
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * console.log(conn.lookupNetworkByName("default").getUUIDString());
   * ```
   */
  getUUIDString(): string {
    const buf = new Uint8Array(UUID_STRING_BUFLEN);
    callInt("virNetworkGetUUIDString", this.ptr("get the UUID"), buf);
    return decodeCString(buf);
  }

  /**
   * The network's XML description (`NetworkXMLFlags`).
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * console.log(conn.lookupNetworkByName("default").getXMLDesc());
   * ```
   */
  getXMLDesc(flags = 0): string {
    return callString("virNetworkGetXMLDesc", this.ptr("get the XML"), flagsArg(flags));
  }

  /**
   * The name of the host bridge device the network uses.
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * console.log(conn.lookupNetworkByName("default").getBridgeName()); // virbr0
   * ```
   */
  getBridgeName(): string {
    return callString("virNetworkGetBridgeName", this.ptr("get the bridge name"));
  }

  /**
   * Whether the network is running.
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * console.log(conn.lookupNetworkByName("default").isActive()); // true
   * ```
   */
  isActive(): boolean {
    return callInt("virNetworkIsActive", this.ptr("check if active")) === 1;
  }

  /**
   * Whether the network has a persistent configuration.
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * console.log(conn.lookupNetworkByName("default").isPersistent()); // true
   * ```
   */
  isPersistent(): boolean {
    return callInt("virNetworkIsPersistent", this.ptr("check if persistent")) === 1;
  }
}
