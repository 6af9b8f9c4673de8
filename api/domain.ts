// Domain: one virtual machine (virDomainPtr) — lifecycle, identity, state and configuration.
import { callInt, callRaw, callString } from "../ffi/call.ts";
import { callCheckedAsync, callIntAsync, callStringAsync } from "../ffi/call_async.ts";
import { abortable, type AsyncJobOptions, jobSignal } from "../ffi/abort.ts";
import { lastError } from "../ffi/errors.ts";
import { cString, flagsArg } from "../ffi/marshal.ts";
import { DomainMetadataType, type DomainState } from "../ffi/enums.ts";
import { DomainOverrides } from "./domain_overrides.ts";
import type { Connection } from "./connection.ts";
import { decodeDomainInfo, DOMAIN_INFO_SIZE, type DomainInfo } from "./info.ts";
import type { Stream } from "../stream/stream.ts";
import {
  domainOpenChannel,
  domainOpenChannelAsync,
  domainOpenConsole,
  domainOpenConsoleAsync,
  domainScreenshot,
  domainScreenshotAsync,
} from "../stream/domain_streams.ts";
import {
  lxcOpenNamespace,
  lxcOpenNamespaceAsync,
  qemuAgentCommandAsync,
  qemuMonitorCommand,
  qemuMonitorCommandAsync,
  type QemuMonitorCommandResult,
  qemuMonitorCommandWithFiles,
  qemuMonitorCommandWithFilesAsync,
} from "./qemu.ts";

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
export class Domain extends DomainOverrides {
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
   * libvirt: [`virDomainGetConnect`](https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainGetConnect).
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
   * libvirt: [`virDomainCreateWithFlags`](https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainCreateWithFlags).
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
    // flags 0: virDomainCreate, which older daemons know too; the same call otherwise.
    const f = flagsArg(flags);
    if (f === 0) callInt("virDomainCreate", this.ptr("create"));
    else callInt("virDomainCreateWithFlags", this.ptr("create"), f);
  }

  /**
   * Stops the domain at once, like pulling the plug (`virDomainDestroyFlags`).
   * libvirt: [`virDomainDestroyFlags`](https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainDestroyFlags).
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * conn.lookupDomainByName("test").destroy();
   * ```
   */
  destroy(flags = 0): void {
    const f = flagsArg(flags);
    if (f === 0) callInt("virDomainDestroy", this.ptr("destroy"));
    else callInt("virDomainDestroyFlags", this.ptr("destroy"), f);
  }

  /**
   * Asks the guest to shut down (`virDomainShutdownFlags`, `DomainShutdownFlagValues`).
   * libvirt: [`virDomainShutdownFlags`](https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainShutdownFlags).
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * conn.lookupDomainByName("test").shutdown();
   * ```
   */
  shutdown(flags = 0): void {
    const f = flagsArg(flags);
    if (f === 0) callInt("virDomainShutdown", this.ptr("shut down"));
    else callInt("virDomainShutdownFlags", this.ptr("shut down"), f);
  }

  /**
   * Removes the domain's persistent configuration (`virDomainUndefineFlags`). A running domain
   * keeps running, as a transient one. The handle stays valid until `free()`.
   * libvirt: [`virDomainUndefineFlags`](https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainUndefineFlags).
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
    const f = flagsArg(flags);
    if (f === 0) callInt("virDomainUndefine", this.ptr("undefine"));
    else callInt("virDomainUndefineFlags", this.ptr("undefine"), f);
  }

  /**
   * The hypervisor's id of a running domain, or -1 when the domain is inactive.
   * libvirt: [`virDomainGetID`](https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainGetID).
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
   * libvirt: [`virDomainGetState`](https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainGetState).
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
   * libvirt: [`virDomainGetInfo`](https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainGetInfo).
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
   * Sets whether the domain starts when the host boots.
   * libvirt: [`virDomainSetAutostart`](https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainSetAutostart).
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
   * libvirt: [`virDomainSetMetadata`](https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainSetMetadata).
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
   * libvirt: [`virDomainGetMetadata`](https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainGetMetadata).
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
   * The most memory the domain may use, in KiB.
   * libvirt: [`virDomainGetMaxMemory`](https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainGetMaxMemory).
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
   * Takes a screenshot of `screen` into `stream` (`virDomainScreenshot`); returns its MIME
   * type. Read the image from the stream, then finish() it.
   * libvirt: [`virDomainScreenshot`](https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainScreenshot).
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
   * libvirt: [`virDomainOpenConsole`](https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainOpenConsole).
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
   * libvirt: [`virDomainOpenChannel`](https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainOpenChannel).
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

  /**
   * The Async form of `screenshot` (`virDomainScreenshot`): resolves with the MIME type once
   * the stream carries the image.
   * libvirt: [`virDomainScreenshot`](https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainScreenshot).
   *
   * @example
   * ```ts
   * import { Connection, Stream } from "./mod.ts";
   * using conn = await Connection.openAsync("test:///default");
   * using st = new Stream(conn);
   * const mime = await conn.lookupDomainByName("test").screenshotAsync(st, 0);
   * console.log(mime, (await new Response(st.readable).bytes()).length);
   * ```
   */
  screenshotAsync(stream: Stream, screen: number, flags = 0): Promise<string> {
    return domainScreenshotAsync(this, this.ptr("take a screenshot"), stream, screen, flags);
  }

  /**
   * The Async form of `openConsole` (`virDomainOpenConsole`).
   * libvirt: [`virDomainOpenConsole`](https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainOpenConsole).
   *
   * @example
   * ```ts
   * import { Domain, Stream } from "./mod.ts";
   * declare const dom: Domain;
   * const st = new Stream(dom.getConnect(), Stream.NONBLOCK);
   * await dom.openConsoleAsync(null, st);
   * await st.readable.pipeTo(Deno.stdout.writable);
   * ```
   */
  openConsoleAsync(devName: string | null, stream: Stream, flags = 0): Promise<void> {
    return domainOpenConsoleAsync(this, this.ptr("open a console"), devName, stream, flags);
  }

  /**
   * The Async form of `openChannel` (`virDomainOpenChannel`).
   * libvirt: [`virDomainOpenChannel`](https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainOpenChannel).
   *
   * @example
   * ```ts
   * import { Domain, Stream } from "./mod.ts";
   * declare const dom: Domain;
   * const st = new Stream(dom.getConnect(), Stream.NONBLOCK);
   * await dom.openChannelAsync("org.qemu.guest_agent.0", st);
   * ```
   */
  openChannelAsync(name: string | null, stream: Stream, flags = 0): Promise<void> {
    return domainOpenChannelAsync(this, this.ptr("open a channel"), name, stream, flags);
  }

  // ---- libvirt-qemu, libvirt-lxc (loaded from their own libraries on first use)

  /**
   * Sends a command to the domain's QEMU monitor and returns QEMU's reply
   * (`virDomainQemuMonitorCommand`; QMP JSON, or HMP text with
   * `DomainQemuMonitorCommandFlags.HMP`). Bypasses libvirt: for debugging and what libvirt lacks.
   * libvirt: [`virDomainQemuMonitorCommand`](https://libvirt.org/html/libvirt-libvirt-qemu.html#virDomainQemuMonitorCommand).
   *
   * @example
   * ```ts
   * import { Domain } from "./mod.ts";
   * declare const dom: Domain; // a running QEMU domain
   * console.log(dom.qemuMonitorCommand('{"execute":"query-status"}'));
   * ```
   */
  qemuMonitorCommand(cmd: string, flags = 0): string {
    this.ptr("send a monitor command");
    return qemuMonitorCommand(this, cmd, flags);
  }

  /**
   * The same, passing file descriptors to QEMU and returning the ones it passes back
   * (`virDomainQemuMonitorCommandWithFiles`).
   * libvirt: [`virDomainQemuMonitorCommandWithFiles`](https://libvirt.org/html/libvirt-libvirt-qemu.html#virDomainQemuMonitorCommandWithFiles).
   *
   * @example
   * ```ts
   * import { Domain } from "./mod.ts";
   * declare const dom: Domain;
   * const { result, outfiles } = dom.qemuMonitorCommandWithFiles('{"execute":"query-status"}', []);
   * console.log(result, outfiles);
   * ```
   */
  qemuMonitorCommandWithFiles(
    cmd: string,
    infiles: readonly number[],
    flags = 0,
  ): QemuMonitorCommandResult {
    this.ptr("send a monitor command");
    return qemuMonitorCommandWithFiles(this, cmd, infiles, flags);
  }

  /**
   * The Async form of `qemuMonitorCommand` (`virDomainQemuMonitorCommand`).
   * libvirt: [`virDomainQemuMonitorCommand`](https://libvirt.org/html/libvirt-libvirt-qemu.html#virDomainQemuMonitorCommand).
   *
   * @example
   * ```ts
   * import { Domain } from "./mod.ts";
   * declare const dom: Domain; // a running QEMU domain
   * console.log(await dom.qemuMonitorCommandAsync('{"execute":"query-status"}'));
   * ```
   */
  qemuMonitorCommandAsync(cmd: string, flags = 0): Promise<string> {
    this.ptr("send a monitor command");
    return qemuMonitorCommandAsync(this, cmd, flags);
  }

  /**
   * The Async form of `qemuMonitorCommandWithFiles` (`virDomainQemuMonitorCommandWithFiles`).
   * libvirt: [`virDomainQemuMonitorCommandWithFiles`](https://libvirt.org/html/libvirt-libvirt-qemu.html#virDomainQemuMonitorCommandWithFiles).
   *
   * @example
   * ```ts
   * import { Domain } from "./mod.ts";
   * declare const dom: Domain;
   * const { result } = await dom.qemuMonitorCommandWithFilesAsync('{"execute":"stop"}', []);
   * console.log(result);
   * ```
   */
  qemuMonitorCommandWithFilesAsync(
    cmd: string,
    infiles: readonly number[],
    flags = 0,
  ): Promise<QemuMonitorCommandResult> {
    this.ptr("send a monitor command");
    return qemuMonitorCommandWithFilesAsync(this, cmd, infiles, flags);
  }

  /**
   * The Async form of `qemuAgentCommand` (`virDomainQemuAgentCommand`): the guest agent may
   * take up to `timeout` seconds (-2 blocks, -1 libvirt's default, 0 does not wait), during
   * which Deno's loop keeps running.
   * libvirt: [`virDomainQemuAgentCommand`](https://libvirt.org/html/libvirt-libvirt-qemu.html#virDomainQemuAgentCommand).
   *
   * @example
   * ```ts
   * import { Domain } from "./mod.ts";
   * declare const dom: Domain; // a guest running qemu-guest-agent
   * console.log(await dom.qemuAgentCommandAsync('{"execute":"guest-ping"}', 5));
   * ```
   */
  qemuAgentCommandAsync(cmd: string, timeout: number, flags = 0): Promise<string> {
    this.ptr("send an agent command");
    return qemuAgentCommandAsync(this, cmd, timeout, flags);
  }

  /**
   * File descriptors of an LXC container's namespaces (`virDomainLxcOpenNamespace`); the caller
   * closes them.
   * libvirt: [`virDomainLxcOpenNamespace`](https://libvirt.org/html/libvirt-libvirt-lxc.html#virDomainLxcOpenNamespace).
   *
   * @example
   * ```ts
   * import { Domain } from "./mod.ts";
   * declare const dom: Domain; // an lxc:/// domain
   * console.log(dom.lxcOpenNamespace());
   * ```
   */
  lxcOpenNamespace(flags = 0): number[] {
    this.ptr("open its namespaces");
    return lxcOpenNamespace(this, flags);
  }

  /**
   * The Async form of `lxcOpenNamespace` (`virDomainLxcOpenNamespace`).
   * libvirt: [`virDomainLxcOpenNamespace`](https://libvirt.org/html/libvirt-libvirt-lxc.html#virDomainLxcOpenNamespace).
   *
   * @example
   * ```ts
   * import { Domain } from "./mod.ts";
   * declare const dom: Domain; // an lxc:/// domain
   * console.log(await dom.lxcOpenNamespaceAsync());
   * ```
   */
  lxcOpenNamespaceAsync(flags = 0): Promise<number[]> {
    this.ptr("open its namespaces");
    return lxcOpenNamespaceAsync(this, flags);
  }
  // ---- Async forms of the hand-written calls above (ffi/call_async.ts): the same libvirt calls
  // on Deno's thread pool, one at a time per connection, in the order they were made.

  /**
   * The Async form of `create` (`virDomainCreateWithFlags`): the call runs off the JS thread.
   * libvirt: [`virDomainCreateWithFlags`](https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainCreateWithFlags).
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * using dom = conn.lookupDomainByName("test");
   * await dom.destroyAsync();
   * await dom.createAsync();
   * ```
   */
  createAsync(flags = 0): Promise<void> {
    const p = this.ptr("create");
    return callIntAsync(this, "virDomainCreateWithFlags", p, flagsArg(flags)).then(done);
  }

  /**
   * The Async form of `destroy` (`virDomainDestroyFlags`).
   * libvirt: [`virDomainDestroyFlags`](https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainDestroyFlags).
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * await conn.lookupDomainByName("test").destroyAsync();
   * ```
   */
  destroyAsync(flags = 0): Promise<void> {
    const p = this.ptr("destroy");
    return callIntAsync(this, "virDomainDestroyFlags", p, flagsArg(flags)).then(done);
  }

  /**
   * The Async form of `shutdown` (`virDomainShutdownFlags`).
   * libvirt: [`virDomainShutdownFlags`](https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainShutdownFlags).
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * await conn.lookupDomainByName("test").shutdownAsync();
   * ```
   */
  shutdownAsync(flags = 0): Promise<void> {
    const p = this.ptr("shut down");
    return callIntAsync(this, "virDomainShutdownFlags", p, flagsArg(flags)).then(done);
  }

  /**
   * The Async form of `undefine` (`virDomainUndefineFlags`).
   * libvirt: [`virDomainUndefineFlags`](https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainUndefineFlags).
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * const dom = conn.lookupDomainByName("test");
   * await dom.destroyAsync();
   * await dom.undefineAsync();
   * ```
   */
  undefineAsync(flags = 0): Promise<void> {
    const p = this.ptr("undefine");
    return callIntAsync(this, "virDomainUndefineFlags", p, flagsArg(flags)).then(done);
  }

  /**
   * The Async form of `getState` (`virDomainGetState`).
   * libvirt: [`virDomainGetState`](https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainGetState).
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * console.log((await conn.lookupDomainByName("test").getStateAsync()).state);
   * ```
   */
  getStateAsync(): Promise<DomainStateInfo> {
    const state = new Int32Array(1);
    const reason = new Int32Array(1);
    const p = this.ptr("get the state");
    return callIntAsync(this, "virDomainGetState", p, state, reason, 0)
      .then(() => ({ state: state[0] as DomainState, reason: reason[0] }));
  }

  /**
   * The Async form of `getInfo` (`virDomainGetInfo`).
   * libvirt: [`virDomainGetInfo`](https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainGetInfo).
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * console.log((await conn.lookupDomainByName("test").getInfoAsync()).nrVirtCpu);
   * ```
   */
  getInfoAsync(): Promise<DomainInfo> {
    const buf = new Uint8Array(DOMAIN_INFO_SIZE);
    return callIntAsync(this, "virDomainGetInfo", this.ptr("get info"), buf)
      .then(() => decodeDomainInfo(buf));
  }

  /**
   * The Async form of `setAutostart` (`virDomainSetAutostart`).
   * libvirt: [`virDomainSetAutostart`](https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainSetAutostart).
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * await conn.lookupDomainByName("test").setAutostartAsync(true);
   * ```
   */
  setAutostartAsync(autostart: boolean): Promise<void> {
    const p = this.ptr("set autostart");
    if (typeof autostart !== "boolean") throw new TypeError("autostart must be a boolean");
    return callIntAsync(this, "virDomainSetAutostart", p, autostart ? 1 : 0).then(done);
  }

  /**
   * The Async form of `setMetadata` (`virDomainSetMetadata`).
   * libvirt: [`virDomainSetMetadata`](https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainSetMetadata).
   *
   * @example
   * ```ts
   * import { Connection, DomainMetadataType } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * await conn.lookupDomainByName("test").setMetadataAsync(DomainMetadataType.TITLE, "web");
   * ```
   */
  setMetadataAsync(
    type: DomainMetadataType,
    metadata: string | null,
    key: string | null = null,
    uri: string | null = null,
    flags = 0,
  ): Promise<void> {
    const p = this.ptr("set metadata");
    const t = metadataType(type);
    const args = [cString(metadata), cString(key), cString(uri)] as const;
    return callIntAsync(this, "virDomainSetMetadata", p, t, ...args, flagsArg(flags)).then(done);
  }

  /**
   * The Async form of `getMetadata` (`virDomainGetMetadata`).
   * libvirt: [`virDomainGetMetadata`](https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainGetMetadata).
   *
   * @example
   * ```ts
   * import { Connection, DomainMetadataType } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * using dom = conn.lookupDomainByName("test");
   * await dom.setMetadataAsync(DomainMetadataType.TITLE, "web");
   * console.log(await dom.getMetadataAsync(DomainMetadataType.TITLE)); // web
   * ```
   */
  getMetadataAsync(
    type: DomainMetadataType,
    uri: string | null = null,
    flags = 0,
  ): Promise<string> {
    const p = this.ptr("get metadata");
    const t = metadataType(type);
    const u = cString(uri);
    return callStringAsync(this, "virDomainGetMetadata", p, t, u, flagsArg(flags));
  }

  /**
   * The Async form of `getMaxMemory` (`virDomainGetMaxMemory`), in KiB.
   * libvirt: [`virDomainGetMaxMemory`](https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainGetMaxMemory).
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * console.log(await conn.lookupDomainByName("test").getMaxMemoryAsync());
   * ```
   */
  getMaxMemoryAsync(): Promise<number> {
    // libvirt signals failure with 0 here, not -1.
    const p = this.ptr("get max memory");
    return callCheckedAsync(this, "virDomainGetMaxMemory", (r) => r !== 0n, p).then(Number);
  }

  /**
   * The Async form of `save` (`virDomainSave`), cancellable: aborting `options.signal` aborts
   * the save (`virDomainAbortJob`) and the Promise rejects with the signal's reason.
   * libvirt: [`virDomainSave`](https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainSave).
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * using dom = conn.lookupDomainByName("test");
   * await dom.saveAsync("/tmp/test.save", { signal: AbortSignal.timeout(60_000) });
   * ```
   */
  override saveAsync(to: string, options: AsyncJobOptions = {}): Promise<void> {
    this.ptr("save");
    return abortable(() => super.saveAsync(to), jobSignal(options), () => this.abortJobAsync());
  }

  /**
   * The Async form of `managedSave` (`virDomainManagedSave`), cancellable like `saveAsync`.
   * libvirt: [`virDomainManagedSave`](https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainManagedSave).
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * using dom = conn.lookupDomainByName("test");
   * await dom.managedSaveAsync(0, { signal: AbortSignal.timeout(60_000) });
   * ```
   */
  override managedSaveAsync(flags = 0, options: AsyncJobOptions = {}): Promise<void> {
    this.ptr("save");
    return abortable(
      () => super.managedSaveAsync(flags),
      jobSignal(options),
      () => this.abortJobAsync(),
    );
  }

  /**
   * The Async form of `coreDump` (`virDomainCoreDump`), cancellable like `saveAsync`.
   * libvirt: [`virDomainCoreDump`](https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainCoreDump).
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * using dom = conn.lookupDomainByName("test");
   * await dom.coreDumpAsync("/tmp/test.core", 0, { signal: AbortSignal.timeout(60_000) });
   * ```
   */
  override coreDumpAsync(to: string, flags = 0, options: AsyncJobOptions = {}): Promise<void> {
    this.ptr("dump");
    return abortable(
      () => super.coreDumpAsync(to, flags),
      jobSignal(options),
      () => this.abortJobAsync(),
    );
  }
}

// Settles an async form that has no result.
function done(): void {}

function metadataType(type: number): number {
  if (!METADATA_TYPES.has(type)) {
    throw new TypeError(`Metadata type must be a DomainMetadataType, got ${String(type)}`);
  }
  return type;
}
