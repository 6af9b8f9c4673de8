// Connection: opening, closing and describing a hypervisor connection (virConnect*).
import { callInt, callPtr, callRaw } from "../ffi/call.ts";
import { copyConnectionError, type LibvirtError } from "../ffi/errors.ts";
import {
  cString,
  describe,
  flagsArg,
  intArg,
  stringArg,
  takePointerArray,
  UUID_BUFLEN,
} from "../ffi/marshal.ts";
import type { ConnectCloseReason } from "../ffi/enums.ts";
import type { LibvirtObject } from "./object.ts";
import { ConnectionOverrides } from "./connection_overrides.ts";
import { type AuthOptions, openAuth, prepareAuth } from "./auth.ts";
import { callIntAsync, callPtrAsync, openConnectionAsync } from "../ffi/call_async.ts";
import { Domain } from "./domain.ts";
import { StoragePool } from "./storage_pool.ts";

import { Network } from "./network.ts";
import type { NodeDevice } from "./node_device.ts";
import type { Secret } from "./secret.ts";
import { decodeNodeInfo, NODE_INFO_SIZE, type NodeInfo } from "./info.ts";
import { log } from "../log.ts";
import { markConnectionOpening } from "../event/state.ts";
import { recordSocket } from "./conn/socket.ts";
import { adoptOpened, watchOpen } from "./conn/open_watch.ts";
import * as ev from "./events/connection_api.ts";
import { clearCloseHandler, releaseCloseWatch, setCloseHandler } from "./close_callback.ts";
import {
  type QemuMonitorEvent,
  qemuMonitorEventDeregister,
  qemuMonitorEventRegister,
  releaseQemuMonitorEvents,
} from "./qemu.ts";

// `open`'s options, checked before anything is opened (a number or string there is misuse).
function checkOpenOptions(options: OpenOptions): void {
  if (options === null || typeof options !== "object") {
    throw new TypeError(
      `options must be an object ({ readOnly?, auth?, sendBuffer? }), got ${describe(options)}`,
    );
  }
  if (options.sendBuffer !== undefined) {
    intArg(options.sendBuffer, "options.sendBuffer", 0, 0x3fffffff);
  }
}

/** Options for `Connection.open`. */
export interface OpenOptions {
  /** Open read-only (`virConnectOpenReadOnly`): queries work, changes are refused. */
  readOnly?: boolean;
  /** Answers credential prompts (`virConnectOpenAuth`), for URIs whose server asks for them. */
  auth?: AuthOptions;
  /**
   * The send buffer, in bytes, to ask the kernel for on the unix socket a remote connection
   * runs over (a local daemon's socket, `+unix`, `+ssh`); 0 leaves it as libvirt made it.
   * Default 1 MiB (Linux caps it at twice `net.core.wmem_max`). libvirt sends a stream packet
   * (up to 262,120 bytes) synchronously, and the default buffer holds less than one: with room
   * for one, a volume upload reads its next packet while the daemon writes the last. TCP
   * sockets (`+tls`, `+tcp`) are left to the kernel's own sizing. Over `+ssh` the ssh client's
   * end of that socket gets the same (on Linux 5.6 and later): with room for more than the
   * 256 KiB it reads from the network at a time, a download's first megabytes do not make it
   * slow down (OpenSSH grows a buffer of its own, copying it each time, when it cannot pass its
   * data on).
   */
  sendBuffer?: number;
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
export class Connection extends ConnectionOverrides {
  readonly #readOnly: boolean;

  private constructor(ptr: Deno.PointerObject, readOnly: boolean) {
    super(ptr, "virConnectClose", "Connection");
    this.#readOnly = readOnly;
  }

  /**
   * Opens a connection to `uri` (`null` lets libvirt choose its default).
   * libvirt: [`virConnectOpen`](https://libvirt.org/html/libvirt-libvirt-host.html#virConnectOpen).
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
    checkOpenOptions(options);
    const name = cString(uri);
    markConnectionOpening();
    const watch = watchOpen(uri); // what is new after the open is its socket (and ssh client)
    let ptr: Deno.PointerObject;
    if (options.auth) {
      ptr = openAuth(name, options.auth, options.readOnly ? 1 : 0);
    } else if (options.readOnly) {
      ptr = callPtr("virConnectOpenReadOnly", name);
    } else {
      ptr = callPtr("virConnectOpen", name);
    }
    const fd = adoptOpened(watch, options.sendBuffer);
    log("info", "connection opened", { uri, readOnly: !!options.readOnly });
    const conn = new Connection(ptr, !!options.readOnly);
    recordSocket(conn, fd);
    return conn;
  }

  /**
   * Opens a read-only connection.
   * libvirt: [`virConnectOpenReadOnly`](https://libvirt.org/html/libvirt-libvirt-host.html#virConnectOpenReadOnly).
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

  /**
   * The Async form of `open`: libvirt connects on Deno's thread pool (a remote handshake, SSH or
   * TLS can take seconds), so Deno's loop keeps running. Async opens run one at a time per
   * process: a failed open has no connection yet, and its error is read through libvirt's
   * global error function, which is this module's only for the length of that open.
   * libvirt: [`virConnectOpen`](https://libvirt.org/html/libvirt-libvirt-host.html#virConnectOpen).
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = await Connection.openAsync("test:///default");
   * console.log(conn.getURI());
   * ```
   */
  static openAsync(uri: string | null = null, options: OpenOptions = {}): Promise<Connection> {
    // Checked at the call: misuse throws before any Promise exists (docs/api.md, rule 8).
    if (uri !== null && typeof uri !== "string") {
      throw new TypeError(`Connection URI must be a string or null`);
    }
    checkOpenOptions(options);
    return Connection.#openAsync(uri, cString(uri), options);
  }

  static async #openAsync(
    uri: string | null,
    name: Uint8Array | null,
    options: OpenOptions,
  ): Promise<Connection> {
    const readOnly = !!options.readOnly;
    markConnectionOpening();
    const wrap = (p: Deno.PointerObject) => new Connection(p, readOnly);
    // Other JS runs during this open: a unix socket it made meanwhile would get the larger
    // buffer too, and leave the connection's socket unknown (see adoptNewSocket).
    const watch = watchOpen(uri); // what is new after the open is its socket (and ssh client)
    let conn: Connection;
    if (options.auth) {
      // libvirt calls the credential callback from the pool thread; Deno queues it onto the JS
      // thread, which is free meanwhile. The callback lives until the open has settled.
      const auth = prepareAuth(options.auth);
      try {
        conn = await openConnectionAsync(
          "virConnectOpenAuth",
          [name, auth.pointer, flagsArg(readOnly ? 1 : 0)],
          wrap,
        );
      } finally {
        auth.close();
      }
    } else {
      const fn = readOnly ? "virConnectOpenReadOnly" : "virConnectOpen";
      conn = await openConnectionAsync(fn, [name], wrap);
    }
    recordSocket(conn, adoptOpened(watch, options.sendBuffer));
    log("info", "connection opened", { uri, readOnly, async: true });
    return conn;
  }

  /**
   * The Async form of `openReadOnly`.
   * libvirt: [`virConnectOpenReadOnly`](https://libvirt.org/html/libvirt-libvirt-host.html#virConnectOpenReadOnly).
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = await Connection.openReadOnlyAsync("test:///default");
   * console.log(conn.readOnly); // true
   * ```
   */
  static openReadOnlyAsync(uri: string | null = null): Promise<Connection> {
    return Connection.openAsync(uri, { readOnly: true });
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
   * libvirt: [`virConnectClose`](https://libvirt.org/html/libvirt-libvirt-host.html#virConnectClose).
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
    releaseQemuMonitorEvents(this, this.ptr("deregister QEMU monitor events"));
    // Then libvirt's close registration (api/close_callback.ts: never from inside its lock).
    releaseCloseWatch(this);
  }

  /**
   * The hypervisor's version.
   * libvirt: [`virConnectGetVersion`](https://libvirt.org/html/libvirt-libvirt-host.html#virConnectGetVersion).
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
   * libvirt: [`virConnectGetLibVersion`](https://libvirt.org/html/libvirt-libvirt-host.html#virConnectGetLibVersion).
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
   * Turns keepalive on (`interval` seconds between probes, `count` unanswered probes before the
   * connection is closed) or off (`interval` <= 0). Needs a registered event loop. Returns 1
   * when the remote side does not support keepalive.
   * libvirt: [`virConnectSetKeepAlive`](https://libvirt.org/html/libvirt-libvirt-host.html#virConnectSetKeepAlive).
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
   * registration replaces the old. It runs soon after libvirt reports the close, outside
   * libvirt's locks, so it may call any method (`c.close()`, registering again...).
   * libvirt: [`virConnectRegisterCloseCallback`](https://libvirt.org/html/libvirt-libvirt-host.html#virConnectRegisterCloseCallback).
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
    setCloseHandler(this, this.ptr("register a close callback"), cb);
  }

  /**
   * Removes the close callback (libvirt then frees its data). No-op when none is registered.
   * libvirt: [`virConnectUnregisterCloseCallback`](https://libvirt.org/html/libvirt-libvirt-host.html#virConnectUnregisterCloseCallback).
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
    clearCloseHandler(this);
  }

  /**
   * The last error libvirt recorded on this connection (`virConnCopyLastError`), or null.
   * Every call that fails on the connection leaves its error here, from whichever thread it
   * ran on, so it also holds the failure of an `…Async` call made on Deno's thread pool. The
   * failing call throws (or rejects with) the same error as a `LibvirtError` anyway; this is
   * libvirt's per-connection record, kept until the next failure or `resetLastError()`.
   * libvirt: [`virConnCopyLastError`](https://libvirt.org/html/libvirt-virterror.html#virConnCopyLastError).
   *
   * @example
   * ```ts
   * import { Connection, ErrorNumber } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * try {
   *   conn.lookupDomainByName("nope");
   * } catch {
   *   // thrown as a LibvirtError; libvirt keeps a copy on the connection too
   * }
   * console.log(conn.copyLastError()?.code === ErrorNumber.NO_DOMAIN); // true
   * ```
   */
  copyLastError(): LibvirtError | null {
    return copyConnectionError(this.ptr("copy the last error"));
  }

  /**
   * Clears the connection's last error (`virConnResetLastError`): `copyLastError()` then
   * returns null until a call fails on the connection again.
   * libvirt: [`virConnResetLastError`](https://libvirt.org/html/libvirt-virterror.html#virConnResetLastError).
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * conn.resetLastError();
   * console.log(conn.copyLastError()); // null
   * ```
   */
  resetLastError(): void {
    callRaw("virConnResetLastError", this.ptr("reset the last error"));
  }

  // ---- domains (api/domain.ts)

  /**
   * The domain with this UUID, as a string or as its 16 raw bytes.
   * libvirt: [`virDomainLookupByUUID`](https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainLookupByUUID).
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
   * libvirt: [`virDomainLookupByID`](https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainLookupByID).
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
   * libvirt: [`virConnectListAllDomains`](https://libvirt.org/html/libvirt-libvirt-domain.html#virConnectListAllDomains).
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
   * Defines a persistent domain from its XML, without starting it (`DomainDefineFlags`).
   * libvirt: [`virDomainDefineXMLFlags`](https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainDefineXMLFlags).
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
    const p = f === 0
      ? callPtr("virDomainDefineXML", ptr, x)
      : callPtr("virDomainDefineXMLFlags", ptr, x, f);
    return Domain.fromPointer(this, p);
  }

  // ---- storage (api/storage_pool.ts, api/storage_vol.ts)

  /**
   * Every storage pool matching `flags` (`ConnectListAllStoragePoolsFlags`; 0 lists all).
   * libvirt: [`virConnectListAllStoragePools`](https://libvirt.org/html/libvirt-libvirt-storage.html#virConnectListAllStoragePools).
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

  // ---- networks (api/network.ts)

  /**
   * Every network matching `flags` (`ConnectListAllNetworksFlags`; 0 lists all).
   * libvirt: [`virConnectListAllNetworks`](https://libvirt.org/html/libvirt-libvirt-network.html#virConnectListAllNetworks).
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

  // ---- node devices and secrets (api/node_device.ts, api/secret.ts)

  // ---- host

  /**
   * The host's CPU model, memory (KiB) and CPU topology (`virNodeGetInfo`).
   * libvirt: [`virNodeGetInfo`](https://libvirt.org/html/libvirt-libvirt-host.html#virNodeGetInfo).
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
   * libvirt: [`virConnectGetMaxVcpus`](https://libvirt.org/html/libvirt-libvirt-host.html#virConnectGetMaxVcpus).
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
   * libvirt: [`virConnectDomainEventRegisterAny`](https://libvirt.org/html/libvirt-libvirt-domain.html#virConnectDomainEventRegisterAny).
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
   * libvirt: [`virConnectDomainEventDeregisterAny`](https://libvirt.org/html/libvirt-libvirt-domain.html#virConnectDomainEventDeregisterAny).
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
   * libvirt: [`virConnectDomainEventRegister`](https://libvirt.org/html/libvirt-libvirt-domain.html#virConnectDomainEventRegister).
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
   * libvirt: [`virConnectDomainEventDeregister`](https://libvirt.org/html/libvirt-libvirt-domain.html#virConnectDomainEventDeregister).
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
   * libvirt: [`virConnectNetworkEventRegisterAny`](https://libvirt.org/html/libvirt-libvirt-network.html#virConnectNetworkEventRegisterAny).
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
   * libvirt: [`virConnectNetworkEventDeregisterAny`](https://libvirt.org/html/libvirt-libvirt-network.html#virConnectNetworkEventDeregisterAny).
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
   * libvirt: [`virConnectStoragePoolEventRegisterAny`](https://libvirt.org/html/libvirt-libvirt-storage.html#virConnectStoragePoolEventRegisterAny).
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
   * libvirt: [`virConnectStoragePoolEventDeregisterAny`](https://libvirt.org/html/libvirt-libvirt-storage.html#virConnectStoragePoolEventDeregisterAny).
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
   * libvirt: [`virConnectNodeDeviceEventRegisterAny`](https://libvirt.org/html/libvirt-libvirt-nodedev.html#virConnectNodeDeviceEventRegisterAny).
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
   * libvirt: [`virConnectNodeDeviceEventDeregisterAny`](https://libvirt.org/html/libvirt-libvirt-nodedev.html#virConnectNodeDeviceEventDeregisterAny).
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
   * libvirt: [`virConnectSecretEventRegisterAny`](https://libvirt.org/html/libvirt-libvirt-secret.html#virConnectSecretEventRegisterAny).
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
   * libvirt: [`virConnectSecretEventDeregisterAny`](https://libvirt.org/html/libvirt-libvirt-secret.html#virConnectSecretEventDeregisterAny).
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
   * itself, when `signal` aborts, the connection closes, or the loop is left; when libvirt
   * reports the connection lost (daemon gone, keepalive timeout), it throws a LibvirtError
   * saying so after the events already queued.
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

  // ---- libvirt-qemu

  /**
   * Calls `cb` for each QEMU monitor event of `dom` (null: every domain), only `event` if given
   * (`virConnectDomainQemuMonitorEventRegister`, `ConnectDomainQemuMonitorEventRegisterFlags`).
   * Returns the id for `domainQemuMonitorEventDeregister`. Needs a registered event loop.
   * The handler keeps this connection reachable until it is deregistered or the connection is
   * closed; closing deregisters whatever is left.
   * libvirt: [`virConnectDomainQemuMonitorEventRegister`](https://libvirt.org/html/libvirt-libvirt-qemu.html#virConnectDomainQemuMonitorEventRegister).
   *
   * @example
   * ```ts
   * import { Connection, DenoEventImpl, Event } from "./mod.ts";
   * Event.register(new DenoEventImpl());
   * declare const conn: Connection; // a qemu:/// connection
   * const id = conn.domainQemuMonitorEventRegister(null, "STOP", (e) => console.log(e.event));
   * conn.domainQemuMonitorEventDeregister(id);
   * ```
   */
  domainQemuMonitorEventRegister(
    dom: Domain | null,
    event: string | null,
    cb: (e: QemuMonitorEvent) => void,
    flags = 0,
  ): number {
    return qemuMonitorEventRegister(this, dom, event, cb, flags);
  }

  /**
   * Stops a QEMU monitor event registration (`virConnectDomainQemuMonitorEventDeregister`).
   * libvirt: [`virConnectDomainQemuMonitorEventDeregister`](https://libvirt.org/html/libvirt-libvirt-qemu.html#virConnectDomainQemuMonitorEventDeregister).
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * declare const conn: Connection;
   * const id = conn.domainQemuMonitorEventRegister(null, null, () => {});
   * conn.domainQemuMonitorEventDeregister(id);
   * ```
   */
  domainQemuMonitorEventDeregister(callbackID: number): void {
    qemuMonitorEventDeregister(this, callbackID);
  }

  // ---- Async forms of the registrations (api/events/async_forms.ts): the arguments are checked
  // at the call; the registration is made on the JS thread once the connection has no async call
  // in flight, so that a server's event feed does not fail beside its other requests.

  /**
   * The Async form of `domainEventRegisterAny` (`virConnectDomainEventRegisterAny`): resolves
   * with the callback id once registered.
   * libvirt: [`virConnectDomainEventRegisterAny`](https://libvirt.org/html/libvirt-libvirt-domain.html#virConnectDomainEventRegisterAny).
   *
   * @example
   * ```ts
   * import { Connection, DenoEventImpl, DomainEventID, Event } from "./mod.ts";
   * Event.register(new DenoEventImpl());
   * using conn = await Connection.openAsync("test:///default");
   * const id = await conn.domainEventRegisterAnyAsync(null, DomainEventID.LIFECYCLE, (_c, dom) => {
   *   console.log(dom.getName());
   * });
   * await conn.domainEventDeregisterAnyAsync(id);
   * ```
   */
  domainEventRegisterAnyAsync<K extends ev.DomainEventID>(
    dom: Domain | null,
    eventID: K,
    cb: ev.DomainEventCallback<K>,
  ): Promise<number> {
    ev.checkDomainEventArgs(this, dom, eventID, cb);
    return ev.whenAllowed(this, () => this.domainEventRegisterAny(dom, eventID, cb));
  }

  /**
   * The Async form of `domainEventDeregisterAny` (`virConnectDomainEventDeregisterAny`).
   * libvirt: [`virConnectDomainEventDeregisterAny`](https://libvirt.org/html/libvirt-libvirt-domain.html#virConnectDomainEventDeregisterAny).
   *
   * @example
   * ```ts
   * import { Connection, DomainEventID } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * const id = conn.domainEventRegisterAny(null, DomainEventID.REBOOT, () => {});
   * await conn.domainEventDeregisterAnyAsync(id);
   * ```
   */
  domainEventDeregisterAnyAsync(callbackID: number): Promise<void> {
    ev.checkDeregistration(this, "domain", callbackID);
    return ev.whenAllowed(this, () => this.domainEventDeregisterAny(callbackID));
  }

  /**
   * The Async form of `domainEventRegister` (`virConnectDomainEventRegister`).
   * libvirt: [`virConnectDomainEventRegister`](https://libvirt.org/html/libvirt-libvirt-domain.html#virConnectDomainEventRegister).
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * const cb = () => {};
   * await conn.domainEventRegisterAsync(cb);
   * await conn.domainEventDeregisterAsync(cb);
   * ```
   */
  domainEventRegisterAsync(cb: ev.DomainLifecycleCallback): Promise<void> {
    ev.checkLegacy(this, cb, true);
    this.handle("register a domain event callback");
    return ev.whenAllowed(this, () => this.domainEventRegister(cb));
  }

  /**
   * The Async form of `domainEventDeregister` (`virConnectDomainEventDeregister`).
   * libvirt: [`virConnectDomainEventDeregister`](https://libvirt.org/html/libvirt-libvirt-domain.html#virConnectDomainEventDeregister).
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * const cb = () => {};
   * conn.domainEventRegister(cb);
   * await conn.domainEventDeregisterAsync(cb);
   * ```
   */
  domainEventDeregisterAsync(cb: ev.DomainLifecycleCallback): Promise<void> {
    ev.checkLegacy(this, cb, false);
    this.handle("deregister a domain event callback");
    return ev.whenAllowed(this, () => this.domainEventDeregister(cb));
  }

  /**
   * The Async form of `networkEventRegisterAny` (`virConnectNetworkEventRegisterAny`): resolves with the callback id once
   * registered.
   * libvirt: [`virConnectNetworkEventRegisterAny`](https://libvirt.org/html/libvirt-network.html#virConnectNetworkEventRegisterAny).
   *
   * @example
   * ```ts
   * import { Connection, NetworkEventID } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * const id = await conn.networkEventRegisterAnyAsync(null, NetworkEventID.LIFECYCLE, (_c, net) => {
   *   console.log(net.getName());
   * });
   * await conn.networkEventDeregisterAnyAsync(id);
   * ```
   */
  networkEventRegisterAnyAsync<K extends ev.NetworkEventID>(
    net: Network | null,
    eventID: K,
    cb: ev.NetworkEventCallback<K>,
  ): Promise<number> {
    ev.checkObjectRegistration(this, ev.NETWORK, net, eventID, cb);
    return ev.whenAllowed(this, () => this.networkEventRegisterAny(net, eventID, cb));
  }

  /**
   * The Async form of `networkEventDeregisterAny` (`virConnectNetworkEventDeregisterAny`).
   * libvirt: [`virConnectNetworkEventDeregisterAny`](https://libvirt.org/html/libvirt-network.html#virConnectNetworkEventDeregisterAny).
   *
   * @example
   * ```ts
   * import { Connection, NetworkEventID } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * const id = conn.networkEventRegisterAny(null, NetworkEventID.LIFECYCLE, () => {});
   * await conn.networkEventDeregisterAnyAsync(id);
   * ```
   */
  networkEventDeregisterAnyAsync(callbackID: number): Promise<void> {
    ev.checkDeregistration(this, "network", callbackID);
    return ev.whenAllowed(this, () => this.networkEventDeregisterAny(callbackID));
  }

  /**
   * The Async form of `storagePoolEventRegisterAny` (`virConnectStoragePoolEventRegisterAny`): resolves with the callback id once
   * registered.
   * libvirt: [`virConnectStoragePoolEventRegisterAny`](https://libvirt.org/html/libvirt-storage.html#virConnectStoragePoolEventRegisterAny).
   *
   * @example
   * ```ts
   * import { Connection, StoragePoolEventID } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * const id = await conn.storagePoolEventRegisterAnyAsync(null, StoragePoolEventID.LIFECYCLE, (_c, pool) => {
   *   console.log(pool.getName());
   * });
   * await conn.storagePoolEventDeregisterAnyAsync(id);
   * ```
   */
  storagePoolEventRegisterAnyAsync<K extends ev.StoragePoolEventID>(
    pool: StoragePool | null,
    eventID: K,
    cb: ev.StoragePoolEventCallback<K>,
  ): Promise<number> {
    ev.checkObjectRegistration(this, ev.STORAGE_POOL, pool, eventID, cb);
    return ev.whenAllowed(this, () => this.storagePoolEventRegisterAny(pool, eventID, cb));
  }

  /**
   * The Async form of `storagePoolEventDeregisterAny` (`virConnectStoragePoolEventDeregisterAny`).
   * libvirt: [`virConnectStoragePoolEventDeregisterAny`](https://libvirt.org/html/libvirt-storage.html#virConnectStoragePoolEventDeregisterAny).
   *
   * @example
   * ```ts
   * import { Connection, StoragePoolEventID } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * const id = conn.storagePoolEventRegisterAny(null, StoragePoolEventID.LIFECYCLE, () => {});
   * await conn.storagePoolEventDeregisterAnyAsync(id);
   * ```
   */
  storagePoolEventDeregisterAnyAsync(callbackID: number): Promise<void> {
    ev.checkDeregistration(this, "storagePool", callbackID);
    return ev.whenAllowed(this, () => this.storagePoolEventDeregisterAny(callbackID));
  }

  /**
   * The Async form of `nodeDeviceEventRegisterAny` (`virConnectNodeDeviceEventRegisterAny`): resolves with the callback id once
   * registered.
   * libvirt: [`virConnectNodeDeviceEventRegisterAny`](https://libvirt.org/html/libvirt-nodedev.html#virConnectNodeDeviceEventRegisterAny).
   *
   * @example
   * ```ts
   * import { Connection, NodeDeviceEventID } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * const id = await conn.nodeDeviceEventRegisterAnyAsync(null, NodeDeviceEventID.LIFECYCLE, (_c, dev) => {
   *   console.log(dev.getName());
   * });
   * await conn.nodeDeviceEventDeregisterAnyAsync(id);
   * ```
   */
  nodeDeviceEventRegisterAnyAsync<K extends ev.NodeDeviceEventID>(
    dev: NodeDevice | null,
    eventID: K,
    cb: ev.NodeDeviceEventCallback<K>,
  ): Promise<number> {
    ev.checkObjectRegistration(this, ev.NODE_DEVICE, dev, eventID, cb);
    return ev.whenAllowed(this, () => this.nodeDeviceEventRegisterAny(dev, eventID, cb));
  }

  /**
   * The Async form of `nodeDeviceEventDeregisterAny` (`virConnectNodeDeviceEventDeregisterAny`).
   * libvirt: [`virConnectNodeDeviceEventDeregisterAny`](https://libvirt.org/html/libvirt-nodedev.html#virConnectNodeDeviceEventDeregisterAny).
   *
   * @example
   * ```ts
   * import { Connection, NodeDeviceEventID } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * const id = conn.nodeDeviceEventRegisterAny(null, NodeDeviceEventID.LIFECYCLE, () => {});
   * await conn.nodeDeviceEventDeregisterAnyAsync(id);
   * ```
   */
  nodeDeviceEventDeregisterAnyAsync(callbackID: number): Promise<void> {
    ev.checkDeregistration(this, "nodeDevice", callbackID);
    return ev.whenAllowed(this, () => this.nodeDeviceEventDeregisterAny(callbackID));
  }

  /**
   * The Async form of `secretEventRegisterAny` (`virConnectSecretEventRegisterAny`): resolves with the callback id once
   * registered.
   * libvirt: [`virConnectSecretEventRegisterAny`](https://libvirt.org/html/libvirt-secret.html#virConnectSecretEventRegisterAny).
   *
   * @example
   * ```ts
   * import { Connection, SecretEventID } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * const id = await conn.secretEventRegisterAnyAsync(null, SecretEventID.LIFECYCLE, (_c, secret) => {
   *   console.log(secret.getUUIDString());
   * });
   * await conn.secretEventDeregisterAnyAsync(id);
   * ```
   */
  secretEventRegisterAnyAsync<K extends ev.SecretEventID>(
    secret: Secret | null,
    eventID: K,
    cb: ev.SecretEventCallback<K>,
  ): Promise<number> {
    ev.checkObjectRegistration(this, ev.SECRET, secret, eventID, cb);
    return ev.whenAllowed(this, () => this.secretEventRegisterAny(secret, eventID, cb));
  }

  /**
   * The Async form of `secretEventDeregisterAny` (`virConnectSecretEventDeregisterAny`).
   * libvirt: [`virConnectSecretEventDeregisterAny`](https://libvirt.org/html/libvirt-secret.html#virConnectSecretEventDeregisterAny).
   *
   * @example
   * ```ts
   * import { Connection, SecretEventID } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * const id = conn.secretEventRegisterAny(null, SecretEventID.LIFECYCLE, () => {});
   * await conn.secretEventDeregisterAnyAsync(id);
   * ```
   */
  secretEventDeregisterAnyAsync(callbackID: number): Promise<void> {
    ev.checkDeregistration(this, "secret", callbackID);
    return ev.whenAllowed(this, () => this.secretEventDeregisterAny(callbackID));
  }

  /**
   * The Async form of `domainQemuMonitorEventRegister`
   * (`virConnectDomainQemuMonitorEventRegister`): resolves with the id once registered.
   * libvirt: [`virConnectDomainQemuMonitorEventRegister`](https://libvirt.org/html/libvirt-libvirt-qemu.html#virConnectDomainQemuMonitorEventRegister).
   *
   * @example
   * ```ts
   * import type { Connection } from "./mod.ts";
   * declare const conn: Connection; // a qemu:/// connection
   * const id = await conn.domainQemuMonitorEventRegisterAsync(null, "STOP", (e) => console.log(e));
   * await conn.domainQemuMonitorEventDeregisterAsync(id);
   * ```
   */
  domainQemuMonitorEventRegisterAsync(
    dom: Domain | null,
    event: string | null,
    cb: (e: QemuMonitorEvent) => void,
    flags = 0,
  ): Promise<number> {
    ev.checkQemuMonitorRegistration(this, dom, event, cb, flags);
    return ev.whenAllowed(this, () => this.domainQemuMonitorEventRegister(dom, event, cb, flags));
  }

  /**
   * The Async form of `domainQemuMonitorEventDeregister`
   * (`virConnectDomainQemuMonitorEventDeregister`).
   * libvirt: [`virConnectDomainQemuMonitorEventDeregister`](https://libvirt.org/html/libvirt-libvirt-qemu.html#virConnectDomainQemuMonitorEventDeregister).
   *
   * @example
   * ```ts
   * import type { Connection } from "./mod.ts";
   * declare const conn: Connection;
   * await conn.domainQemuMonitorEventDeregisterAsync(
   *   conn.domainQemuMonitorEventRegister(null, null, () => {}),
   * );
   * ```
   */
  domainQemuMonitorEventDeregisterAsync(callbackID: number): Promise<void> {
    ev.checkQemuMonitorDeregistration(this, callbackID);
    return ev.whenAllowed(this, () => this.domainQemuMonitorEventDeregister(callbackID));
  }

  // ---- Async forms of the hand-written calls above (ffi/call_async.ts): the same libvirt calls
  // on Deno's thread pool, one at a time per connection, in the order they were made.

  /**
   * The Async form of `getVersion` (`virConnectGetVersion`).
   * libvirt: [`virConnectGetVersion`](https://libvirt.org/html/libvirt-libvirt-host.html#virConnectGetVersion).
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * console.log((await conn.getVersionAsync()).major);
   * ```
   */
  getVersionAsync(): Promise<Version> {
    const out = new BigUint64Array(1);
    const p = this.ptr("get version");
    return callIntAsync(this, "virConnectGetVersion", p, new Uint8Array(out.buffer))
      .then(() => decodeVersion(Number(out[0])));
  }

  /**
   * The Async form of `getLibVersion` (`virConnectGetLibVersion`).
   * libvirt: [`virConnectGetLibVersion`](https://libvirt.org/html/libvirt-libvirt-host.html#virConnectGetLibVersion).
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * console.log((await conn.getLibVersionAsync()).major);
   * ```
   */
  getLibVersionAsync(): Promise<Version> {
    const out = new BigUint64Array(1);
    const p = this.ptr("get lib version");
    return callIntAsync(this, "virConnectGetLibVersion", p, new Uint8Array(out.buffer))
      .then(() => decodeVersion(Number(out[0])));
  }

  /**
   * The Async form of `lookupDomainByUUID` (`virDomainLookupByUUID`).
   * libvirt: [`virDomainLookupByUUID`](https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainLookupByUUID).
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * const uuid = conn.lookupDomainByName("test").getUUID();
   * console.log((await conn.lookupDomainByUUIDAsync(uuid)).getName()); // test
   * ```
   */
  lookupDomainByUUIDAsync(uuid: string | Uint8Array): Promise<Domain> {
    const p = this.ptr("look up a domain");
    if (!(uuid instanceof Uint8Array)) return this.lookupDomainByUUIDStringAsync(uuid);
    if (uuid.length !== UUID_BUFLEN) {
      throw new TypeError(`A raw UUID has ${UUID_BUFLEN} bytes, got ${uuid.length}`);
    }
    const u = uuid.slice();
    return callPtrAsync(this, "virDomainLookupByUUID", p, u)
      .then((d) => Domain.fromPointer(this, d));
  }

  /**
   * The Async form of `lookupDomainByID` (`virDomainLookupByID`).
   * libvirt: [`virDomainLookupByID`](https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainLookupByID).
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * console.log((await conn.lookupDomainByIDAsync(1)).getName()); // test
   * ```
   */
  lookupDomainByIDAsync(id: number): Promise<Domain> {
    const p = this.ptr("look up a domain");
    const i = intArg(id, "domain id", 0);
    return callPtrAsync(this, "virDomainLookupByID", p, i).then((d) => Domain.fromPointer(this, d));
  }

  /**
   * The Async form of `listAllDomains` (`virConnectListAllDomains`).
   * libvirt: [`virConnectListAllDomains`](https://libvirt.org/html/libvirt-libvirt-domain.html#virConnectListAllDomains).
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * for (const dom of await conn.listAllDomainsAsync()) console.log(dom.getName());
   * ```
   */
  listAllDomainsAsync(flags = 0): Promise<Domain[]> {
    const p = this.ptr("list domains");
    const f = flagsArg(flags);
    const holder = new BigUint64Array(1);
    return callIntAsync(this, "virConnectListAllDomains", p, holder, f)
      .then((n) => takePointerArray(holder, n).map((d) => Domain.fromPointer(this, d)));
  }

  /**
   * The Async form of `defineDomainXML` (`virDomainDefineXMLFlags`).
   * libvirt: [`virDomainDefineXMLFlags`](https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainDefineXMLFlags).
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * const xml = "<domain type='test'><name>a1</name><memory>8192</memory>" +
   *   "<os><type>hvm</type></os></domain>";
   * using dom = await conn.defineDomainXMLAsync(xml);
   * ```
   */
  defineDomainXMLAsync(xml: string, flags = 0): Promise<Domain> {
    const p = this.ptr("define a domain");
    const x = stringArg(xml, "domain XML");
    const f = flagsArg(flags);
    return callPtrAsync(this, "virDomainDefineXMLFlags", p, x, f)
      .then((d) => Domain.fromPointer(this, d));
  }

  /**
   * The Async form of `listAllStoragePools` (`virConnectListAllStoragePools`).
   * libvirt: [`virConnectListAllStoragePools`](https://libvirt.org/html/libvirt-libvirt-storage.html#virConnectListAllStoragePools).
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * console.log((await conn.listAllStoragePoolsAsync()).length);
   * ```
   */
  listAllStoragePoolsAsync(flags = 0): Promise<StoragePool[]> {
    const p = this.ptr("list storage pools");
    const f = flagsArg(flags);
    const holder = new BigUint64Array(1);
    return callIntAsync(this, "virConnectListAllStoragePools", p, holder, f)
      .then((n) => takePointerArray(holder, n).map((x) => StoragePool.fromPointer(this, x)));
  }

  /**
   * The Async form of `listAllNetworks` (`virConnectListAllNetworks`).
   * libvirt: [`virConnectListAllNetworks`](https://libvirt.org/html/libvirt-libvirt-network.html#virConnectListAllNetworks).
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * console.log((await conn.listAllNetworksAsync()).length);
   * ```
   */
  listAllNetworksAsync(flags = 0): Promise<Network[]> {
    const p = this.ptr("list networks");
    const f = flagsArg(flags);
    const holder = new BigUint64Array(1);
    return callIntAsync(this, "virConnectListAllNetworks", p, holder, f)
      .then((n) => takePointerArray(holder, n).map((x) => Network.fromPointer(this, x)));
  }

  /**
   * The Async form of `getNodeInfo` (`virNodeGetInfo`).
   * libvirt: [`virNodeGetInfo`](https://libvirt.org/html/libvirt-libvirt-host.html#virNodeGetInfo).
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * console.log((await conn.getNodeInfoAsync()).cpus);
   * ```
   */
  getNodeInfoAsync(): Promise<NodeInfo> {
    const buf = new Uint8Array(NODE_INFO_SIZE);
    return callIntAsync(this, "virNodeGetInfo", this.ptr("get node info"), buf)
      .then(() => decodeNodeInfo(buf));
  }

  /**
   * The Async form of `getMaxVcpus` (`virConnectGetMaxVcpus`).
   * libvirt: [`virConnectGetMaxVcpus`](https://libvirt.org/html/libvirt-libvirt-host.html#virConnectGetMaxVcpus).
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * console.log(await conn.getMaxVcpusAsync());
   * ```
   */
  getMaxVcpusAsync(type: string | null = null): Promise<number> {
    const p = this.ptr("get max vcpus");
    const t = type === null ? null : stringArg(type, "hypervisor type");
    return callIntAsync(this, "virConnectGetMaxVcpus", p, t);
  }
}
