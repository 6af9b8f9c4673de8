// Local sparse files as the source or sink of sparse stream transfers (sparseSendAll/RecvAll).
import { libc } from "../ffi/libc.ts";
import { cString } from "../ffi/marshal.ts";
import type { RecvHandler, SendHandler, SinkHoleHandler, SkipHandler } from "./all.ts";
import type { DataSection } from "./all.ts";

// Linux's values; elsewhere (SEEK_DATA/SEEK_HOLE differ or are missing) a file is all data.
const SEEK_DATA = 3;
const SEEK_HOLE = 4;
const ENXIO = 6;
const O_RDONLY_CLOEXEC = 0o2000000;

/** A local file read as a sparse source: pass its three handlers to `sparseSendAll`. */
export interface SparseFileSource extends Disposable {
  /** The file's size in bytes (data and holes). */
  readonly size: number;
  /** Bytes consumed so far (data read plus holes skipped). */
  readonly position: number;
  /** Reads data at the current position. */
  readonly handler: SendHandler;
  /** Says whether the current position is in data or in a hole, and for how long. */
  readonly holeHandler: (stream: unknown) => DataSection;
  /** Moves past a hole. */
  readonly skipHandler: SkipHandler;
  /** Closes the file. */
  close(): void;
}

/**
 * Opens `path` as a sparse source: data and holes are found with `lseek(SEEK_DATA/SEEK_HOLE)`
 * (Linux; elsewhere the whole file is data).
 *
 * @example
 * ```ts
 * import { Connection, sparseFileSource, Stream, StorageVolUploadFlags } from "./mod.ts";
 * declare const conn: Connection;
 * const vol = conn.lookupStorageVolByPath("/var/lib/libvirt/images/disk.img");
 * using src = await sparseFileSource("/tmp/disk.img");
 * const st = new Stream(conn);
 * vol.upload(st, 0, src.size, StorageVolUploadFlags.STREAM);
 * await st.sparseSendAll(src.handler, src.holeHandler, src.skipHandler);
 * ```
 */
export async function sparseFileSource(path: string): Promise<SparseFileSource> {
  const file = await Deno.open(path, { read: true });
  let size: number;
  let fd = -1;
  try {
    size = (await file.stat()).size;
    if (Deno.build.os === "linux") {
      // Deno does not expose its fd nor SEEK_DATA, so a second, read-only fd maps the holes.
      fd = libc().symbols.open(cString(path), O_RDONLY_CLOEXEC);
    }
  } catch (e) {
    file.close();
    throw e;
  }
  let pos = 0;
  let closed = false;
  const seek = (whence: number): number => {
    const r = Number(libc().symbols.lseek(fd, BigInt(pos), whence));
    if (r < 0 && libc().errno() !== ENXIO) throw new Error(`lseek on ${path} failed`);
    return r;
  };
  const close = () => {
    if (closed) return;
    closed = true;
    file.close();
    if (fd >= 0) libc().symbols.close(fd);
  };
  return {
    size,
    get position() {
      return pos;
    },
    handler: async (_st, buf) => {
      const n = (await file.read(buf)) ?? 0;
      pos += n;
      return n;
    },
    holeHandler: () => {
      if (pos >= size) return { inData: false, length: 0 };
      if (fd < 0) return { inData: true, length: size - pos };
      const data = seek(SEEK_DATA);
      // ENXIO: no data after pos, the file ends in a hole.
      if (data < 0) return { inData: false, length: size - pos };
      if (data > pos) return { inData: false, length: data - pos };
      const hole = seek(SEEK_HOLE);
      return { inData: true, length: (hole < 0 ? size : hole) - pos };
    },
    // lseek never waits for the disk: synchronous, so a hole costs no thread-pool round trip.
    skipHandler: (_st, length) => {
      pos += length;
      file.seekSync(pos, Deno.SeekMode.Start);
    },
    close,
    [Symbol.dispose]: close,
  };
}

/** A local file written as a sparse sink: pass its handlers to `sparseRecvAll`, then close it. */
export interface SparseFileSink extends AsyncDisposable {
  /** Bytes written so far (data plus holes). */
  readonly position: number;
  /** Writes data at the current position. */
  readonly handler: RecvHandler;
  /** Leaves a hole: moves the position forward without writing. */
  readonly holeHandler: SinkHoleHandler;
  /** Sets the file's size to the position reached (a trailing hole included) and closes it. */
  close(): Promise<void>;
}

/**
 * Creates (or truncates) `path` as a sparse sink: holes are skipped with seeks, so the file
 * system allocates nothing for them.
 *
 * @example
 * ```ts
 * import { Connection, sparseFileSink, Stream, StorageVolDownloadFlags } from "./mod.ts";
 * declare const conn: Connection;
 * const vol = conn.lookupStorageVolByPath("/var/lib/libvirt/images/disk.img");
 * await using sink = await sparseFileSink("/tmp/disk.img");
 * const st = new Stream(conn);
 * vol.download(st, 0, 0, StorageVolDownloadFlags.STREAM);
 * await st.sparseRecvAll(sink.handler, sink.holeHandler);
 * ```
 */
export async function sparseFileSink(path: string): Promise<SparseFileSink> {
  const file = await Deno.open(path, { write: true, create: true, truncate: true });
  let pos = 0;
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    try {
      await file.truncate(pos);
    } finally {
      file.close();
    }
  };
  return {
    get position() {
      return pos;
    },
    // A page-cache write of one buffer is short: made on the JS thread, it saves a thread-pool
    // round trip per chunk (as downloadToFile does). Over ssh, 64 MiB in 3 rounds: 136 → 156
    // MiB/s, 2.9 → 2.4 s of CPU per GiB.
    handler: (_st, data) => {
      for (let off = 0; off < data.length;) off += file.writeSync(data.subarray(off));
      pos += data.length;
      return data.length;
    },
    // lseek never waits for the disk: synchronous, so a hole costs no thread-pool round trip.
    holeHandler: (_st, length) => {
      pos += length;
      file.seekSync(pos, Deno.SeekMode.Start);
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}
