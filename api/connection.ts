// Connection: opening, closing and describing a hypervisor connection (virConnect*).
import { callConstString, callInt, callPtr, callString } from "../ffi/call.ts";
import {
  cString,
  flagsArg,
  intArg,
  stringArg,
  takePointerArray,
  UUID_BUFLEN,
  uuidCString,
} from "../ffi/marshal.ts";
import { OpaqueRegistry, permanentCallback, reportCallbackError } from "../ffi/callbacks.ts";
import type { ConnectCloseReason } from "../ffi/enums.ts";
import { LibvirtObject } from "./object.ts";
import { type AuthOptions, openAuth } from "./auth.ts";
import { Domain } from "./domain.ts";
import { StoragePool } from "./storage_pool.ts";
import { StorageVol } from "./storage_vol.ts";
import { Network } from "./network.ts";
import { NodeDevice } from "./node_device.ts";
import { Secret } from "./secret.ts";
import { decodeNodeInfo, NODE_INFO_SIZE, type NodeInfo } from "./info.ts";
import { log } from "../log.ts";
import { markConnectionOpening } from "../event/state.ts";
import * as ev from "./events/connection_api.ts";

/** Options for `Connection.open`. */
export interface OpenOptions {
  /** Open read-only (`virConnectOpenReadOnly`): queries work, changes are refused. */
  readOnly?: boolean;
  /** Answers credential prompts (`virConnectOpenAuth`), for URIs whose server asks for them. */
  auth?: AuthOptions;
}

/** Why libvirt closed a connection (`virConnectCloseReason`). */
export type CloseReason = ConnectCloseReason;

/** A version number split as libvirt encodes it (major * 1,000,000 + minor * 1,000 + release). */
export interface Version {
  /** Major. */
  major: number;
  /** Minor. */
  minor: number;
  /** Release. */
  release: number;
  /** The encoded number. */
  raw: number;
}

/** Splits libvirt's encoded version number. */
export function decodeVersion(raw: number): Version {
  intArg(raw, "A libvirt version number", 0, 0xffffffff);
  return {
    major: Math.floor(raw / 1_000_000),
    minor: Math.floor(raw / 1000) % 1000,
    release: raw % 1000,
    raw,
  };
}

type CloseHandler = (conn: Connection, reason: CloseReason) => void;
const closeHandlers = new OpaqueRegistry<{ conn: Connection; cb: CloseHandler }>();

// Called by libvirt when the connection dies (EOF, keepalive, error) or the client closes it;
// on whichever thread noticed, which Deno turns into a call on the JS thread.
const closeCallback = permanentCallback(
  { parameters: ["pointer", "i32", "pointer"], result: "void" } as const,
  (_conn, reason, opaque) => {
    const entry = closeHandlers.get(opaque);
    if (!entry) return;
    log("info", "connection closed by libvirt", { reason });
    try {
      entry.cb(entry.conn, reason as CloseReason);
    } catch (e) {
      reportCallbackError("close callback", e);
    }
  },
);

// libvirt's free function for the close callback's opaque: forget the handler.
const closeFree = permanentCallback(
  { parameters: ["pointer"], result: "void" } as const,
  (opaque) => void closeHandlers.take(opaque),
);

/**
 * A connection to a hypervisor (`virConnectPtr`).
 *
 * @example
 * ```ts
 * import { Connection } from "./mod.ts";
 * using conn = Connection.open("test:///default");
 * console.log(conn.getURI(), conn.getHostname(), conn.getLibVersion());
 * ```
 */
export class Connection extends LibvirtObject {
  #closeId = 0;
  readonly #readOnly: boolean;

  private constructor(ptr: Deno.PointerObject, readOnly: boolean) {
    super(ptr, "virConnectClose", "Connection");
    this.#readOnly = readOnly;
  }

  /**
   * Opens a connection to `uri` (`null` lets libvirt choose its default).
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using ro = Connection.open("test:///default", { readOnly: true });
   * console.log(ro.readOnly); // true
   * ```
   */
  static open(uri: string | null = null, options: OpenOptions = {}): Connection {
    if (uri !== null && typeof uri !== "string") {
      throw new TypeError(`Connection URI must be a string or null`);
    }
    const name = cString(uri);
    markConnectionOpening();
    let ptr: Deno.PointerObject;
    if (options.auth) {
      ptr = openAuth(name, options.auth, options.readOnly ? 1 : 0);
    } else if (options.readOnly) {
      ptr = callPtr("virConnectOpenReadOnly", name);
    } else {
      ptr = callPtr("virConnectOpen", name);
    }
    log("info", "connection opened", { uri, readOnly: !!options.readOnly });
    return new Connection(ptr, !!options.readOnly);
  }

  /**
   * Opens a read-only connection.
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.openReadOnly("test:///default");
   * ```
   */
  static openReadOnly(uri: string | null = null): Connection {
    return Connection.open(uri, { readOnly: true });
  }

  /** Whether the connection was opened read-only. */
  get readOnly(): boolean {
    return this.#readOnly;
  }

  /** The raw pointer for a call that is about to be made; throws once the connection is closed. */
  protected override releasedWord(): string {
    return "closed";
  }

  /** @internal The pointer for sibling modules (domains, pools, streams, events). */
  handle(verb: string): Deno.PointerObject {
    return this.ptr(verb);
  }

  /** @internal Lets sibling modules register children that close with this connection. */
  adopt(): Set<WeakRef<LibvirtObject>> {
    return this.children();
  }

  /**
   * Closes the connection: frees every domain, pool, volume, network and stream obtained from
   * it, then drops the connection. Safe to call twice. Returns the references libvirt still holds.
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * const conn = Connection.open("test:///default");
   * conn.close();
   * conn.close(); // no-op
   * ```
   */
  close(): number {
    if (this.freed) return 0;
    const remaining = this.release();
    log("info", "connection closed", { remaining });
    return remaining;
  }

  /** Same as `close()`. */
  override free(): void {
    this.close();
  }

  /** Drops the close callback while the pointer is still valid (libvirt holds its opaque). */
  protected override beforeRelease(): void {
    // Events first (---- events section): nothing may fire for a closed connection.
    ev.deregisterAllEvents(this);
    if (this.#closeId === 0) return;
    // On a connection whose daemon died (or whose keepalive expired) the remote driver fails
    // the unregistration ("client socket is closed"); the callback can no longer fire, and
    // virConnectClose frees its data. close() must still release the connection.
    try {
      this.unregisterCloseCallback();
    } catch (e) {
      log("debug", "close callback removal failed at close", { error: e });
    }
  }

  /**
   * Whether the connection is still alive (`virConnectIsAlive`).
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * console.log(conn.isAlive()); // true
   * ```
   */
  isAlive(): boolean {
    return callInt("virConnectIsAlive", this.ptr("check if alive")) === 1;
  }

  /**
   * Whether the connection is encrypted (`virConnectIsEncrypted`).
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * console.log(conn.isEncrypted());
   * ```
   */
  isEncrypted(): boolean {
    return callInt("virConnectIsEncrypted", this.ptr("check encryption")) === 1;
  }

  /**
   * Whether the connection is secure (`virConnectIsSecure`).
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * console.log(conn.isSecure());
   * ```
   */
  isSecure(): boolean {
    return callInt("virConnectIsSecure", this.ptr("check security")) === 1;
  }

  /**
   * The canonical URI of the connection.
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * console.log(conn.getURI()); // test:///default
   * ```
   */
  getURI(): string {
    return callString("virConnectGetURI", this.ptr("get URI"));
  }

  /**
   * The hypervisor host's name.
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * console.log(conn.getHostname());
   * ```
   */
  getHostname(): string {
    return callString("virConnectGetHostname", this.ptr("get hostname"));
  }

  /**
   * The driver's name ("TEST", "QEMU", …).
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * console.log(conn.getType()); // TEST
   * ```
   */
  getType(): string {
    return callConstString("virConnectGetType", this.ptr("get type"));
  }

  /**
   * The hypervisor's version.
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * console.log(conn.getVersion().major);
   * ```
   */
  getVersion(): Version {
    const out = new BigUint64Array(1);
    callInt("virConnectGetVersion", this.ptr("get version"), new Uint8Array(out.buffer));
    return decodeVersion(Number(out[0]));
  }

  /**
   * The version of libvirt on the other end of the connection.
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * console.log(conn.getLibVersion().raw >= 9_000_000);
   * ```
   */
  getLibVersion(): Version {
    const out = new BigUint64Array(1);
    callInt("virConnectGetLibVersion", this.ptr("get lib version"), new Uint8Array(out.buffer));
    return decodeVersion(Number(out[0]));
  }

  /**
   * The host's capabilities XML.
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * console.log(conn.getCapabilities().startsWith("<capabilities>"));
   * ```
   */
  getCapabilities(): string {
    return callString("virConnectGetCapabilities", this.ptr("get capabilities"));
  }

  /**
   * Turns keepalive on (`interval` seconds between probes, `count` unanswered probes before the
   * connection is closed) or off (`interval` <= 0). Needs a registered event loop. Returns 1
   * when the remote side does not support keepalive.
   *
   * @example
   * ```ts ignore
   * import { Connection } from "./mod.ts";
   * // Register an event loop first (see the event module); local drivers such as
   * // test:///default refuse keepalive with ErrorNumber.NO_SUPPORT.
   * using conn = Connection.open("qemu+ssh://host/system");
   * conn.setKeepAlive(5, 3);
   * ```
   */
  setKeepAlive(interval: number, count: number): number {
    intArg(interval, "interval");
    intArg(count, "count", 0, 0xffffffff);
    return callInt("virConnectSetKeepAlive", this.ptr("set keepalive"), interval, count);
  }

  /**
   * Calls `cb` when the connection closes for a reason other than `close()`: end of file,
   * keepalive timeout, an error (`ConnectCloseReason`). One callback per connection; a new
   * registration replaces the old.
   *
   * @example
   * ```ts
   * import { ConnectCloseReason, Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * conn.registerCloseCallback((_c, reason) => {
   *   if (reason === ConnectCloseReason.KEEPALIVE) console.log("daemon stopped answering");
   * });
   * ```
   */
  registerCloseCallback(cb: (conn: Connection, reason: CloseReason) => void): void {
    if (typeof cb !== "function") throw new TypeError("The close callback must be a function");
    const ptr = this.ptr("register a close callback");
    if (this.#closeId !== 0) this.unregisterCloseCallback();
    const { id, opaque } = closeHandlers.add({ conn: this, cb });
    try {
      callInt(
        "virConnectRegisterCloseCallback",
        ptr,
        closeCallback.pointer,
        opaque,
        closeFree.pointer,
      );
    } catch (e) {
      closeHandlers.delete(id);
      throw e;
    }
    this.#closeId = id;
  }

  /**
   * Removes the close callback (libvirt then frees its data). No-op when none is registered.
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * conn.registerCloseCallback(() => {});
   * conn.unregisterCloseCallback();
   * ```
   */
  unregisterCloseCallback(): void {
    if (this.#closeId === 0) return;
    const ptr = this.ptr("unregister the close callback");
    this.#closeId = 0;
    callInt("virConnectUnregisterCloseCallback", ptr, closeCallback.pointer);
  }

  // ---- domains (api/domain.ts)

  /**
   * The domain called `name` (`virDomainLookupByName`); `ErrorNumber.NO_DOMAIN` when none.
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * using dom = conn.lookupDomainByName("test");
   * ```
   */
  lookupDomainByName(name: string): Domain {
    const n = stringArg(name, "domain name");
    return Domain.fromPointer(
      this,
      callPtr("virDomainLookupByName", this.ptr("look up a domain"), n),
    );
  }

  /**
   * The domain with this UUID string; a malformed UUID is a TypeError before libvirt is asked.
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * const uuid = conn.lookupDomainByName("test").getUUIDString();
   * console.log(conn.lookupDomainByUUIDString(uuid).getName()); // test
   * ```
   */
  lookupDomainByUUIDString(uuid: string): Domain {
    const u = uuidCString(uuid);
    return Domain.fromPointer(
      this,
      callPtr("virDomainLookupByUUIDString", this.ptr("look up a domain"), u),
    );
  }

  /**
   * The domain with this UUID, as a string or as its 16 raw bytes.
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * const raw = conn.lookupDomainByName("test").getUUID();
   * console.log(conn.lookupDomainByUUID(raw).getName()); // test
   * ```
   */
  lookupDomainByUUID(uuid: string | Uint8Array): Domain {
    if (!(uuid instanceof Uint8Array)) return this.lookupDomainByUUIDString(uuid);
    if (uuid.length !== UUID_BUFLEN) {
      throw new TypeError(`A raw UUID has ${UUID_BUFLEN} bytes, got ${uuid.length}`);
    }
    const u = uuid.slice();
    return Domain.fromPointer(
      this,
      callPtr("virDomainLookupByUUID", this.ptr("look up a domain"), u),
    );
  }

  /**
   * The running domain with this hypervisor id.
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * console.log(conn.lookupDomainByID(1).getName()); // test
   * ```
   */
  lookupDomainByID(id: number): Domain {
    const i = intArg(id, "domain id", 0);
    return Domain.fromPointer(
      this,
      callPtr("virDomainLookupByID", this.ptr("look up a domain"), i),
    );
  }

  /**
   * Every domain matching `flags` (`ConnectListAllDomainsFlags`; 0 lists all).
   *
   * @example
   * ```ts
   * import { ConnectListAllDomainsFlags, Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * const running = conn.listAllDomains(ConnectListAllDomainsFlags.ACTIVE);
   * console.log(running.map((d) => d.getName()));
   * ```
   */
  listAllDomains(flags = 0): Domain[] {
    const f = flagsArg(flags);
    const holder = new BigUint64Array(1);
    const n = callInt("virConnectListAllDomains", this.ptr("list domains"), holder, f);
    return takePointerArray(holder, n).map((p) => Domain.fromPointer(this, p));
  }

  /**
   * How many domains are running.
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * console.log(conn.numOfDomains()); // 1
   * ```
   */
  numOfDomains(): number {
    return callInt("virConnectNumOfDomains", this.ptr("count domains"));
  }

  /**
   * Defines a persistent domain from its XML, without starting it (`DomainDefineFlags`).
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * const dom = conn.defineDomainXML(
   *   "<domain type='test'><name>vm1</name><memory>65536</memory>" +
   *     "<os><type>hvm</type></os></domain>",
   * );
   * dom.create();
   * ```
   */
  defineDomainXML(xml: string, flags = 0): Domain {
    const x = stringArg(xml, "domain XML");
    const f = flagsArg(flags);
    const ptr = this.ptr("define a domain");
    return Domain.fromPointer(this, callPtr("virDomainDefineXMLFlags", ptr, x, f));
  }

  /**
   * Creates and starts a transient domain from its XML (`DomainCreateFlags`).
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * const dom = conn.createDomainXML(
   *   "<domain type='test'><name>tmp</name><memory>65536</memory>" +
   *     "<os><type>hvm</type></os></domain>",
   * );
   * console.log(dom.isPersistent()); // false
   * ```
   */
  createDomainXML(xml: string, flags = 0): Domain {
    const x = stringArg(xml, "domain XML");
    const f = flagsArg(flags);
    const ptr = this.ptr("create a domain");
    return Domain.fromPointer(this, callPtr("virDomainCreateXML", ptr, x, f));
  }

  // ---- storage (api/storage_pool.ts, api/storage_vol.ts)

  /**
   * The storage pool called `name`; `ErrorNumber.NO_STORAGE_POOL` when none.
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * using pool = conn.lookupStoragePoolByName("default-pool");
   * ```
   */
  lookupStoragePoolByName(name: string): StoragePool {
    const n = stringArg(name, "pool name");
    const ptr = this.ptr("look up a storage pool");
    return StoragePool.fromPointer(this, callPtr("virStoragePoolLookupByName", ptr, n));
  }

  /**
   * The storage pool with this UUID string.
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * const uuid = conn.lookupStoragePoolByName("default-pool").getUUIDString();
   * console.log(conn.lookupStoragePoolByUUIDString(uuid).getName()); // default-pool
   * ```
   */
  lookupStoragePoolByUUIDString(uuid: string): StoragePool {
    const u = uuidCString(uuid);
    const ptr = this.ptr("look up a storage pool");
    return StoragePool.fromPointer(this, callPtr("virStoragePoolLookupByUUIDString", ptr, u));
  }

  /**
   * Every storage pool matching `flags` (`ConnectListAllStoragePoolsFlags`; 0 lists all).
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * console.log(conn.listAllStoragePools().map((p) => p.getName())); // ["default-pool"]
   * ```
   */
  listAllStoragePools(flags = 0): StoragePool[] {
    const f = flagsArg(flags);
    const holder = new BigUint64Array(1);
    const n = callInt("virConnectListAllStoragePools", this.ptr("list storage pools"), holder, f);
    return takePointerArray(holder, n).map((p) => StoragePool.fromPointer(this, p));
  }

  /**
   * Creates and starts a transient storage pool from its XML (`StoragePoolCreateFlags`).
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * const dir = Deno.makeTempDirSync();
   * const pool = conn.createStoragePoolXML(
   *   `<pool type='dir'><name>scratch</name><target><path>${dir}</path></target></pool>`,
   * );
   * console.log(pool.isPersistent()); // false
   * ```
   */
  createStoragePoolXML(xml: string, flags = 0): StoragePool {
    const x = stringArg(xml, "pool XML");
    const f = flagsArg(flags);
    const ptr = this.ptr("create a storage pool");
    return StoragePool.fromPointer(this, callPtr("virStoragePoolCreateXML", ptr, x, f));
  }

  /**
   * Defines a persistent, inactive storage pool from its XML.
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * const pool = conn.defineStoragePoolXML(
   *   "<pool type='dir'><name>images</name><target><path>/tmp</path></target></pool>",
   * );
   * pool.create();
   * ```
   */
  defineStoragePoolXML(xml: string, flags = 0): StoragePool {
    const x = stringArg(xml, "pool XML");
    const f = flagsArg(flags);
    const ptr = this.ptr("define a storage pool");
    return StoragePool.fromPointer(this, callPtr("virStoragePoolDefineXML", ptr, x, f));
  }

  /**
   * The volume at this path on the host; `ErrorNumber.NO_STORAGE_VOL` when none.
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * const pool = conn.lookupStoragePoolByName("default-pool");
   * const vol = pool.createVolumeXML("<volume><name>a.img</name><capacity>1</capacity></volume>");
   * console.log(conn.lookupStorageVolByPath(vol.getPath()).getName()); // a.img
   * ```
   */
  lookupStorageVolByPath(path: string): StorageVol {
    const p = stringArg(path, "volume path");
    const ptr = this.ptr("look up a volume");
    return StorageVol.fromPointer(this, callPtr("virStorageVolLookupByPath", ptr, p));
  }

  /**
   * The volume with this key.
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * const pool = conn.lookupStoragePoolByName("default-pool");
   * const vol = pool.createVolumeXML("<volume><name>a.img</name><capacity>1</capacity></volume>");
   * console.log(conn.lookupStorageVolByKey(vol.getKey()).getName()); // a.img
   * ```
   */
  lookupStorageVolByKey(key: string): StorageVol {
    const k = stringArg(key, "volume key");
    const ptr = this.ptr("look up a volume");
    return StorageVol.fromPointer(this, callPtr("virStorageVolLookupByKey", ptr, k));
  }

  // ---- networks (api/network.ts)

  /**
   * The network called `name`; `ErrorNumber.NO_NETWORK` when none.
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * using net = conn.lookupNetworkByName("default");
   * ```
   */
  lookupNetworkByName(name: string): Network {
    const n = stringArg(name, "network name");
    const ptr = this.ptr("look up a network");
    return Network.fromPointer(this, callPtr("virNetworkLookupByName", ptr, n));
  }

  /**
   * The network with this UUID string.
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * const uuid = conn.lookupNetworkByName("default").getUUIDString();
   * console.log(conn.lookupNetworkByUUIDString(uuid).getName()); // default
   * ```
   */
  lookupNetworkByUUIDString(uuid: string): Network {
    const u = uuidCString(uuid);
    const ptr = this.ptr("look up a network");
    return Network.fromPointer(this, callPtr("virNetworkLookupByUUIDString", ptr, u));
  }

  /**
   * Every network matching `flags` (`ConnectListAllNetworksFlags`; 0 lists all).
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * console.log(conn.listAllNetworks().map((n) => n.getName())); // ["default"]
   * ```
   */
  listAllNetworks(flags = 0): Network[] {
    const f = flagsArg(flags);
    const holder = new BigUint64Array(1);
    const n = callInt("virConnectListAllNetworks", this.ptr("list networks"), holder, f);
    return takePointerArray(holder, n).map((p) => Network.fromPointer(this, p));
  }

  /**
   * Creates and starts a transient network from its XML.
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * const net = conn.createNetworkXML(
   *   "<network><name>scratch</name><bridge name='virbr9'/></network>",
   * );
   * net.destroy();
   * ```
   */
  createNetworkXML(xml: string): Network {
    const x = stringArg(xml, "network XML");
    const ptr = this.ptr("create a network");
    return Network.fromPointer(this, callPtr("virNetworkCreateXML", ptr, x));
  }

  /**
   * Defines a persistent, inactive network from its XML.
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * const net = conn.defineNetworkXML("<network><name>lab</name></network>");
   * net.create();
   * ```
   */
  defineNetworkXML(xml: string): Network {
    const x = stringArg(xml, "network XML");
    const ptr = this.ptr("define a network");
    return Network.fromPointer(this, callPtr("virNetworkDefineXML", ptr, x));
  }

  // ---- node devices and secrets (api/node_device.ts, api/secret.ts)

  /**
   * The host device called `name`; `ErrorNumber.NO_NODE_DEVICE` when none.
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * console.log(conn.lookupNodeDeviceByName("computer").getName()); // computer
   * ```
   */
  lookupNodeDeviceByName(name: string): NodeDevice {
    const n = stringArg(name, "device name");
    const ptr = this.ptr("look up a node device");
    return NodeDevice.fromPointer(this, callPtr("virNodeDeviceLookupByName", ptr, n));
  }

  /**
   * Defines (or redefines) a secret from its XML.
   *
   * @example
   * ```ts ignore
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("qemu:///system"); // test:///default has no secrets
   * const s = conn.defineSecretXML("<secret><usage type='ceph'><name>c</name></usage></secret>");
   * console.log(s.getUsageID()); // c
   * ```
   */
  defineSecretXML(xml: string, flags = 0): Secret {
    const x = stringArg(xml, "secret XML");
    const f = flagsArg(flags);
    const ptr = this.ptr("define a secret");
    return Secret.fromPointer(this, callPtr("virSecretDefineXML", ptr, x, f));
  }

  /**
   * The secret with this UUID string; `ErrorNumber.NO_SECRET` when none.
   *
   * @example
   * ```ts ignore
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("qemu:///system"); // test:///default has no secrets
   * const s = conn.defineSecretXML("<secret><usage type='ceph'><name>c</name></usage></secret>");
   * console.log(conn.lookupSecretByUUIDString(s.getUUIDString()).getUsageID()); // c
   * ```
   */
  lookupSecretByUUIDString(uuid: string): Secret {
    const u = uuidCString(uuid);
    const ptr = this.ptr("look up a secret");
    return Secret.fromPointer(this, callPtr("virSecretLookupByUUIDString", ptr, u));
  }

  // ---- host

  /**
   * The host's CPU model, memory (KiB) and CPU topology (`virNodeGetInfo`).
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * const info = conn.getNodeInfo();
   * console.log(info.model, info.cpus, info.memory);
   * ```
   */
  getNodeInfo(): NodeInfo {
    const buf = new Uint8Array(NODE_INFO_SIZE);
    callInt("virNodeGetInfo", this.ptr("get node info"), buf);
    return decodeNodeInfo(buf);
  }

  /**
   * The most virtual CPUs a guest of this hypervisor `type` may have (null: the default type).
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * console.log(conn.getMaxVcpus(null));
   * ```
   */
  getMaxVcpus(type: string | null = null): number {
    const t = type === null ? null : stringArg(type, "hypervisor type");
    return callInt("virConnectGetMaxVcpus", this.ptr("get max vcpus"), t);
  }

  // ---- events (api/events/)
  // Thin delegations to api/events/. Handlers run on the JS thread, from the registered event
  // loop; the objects they receive hold their own reference (keep them, or let them go).

  /**
   * Calls `cb` for every event `eventID` of `dom` (or of every domain when `dom` is null),
   * with the payload of that ID, typed (`DomainEventPayloads[K]`). Needs a registered event
   * loop (`Event.register(new DenoEventImpl())`). Returns the callback id.
   *
   * @example
   * ```ts
   * import { Connection, DenoEventImpl, DomainEventID, DomainEventType, Event } from "./mod.ts";
   * Event.register(new DenoEventImpl());
   * using conn = Connection.open("test:///default");
   * const id = conn.domainEventRegisterAny(null, DomainEventID.LIFECYCLE, (_c, dom, ev) => {
   *   if (ev.event === DomainEventType.STOPPED) console.log(dom.getName(), "stopped", ev.detail);
   * });
   * conn.domainEventDeregisterAny(id);
   * ```
   */
  domainEventRegisterAny<K extends ev.DomainEventID>(
    dom: Domain | null,
    eventID: K,
    cb: ev.DomainEventCallback<K>,
  ): number {
    return ev.domainEventRegisterAny(this, dom, eventID, cb);
  }

  /**
   * Removes a callback registered by `domainEventRegisterAny`; no call follows.
   *
   * @example
   * ```ts
   * import { Connection, DomainEventID } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * const id = conn.domainEventRegisterAny(null, DomainEventID.REBOOT, () => {});
   * conn.domainEventDeregisterAny(id);
   * ```
   */
  domainEventDeregisterAny(callbackID: number): void {
    ev.domainEventDeregisterAny(this, callbackID);
  }

  /**
   * The legacy lifecycle-only registration (`virConnectDomainEventRegister`), for every
   * domain. Prefer `domainEventRegisterAny(null, DomainEventID.LIFECYCLE, cb)`.
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * const cb = () => {};
   * conn.domainEventRegister(cb);
   * conn.domainEventDeregister(cb);
   * ```
   */
  domainEventRegister(cb: ev.DomainLifecycleCallback): void {
    ev.domainEventRegister(this, cb);
  }

  /**
   * Removes a handler given to `domainEventRegister`.
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * const cb = () => {};
   * conn.domainEventRegister(cb);
   * conn.domainEventDeregister(cb);
   * ```
   */
  domainEventDeregister(cb: ev.DomainLifecycleCallback): void {
    ev.domainEventDeregister(this, cb);
  }

  /**
   * Calls `cb` for network events (`NetworkEventID`) of `net`, or of every network when null.
   *
   * @example
   * ```ts
   * import { Connection, NetworkEventID } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * const id = conn.networkEventRegisterAny(null, NetworkEventID.LIFECYCLE, (_c, net, ev) => {
   *   console.log(net.getName(), ev.event);
   * });
   * conn.networkEventDeregisterAny(id);
   * ```
   */
  networkEventRegisterAny<K extends ev.NetworkEventID>(
    net: Network | null,
    eventID: K,
    cb: ev.NetworkEventCallback<K>,
  ): number {
    return ev.networkEventRegisterAny(this, net, eventID, cb);
  }

  /**
   * Removes a callback registered by `networkEventRegisterAny`.
   *
   * @example
   * ```ts
   * import { Connection, NetworkEventID } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * conn.networkEventDeregisterAny(conn.networkEventRegisterAny(null, NetworkEventID.LIFECYCLE, () => {}));
   * ```
   */
  networkEventDeregisterAny(callbackID: number): void {
    ev.objectEventDeregisterAny(this, "network", callbackID);
  }

  /**
   * Calls `cb` for storage pool events (`StoragePoolEventID`: LIFECYCLE, REFRESH) of `pool`, or
   * of every pool when null.
   *
   * @example
   * ```ts
   * import { Connection, StoragePoolEventID } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * const id = conn.storagePoolEventRegisterAny(null, StoragePoolEventID.REFRESH, (_c, pool) => {
   *   console.log(pool.getName(), "refreshed");
   * });
   * conn.storagePoolEventDeregisterAny(id);
   * ```
   */
  storagePoolEventRegisterAny<K extends ev.StoragePoolEventID>(
    pool: StoragePool | null,
    eventID: K,
    cb: ev.StoragePoolEventCallback<K>,
  ): number {
    return ev.storagePoolEventRegisterAny(this, pool, eventID, cb);
  }

  /**
   * Removes a callback registered by `storagePoolEventRegisterAny`.
   *
   * @example
   * ```ts
   * import { Connection, StoragePoolEventID } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * conn.storagePoolEventDeregisterAny(
   *   conn.storagePoolEventRegisterAny(null, StoragePoolEventID.LIFECYCLE, () => {}),
   * );
   * ```
   */
  storagePoolEventDeregisterAny(callbackID: number): void {
    ev.objectEventDeregisterAny(this, "storagePool", callbackID);
  }

  /**
   * Calls `cb` for node device events (`NodeDeviceEventID`: LIFECYCLE, UPDATE) of `dev`, or of
   * every device when null.
   *
   * @example
   * ```ts
   * import { Connection, NodeDeviceEventID } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * const id = conn.nodeDeviceEventRegisterAny(null, NodeDeviceEventID.LIFECYCLE, (_c, dev, ev) => {
   *   console.log(dev.getName(), ev.event);
   * });
   * conn.nodeDeviceEventDeregisterAny(id);
   * ```
   */
  nodeDeviceEventRegisterAny<K extends ev.NodeDeviceEventID>(
    dev: NodeDevice | null,
    eventID: K,
    cb: ev.NodeDeviceEventCallback<K>,
  ): number {
    return ev.nodeDeviceEventRegisterAny(this, dev, eventID, cb);
  }

  /**
   * Removes a callback registered by `nodeDeviceEventRegisterAny`.
   *
   * @example
   * ```ts
   * import { Connection, NodeDeviceEventID } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * conn.nodeDeviceEventDeregisterAny(
   *   conn.nodeDeviceEventRegisterAny(null, NodeDeviceEventID.UPDATE, () => {}),
   * );
   * ```
   */
  nodeDeviceEventDeregisterAny(callbackID: number): void {
    ev.objectEventDeregisterAny(this, "nodeDevice", callbackID);
  }

  /**
   * Calls `cb` for secret events (`SecretEventID`: LIFECYCLE, VALUE_CHANGED) of `secret`, or of
   * every secret when null. Drivers without secrets (test:///default) refuse the registration.
   *
   * @example
   * ```ts
   * import { Connection, SecretEventID } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * try {
   *   conn.secretEventRegisterAny(null, SecretEventID.VALUE_CHANGED, () => {});
   * } catch (e) {
   *   console.log((e as Error).message); // the test driver has no secrets
   * }
   * ```
   */
  secretEventRegisterAny<K extends ev.SecretEventID>(
    secret: Secret | null,
    eventID: K,
    cb: ev.SecretEventCallback<K>,
  ): number {
    return ev.secretEventRegisterAny(this, secret, eventID, cb);
  }

  /**
   * Removes a callback registered by `secretEventRegisterAny`.
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * try {
   *   conn.secretEventDeregisterAny(1);
   * } catch (e) {
   *   console.log((e as Error).message); // No secret event callback with id 1 …
   * }
   * ```
   */
  secretEventDeregisterAny(callbackID: number): void {
    ev.objectEventDeregisterAny(this, "secret", callbackID);
  }

  /**
   * Domain events as an async iterator of `{ id, domain, event }`, registered at once (every ID
   * unless `id` says otherwise; every domain unless `domain` is set). It ends, deregistering
   * itself, when `signal` aborts, the connection closes, or the loop is left.
   *
   * @example
   * ```ts
   * import { Connection, DenoEventImpl, DomainEventID, Event } from "./mod.ts";
   * Event.register(new DenoEventImpl());
   * using conn = Connection.open("test:///default");
   * const events = conn.domainEvents({ id: DomainEventID.LIFECYCLE, signal: AbortSignal.timeout(100) });
   * conn.lookupDomainByName("test").destroy();
   * for await (const { domain, event } of events) console.log(domain.getName(), event.event);
   * ```
   */
  domainEvents<K extends ev.DomainEventID = ev.DomainEventID>(
    options: ev.DomainEventsOptions<K> = {},
  ): ev.EventIterator<ev.DomainEventRecord<K>> {
    return ev.domainEvents(this, options);
  }

  /**
   * Network events as an async iterator of `{ id, network, event }` (see `domainEvents`).
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * await using events = conn.networkEvents({ signal: AbortSignal.timeout(10) });
   * ```
   */
  networkEvents<K extends ev.NetworkEventID = ev.NetworkEventID>(
    options: ev.NetworkEventsOptions<K> = {},
  ): ev.EventIterator<ev.NetworkEventRecord<K>> {
    return ev.networkEvents(this, options);
  }

  /**
   * Storage pool events as an async iterator of `{ id, pool, event }` (see `domainEvents`).
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * await using events = conn.storagePoolEvents();
   * ```
   */
  storagePoolEvents<K extends ev.StoragePoolEventID = ev.StoragePoolEventID>(
    options: ev.StoragePoolEventsOptions<K> = {},
  ): ev.EventIterator<ev.StoragePoolEventRecord<K>> {
    return ev.storagePoolEvents(this, options);
  }

  /**
   * Node device events as an async iterator of `{ id, device, event }` (see `domainEvents`).
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * await using events = conn.nodeDeviceEvents();
   * ```
   */
  nodeDeviceEvents<K extends ev.NodeDeviceEventID = ev.NodeDeviceEventID>(
    options: ev.NodeDeviceEventsOptions<K> = {},
  ): ev.EventIterator<ev.NodeDeviceEventRecord<K>> {
    return ev.nodeDeviceEvents(this, options);
  }

  /**
   * Secret events as an async iterator of `{ id, secret, event }` (see `domainEvents`).
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test+unix:///default?socket=/run/libvirt/libvirt-sock");
   * await using events = conn.secretEvents();
   * ```
   */
  secretEvents<K extends ev.SecretEventID = ev.SecretEventID>(
    options: ev.SecretEventsOptions<K> = {},
  ): ev.EventIterator<ev.SecretEventRecord<K>> {
    return ev.secretEvents(this, options);
  }
}
