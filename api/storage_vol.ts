// StorageVol: one volume of a storage pool (virStorageVolPtr) — identity, info, delete, resize.
import { callConstString, callInt, callPtr, callRaw, callString } from "../ffi/call.ts";
import { flagsArg, u64Arg } from "../ffi/marshal.ts";
import { LibvirtObject } from "./object.ts";
import type { Connection } from "./connection.ts";
import { StoragePool } from "./storage_pool.ts";
import { decodeStorageVolInfo, STORAGE_VOL_INFO_SIZE, type StorageVolInfo } from "./info.ts";
import { Stream } from "../stream/stream.ts";
import {
  type DownloadOptions,
  downloadReadable,
  uploadFrom,
  type UploadOptions,
  type UploadSource,
  volDownload,
  volUpload,
} from "../stream/volume_transfer.ts";

/**
 * A storage volume, `virStorageVolPtr`. Obtained from a `StoragePool` or from
 * `Connection.lookupStorageVolByPath`/`lookupStorageVolByKey`; freed when the connection closes.
 * `delete()` removes the volume on the host; `free()` only releases this handle.
 *
 * @example
 * ```ts
 * import { Connection } from "./mod.ts";
 * using conn = Connection.open("test:///default");
 * using pool = conn.lookupStoragePoolByName("default-pool");
 * for (const vol of pool.listAllVolumes()) console.log(vol.getName(), vol.getPath());
 * ```
 */
export class StorageVol extends LibvirtObject {
  readonly #conn: Connection;

  private constructor(conn: Connection, ptr: Deno.PointerObject) {
    super(ptr, "virStorageVolFree", "StorageVol", conn);
    this.#conn = conn;
  }

  /**
   * @internal Wraps a `virStorageVolPtr` whose reference the caller hands over (a fresh lookup,
   * or a borrowed pointer after `virStorageVolRef`). The volume is freed with `conn`.
   *
   * @example
   * ```ts
   * import { Connection, StorageVol } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * const pool = conn.lookupStoragePoolByName("default-pool");
   * console.log(pool.listAllVolumes().every((v) => v instanceof StorageVol));
   * ```
   */
  static fromPointer(conn: Connection, ptr: Deno.PointerObject): StorageVol {
    if (ptr === null || typeof ptr !== "object") throw new TypeError("Expected a volume pointer");
    if (conn.freed) {
      callRaw("virStorageVolFree", ptr);
      throw new Error("Cannot wrap a StorageVol: its Connection was closed");
    }
    return new StorageVol(conn, ptr);
  }

  /**
   * The connection this volume belongs to.
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * const vol = conn.lookupStoragePoolByName("default-pool").listAllVolumes()[0];
   * console.log(vol === undefined || vol.getConnect() === conn);
   * ```
   */
  getConnect(): Connection {
    this.ptr("get its connection");
    return this.#conn;
  }

  /**
   * The volume's name within its pool.
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * const pool = conn.lookupStoragePoolByName("default-pool");
   * for (const vol of pool.listAllVolumes()) console.log(vol.getName());
   * ```
   */
  getName(): string {
    return callConstString("virStorageVolGetName", this.ptr("get the name"));
  }

  /**
   * The volume's key, unique on the host (often its path).
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * const pool = conn.lookupStoragePoolByName("default-pool");
   * for (const vol of pool.listAllVolumes()) console.log(vol.getKey());
   * ```
   */
  getKey(): string {
    return callConstString("virStorageVolGetKey", this.ptr("get the key"));
  }

  /**
   * The volume's path on the host.
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * const pool = conn.lookupStoragePoolByName("default-pool");
   * for (const vol of pool.listAllVolumes()) console.log(vol.getPath());
   * ```
   */
  getPath(): string {
    return callString("virStorageVolGetPath", this.ptr("get the path"));
  }

  /**
   * Type, capacity and allocation (bytes, as bigints) (`virStorageVolGetInfo`).
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * const pool = conn.lookupStoragePoolByName("default-pool");
   * for (const vol of pool.listAllVolumes()) console.log(vol.getInfo().capacity);
   * ```
   */
  getInfo(): StorageVolInfo {
    const buf = new Uint8Array(STORAGE_VOL_INFO_SIZE);
    callInt("virStorageVolGetInfo", this.ptr("get info"), buf);
    return decodeStorageVolInfo(buf);
  }

  /**
   * The volume's XML description.
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * const pool = conn.lookupStoragePoolByName("default-pool");
   * for (const vol of pool.listAllVolumes()) console.log(vol.getXMLDesc());
   * ```
   */
  getXMLDesc(flags = 0): string {
    return callString("virStorageVolGetXMLDesc", this.ptr("get the XML"), flagsArg(flags));
  }

  /**
   * Deletes the volume from the host (`virStorageVolDelete`, `StorageVolDeleteFlags`). The
   * handle stays valid (for `free()`) but names nothing any more.
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * const pool = conn.lookupStoragePoolByName("default-pool");
   * const vol = pool.createVolumeXML(
   *   "<volume><name>tmp.img</name><capacity>1048576</capacity></volume>",
   * );
   * vol.delete();
   * ```
   */
  delete(flags = 0): void {
    callInt("virStorageVolDelete", this.ptr("delete"), flagsArg(flags));
  }

  /**
   * Overwrites the volume's data with zeroes (`virStorageVolWipe`).
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * const pool = conn.lookupStoragePoolByName("default-pool");
   * for (const vol of pool.listAllVolumes()) vol.wipe();
   * ```
   */
  wipe(flags = 0): void {
    callInt("virStorageVolWipe", this.ptr("wipe"), flagsArg(flags));
  }

  /**
   * Changes the volume's capacity, in bytes (`virStorageVolResize`, `StorageVolResizeFlags`).
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * const pool = conn.lookupStoragePoolByName("default-pool");
   * for (const vol of pool.listAllVolumes()) vol.resize(2n ** 30n);
   * ```
   */
  resize(capacity: number | bigint, flags = 0): void {
    const c = u64Arg(capacity, "capacity");
    callInt("virStorageVolResize", this.ptr("resize"), c, flagsArg(flags));
  }

  /**
   * The pool holding this volume (`virStoragePoolLookupByVolume`), as a new handle.
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * const pool = conn.lookupStoragePoolByName("default-pool");
   * for (const vol of pool.listAllVolumes()) console.log(vol.getPool().getName());
   * ```
   */
  getPool(): StoragePool {
    const p = callPtr("virStoragePoolLookupByVolume", this.ptr("get its pool"));
    return StoragePool.fromPointer(this.#conn, p);
  }

  /**
   * Starts sending `length` bytes (0: up to the end) from `offset` on `stream`
   * (`virStorageVolDownload`, flags `StorageVolDownloadFlags`); read them, then finish().
   *
   * @example
   * ```ts
   * import { Stream, StorageVol } from "./mod.ts";
   * declare const vol: StorageVol;
   * using st = new Stream(vol.getConnect());
   * vol.download(st, 0, 0);
   * await st.recvAll((_st, data) => console.log(data.length));
   * ```
   */
  download(stream: Stream, offset: number | bigint, length: number | bigint, flags?: number): void;
  /**
   * The volume's bytes as a byte `ReadableStream` (non-blocking when an event loop is
   * registered), with optional offset, length, sparse transfer and progress callback.
   *
   * @example
   * ```ts
   * import { StorageVol } from "./mod.ts";
   * declare const vol: StorageVol;
   * using file = await Deno.create("/tmp/disk.img");
   * await vol.download({ onProgress: (done, total) => console.log(done, total) })
   *   .pipeTo(file.writable);
   * ```
   */
  download(options?: DownloadOptions): ReadableStream<Uint8Array>;
  download(
    streamOrOptions?: Stream | DownloadOptions,
    offset: number | bigint = 0,
    length: number | bigint = 0,
    flags = 0,
  ): void | ReadableStream<Uint8Array> {
    const ptr = this.ptr("download");
    if (streamOrOptions instanceof Stream) {
      return volDownload(ptr, streamOrOptions, offset, length, flags);
    }
    return downloadReadable(this, streamOrOptions);
  }

  /**
   * Makes `stream` the source of `length` bytes (0: up to the end) written from `offset`
   * (`virStorageVolUpload`, flags `StorageVolUploadFlags`); send them, then finish().
   *
   * @example
   * ```ts
   * import { Stream, StorageVol } from "./mod.ts";
   * declare const vol: StorageVol;
   * using st = new Stream(vol.getConnect());
   * vol.upload(st, 0, 0);
   * using file = await Deno.open("/tmp/disk.img");
   * await st.sendAll((_st, buf) => file.read(buf));
   * ```
   */
  upload(stream: Stream, offset: number | bigint, length: number | bigint, flags?: number): void;
  /**
   * Uploads what `source` (a `ReadableStream` or iterable of bytes) yields; resolves once
   * libvirt confirmed the write. Non-blocking when an event loop is registered.
   *
   * @example
   * ```ts
   * import { StorageVol } from "./mod.ts";
   * declare const vol: StorageVol;
   * using file = await Deno.open("/tmp/disk.img");
   * await vol.upload(file.readable, { onProgress: (done) => console.log(done) });
   * ```
   */
  upload(source: UploadSource, options?: UploadOptions): Promise<void>;
  upload(
    streamOrSource: Stream | UploadSource,
    offsetOrOptions?: number | bigint | UploadOptions,
    length: number | bigint = 0,
    flags = 0,
  ): void | Promise<void> {
    const ptr = this.ptr("upload");
    if (streamOrSource instanceof Stream) {
      const offset = (offsetOrOptions ?? 0) as number | bigint;
      return volUpload(ptr, streamOrSource, offset, length, flags);
    }
    return uploadFrom(this, streamOrSource, (offsetOrOptions ?? {}) as UploadOptions);
  }
}
