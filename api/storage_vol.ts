// StorageVol: one volume of a storage pool (virStorageVolPtr) — identity, info, delete, resize.
import { callInt, callPtr, callRaw } from "../ffi/call.ts";
import { callIntAsync, callPtrAsync } from "../ffi/call_async.ts";
import { flagsArg } from "../ffi/marshal.ts";

import { StorageVolGenerated } from "./generated/storage_vol.ts";
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
  volTransferAsync,
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
export class StorageVol extends StorageVolGenerated {
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
   * Type, capacity and allocation (bytes, as bigints) (`virStorageVolGetInfo`).
   * libvirt: [`virStorageVolGetInfo`](https://libvirt.org/html/libvirt-libvirt-storage.html#virStorageVolGetInfo), [`virStorageVolGetInfoFlags`](https://libvirt.org/html/libvirt-libvirt-storage.html#virStorageVolGetInfoFlags).
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * const pool = conn.lookupStoragePoolByName("default-pool");
   * for (const vol of pool.listAllVolumes()) console.log(vol.getInfo().capacity);
   * ```
   */
  getInfo(flags = 0): StorageVolInfo {
    const f = flagsArg(flags);
    const buf = new Uint8Array(STORAGE_VOL_INFO_SIZE);
    // virStorageVolGetInfoFlags (libvirt 3.0) only when flags ask for it: the same answer.
    if (f === 0) callInt("virStorageVolGetInfo", this.ptr("get info"), buf);
    else callInt("virStorageVolGetInfoFlags", this.ptr("get info"), buf, f);
    return decodeStorageVolInfo(buf);
  }

  /**
   * The pool holding this volume (`virStoragePoolLookupByVolume`), as a new handle.
   * libvirt: [`virStoragePoolLookupByVolume`](https://libvirt.org/html/libvirt-libvirt-storage.html#virStoragePoolLookupByVolume).
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
   * libvirt: [`virStorageVolDownload`](https://libvirt.org/html/libvirt-libvirt-storage.html#virStorageVolDownload).
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
   * registered), with optional offset, length, sparse transfer and progress callback. With
   * DenoEventImpl and an `…Async` call in flight on the connection, the transfer starts once
   * that call settled, and libvirt's error for a failed start rejects the first read.
   * libvirt: [`virStorageVolDownload`](https://libvirt.org/html/libvirt-libvirt-storage.html#virStorageVolDownload).
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
   * libvirt: [`virStorageVolUpload`](https://libvirt.org/html/libvirt-libvirt-storage.html#virStorageVolUpload).
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
   * libvirt confirmed the write. Non-blocking when an event loop is registered. A byte stream
   * (`file.readable`, a fetch body) is read through a BYOB reader, a packet at a time into
   * reused buffers.
   * libvirt: [`virStorageVolUpload`](https://libvirt.org/html/libvirt-libvirt-storage.html#virStorageVolUpload).
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

  // ---- Async forms of the hand-written calls above (ffi/call_async.ts): the same libvirt calls
  // on Deno's thread pool, one at a time per connection, in the order they were made.

  /**
   * The Async form of `download(stream, offset, length, flags)` (`virStorageVolDownload`):
   * resolves once `stream` carries the volume's bytes.
   * libvirt: [`virStorageVolDownload`](https://libvirt.org/html/libvirt-libvirt-storage.html#virStorageVolDownload).
   *
   * @example
   * ```ts
   * import { Stream, StorageVol } from "./mod.ts";
   * declare const vol: StorageVol;
   * using st = new Stream(vol.getConnect(), Stream.NONBLOCK);
   * await vol.downloadAsync(st, 0, 0);
   * await st.recvAll((_st, data) => console.log(data.length));
   * ```
   */
  downloadAsync(
    stream: Stream,
    offset: number | bigint,
    length: number | bigint,
    flags = 0,
  ): Promise<void> {
    return volTransferAsync("download", this, this.ptr("download"), stream, offset, length, flags);
  }

  /**
   * The Async form of `upload(stream, offset, length, flags)` (`virStorageVolUpload`):
   * resolves once `stream` may send the bytes.
   * libvirt: [`virStorageVolUpload`](https://libvirt.org/html/libvirt-libvirt-storage.html#virStorageVolUpload).
   *
   * @example
   * ```ts
   * import { Stream, StorageVol } from "./mod.ts";
   * declare const vol: StorageVol;
   * using st = new Stream(vol.getConnect(), Stream.NONBLOCK);
   * await vol.uploadAsync(st, 0, 0);
   * using file = await Deno.open("/tmp/disk.img");
   * await st.sendAll((_st, buf) => file.read(buf));
   * ```
   */
  uploadAsync(
    stream: Stream,
    offset: number | bigint,
    length: number | bigint,
    flags = 0,
  ): Promise<void> {
    return volTransferAsync("upload", this, this.ptr("upload"), stream, offset, length, flags);
  }

  /**
   * The Async form of `getInfo` (`virStorageVolGetInfo`, or `virStorageVolGetInfoFlags`).
   * libvirt: [`virStorageVolGetInfo`](https://libvirt.org/html/libvirt-libvirt-storage.html#virStorageVolGetInfo), [`virStorageVolGetInfoFlags`](https://libvirt.org/html/libvirt-libvirt-storage.html#virStorageVolGetInfoFlags).
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * using pool = conn.lookupStoragePoolByName("default-pool");
   * const vol = pool.createVolumeXML("<volume><name>a.img</name><capacity>1024</capacity></volume>");
   * console.log((await vol.getInfoAsync()).capacity);
   * ```
   */
  getInfoAsync(flags = 0): Promise<StorageVolInfo> {
    const p = this.ptr("get info");
    const f = flagsArg(flags);
    const buf = new Uint8Array(STORAGE_VOL_INFO_SIZE);
    const call = f === 0
      ? callIntAsync(this, "virStorageVolGetInfo", p, buf)
      : callIntAsync(this, "virStorageVolGetInfoFlags", p, buf, f);
    return call.then(() => decodeStorageVolInfo(buf));
  }

  /**
   * The Async form of `getPool` (`virStoragePoolLookupByVolume`).
   * libvirt: [`virStoragePoolLookupByVolume`](https://libvirt.org/html/libvirt-libvirt-storage.html#virStoragePoolLookupByVolume).
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * using pool = conn.lookupStoragePoolByName("default-pool");
   * const vol = pool.createVolumeXML("<volume><name>b.img</name><capacity>1024</capacity></volume>");
   * console.log((await vol.getPoolAsync()).getName()); // default-pool
   * ```
   */
  getPoolAsync(): Promise<StoragePool> {
    const p = this.ptr("get its pool");
    return callPtrAsync(this, "virStoragePoolLookupByVolume", p)
      .then((pool) => StoragePool.fromPointer(this.#conn, pool));
  }
}
