// Connection overrides, lists: ids and names from the older virConnectList* calls, the CPU
// models of an architecture, and the listAll* calls of the object kinds without their own file.
import { flagsArg, stringArg, takePointerArray } from "../../ffi/marshal.ts";
import { takeNames } from "../../ffi/out_arrays.ts";
import { int, type Plan, runAsync, runSync } from "../call_plan.ts";
import { takeStringArray } from "../c_arrays.ts";
import { Interface } from "../interface.ts";
import { NWFilter } from "../nwfilter.ts";
import { NWFilterBinding } from "../nwfilter_binding.ts";
import { NodeDevice } from "../node_device.ts";
import { Secret } from "../secret.ts";
import type { Connection } from "../connection.ts";
import { ConnectionNode } from "./node.ts";

type P = Deno.PointerObject;

// The older list calls: a count call, then a fill call into a caller array of that size.
const NAME_LISTS = {
  listDefinedDomains: ["virConnectNumOfDefinedDomains", "virConnectListDefinedDomains"],
  listDefinedInterfaces: ["virConnectNumOfDefinedInterfaces", "virConnectListDefinedInterfaces"],
  listDefinedNetworks: ["virConnectNumOfDefinedNetworks", "virConnectListDefinedNetworks"],
  listDefinedStoragePools: [
    "virConnectNumOfDefinedStoragePools",
    "virConnectListDefinedStoragePools",
  ],
  listInterfaces: ["virConnectNumOfInterfaces", "virConnectListInterfaces"],
  listNWFilters: ["virConnectNumOfNWFilters", "virConnectListNWFilters"],
  listNetworks: ["virConnectNumOfNetworks", "virConnectListNetworks"],
  listSecrets: ["virConnectNumOfSecrets", "virConnectListSecrets"],
  listStoragePools: ["virConnectNumOfStoragePools", "virConnectListStoragePools"],
} as const;
type NameList = keyof typeof NAME_LISTS;

/**
 * Lists of ids, names and objects of a connection.
 *
 * @example
 * ```ts
 * import { Connection } from "./mod.ts";
 * using conn = Connection.open("test:///default");
 * console.log(conn.listDomains(), conn.listNetworks(), conn.listAllNodeDevices().length);
 * ```
 */
export abstract class ConnectionLists extends ConnectionNode {
  /**
   * The ids of the running domains (`virConnectListDomains`,
   * https://libvirt.org/html/libvirt-libvirt-domain.html#virConnectListDomains).
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * console.log(conn.listDomains()); // [1]
   * ```
   */
  listDomains(): number[] {
    return runSync(domainIds(this.ptr("list domains")));
  }

  /**
   * `listDomains()` with the libvirt calls off the JS thread.
   * libvirt: [`virConnectListDomains`](https://libvirt.org/html/libvirt-libvirt-domain.html#virConnectListDomains).
   *
   * @example
   * ```ts
   * import type { Connection } from "./mod.ts";
   * declare const conn: Connection;
   * console.log(await conn.listDomainsAsync());
   * ```
   */
  listDomainsAsync(): Promise<number[]> {
    return runAsync(this, domainIds(this.ptr("list domains")));
  }

  /**
   * The names of the defined (persistent, inactive) domains (`virConnectListDefinedDomains`,
   * https://libvirt.org/html/libvirt-libvirt-domain.html#virConnectListDefinedDomains).
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * console.log(conn.listDefinedDomains()); // []
   * ```
   */
  listDefinedDomains(): string[] {
    return this.#names("listDefinedDomains");
  }

  /**
   * `listDefinedDomains()` with the libvirt calls off the JS thread.
   * libvirt: [`virConnectListDefinedDomains`](https://libvirt.org/html/libvirt-libvirt-domain.html#virConnectListDefinedDomains).
   *
   * @example
   * ```ts
   * import type { Connection } from "./mod.ts";
   * declare const conn: Connection;
   * console.log(await conn.listDefinedDomainsAsync());
   * ```
   */
  listDefinedDomainsAsync(): Promise<string[]> {
    return this.#namesAsync("listDefinedDomains");
  }

  /**
   * The names of the defined, inactive host interfaces (`virConnectListDefinedInterfaces`,
   * https://libvirt.org/html/libvirt-libvirt-interface.html#virConnectListDefinedInterfaces).
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * console.log(conn.listDefinedInterfaces());
   * ```
   */
  listDefinedInterfaces(): string[] {
    return this.#names("listDefinedInterfaces");
  }

  /**
   * `listDefinedInterfaces()` with the libvirt calls off the JS thread.
   * libvirt: [`virConnectListDefinedInterfaces`](https://libvirt.org/html/libvirt-libvirt-interface.html#virConnectListDefinedInterfaces).
   *
   * @example
   * ```ts
   * import type { Connection } from "./mod.ts";
   * declare const conn: Connection;
   * console.log(await conn.listDefinedInterfacesAsync());
   * ```
   */
  listDefinedInterfacesAsync(): Promise<string[]> {
    return this.#namesAsync("listDefinedInterfaces");
  }

  /**
   * The names of the defined, inactive networks (`virConnectListDefinedNetworks`,
   * https://libvirt.org/html/libvirt-libvirt-network.html#virConnectListDefinedNetworks).
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * console.log(conn.listDefinedNetworks());
   * ```
   */
  listDefinedNetworks(): string[] {
    return this.#names("listDefinedNetworks");
  }

  /**
   * `listDefinedNetworks()` with the libvirt calls off the JS thread.
   * libvirt: [`virConnectListDefinedNetworks`](https://libvirt.org/html/libvirt-libvirt-network.html#virConnectListDefinedNetworks).
   *
   * @example
   * ```ts
   * import type { Connection } from "./mod.ts";
   * declare const conn: Connection;
   * console.log(await conn.listDefinedNetworksAsync());
   * ```
   */
  listDefinedNetworksAsync(): Promise<string[]> {
    return this.#namesAsync("listDefinedNetworks");
  }

  /**
   * The names of the defined, inactive storage pools (`virConnectListDefinedStoragePools`,
   * https://libvirt.org/html/libvirt-libvirt-storage.html#virConnectListDefinedStoragePools).
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * console.log(conn.listDefinedStoragePools());
   * ```
   */
  listDefinedStoragePools(): string[] {
    return this.#names("listDefinedStoragePools");
  }

  /**
   * `listDefinedStoragePools()` with the libvirt calls off the JS thread.
   * libvirt: [`virConnectListDefinedStoragePools`](https://libvirt.org/html/libvirt-libvirt-storage.html#virConnectListDefinedStoragePools).
   *
   * @example
   * ```ts
   * import type { Connection } from "./mod.ts";
   * declare const conn: Connection;
   * console.log(await conn.listDefinedStoragePoolsAsync());
   * ```
   */
  listDefinedStoragePoolsAsync(): Promise<string[]> {
    return this.#namesAsync("listDefinedStoragePools");
  }

  /**
   * The names of the active host interfaces (`virConnectListInterfaces`,
   * https://libvirt.org/html/libvirt-libvirt-interface.html#virConnectListInterfaces).
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * console.log(conn.listInterfaces()); // ["eth1"]
   * ```
   */
  listInterfaces(): string[] {
    return this.#names("listInterfaces");
  }

  /**
   * `listInterfaces()` with the libvirt calls off the JS thread.
   * libvirt: [`virConnectListInterfaces`](https://libvirt.org/html/libvirt-libvirt-interface.html#virConnectListInterfaces).
   *
   * @example
   * ```ts
   * import type { Connection } from "./mod.ts";
   * declare const conn: Connection;
   * console.log(await conn.listInterfacesAsync());
   * ```
   */
  listInterfacesAsync(): Promise<string[]> {
    return this.#namesAsync("listInterfaces");
  }

  /**
   * The names of the network filters (`virConnectListNWFilters`,
   * https://libvirt.org/html/libvirt-libvirt-nwfilter.html#virConnectListNWFilters).
   *
   * @example
   * ```ts
   * import type { Connection } from "./mod.ts";
   * declare const conn: Connection;
   * console.log(conn.listNWFilters());
   * ```
   */
  listNWFilters(): string[] {
    return this.#names("listNWFilters");
  }

  /**
   * `listNWFilters()` with the libvirt calls off the JS thread.
   * libvirt: [`virConnectListNWFilters`](https://libvirt.org/html/libvirt-libvirt-nwfilter.html#virConnectListNWFilters).
   *
   * @example
   * ```ts
   * import type { Connection } from "./mod.ts";
   * declare const conn: Connection;
   * console.log(await conn.listNWFiltersAsync());
   * ```
   */
  listNWFiltersAsync(): Promise<string[]> {
    return this.#namesAsync("listNWFilters");
  }

  /**
   * The names of the active networks (`virConnectListNetworks`,
   * https://libvirt.org/html/libvirt-libvirt-network.html#virConnectListNetworks).
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * console.log(conn.listNetworks()); // ["default"]
   * ```
   */
  listNetworks(): string[] {
    return this.#names("listNetworks");
  }

  /**
   * `listNetworks()` with the libvirt calls off the JS thread.
   * libvirt: [`virConnectListNetworks`](https://libvirt.org/html/libvirt-libvirt-network.html#virConnectListNetworks).
   *
   * @example
   * ```ts
   * import type { Connection } from "./mod.ts";
   * declare const conn: Connection;
   * console.log(await conn.listNetworksAsync());
   * ```
   */
  listNetworksAsync(): Promise<string[]> {
    return this.#namesAsync("listNetworks");
  }

  /**
   * The UUIDs of the secrets (`virConnectListSecrets`,
   * https://libvirt.org/html/libvirt-libvirt-secret.html#virConnectListSecrets).
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * console.log(conn.listSecrets());
   * ```
   */
  listSecrets(): string[] {
    return this.#names("listSecrets");
  }

  /**
   * `listSecrets()` with the libvirt calls off the JS thread.
   * libvirt: [`virConnectListSecrets`](https://libvirt.org/html/libvirt-libvirt-secret.html#virConnectListSecrets).
   *
   * @example
   * ```ts
   * import type { Connection } from "./mod.ts";
   * declare const conn: Connection;
   * console.log(await conn.listSecretsAsync());
   * ```
   */
  listSecretsAsync(): Promise<string[]> {
    return this.#namesAsync("listSecrets");
  }

  /**
   * The names of the active storage pools (`virConnectListStoragePools`,
   * https://libvirt.org/html/libvirt-libvirt-storage.html#virConnectListStoragePools).
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * console.log(conn.listStoragePools()); // ["default-pool"]
   * ```
   */
  listStoragePools(): string[] {
    return this.#names("listStoragePools");
  }

  /**
   * `listStoragePools()` with the libvirt calls off the JS thread.
   * libvirt: [`virConnectListStoragePools`](https://libvirt.org/html/libvirt-libvirt-storage.html#virConnectListStoragePools).
   *
   * @example
   * ```ts
   * import type { Connection } from "./mod.ts";
   * declare const conn: Connection;
   * console.log(await conn.listStoragePoolsAsync());
   * ```
   */
  listStoragePoolsAsync(): Promise<string[]> {
    return this.#namesAsync("listStoragePools");
  }

  /**
   * The names of the host devices, of capability `cap` ("pci", "net", "usb_device" …; null:
   * all) (`virNodeListDevices`,
   * https://libvirt.org/html/libvirt-libvirt-nodedev.html#virNodeListDevices).
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * console.log(conn.listNodeDevices()); // ["computer", …]
   * ```
   */
  listNodeDevices(cap: string | null = null, flags = 0): string[] {
    const c = cap === null ? null : stringArg(cap, "cap");
    return runSync(deviceNames(this.ptr("list node devices"), c, flagsArg(flags)));
  }

  /**
   * `listNodeDevices()` with the libvirt calls off the JS thread.
   * libvirt: [`virNodeListDevices`](https://libvirt.org/html/libvirt-libvirt-nodedev.html#virNodeListDevices).
   *
   * @example
   * ```ts
   * import type { Connection } from "./mod.ts";
   * declare const conn: Connection;
   * console.log(await conn.listNodeDevicesAsync("net"));
   * ```
   */
  listNodeDevicesAsync(cap: string | null = null, flags = 0): Promise<string[]> {
    const c = cap === null ? null : stringArg(cap, "cap");
    return runAsync(this, deviceNames(this.ptr("list node devices"), c, flagsArg(flags)));
  }

  /**
   * The CPU model names the hypervisor knows for architecture `arch` ("x86_64" …)
   * (`virConnectGetCPUModelNames`,
   * https://libvirt.org/html/libvirt-libvirt-host.html#virConnectGetCPUModelNames).
   *
   * @example
   * ```ts
   * import type { Connection } from "./mod.ts";
   * declare const conn: Connection;
   * console.log(conn.getCPUModelNames("x86_64").includes("Skylake-Client"));
   * ```
   */
  getCPUModelNames(arch: string, flags = 0): string[] {
    const a = stringArg(arch, "arch");
    return runSync(cpuModels(this.ptr("get CPU model names"), a, flagsArg(flags)));
  }

  /**
   * `getCPUModelNames()` with the libvirt call off the JS thread.
   * libvirt: [`virConnectGetCPUModelNames`](https://libvirt.org/html/libvirt-libvirt-host.html#virConnectGetCPUModelNames).
   *
   * @example
   * ```ts
   * import type { Connection } from "./mod.ts";
   * declare const conn: Connection;
   * console.log(await conn.getCPUModelNamesAsync("x86_64"));
   * ```
   */
  getCPUModelNamesAsync(arch: string, flags = 0): Promise<string[]> {
    const a = stringArg(arch, "arch");
    return runAsync(this, cpuModels(this.ptr("get CPU model names"), a, flagsArg(flags)));
  }

  /**
   * The host's network interfaces, filtered by `ConnectListAllInterfacesFlags`; each is freed
   * with the connection (`virConnectListAllInterfaces`,
   * https://libvirt.org/html/libvirt-libvirt-interface.html#virConnectListAllInterfaces).
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * console.log(conn.listAllInterfaces().map((i) => i.getName()));
   * ```
   */
  listAllInterfaces(flags = 0): Interface[] {
    const ptrs = runSync(
      listAll("virConnectListAllInterfaces", this.ptr("list interfaces"), flagsArg(flags)),
    );
    return ptrs.map((p) => Interface.fromPointer(this.#self(), p));
  }

  /**
   * `listAllInterfaces()` with the libvirt call off the JS thread.
   * libvirt: [`virConnectListAllInterfaces`](https://libvirt.org/html/libvirt-libvirt-interface.html#virConnectListAllInterfaces).
   *
   * @example
   * ```ts
   * import type { Connection } from "./mod.ts";
   * declare const conn: Connection;
   * console.log((await conn.listAllInterfacesAsync()).length);
   * ```
   */
  listAllInterfacesAsync(flags = 0): Promise<Interface[]> {
    const p = this.ptr("list interfaces");
    return runAsync(this, listAll("virConnectListAllInterfaces", p, flagsArg(flags))).then((ptrs) =>
      ptrs.map((q) => Interface.fromPointer(this.#self(), q))
    );
  }

  /**
   * The network filters; each is freed with the connection (`virConnectListAllNWFilters`,
   * https://libvirt.org/html/libvirt-libvirt-nwfilter.html#virConnectListAllNWFilters).
   *
   * @example
   * ```ts
   * import type { Connection } from "./mod.ts";
   * declare const conn: Connection;
   * console.log(conn.listAllNWFilters().map((f) => f.getName()));
   * ```
   */
  listAllNWFilters(flags = 0): NWFilter[] {
    const ptrs = runSync(
      listAll("virConnectListAllNWFilters", this.ptr("list filters"), flagsArg(flags)),
    );
    return ptrs.map((p) => NWFilter.fromPointer(this.#self(), p));
  }

  /**
   * `listAllNWFilters()` with the libvirt call off the JS thread.
   * libvirt: [`virConnectListAllNWFilters`](https://libvirt.org/html/libvirt-libvirt-nwfilter.html#virConnectListAllNWFilters).
   *
   * @example
   * ```ts
   * import type { Connection } from "./mod.ts";
   * declare const conn: Connection;
   * console.log((await conn.listAllNWFiltersAsync()).length);
   * ```
   */
  listAllNWFiltersAsync(flags = 0): Promise<NWFilter[]> {
    const p = this.ptr("list filters");
    return runAsync(this, listAll("virConnectListAllNWFilters", p, flagsArg(flags))).then((ptrs) =>
      ptrs.map((q) => NWFilter.fromPointer(this.#self(), q))
    );
  }

  /**
   * The network filter bindings (filters applied to guest ports); each is freed with the
   * connection (`virConnectListAllNWFilterBindings`,
   * https://libvirt.org/html/libvirt-libvirt-nwfilter.html#virConnectListAllNWFilterBindings).
   *
   * @example
   * ```ts
   * import type { Connection } from "./mod.ts";
   * declare const conn: Connection;
   * console.log(conn.listAllNWFilterBindings().length);
   * ```
   */
  listAllNWFilterBindings(flags = 0): NWFilterBinding[] {
    const p = this.ptr("list filter bindings");
    const ptrs = runSync(listAll("virConnectListAllNWFilterBindings", p, flagsArg(flags)));
    return ptrs.map((q) => NWFilterBinding.fromPointer(this.#self(), q));
  }

  /**
   * `listAllNWFilterBindings()` with the libvirt call off the JS thread.
   * libvirt: [`virConnectListAllNWFilterBindings`](https://libvirt.org/html/libvirt-libvirt-nwfilter.html#virConnectListAllNWFilterBindings).
   *
   * @example
   * ```ts
   * import type { Connection } from "./mod.ts";
   * declare const conn: Connection;
   * console.log((await conn.listAllNWFilterBindingsAsync()).length);
   * ```
   */
  listAllNWFilterBindingsAsync(flags = 0): Promise<NWFilterBinding[]> {
    const p = this.ptr("list filter bindings");
    return runAsync(this, listAll("virConnectListAllNWFilterBindings", p, flagsArg(flags))).then((
      ptrs,
    ) => ptrs.map((q) => NWFilterBinding.fromPointer(this.#self(), q)));
  }

  /**
   * The host's devices, filtered by `ConnectListAllNodeDeviceFlags` (capabilities); each is
   * freed with the connection (`virConnectListAllNodeDevices`,
   * https://libvirt.org/html/libvirt-libvirt-nodedev.html#virConnectListAllNodeDevices).
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * console.log(conn.listAllNodeDevices().map((d) => d.getName()));
   * ```
   */
  listAllNodeDevices(flags = 0): NodeDevice[] {
    const p = this.ptr("list node devices");
    const ptrs = runSync(listAll("virConnectListAllNodeDevices", p, flagsArg(flags)));
    return ptrs.map((q) => NodeDevice.fromPointer(this.#self(), q));
  }

  /**
   * `listAllNodeDevices()` with the libvirt call off the JS thread.
   * libvirt: [`virConnectListAllNodeDevices`](https://libvirt.org/html/libvirt-libvirt-nodedev.html#virConnectListAllNodeDevices).
   *
   * @example
   * ```ts
   * import type { Connection } from "./mod.ts";
   * declare const conn: Connection;
   * console.log((await conn.listAllNodeDevicesAsync()).length);
   * ```
   */
  listAllNodeDevicesAsync(flags = 0): Promise<NodeDevice[]> {
    const p = this.ptr("list node devices");
    return runAsync(this, listAll("virConnectListAllNodeDevices", p, flagsArg(flags))).then((
      ptrs,
    ) => ptrs.map((q) => NodeDevice.fromPointer(this.#self(), q)));
  }

  /**
   * The secrets, filtered by `ConnectListAllSecretsFlags`; each is freed with the connection
   * (`virConnectListAllSecrets`,
   * https://libvirt.org/html/libvirt-libvirt-secret.html#virConnectListAllSecrets).
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * console.log(conn.listAllSecrets().length);
   * ```
   */
  listAllSecrets(flags = 0): Secret[] {
    const ptrs = runSync(
      listAll("virConnectListAllSecrets", this.ptr("list secrets"), flagsArg(flags)),
    );
    return ptrs.map((p) => Secret.fromPointer(this.#self(), p));
  }

  /**
   * `listAllSecrets()` with the libvirt call off the JS thread.
   * libvirt: [`virConnectListAllSecrets`](https://libvirt.org/html/libvirt-libvirt-secret.html#virConnectListAllSecrets).
   *
   * @example
   * ```ts
   * import type { Connection } from "./mod.ts";
   * declare const conn: Connection;
   * console.log((await conn.listAllSecretsAsync()).length);
   * ```
   */
  listAllSecretsAsync(flags = 0): Promise<Secret[]> {
    const p = this.ptr("list secrets");
    return runAsync(this, listAll("virConnectListAllSecrets", p, flagsArg(flags))).then((ptrs) =>
      ptrs.map((q) => Secret.fromPointer(this.#self(), q))
    );
  }

  #self(): Connection {
    return this as unknown as Connection;
  }

  #names(list: NameList): string[] {
    return runSync(names(this.ptr("list names"), list));
  }

  #namesAsync(list: NameList): Promise<string[]> {
    return runAsync(this, names(this.ptr("list names"), list));
  }
}

// ---- call plans (shared by the sync and async forms)

function* domainIds(c: P): Plan<number[]> {
  const max = yield* int("virConnectNumOfDomains", c);
  if (max <= 0) return [];
  const ids = new Int32Array(max);
  const n = yield* int("virConnectListDomains", c, ids, max);
  return [...ids.subarray(0, n)];
}

function* names(c: P, list: NameList): Plan<string[]> {
  const [count, fill] = NAME_LISTS[list];
  const max = yield* int(count, c);
  if (max <= 0) return [];
  const out = new BigUint64Array(max);
  const n = yield* int(fill, c, out, max);
  return takeNames(out, n);
}

function* deviceNames(c: P, cap: Uint8Array<ArrayBuffer> | null, f: number): Plan<string[]> {
  const max = yield* int("virNodeNumOfDevices", c, cap, f);
  if (max <= 0) return [];
  const out = new BigUint64Array(max);
  const n = yield* int("virNodeListDevices", c, cap, out, max, f);
  return takeNames(out, n);
}

function* cpuModels(c: P, arch: Uint8Array<ArrayBuffer>, f: number): Plan<string[]> {
  const holder = new BigUint64Array(1);
  const n = yield* int("virConnectGetCPUModelNames", c, arch, holder, f);
  return takeStringArray(holder, n);
}

function* listAll(
  name:
    | "virConnectListAllInterfaces"
    | "virConnectListAllNWFilters"
    | "virConnectListAllNWFilterBindings"
    | "virConnectListAllNodeDevices"
    | "virConnectListAllSecrets",
  c: P,
  f: number,
): Plan<Deno.PointerObject[]> {
  const holder = new BigUint64Array(1);
  const n = yield* int(name, c, holder, f);
  return takePointerArray(holder, n);
}
