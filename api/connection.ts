// Connection: opening, closing and describing a hypervisor connection (virConnect*).
import { callConstString, callInt, callPtr, callString } from "../ffi/call.ts";
import { cString, flagsArg, intArg, mallocCopy } from "../ffi/marshal.ts";
import { OpaqueRegistry, permanentCallback, reportCallbackError } from "../ffi/callbacks.ts";
import type { ConnectCloseReason } from "../ffi/enums.ts";
import { LibvirtObject } from "./object.ts";
import { log } from "../log.ts";
import { markConnectionOpening } from "../event/state.ts";

/** Options for `Connection.open`. */
export interface OpenOptions {
  /** Open read-only (`virConnectOpenReadOnly`): queries work, changes are refused. */
  readOnly?: boolean;
  /** Answers credential prompts (`virConnectOpenAuth`), for URIs whose server asks for them. */
  auth?: AuthOptions;
}

/** One credential libvirt asks for (`virConnectCredential`). */
export interface Credential {
  /** `ConnectCredentialType` (USERNAME, PASSPHRASE, …). */
  type: number;
  /** The prompt libvirt shows. */
  prompt: string;
  /** A challenge, for some types. */
  challenge: string | null;
  /** The default answer libvirt proposes. */
  defaultResult: string | null;
}

/** How credentials are answered when the URI's server asks for them. */
export interface AuthOptions {
  /** The credential types the callback can answer (`ConnectCredentialType` values). */
  credTypes: number[];
  /** Returns an answer per credential, in order; `null` leaves one unanswered. */
  callback: (creds: Credential[]) => (string | null)[];
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

  protected override beforeRelease(): void {
    if (this.#closeId !== 0) this.unregisterCloseCallback();
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
   * The driver's name ("Test", "QEMU", …).
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * console.log(conn.getType()); // Test
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
   * ```ts
   * import { Connection, Event } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * // test:///default is local: libvirt accepts the call and has nothing to probe.
   * console.log(conn.setKeepAlive(5, 3));
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
}

// virConnectCredential: int type; const char *prompt, *challenge, *defresult; char *result;
// unsigned int resultlen — 48 bytes on 64-bit platforms.
const CRED_SIZE = 48;

function openAuth(name: Uint8Array | null, auth: AuthOptions, flags: number): Deno.PointerObject {
  if (!Array.isArray(auth.credTypes) || typeof auth.callback !== "function") {
    throw new TypeError("auth needs credTypes (number[]) and callback (function)");
  }
  const credTypes = new Int32Array(auth.credTypes.map((t) => intArg(t, "credential type")));
  // libvirt frees each `result` with free(), so answers are copied into malloc'd memory.
  const cb = new Deno.UnsafeCallback(
    { parameters: ["pointer", "u32", "pointer"], result: "i32" } as const,
    (credPtr, ncred) => {
      try {
        if (credPtr === null) return -1;
        const view = new Deno.UnsafePointerView(credPtr);
        const creds: Credential[] = [];
        for (let i = 0; i < ncred; i++) {
          const o = i * CRED_SIZE;
          const str = (off: number) => {
            const p = view.getPointer(o + off);
            return p === null ? null : Deno.UnsafePointerView.getCString(p);
          };
          creds.push({
            type: view.getInt32(o),
            prompt: str(8) ?? "",
            challenge: str(16),
            defaultResult: str(24),
          });
        }
        const answers = auth.callback(creds);
        const buf = new Deno.UnsafePointerView(credPtr);
        for (let i = 0; i < ncred; i++) {
          const answer = answers[i];
          if (answer === null || answer === undefined) continue;
          const bytes = cString(String(answer));
          const mem = mallocCopy(bytes);
          const o = i * CRED_SIZE;
          const cell = new BigUint64Array(buf.getArrayBuffer(CRED_SIZE, o));
          cell[4] = BigInt(Deno.UnsafePointer.value(mem));
          new Uint32Array(cell.buffer, 40, 1)[0] = bytes.length - 1;
        }
        return 0;
      } catch (e) {
        reportCallbackError("auth callback", e);
        return -1;
      }
    },
  );
  try {
    // virConnectAuth: int *credtype; unsigned int ncredtype; callback; void *cbdata.
    const st = new BigUint64Array(4);
    st[0] = BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(credTypes)));
    st[1] = BigInt(credTypes.length);
    st[2] = BigInt(Deno.UnsafePointer.value(cb.pointer));
    st[3] = 0n;
    return callPtr("virConnectOpenAuth", name, Deno.UnsafePointer.of(st), flagsArg(flags));
  } finally {
    // The callback is only used during the open call, which has returned.
    cb.close();
  }
}
