// Secret: a secret stored by libvirt (virSecretPtr), minimal: identity, usage, value, undefine.
import { callConstString, callInt, callRaw } from "../ffi/call.ts";
import { decodeCString, describe, flagsArg, UUID_STRING_BUFLEN } from "../ffi/marshal.ts";
import type { SecretUsageType } from "../ffi/enums.ts";
import { LibvirtObject } from "./object.ts";
import type { Connection } from "./connection.ts";

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
export class Secret extends LibvirtObject {
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
   * The secret's UUID as a string.
   *
   * @example
   * ```ts ignore
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("qemu:///system"); // test:///default has no secrets
   * const XML = "<secret><usage type='ceph'><name>client.admin</name></usage></secret>";
   * console.log(conn.defineSecretXML(XML).getUUIDString());
   * ```
   */
  getUUIDString(): string {
    const buf = new Uint8Array(UUID_STRING_BUFLEN);
    callInt("virSecretGetUUIDString", this.ptr("get the UUID"), buf);
    return decodeCString(buf);
  }

  /**
   * What the secret is for (`SecretUsageType`: VOLUME, CEPH, ISCSI, TLS, VTPM …).
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
   * The name of what the secret is for (a volume path, a ceph user …).
   *
   * @example
   * ```ts ignore
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("qemu:///system"); // test:///default has no secrets
   * const XML = "<secret><usage type='ceph'><name>client.admin</name></usage></secret>";
   * console.log(conn.defineSecretXML(XML).getUsageID());
   * ```
   */
  getUsageID(): string {
    return callConstString("virSecretGetUsageID", this.ptr("get the usage id"));
  }

  /**
   * Sets the secret's value (raw bytes; encode text with `TextEncoder`).
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
   * Deletes the secret (`virSecretUndefine`). The handle stays valid until `free()`.
   *
   * @example
   * ```ts ignore
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("qemu:///system"); // test:///default has no secrets
   * const XML = "<secret><usage type='ceph'><name>client.admin</name></usage></secret>";
   * conn.defineSecretXML(XML).undefine();
   * ```
   */
  undefine(): void {
    callInt("virSecretUndefine", this.ptr("undefine"));
  }
}
