// StoragePool: a pool of storage volumes (virStoragePoolPtr) — lifecycle, info, its volumes.
import { callInt, callRaw } from "../ffi/call.ts";
import { callIntAsync } from "../ffi/call_async.ts";
import { flagsArg, takePointerArray } from "../ffi/marshal.ts";
import { StoragePoolGenerated } from "./generated/storage_pool.ts";
import type { Connection } from "./connection.ts";
import { StorageVol } from "./storage_vol.ts";
import { decodeStoragePoolInfo, STORAGE_POOL_INFO_SIZE, type StoragePoolInfo } from "./info.ts";
import { countedNames, int, type Plan, runAsync, runSync } from "./call_plan.ts";

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
export class StoragePool extends StoragePoolGenerated {
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
   * State, capacity, allocation and available space (bytes, as bigints).
   * libvirt: [`virStoragePoolGetInfo`](https://libvirt.org/html/libvirt-libvirt-storage.html#virStoragePoolGetInfo).
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
   * Every volume in the pool (`virStoragePoolListAllVolumes`).
   * libvirt: [`virStoragePoolListAllVolumes`](https://libvirt.org/html/libvirt-libvirt-storage.html#virStoragePoolListAllVolumes).
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
   * The names of the pool's volumes (`virStoragePoolListVolumes`, at most `numOfVolumes()`).
   * libvirt: [`virStoragePoolListVolumes`](https://libvirt.org/html/libvirt-libvirt-storage.html#virStoragePoolListVolumes).
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * console.log(conn.lookupStoragePoolByName("default-pool").listVolumes()); // []
   * ```
   */
  listVolumes(): string[] {
    return runSync(volumeNames(this.ptr("list volumes")));
  }

  // ---- Async forms of the hand-written calls above (ffi/call_async.ts): the same libvirt calls
  // on Deno's thread pool, one at a time per connection, in the order they were made.

  /**
   * The Async form of `getInfo` (`virStoragePoolGetInfo`).
   * libvirt: [`virStoragePoolGetInfo`](https://libvirt.org/html/libvirt-libvirt-storage.html#virStoragePoolGetInfo).
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * using pool = conn.lookupStoragePoolByName("default-pool");
   * console.log((await pool.getInfoAsync()).capacity);
   * ```
   */
  getInfoAsync(): Promise<StoragePoolInfo> {
    const buf = new Uint8Array(STORAGE_POOL_INFO_SIZE);
    return callIntAsync(this, "virStoragePoolGetInfo", this.ptr("get info"), buf)
      .then(() => decodeStoragePoolInfo(buf));
  }

  /**
   * The Async form of `listAllVolumes` (`virStoragePoolListAllVolumes`).
   * libvirt: [`virStoragePoolListAllVolumes`](https://libvirt.org/html/libvirt-libvirt-storage.html#virStoragePoolListAllVolumes).
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * using pool = conn.lookupStoragePoolByName("default-pool");
   * console.log((await pool.listAllVolumesAsync()).length);
   * ```
   */
  listAllVolumesAsync(flags = 0): Promise<StorageVol[]> {
    const p = this.ptr("list volumes");
    const f = flagsArg(flags);
    const holder = new BigUint64Array(1);
    return callIntAsync(this, "virStoragePoolListAllVolumes", p, holder, f)
      .then((n) => takePointerArray(holder, n).map((v) => StorageVol.fromPointer(this.#conn, v)));
  }

  /**
   * The Async form of `listVolumes` (`virStoragePoolNumOfVolumes`, then
   * `virStoragePoolListVolumes`, both off the JS thread).
   * libvirt: [`virStoragePoolListVolumes`](https://libvirt.org/html/libvirt-libvirt-storage.html#virStoragePoolListVolumes).
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * using pool = conn.lookupStoragePoolByName("default-pool");
   * console.log(await pool.listVolumesAsync()); // []
   * ```
   */
  listVolumesAsync(): Promise<string[]> {
    return runAsync(this, volumeNames(this.ptr("list volumes")));
  }
}

// ---- call plans (shared by the sync and async forms)

function volumeNames(pool: Deno.PointerObject): Plan<string[]> {
  return countedNames(
    int("virStoragePoolNumOfVolumes", pool),
    (slots, max) => int("virStoragePoolListVolumes", pool, slots, max),
  );
}
