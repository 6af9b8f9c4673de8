// Domain: one virtual machine (virDomainPtr) — lifecycle, identity, state and configuration.
import { callConstString, callInt, callRaw, callString } from "../ffi/call.ts";
import { lastError } from "../ffi/errors.ts";
import {
  cString,
  decodeCString,
  flagsArg,
  u64Arg,
  UUID_BUFLEN,
  UUID_STRING_BUFLEN,
} from "../ffi/marshal.ts";
import { DomainMetadataType, type DomainState } from "../ffi/enums.ts";
import { LibvirtObject } from "./object.ts";
import type { Connection } from "./connection.ts";
import { decodeDomainInfo, DOMAIN_INFO_SIZE, type DomainInfo } from "./info.ts";
import type { Stream } from "../stream/stream.ts";
import {
  domainOpenChannel,
  domainOpenConsole,
  domainScreenshot,
} from "../stream/domain_streams.ts";

/** What `Domain.getState()` returns. */
export interface DomainStateInfo {
  /** The running state. */
  state: DomainState;
  /** Why it is in that state: a value of the state's reason enum (e.g. `DomainRunningReason`). */
  reason: number;
}

const METADATA_TYPES = new Set<number>(Object.values(DomainMetadataType));

/**
 * A domain (virtual machine) of a connection, `virDomainPtr`. Obtained from `Connection`
 * (`lookupDomainByName`, `listAllDomains`, `defineDomainXML` …); freed when the connection closes.
 *
 * @example
 * ```ts
 * import { Connection } from "./mod.ts";
 * using conn = Connection.open("test:///default");
 * using dom = conn.lookupDomainByName("test");
 * console.log(dom.getName(), dom.getUUIDString(), dom.isActive());
 * ```
 */
export class Domain extends LibvirtObject {
  readonly #conn: Connection;

  private constructor(conn: Connection, ptr: Deno.PointerObject) {
    super(ptr, "virDomainFree", "Domain", conn);
    this.#conn = conn;
  }

  /**
   * @internal Wraps a `virDomainPtr` whose reference the caller hands over (a fresh lookup, or a
   * borrowed pointer after `virDomainRef`). The domain is freed with `conn`.
   *
   * @example
   * ```ts
   * import { Connection, Domain } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * // Only for pointers nobody else will free: here, a lookup's own reference.
   * const dom = conn.lookupDomainByName("test");
   * console.log(dom instanceof Domain);
   * ```
   */
  static fromPointer(conn: Connection, ptr: Deno.PointerObject): Domain {
    if (ptr === null || typeof ptr !== "object") throw new TypeError("Expected a domain pointer");
    if (conn.freed) {
      // The reference is ours to drop; nothing may track it once the connection is gone.
      callRaw("virDomainFree", ptr);
      throw new Error("Cannot wrap a Domain: its Connection was closed");
    }
    return new Domain(conn, ptr);
  }

  /**
   * The connection this domain belongs to.
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * const dom = conn.lookupDomainByName("test");
   * console.log(dom.getConnect() === conn); // true
   * ```
   */
  getConnect(): Connection {
    this.ptr("get its connection");
    return this.#conn;
  }

  /**
   * Starts a defined, inactive domain (`virDomainCreateWithFlags`, `DomainCreateFlags`).
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * const dom = conn.lookupDomainByName("test");
   * dom.destroy();
   * dom.create();
   * ```
   */
  create(flags = 0): void {
    callInt("virDomainCreateWithFlags", this.ptr("create"), flagsArg(flags));
  }

  /**
   * Stops the domain at once, like pulling the plug (`virDomainDestroyFlags`).
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * conn.lookupDomainByName("test").destroy();
   * ```
   */
  destroy(flags = 0): void {
    callInt("virDomainDestroyFlags", this.ptr("destroy"), flagsArg(flags));
  }

  /**
   * Pauses the domain's CPUs (`virDomainSuspend`).
   *
   * @example
   * ```ts
   * import { Connection, DomainState } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * const dom = conn.lookupDomainByName("test");
   * dom.suspend();
   * console.log(dom.getState().state === DomainState.PAUSED); // true
   * ```
   */
  suspend(): void {
    callInt("virDomainSuspend", this.ptr("suspend"));
  }

  /**
   * Resumes a suspended domain (`virDomainResume`).
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * const dom = conn.lookupDomainByName("test");
   * dom.suspend();
   * dom.resume();
   * ```
   */
  resume(): void {
    callInt("virDomainResume", this.ptr("resume"));
  }

  /**
   * Asks the guest to shut down (`virDomainShutdownFlags`, `DomainShutdownFlagValues`).
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * conn.lookupDomainByName("test").shutdown();
   * ```
   */
  shutdown(flags = 0): void {
    callInt("virDomainShutdownFlags", this.ptr("shut down"), flagsArg(flags));
  }

  /**
   * Asks the guest to reboot (`virDomainReboot`, `DomainRebootFlagValues`).
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * conn.lookupDomainByName("test").reboot();
   * ```
   */
  reboot(flags = 0): void {
    callInt("virDomainReboot", this.ptr("reboot"), flagsArg(flags));
  }

  /**
   * Resets the domain like a reset button, without a guest shutdown (`virDomainReset`).
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * conn.lookupDomainByName("test").reset();
   * ```
   */
  reset(): void {
    callInt("virDomainReset", this.ptr("reset"), 0);
  }

  /**
   * Removes the domain's persistent configuration (`virDomainUndefineFlags`). A running domain
   * keeps running, as a transient one. The handle stays valid until `free()`.
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * const dom = conn.lookupDomainByName("test");
   * dom.destroy();
   * dom.undefine();
   * ```
   */
  undefine(flags = 0): void {
    callInt("virDomainUndefineFlags", this.ptr("undefine"), flagsArg(flags));
  }

  /**
   * The domain's name.
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * console.log(conn.lookupDomainByName("test").getName()); // test
   * ```
   */
  getName(): string {
    return callConstString("virDomainGetName", this.ptr("get the name"));
  }

  /**
   * The domain's UUID as a string.
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * console.log(conn.lookupDomainByName("test").getUUIDString());
   * ```
   */
  getUUIDString(): string {
    const buf = new Uint8Array(UUID_STRING_BUFLEN);
    callInt("virDomainGetUUIDString", this.ptr("get the UUID"), buf);
    return decodeCString(buf);
  }

  /**
   * The domain's UUID as its 16 raw bytes.
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * console.log(conn.lookupDomainByName("test").getUUID().length); // 16
   * ```
   */
  getUUID(): Uint8Array {
    const buf = new Uint8Array(UUID_BUFLEN);
    callInt("virDomainGetUUID", this.ptr("get the UUID"), buf);
    return buf;
  }

  /**
   * The hypervisor's id of a running domain, or -1 when the domain is inactive.
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * console.log(conn.lookupDomainByName("test").getID()); // 1
   * ```
   */
  getID(): number {
    // libvirt returns (unsigned int)-1 for an inactive domain; the handle is known valid here,
    // so that value carries no error.
    const id = callRaw("virDomainGetID", this.ptr("get the id"));
    return id === 0xffffffff ? -1 : id;
  }

  /**
   * The domain's state and the reason for it (`virDomainGetState`).
   *
   * @example
   * ```ts
   * import { Connection, DomainState } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * const { state } = conn.lookupDomainByName("test").getState();
   * console.log(state === DomainState.RUNNING); // true
   * ```
   */
  getState(): DomainStateInfo {
    const state = new Int32Array(1);
    const reason = new Int32Array(1);
    callInt("virDomainGetState", this.ptr("get the state"), state, reason, 0);
    return { state: state[0] as DomainState, reason: reason[0] };
  }

  /**
   * State, memory (KiB), vCPU count and CPU time (ns) in one call (`virDomainGetInfo`).
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * const info = conn.lookupDomainByName("test").getInfo();
   * console.log(info.nrVirtCpu, info.memory, info.cpuTime);
   * ```
   */
  getInfo(): DomainInfo {
    const buf = new Uint8Array(DOMAIN_INFO_SIZE);
    callInt("virDomainGetInfo", this.ptr("get info"), buf);
    return decodeDomainInfo(buf);
  }

  /**
   * The domain's XML description (`DomainXMLFlags`).
   *
   * @example
   * ```ts
   * import { Connection, DomainXMLFlags } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * console.log(conn.lookupDomainByName("test").getXMLDesc(DomainXMLFlags.INACTIVE));
   * ```
   */
  getXMLDesc(flags = 0): string {
    return callString("virDomainGetXMLDesc", this.ptr("get the XML"), flagsArg(flags));
  }

  /**
   * The guest's OS type ("hvm", "linux" …).
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * console.log(conn.lookupDomainByName("test").getOSType());
   * ```
   */
  getOSType(): string {
    return callString("virDomainGetOSType", this.ptr("get the OS type"));
  }

  /**
   * Whether the domain is running (or paused).
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * console.log(conn.lookupDomainByName("test").isActive()); // true
   * ```
   */
  isActive(): boolean {
    return callInt("virDomainIsActive", this.ptr("check if active")) === 1;
  }

  /**
   * Whether the domain has a persistent configuration.
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * console.log(conn.lookupDomainByName("test").isPersistent()); // true
   * ```
   */
  isPersistent(): boolean {
    return callInt("virDomainIsPersistent", this.ptr("check if persistent")) === 1;
  }

  /**
   * Whether the running domain's configuration differs from its persistent one.
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * console.log(conn.lookupDomainByName("test").isUpdated());
   * ```
   */
  isUpdated(): boolean {
    return callInt("virDomainIsUpdated", this.ptr("check if updated")) === 1;
  }

  /**
   * Whether the domain starts when the host boots.
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * console.log(conn.lookupDomainByName("test").getAutostart());
   * ```
   */
  getAutostart(): boolean {
    const out = new Int32Array(1);
    callInt("virDomainGetAutostart", this.ptr("get autostart"), out);
    return out[0] !== 0;
  }

  /**
   * Sets whether the domain starts when the host boots.
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * conn.lookupDomainByName("test").setAutostart(true);
   * ```
   */
  setAutostart(autostart: boolean): void {
    if (typeof autostart !== "boolean") throw new TypeError("autostart must be a boolean");
    callInt("virDomainSetAutostart", this.ptr("set autostart"), autostart ? 1 : 0);
  }

  /**
   * Sets the title, description or a custom `<metadata>` element (`DomainMetadataType`); `null`
   * removes it. `key` and `uri` name the custom element's namespace (null for title/description).
   *
   * @example
   * ```ts
   * import { Connection, DomainMetadataType } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * const dom = conn.lookupDomainByName("test");
   * dom.setMetadata(DomainMetadataType.TITLE, "web server", null, null, 0);
   * ```
   */
  setMetadata(
    type: DomainMetadataType,
    metadata: string | null,
    key: string | null = null,
    uri: string | null = null,
    flags = 0,
  ): void {
    const t = metadataType(type);
    const args = [cString(metadata), cString(key), cString(uri)] as const;
    callInt("virDomainSetMetadata", this.ptr("set metadata"), t, ...args, flagsArg(flags));
  }

  /**
   * Reads the title, description or a custom `<metadata>` element (by namespace `uri`).
   *
   * @example
   * ```ts
   * import { Connection, DomainMetadataType } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * const dom = conn.lookupDomainByName("test");
   * dom.setMetadata(DomainMetadataType.DESCRIPTION, "hello");
   * console.log(dom.getMetadata(DomainMetadataType.DESCRIPTION)); // hello
   * ```
   */
  getMetadata(type: DomainMetadataType, uri: string | null = null, flags = 0): string {
    const t = metadataType(type);
    const u = cString(uri);
    return callString("virDomainGetMetadata", this.ptr("get metadata"), t, u, flagsArg(flags));
  }

  /**
   * Changes the memory the domain uses, in KiB (`virDomainSetMemory`).
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * conn.lookupDomainByName("test").setMemory(1024 * 1024);
   * ```
   */
  setMemory(kib: number | bigint): void {
    const v = u64Arg(kib, "memory (KiB)");
    callInt("virDomainSetMemory", this.ptr("set memory"), v);
  }

  /**
   * The most memory the domain may use, in KiB.
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * console.log(conn.lookupDomainByName("test").getMaxMemory());
   * ```
   */
  getMaxMemory(): number {
    // libvirt signals failure with 0 here, not -1.
    const r = callRaw("virDomainGetMaxMemory", this.ptr("get max memory"));
    if (Number(r) === 0) throw lastError("virDomainGetMaxMemory");
    return Number(r);
  }

  /**
   * Saves the domain's memory to a file libvirt manages and stops it; the next `create()`
   * restores it (`virDomainManagedSave`).
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * const dom = conn.lookupDomainByName("test");
   * dom.managedSave();
   * console.log(dom.hasManagedSaveImage()); // true
   * ```
   */
  managedSave(flags = 0): void {
    callInt("virDomainManagedSave", this.ptr("managed-save"), flagsArg(flags));
  }

  /**
   * Whether a managed save image exists.
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * console.log(conn.lookupDomainByName("test").hasManagedSaveImage()); // false
   * ```
   */
  hasManagedSaveImage(): boolean {
    return callInt("virDomainHasManagedSaveImage", this.ptr("check the managed save image"), 0) ===
      1;
  }

  /**
   * Deletes the managed save image, so the next start is a fresh boot.
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * const dom = conn.lookupDomainByName("test");
   * dom.managedSave();
   * dom.managedSaveRemove();
   * ```
   */
  managedSaveRemove(): void {
    callInt("virDomainManagedSaveRemove", this.ptr("remove the managed save image"), 0);
  }

  /**
   * Takes a screenshot of `screen` into `stream` (`virDomainScreenshot`); returns its MIME
   * type. Read the image from the stream, then finish() it.
   *
   * @example
   * ```ts
   * import { Connection, Stream } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * using st = new Stream(conn);
   * const mime = conn.lookupDomainByName("test").screenshot(st, 0);
   * const image = await new Response(st.readable).bytes();
   * console.log(mime, image.length);
   * ```
   */
  screenshot(stream: Stream, screen: number, flags = 0): string {
    return domainScreenshot(this.ptr("take a screenshot"), stream, screen, flags);
  }

  /**
   * Connects `stream` to the console `devName` (`null`: the first console or serial port)
   * (`virDomainOpenConsole`, flags `DomainConsoleFlags`).
   *
   * @example
   * ```ts
   * import { Domain, Stream } from "./mod.ts";
   * declare const dom: Domain;
   * const st = new Stream(dom.getConnect(), Stream.NONBLOCK);
   * dom.openConsole(null, st);
   * await st.readable.pipeTo(Deno.stdout.writable);
   * ```
   */
  openConsole(devName: string | null, stream: Stream, flags = 0): void {
    domainOpenConsole(this.ptr("open a console"), devName, stream, flags);
  }

  /**
   * Connects `stream` to the channel `name` (`null`: the first channel)
   * (`virDomainOpenChannel`, flags `DomainChannelFlags`).
   *
   * @example
   * ```ts
   * import { Domain, Stream } from "./mod.ts";
   * declare const dom: Domain;
   * const st = new Stream(dom.getConnect(), Stream.NONBLOCK);
   * dom.openChannel("org.qemu.guest_agent.0", st);
   * ```
   */
  openChannel(name: string | null, stream: Stream, flags = 0): void {
    domainOpenChannel(this.ptr("open a channel"), name, stream, flags);
  }
}

function metadataType(type: number): number {
  if (!METADATA_TYPES.has(type)) {
    throw new TypeError(`Metadata type must be a DomainMetadataType, got ${String(type)}`);
  }
  return type;
}
