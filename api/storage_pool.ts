// StoragePool: a pool of storage volumes (virStoragePoolPtr) — lifecycle, info, its volumes.
import { callConstString, callInt, callPtr, callRaw, callString } from "../ffi/call.ts";
import {
  decodeCString,
  flagsArg,
  stringArg,
  takePointerArray,
  UUID_STRING_BUFLEN,
} from "../ffi/marshal.ts";
import { LibvirtObject } from "./object.ts";
import type { Connection } from "./connection.ts";
import { StorageVol } from "./storage_vol.ts";
import { decodeStoragePoolInfo, STORAGE_POOL_INFO_SIZE, type StoragePoolInfo } from "./info.ts";

/**
 * A storage pool, `virStoragePoolPtr`. Obtained from `Connection` (`lookupStoragePoolByName`,
 * `listAllStoragePools`, `createStoragePoolXML` …); freed when the connection closes.
 *
 * @example
 * ```ts
 * import { Connection } from "./mod.ts";
 * using conn = Connection.open("test:///default");
 * using pool = conn.lookupStoragePoolByName("default-pool");
 * console.log(pool.getInfo().capacity);
 * ```
 */
export class StoragePool extends LibvirtObject {
  readonly #conn: Connection;

  private constructor(conn: Connection, ptr: Deno.PointerObject) {
    super(ptr, "virStoragePoolFree", "StoragePool", conn);
    this.#conn = conn;
  }

  /**
   * @internal Wraps a `virStoragePoolPtr` whose reference the caller hands over (a fresh lookup,
   * or a borrowed pointer after `virStoragePoolRef`). The pool is freed with `conn`.
   *
   * @example
   * ```ts
   * import { Connection, StoragePool } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * console.log(conn.lookupStoragePoolByName("default-pool") instanceof StoragePool);
   * ```
   */
  static fromPointer(conn: Connection, ptr: Deno.PointerObject): StoragePool {
    if (ptr === null || typeof ptr !== "object") throw new TypeError("Expected a pool pointer");
    if (conn.freed) {
      callRaw("virStoragePoolFree", ptr);
      throw new Error("Cannot wrap a StoragePool: its Connection was closed");
    }
    return new StoragePool(conn, ptr);
  }

  /**
   * The connection this pool belongs to.
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * console.log(conn.lookupStoragePoolByName("default-pool").getConnect() === conn); // true
   * ```
   */
  getConnect(): Connection {
    this.ptr("get its connection");
    return this.#conn;
  }

  /**
   * Starts a defined, inactive pool (`virStoragePoolCreate`, `StoragePoolCreateFlags`).
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * const pool = conn.lookupStoragePoolByName("default-pool");
   * pool.destroy();
   * pool.create();
   * ```
   */
  create(flags = 0): void {
    callInt("virStoragePoolCreate", this.ptr("create"), flagsArg(flags));
  }

  /**
   * Stops the pool; its data stays (`virStoragePoolDestroy`). A transient pool disappears.
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * conn.lookupStoragePoolByName("default-pool").destroy();
   * ```
   */
  destroy(): void {
    callInt("virStoragePoolDestroy", this.ptr("destroy"));
  }

  /**
   * Removes the configuration of an inactive persistent pool (`virStoragePoolUndefine`).
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * const pool = conn.lookupStoragePoolByName("default-pool");
   * pool.destroy();
   * pool.undefine();
   * ```
   */
  undefine(): void {
    callInt("virStoragePoolUndefine", this.ptr("undefine"));
  }

  /**
   * Rescans the pool's volumes (`virStoragePoolRefresh`).
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * conn.lookupStoragePoolByName("default-pool").refresh();
   * ```
   */
  refresh(flags = 0): void {
    callInt("virStoragePoolRefresh", this.ptr("refresh"), flagsArg(flags));
  }

  /**
   * The pool's name.
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * console.log(conn.lookupStoragePoolByName("default-pool").getName()); // default-pool
   * ```
   */
  getName(): string {
    return callConstString("virStoragePoolGetName", this.ptr("get the name"));
  }

  /**
   * The pool's UUID as a string.
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * console.log(conn.lookupStoragePoolByName("default-pool").getUUIDString());
   * ```
   */
  getUUIDString(): string {
    const buf = new Uint8Array(UUID_STRING_BUFLEN);
    callInt("virStoragePoolGetUUIDString", this.ptr("get the UUID"), buf);
    return decodeCString(buf);
  }

  /**
   * State, capacity, allocation and available space (bytes, as bigints).
   *
   * @example
   * ```ts
   * import { Connection, StoragePoolState } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * const info = conn.lookupStoragePoolByName("default-pool").getInfo();
   * console.log(info.state === StoragePoolState.RUNNING, info.available);
   * ```
   */
  getInfo(): StoragePoolInfo {
    const buf = new Uint8Array(STORAGE_POOL_INFO_SIZE);
    callInt("virStoragePoolGetInfo", this.ptr("get info"), buf);
    return decodeStoragePoolInfo(buf);
  }

  /**
   * The pool's XML description (`StorageXMLFlags`).
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * console.log(conn.lookupStoragePoolByName("default-pool").getXMLDesc());
   * ```
   */
  getXMLDesc(flags = 0): string {
    return callString("virStoragePoolGetXMLDesc", this.ptr("get the XML"), flagsArg(flags));
  }

  /**
   * Whether the pool is running.
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * console.log(conn.lookupStoragePoolByName("default-pool").isActive()); // true
   * ```
   */
  isActive(): boolean {
    return callInt("virStoragePoolIsActive", this.ptr("check if active")) === 1;
  }

  /**
   * Whether the pool has a persistent configuration.
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * console.log(conn.lookupStoragePoolByName("default-pool").isPersistent()); // true
   * ```
   */
  isPersistent(): boolean {
    return callInt("virStoragePoolIsPersistent", this.ptr("check if persistent")) === 1;
  }

  /**
   * Every volume in the pool (`virStoragePoolListAllVolumes`).
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * const pool = conn.lookupStoragePoolByName("default-pool");
   * console.log(pool.listAllVolumes().map((v) => v.getName()));
   * ```
   */
  listAllVolumes(flags = 0): StorageVol[] {
    const f = flagsArg(flags);
    const holder = new BigUint64Array(1);
    const n = callInt("virStoragePoolListAllVolumes", this.ptr("list volumes"), holder, f);
    return takePointerArray(holder, n).map((p) => StorageVol.fromPointer(this.#conn, p));
  }

  /**
   * The volume called `name` in this pool.
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * const pool = conn.lookupStoragePoolByName("default-pool");
   * pool.createVolumeXML("<volume><name>a.img</name><capacity>1024</capacity></volume>");
   * console.log(pool.lookupVolumeByName("a.img").getName()); // a.img
   * ```
   */
  lookupVolumeByName(name: string): StorageVol {
    const n = stringArg(name, "volume name");
    const p = callPtr("virStorageVolLookupByName", this.ptr("look up a volume"), n);
    return StorageVol.fromPointer(this.#conn, p);
  }

  /**
   * Creates a volume in the pool from its XML (`virStorageVolCreateXML`,
   * `StorageVolCreateFlags`).
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * const pool = conn.lookupStoragePoolByName("default-pool");
   * const vol = pool.createVolumeXML(
   *   "<volume><name>disk.img</name><capacity unit='M'>10</capacity></volume>",
   * );
   * console.log(vol.getInfo().capacity); // 10485760n
   * ```
   */
  createVolumeXML(xml: string, flags = 0): StorageVol {
    const x = stringArg(xml, "volume XML");
    const f = flagsArg(flags);
    const p = callPtr("virStorageVolCreateXML", this.ptr("create a volume"), x, f);
    return StorageVol.fromPointer(this.#conn, p);
  }
}
