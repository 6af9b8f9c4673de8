// NetworkPort: one port of a virtual network (virNetworkPortPtr), as a domain's interface uses it.
import { callInt, callRaw } from "../ffi/call.ts";
import { flagsArg } from "../ffi/marshal.ts";
import type { Connection } from "./connection.ts";
import type { Network } from "./network.ts";
import { NetworkPortGenerated } from "./generated/network_port.ts";
import {
  encodeTypedParams,
  takeTypedParams,
  type TypedParam,
  type TypedParams,
  typedParamsToRecord,
} from "./typed_params.ts";

/**
 * A port of a virtual network, `virNetworkPortPtr`. Obtained from its `Network`
 * (`portCreateXML`, `portLookupByUUIDString`, `listAllPorts`); freed with that network.
 *
 * @example
 * ```ts
 * import { Network } from "./mod.ts";
 * declare const net: Network; // a network of the daemon's network driver
 * for (const port of net.listAllPorts()) console.log(port.getUUIDString(), port.getParameters());
 * ```
 */
export class NetworkPort extends NetworkPortGenerated {
  readonly #net: Network;

  private constructor(net: Network, ptr: Deno.PointerObject) {
    super(ptr, "virNetworkPortFree", "NetworkPort", net);
    this.#net = net;
  }

  /**
   * @internal Wraps a `virNetworkPortPtr` whose reference the caller hands over; it is freed with
   * `net`.
   *
   * @example
   * ```ts
   * import { Network, NetworkPort } from "./mod.ts";
   * declare const net: Network;
   * console.log(net.listAllPorts().every((p) => p instanceof NetworkPort)); // true
   * ```
   */
  static fromPointer(net: Network, ptr: Deno.PointerObject): NetworkPort {
    if (ptr === null || typeof ptr !== "object") throw new TypeError("Expected a port pointer");
    if (net.freed) {
      callRaw("virNetworkPortFree", ptr);
      throw new Error("Cannot wrap a NetworkPort: its Network was freed");
    }
    return new NetworkPort(net, ptr);
  }

  /**
   * The network this port belongs to (`virNetworkPortGetNetwork`).
   * libvirt: [`virNetworkPortGetNetwork`](https://libvirt.org/html/libvirt-libvirt-network.html#virNetworkPortGetNetwork).
   *
   * @example
   * ```ts
   * import { Network } from "./mod.ts";
   * declare const net: Network;
   * console.log(net.listAllPorts().every((p) => p.getNetwork() === net)); // true
   * ```
   */
  getNetwork(): Network {
    this.ptr("get its network");
    return this.#net;
  }

  /**
   * The connection of its network.
   *
   * @example
   * ```ts
   * import { Network } from "./mod.ts";
   * declare const net: Network;
   * console.log(net.listAllPorts().every((p) => p.getConnect() === net.getConnect())); // true
   * ```
   */
  getConnect(): Connection {
    this.ptr("get its connection");
    return this.#net.getConnect();
  }

  /**
   * The port's bandwidth parameters (`virNetworkPortGetParameters`): `inbound.average`,
   * `outbound.peak`... as a plain object.
   * libvirt: [`virNetworkPortGetParameters`](https://libvirt.org/html/libvirt-libvirt-network.html#virNetworkPortGetParameters).
   *
   * @example
   * ```ts
   * import { NetworkPort } from "./mod.ts";
   * declare const port: NetworkPort;
   * console.log(port.getParameters()["inbound.average"]);
   * ```
   */
  getParameters(flags = 0): TypedParams {
    const f = flagsArg(flags);
    const holder = new BigUint64Array(1);
    const count = new Int32Array(1);
    callInt("virNetworkPortGetParameters", this.ptr("get its parameters"), holder, count, f);
    return typedParamsToRecord(takeTypedParams(Deno.UnsafePointer.create(holder[0]), count[0]));
  }

  /**
   * Changes bandwidth parameters (`virNetworkPortSetParameters`).
   * libvirt: [`virNetworkPortSetParameters`](https://libvirt.org/html/libvirt-libvirt-network.html#virNetworkPortSetParameters).
   *
   * @example
   * ```ts
   * import { NetworkPort, TypedParameterType } from "./mod.ts";
   * declare const port: NetworkPort;
   * port.setParameters([{ field: "inbound.average", type: TypedParameterType.UINT, value: 100 }]);
   * ```
   */
  setParameters(params: readonly TypedParam[], flags = 0): void {
    const f = flagsArg(flags);
    const enc = encodeTypedParams(params);
    const params_ = Deno.UnsafePointer.of(enc.buffer);
    callInt("virNetworkPortSetParameters", this.ptr("set its parameters"), params_, enc.count, f);
    enc.strings.length; // the STRING values stay referenced until libvirt has copied them
  }
}
