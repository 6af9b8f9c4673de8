// Network: a virtual network (virNetworkPtr) — lifecycle, identity and description.
import { callRaw } from "../ffi/call.ts";
import { NetworkGenerated } from "./generated/network.ts";
import type { Connection } from "./connection.ts";
import { flagsArg, readCString, takePointerArray, wrapPointers } from "../ffi/marshal.ts";
import { optionalStringArg } from "../ffi/args.ts";
import { NetworkPort } from "./network_port.ts";
import { int, type Plan, raw, runAsync, runSync } from "./call_plan.ts";

/** One DHCP lease of a network (`virNetworkDHCPLease`). */
export interface NetworkDHCPLease {
  /** The network interface name ("virbr0"). */
  iface: string;
  /** When the lease expires, in seconds since the epoch. */
  expirytime: bigint;
  /** `IPAddrType`: 0 IPv4, 1 IPv6. */
  type: number;
  /** The client's MAC address (null for some IPv6 leases). */
  mac: string | null;
  /** The IAID (IPv6), or null. */
  iaid: string | null;
  /** The leased address. */
  ipaddr: string;
  /** The prefix length. */
  prefix: number;
  /** The client's hostname, or null. */
  hostname: string | null;
  /** The client id (DUID for IPv6), or null. */
  clientid: string | null;
}

// virNetworkDHCPLease on 64-bit platforms: pointers and long long at 8-byte alignment.
function decodeDHCPLease(p: Deno.PointerObject): NetworkDHCPLease {
  const v = new Deno.UnsafePointerView(p);
  const str = (off: number) => readCString(v.getPointer(off));
  return {
    iface: str(0) ?? "",
    expirytime: BigInt(v.getBigInt64(8)),
    type: v.getInt32(16),
    mac: str(24),
    iaid: str(32),
    ipaddr: str(40) ?? "",
    prefix: v.getUint32(48),
    hostname: str(56),
    clientid: str(64),
  };
}

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
export class Network extends NetworkGenerated {
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
   * The DHCP leases the network's dnsmasq handed out (`virNetworkGetDHCPLeases`), all of them or
   * those of one `mac`.
   * libvirt: [`virNetworkGetDHCPLeases`](https://libvirt.org/html/libvirt-libvirt-network.html#virNetworkGetDHCPLeases).
   *
   * @example
   * ```ts
   * import { Network } from "./mod.ts";
   * declare const net: Network; // a network of the daemon's network driver
   * for (const l of net.getDHCPLeases()) console.log(l.mac, l.ipaddr, l.hostname);
   * ```
   */
  getDHCPLeases(mac: string | null = null, flags = 0): NetworkDHCPLease[] {
    const m = optionalStringArg(mac, "mac");
    const f = flagsArg(flags);
    return runSync(dhcpLeases(this.ptr("get DHCP leases"), m, f));
  }

  /**
   * Every port of the network (`virNetworkListAllPorts`).
   * libvirt: [`virNetworkListAllPorts`](https://libvirt.org/html/libvirt-libvirt-network.html#virNetworkListAllPorts).
   *
   * @example
   * ```ts
   * import { Network } from "./mod.ts";
   * declare const net: Network;
   * console.log(net.listAllPorts().map((p) => p.getUUIDString()));
   * ```
   */
  listAllPorts(flags = 0): NetworkPort[] {
    const f = flagsArg(flags);
    const ptrs = runSync(allPorts(this.ptr("list ports"), f));
    return ptrs.map((p) => NetworkPort.fromPointer(this, p));
  }

  // ---- Async forms of the hand-written calls above (api/call_plan.ts): the same plans, with
  // the libvirt calls on Deno's thread pool, one at a time per connection.

  /**
   * The Async form of `getDHCPLeases` (`virNetworkGetDHCPLeases`).
   * libvirt: [`virNetworkGetDHCPLeases`](https://libvirt.org/html/libvirt-libvirt-network.html#virNetworkGetDHCPLeases).
   *
   * @example
   * ```ts
   * import { Network } from "./mod.ts";
   * declare const net: Network; // a network of the daemon's network driver
   * for (const l of await net.getDHCPLeasesAsync()) console.log(l.mac, l.ipaddr);
   * ```
   */
  getDHCPLeasesAsync(mac: string | null = null, flags = 0): Promise<NetworkDHCPLease[]> {
    const m = optionalStringArg(mac, "mac");
    const f = flagsArg(flags);
    return runAsync(this, dhcpLeases(this.ptr("get DHCP leases"), m, f));
  }

  /**
   * The Async form of `listAllPorts` (`virNetworkListAllPorts`).
   * libvirt: [`virNetworkListAllPorts`](https://libvirt.org/html/libvirt-libvirt-network.html#virNetworkListAllPorts).
   *
   * @example
   * ```ts
   * import { Network } from "./mod.ts";
   * declare const net: Network; // a network of the daemon's network driver
   * console.log((await net.listAllPortsAsync()).map((p) => p.getUUIDString()));
   * ```
   */
  listAllPortsAsync(flags = 0): Promise<NetworkPort[]> {
    const f = flagsArg(flags);
    return runAsync(this, allPorts(this.ptr("list ports"), f)).then((ptrs) =>
      wrapPointers(ptrs, (p) => NetworkPort.fromPointer(this, p))
    );
  }
}

// ---- call plans (shared by the sync and async forms)

function* dhcpLeases(
  net: Deno.PointerObject,
  mac: Uint8Array<ArrayBuffer> | null,
  f: number,
): Plan<NetworkDHCPLease[]> {
  const holder = new BigUint64Array(1);
  const n = yield* int("virNetworkGetDHCPLeases", net, mac, holder, f);
  // libvirt hands over an array it allocated (takePointerArray frees it) of leases the
  // caller frees one by one with virNetworkDHCPLeaseFree, which frees their strings too: all
  // of them, even if reading one failed.
  const leases = takePointerArray(holder, n);
  try {
    return leases.map(decodeDHCPLease);
  } finally {
    for (const p of leases) yield* raw("virNetworkDHCPLeaseFree", p);
  }
}

function* allPorts(net: Deno.PointerObject, f: number): Plan<Deno.PointerObject[]> {
  const holder = new BigUint64Array(1);
  const n = yield* int("virNetworkListAllPorts", net, holder, f);
  return takePointerArray(holder, n);
}
