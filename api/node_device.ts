// NodeDevice: a host device known to libvirt (virNodeDevicePtr), minimal: its name and lifetime.
import { callRaw } from "../ffi/call.ts";
import { NodeDeviceGenerated } from "./generated/node_device.ts";
import type { Connection } from "./connection.ts";
import { countedNames, int, type Plan, runAsync, runSync } from "./call_plan.ts";

/**
 * A host device (PCI, USB, network interface …), `virNodeDevicePtr`. Obtained from
 * `Connection.lookupNodeDeviceByName` or a node-device event; freed when the connection closes.
 *
 * @example
 * ```ts
 * import { Connection } from "./mod.ts";
 * using conn = Connection.open("test:///default");
 * using dev = conn.lookupNodeDeviceByName("computer");
 * console.log(dev.getName()); // computer
 * ```
 */
export class NodeDevice extends NodeDeviceGenerated {
  readonly #conn: Connection;

  private constructor(conn: Connection, ptr: Deno.PointerObject) {
    super(ptr, "virNodeDeviceFree", "NodeDevice", conn);
    this.#conn = conn;
  }

  /**
   * @internal Wraps a `virNodeDevicePtr` whose reference the caller hands over (a fresh lookup,
   * or a borrowed pointer after `virNodeDeviceRef`). The device is freed with `conn`.
   *
   * @example
   * ```ts
   * import { Connection, NodeDevice } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * console.log(conn.lookupNodeDeviceByName("computer") instanceof NodeDevice);
   * ```
   */
  static fromPointer(conn: Connection, ptr: Deno.PointerObject): NodeDevice {
    if (ptr === null || typeof ptr !== "object") throw new TypeError("Expected a device pointer");
    if (conn.freed) {
      callRaw("virNodeDeviceFree", ptr);
      throw new Error("Cannot wrap a NodeDevice: its Connection was closed");
    }
    return new NodeDevice(conn, ptr);
  }

  /**
   * The connection this device belongs to.
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * console.log(conn.lookupNodeDeviceByName("computer").getConnect() === conn); // true
   * ```
   */
  getConnect(): Connection {
    this.ptr("get its connection");
    return this.#conn;
  }

  /**
   * The device's capability names ("pci", "net", "usb_device"...) (`virNodeDeviceListCaps`).
   * libvirt: [`virNodeDeviceListCaps`](https://libvirt.org/html/libvirt-libvirt-nodedev.html#virNodeDeviceListCaps).
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * console.log(conn.lookupNodeDeviceByName("computer").listCaps()); // ["system"]
   * ```
   */
  listCaps(): string[] {
    return runSync(caps(this.ptr("list capabilities")));
  }

  // ---- Async forms of the hand-written calls above (api/call_plan.ts): the same plans, with
  // the libvirt calls on Deno's thread pool, one at a time per connection.

  /**
   * The Async form of `listCaps` (`virNodeDeviceNumOfCaps`, then `virNodeDeviceListCaps`).
   * libvirt: [`virNodeDeviceListCaps`](https://libvirt.org/html/libvirt-libvirt-nodedev.html#virNodeDeviceListCaps).
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * using dev = conn.lookupNodeDeviceByName("computer");
   * console.log(await dev.listCapsAsync()); // ["system"]
   * ```
   */
  listCapsAsync(): Promise<string[]> {
    return runAsync(this, caps(this.ptr("list capabilities")));
  }
}

// ---- call plans (shared by the sync and async forms)

function caps(dev: Deno.PointerObject): Plan<string[]> {
  return countedNames(
    int("virNodeDeviceNumOfCaps", dev),
    (slots, max) => int("virNodeDeviceListCaps", dev, slots, max),
  );
}
