// Secret: a secret stored by libvirt (virSecretPtr), minimal: identity, usage, value, undefine.
import { callInt, callPtr, callRaw } from "../ffi/call.ts";
import { callIntAsync, callPtrAsync } from "../ffi/call_async.ts";
import { describe, flagsArg } from "../ffi/marshal.ts";
import type { SecretUsageType } from "../ffi/enums.ts";
import { SecretGenerated } from "./generated/secret.ts";
import type { Connection } from "./connection.ts";
import { libc } from "../ffi/libc.ts";

/**
 * A secret (a passphrase, a key) kept by libvirt, `virSecretPtr`. Obtained from `Connection`
 * (`defineSecretXML`, `lookupSecretByUUIDString`) or a secret event; freed when the connection
 * closes.
 *
 * @example
 * ```ts ignore
 * import { Connection } from "./mod.ts";
 * using conn = Connection.open("qemu:///system"); // test:///default has no secrets
 * using secret = conn.defineSecretXML(
 *   "<secret ephemeral='no' private='yes'><usage type='ceph'><name>client.admin</name></usage></secret>",
 * );
 * console.log(secret.getUUIDString(), secret.getUsageID());
 * ```
 */
export class Secret extends SecretGenerated {
  readonly #conn: Connection;

  private constructor(conn: Connection, ptr: Deno.PointerObject) {
    super(ptr, "virSecretFree", "Secret", conn);
    this.#conn = conn;
  }

  /**
   * @internal Wraps a `virSecretPtr` whose reference the caller hands over (a fresh lookup, or a
   * borrowed pointer after `virSecretRef`). The secret is freed with `conn`.
   *
   * @example
   * ```ts ignore
   * import { Connection, Secret } from "./mod.ts";
   * using conn = Connection.open("qemu:///system"); // test:///default has no secrets
   * const s = conn.defineSecretXML("<secret><usage type='ceph'><name>c</name></usage></secret>");
   * console.log(s instanceof Secret);
   * ```
   */
  static fromPointer(conn: Connection, ptr: Deno.PointerObject): Secret {
    if (ptr === null || typeof ptr !== "object") throw new TypeError("Expected a secret pointer");
    if (conn.freed) {
      callRaw("virSecretFree", ptr);
      throw new Error("Cannot wrap a Secret: its Connection was closed");
    }
    return new Secret(conn, ptr);
  }

  /**
   * The connection this secret belongs to.
   *
   * @example
   * ```ts ignore
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("qemu:///system"); // test:///default has no secrets
   * const XML = "<secret><usage type='ceph'><name>client.admin</name></usage></secret>";
   * console.log(conn.defineSecretXML(XML).getConnect() === conn); // true
   * ```
   */
  getConnect(): Connection {
    this.ptr("get its connection");
    return this.#conn;
  }

  /**
   * What the secret is for (`SecretUsageType`: VOLUME, CEPH, ISCSI, TLS, VTPM …).
   * libvirt: [`virSecretGetUsageType`](https://libvirt.org/html/libvirt-libvirt-secret.html#virSecretGetUsageType).
   *
   * @example
   * ```ts ignore
   * import { Connection, SecretUsageType } from "./mod.ts";
   * using conn = Connection.open("qemu:///system"); // test:///default has no secrets
   * const XML = "<secret><usage type='ceph'><name>client.admin</name></usage></secret>";
   * const s = conn.defineSecretXML(XML);
   * console.log(s.getUsageType() === SecretUsageType.CEPH); // true
   * ```
   */
  getUsageType(): SecretUsageType {
    return callInt("virSecretGetUsageType", this.ptr("get the usage type")) as SecretUsageType;
  }

  /**
   * Sets the secret's value (raw bytes; encode text with `TextEncoder`).
   * libvirt: [`virSecretSetValue`](https://libvirt.org/html/libvirt-libvirt-secret.html#virSecretSetValue).
   *
   * @example
   * ```ts ignore
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("qemu:///system"); // test:///default has no secrets
   * const XML = "<secret><usage type='ceph'><name>client.admin</name></usage></secret>";
   * const s = conn.defineSecretXML(XML);
   * s.setValue(new TextEncoder().encode("hunter2"));
   * ```
   */
  setValue(value: Uint8Array, flags = 0): void {
    if (!(value instanceof Uint8Array)) {
      throw new TypeError(`A secret value must be a Uint8Array, got ${describe(value)}`);
    }
    const f = flagsArg(flags);
    // A copy: libvirt reads the bytes during the call only, and a detached or shared buffer
    // must not reach C.
    const bytes = value.slice();
    callInt("virSecretSetValue", this.ptr("set the value"), bytes, BigInt(bytes.length), f);
  }

  /**
   * The secret's value (`virSecretGetValue`); a private secret refuses to be read.
   * libvirt: [`virSecretGetValue`](https://libvirt.org/html/libvirt-libvirt-secret.html#virSecretGetValue).
   *
   * @example
   * ```ts ignore
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("qemu:///system"); // test:///default has no secrets
   * const s = conn.defineSecretXML("<secret><usage type='ceph'><name>a</name></usage></secret>");
   * s.setValue(new TextEncoder().encode("hunter2"));
   * console.log(new TextDecoder().decode(s.getValue())); // hunter2
   * ```
   */
  getValue(flags = 0): Uint8Array {
    const f = flagsArg(flags);
    const size = new BigUint64Array(1);
    const p = callPtr("virSecretGetValue", this.ptr("get the value"), size, f);
    try {
      return new Uint8Array(Deno.UnsafePointerView.getArrayBuffer(p, Number(size[0]))).slice();
    } finally {
      libc().symbols.free(p);
    }
  }

  // ---- Async forms of the hand-written calls above (ffi/call_async.ts): the same libvirt calls
  // on Deno's thread pool, one at a time per connection, in the order they were made.

  /**
   * The Async form of `setValue` (`virSecretSetValue`).
   * libvirt: [`virSecretSetValue`](https://libvirt.org/html/libvirt-libvirt-secret.html#virSecretSetValue).
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * const s = conn.defineSecretXML("<secret ephemeral='no' private='no'/>");
   * await s.setValueAsync(new TextEncoder().encode("pw"));
   * ```
   */
  setValueAsync(value: Uint8Array, flags = 0): Promise<void> {
    const p = this.ptr("set the value");
    if (!(value instanceof Uint8Array)) {
      throw new TypeError(`A secret value must be a Uint8Array, got ${describe(value)}`);
    }
    const f = flagsArg(flags);
    const bytes = value.slice(); // referenced by call_async until the call settles
    return callIntAsync(this, "virSecretSetValue", p, bytes, BigInt(bytes.length), f)
      .then(() => {});
  }

  /**
   * The Async form of `getValue` (`virSecretGetValue`).
   * libvirt: [`virSecretGetValue`](https://libvirt.org/html/libvirt-libvirt-secret.html#virSecretGetValue).
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * const s = conn.defineSecretXML("<secret ephemeral='no' private='no'/>");
   * await s.setValueAsync(new TextEncoder().encode("pw"));
   * console.log(new TextDecoder().decode(await s.getValueAsync())); // pw
   * ```
   */
  getValueAsync(flags = 0): Promise<Uint8Array> {
    const f = flagsArg(flags);
    const size = new BigUint64Array(1);
    return callPtrAsync(this, "virSecretGetValue", this.ptr("get the value"), size, f).then((p) => {
      try {
        return new Uint8Array(Deno.UnsafePointerView.getArrayBuffer(p, Number(size[0]))).slice();
      } finally {
        libc().symbols.free(p);
      }
    });
  }
}
