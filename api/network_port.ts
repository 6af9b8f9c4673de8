// NetworkPort: one port of a virtual network (virNetworkPortPtr), as a domain's interface uses it.
import { callRaw } from "../ffi/call.ts";
import { flagsArg } from "../ffi/marshal.ts";
import type { Connection } from "./connection.ts";
import type { Network } from "./network.ts";
import { NetworkPortGenerated } from "./generated/network_port.ts";
import { int, type Plan, runAsync, runSync } from "./call_plan.ts";
import { allocatedParams, asRecord, keep } from "./param_codec.ts";
import {
  type EncodedTypedParams,
  encodeTypedParams,
  type TypedParam,
  type TypedParams,
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
    return runSync(asRecord(getParams(this.ptr("get its parameters"), f)));
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
    runSync(setParams(this.ptr("set its parameters"), enc, f));
  }

  // ---- Async forms of the hand-written calls above (api/call_plan.ts): the same plans, with
  // the libvirt calls on Deno's thread pool, one at a time per connection.

  /**
   * The Async form of `getParameters` (`virNetworkPortGetParameters`).
   * libvirt: [`virNetworkPortGetParameters`](https://libvirt.org/html/libvirt-libvirt-network.html#virNetworkPortGetParameters).
   *
   * @example
   * ```ts
   * import { NetworkPort } from "./mod.ts";
   * declare const port: NetworkPort;
   * console.log((await port.getParametersAsync())["inbound.average"]);
   * ```
   */
  getParametersAsync(flags = 0): Promise<TypedParams> {
    const f = flagsArg(flags);
    return runAsync(this, asRecord(getParams(this.ptr("get its parameters"), f)));
  }

  /**
   * The Async form of `setParameters` (`virNetworkPortSetParameters`).
   * libvirt: [`virNetworkPortSetParameters`](https://libvirt.org/html/libvirt-libvirt-network.html#virNetworkPortSetParameters).
   *
   * @example
   * ```ts
   * import { NetworkPort, TypedParameterType } from "./mod.ts";
   * declare const port: NetworkPort;
   * const average = { field: "inbound.average", type: TypedParameterType.UINT, value: 100 };
   * await port.setParametersAsync([average]);
   * ```
   */
  setParametersAsync(params: readonly TypedParam[], flags = 0): Promise<void> {
    const f = flagsArg(flags);
    const enc = encodeTypedParams(params);
    return runAsync(this, setParams(this.ptr("set its parameters"), enc, f));
  }
}

// ---- call plans (shared by the sync and async forms)

function getParams(port: Deno.PointerObject, f: number): Plan<TypedParam[]> {
  // libvirt allocates the array; allocatedParams reads and frees it.
  return allocatedParams((holder, n) => int("virNetworkPortGetParameters", port, holder, n, f));
}

function* setParams(port: Deno.PointerObject, enc: EncodedTypedParams, f: number): Plan<void> {
  try {
    const p = Deno.UnsafePointer.of(enc.buffer);
    yield* int("virNetworkPortSetParameters", port, p, enc.count, f);
  } finally {
    keep(enc); // the array and its STRING values stay referenced until libvirt has copied them
  }
}
