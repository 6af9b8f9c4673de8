// Volume transfers (StorageVol delegates here): libvirt's upload/download, as Web Streams, to files.
import { callInt } from "../ffi/call.ts";
import { callIntAsync } from "../ffi/call_async.ts";
import type { LibvirtObject } from "../api/object.ts";
import { describe, flagsArg, intArg, u64Arg } from "../ffi/marshal.ts";
import { StorageVolDownloadFlags, StorageVolUploadFlags, StreamEventType } from "../ffi/enums.ts";
import { registeredLoop } from "../event/state.ts";
import type { StorageVol } from "../api/storage_vol.ts";
import { attachStream, attachStreamAsync, Stream, whenReady } from "./stream.ts";
import { READ_BUFFER, SEND_PACKET, streamReadable, streamWritable } from "./web.ts";
import { sparseFileSink, sparseFileSource } from "./sparse_file.ts";
import { syncTurn } from "../ffi/turn.ts";
import { byobReader, pipeBytes } from "./byob_pipe.ts";

/**
 * The buffer of sparse file downloads (downloadToFile with `sparse`): a recv stops at a hole,
 * so a larger buffer only helps long runs of data, which it then moves with fewer recv calls
 * and file writes. Measured on a 4 GiB volume with 90 % holes (bench/cases/sparse.ts, three
 * runs): 4 MiB cost the least client CPU per transfer in two of them and was second in the
 * third; 64 and 256 KiB cost the most.
 */
export const SPARSE_BUFFER = 4 * 1024 * 1024;

/**
 * The buffer of sparse file uploads (uploadFromFile with `sparse`): each read of it (an async
 * op on Deno's thread pool) is followed by its sends, while the daemon writes what came before.
 * Measured with the bench's child (bench/ours/stream.ts), blocking stream: the 4 GiB volume with
 * 90 % holes over a unix socket, six rounds, median 0.76 s per transfer for 256 KiB, 0.58 for
 * 1 MiB, 0.61 for 4 MiB (client CPU 0.39, 0.29, 0.31 s); 256 MiB of data over TLS, three rounds,
 * 0.69–0.81 s for 256 KiB, 0.66–0.67 for 1 MiB, 0.64–0.74 for 4 MiB.
 */
export const SPARSE_SEND_BUFFER = 1024 * 1024;

/** Options shared by the stream-less forms of `StorageVol.download` and `upload`. */
export interface TransferOptions {
  /** Where in the volume the transfer starts, in bytes (default 0). */
  offset?: number | bigint;
  /** How many bytes to transfer; 0 (the default) means up to the volume's end. */
  length?: number | bigint;
  /**
   * Use a non-blocking stream driven by the event loop (default: true when an event loop is
   * registered). A blocking stream blocks Deno's loop during each recv/send.
   */
  nonBlocking?: boolean;
  /**
   * Bytes per recv/send: the Web Streams' chunk and packet (default 262,120 bytes both ways),
   * the sparse file transfers' buffer (default 4 MiB downloading, 1 MiB uploading).
   */
  chunkSize?: number;
  /** Called after each chunk with the bytes done and the bytes expected in all. */
  onProgress?: (done: number, total: number) => void;
}

/** Options of `StorageVol.download()` without a stream, and of `downloadToFile`. */
export interface DownloadOptions extends TransferOptions {
  /**
   * Ask for a sparse stream (`StorageVolDownloadFlags.STREAM`): holes travel as their length.
   * A Web stream receives them as zeros; `downloadToFile` recreates them.
   */
  sparse?: boolean;
  /**
   * Bytes the Web stream of `StorageVol.download()` may receive before its reader asks
   * (default: one chunk, so the next chunk arrives while the reader handles this one).
   */
  readAhead?: number;
}

/** Options of `StorageVol.upload()` from a Web stream, and of `uploadFromFile`. */
export interface UploadOptions extends TransferOptions {
  /** The bytes the source will provide, for progress (default: `length`, or the file's size). */
  total?: number;
}

/** What `StorageVol.upload` accepts as a source: a byte stream or any (async) iterable of bytes. */
export type UploadSource =
  | ReadableStream<Uint8Array>
  | AsyncIterable<Uint8Array>
  | Iterable<Uint8Array>;

/** libvirt's `virStorageVolDownload`: starts sending the volume's bytes on `stream`. */
export function volDownload(
  vol: Deno.PointerObject,
  stream: Stream,
  offset: number | bigint,
  length: number | bigint,
  flags?: number,
): void {
  volTransfer("download", vol, stream, offset, length, flags);
}

/** libvirt's `virStorageVolUpload`: the volume's bytes will come from `stream`. */
export function volUpload(
  vol: Deno.PointerObject,
  stream: Stream,
  offset: number | bigint,
  length: number | bigint,
  flags?: number,
): void {
  volTransfer("upload", vol, stream, offset, length, flags);
}

/**
 * The Async form of `volDownload` / `volUpload`: the same call on Deno's thread pool; `owner`
 * is the StorageVol whose pointer `vol` is.
 */
export function volTransferAsync(
  verb: "download" | "upload",
  owner: LibvirtObject,
  vol: Deno.PointerObject,
  stream: Stream,
  offset: number | bigint,
  length: number | bigint,
  flags?: number,
): Promise<void> {
  const [name, off, len, f] = transferArgs(verb, offset, length, flags);
  return attachStreamAsync(
    stream,
    verb,
    (st) => callIntAsync(owner, name, vol, st, off, len, f).then(() => {}),
  );
}

function volTransfer(
  verb: "download" | "upload",
  vol: Deno.PointerObject,
  stream: Stream,
  offset: number | bigint,
  length: number | bigint,
  flags?: number,
): void {
  const [name, off, len, f] = transferArgs(verb, offset, length, flags);
  attachStream(stream, verb, (st) => callInt(name, vol, st, off, len, f));
}

// Both directions check their numbers before the stream is touched, then bind it to the volume.
function transferArgs(
  verb: "download" | "upload",
  offset: number | bigint,
  length: number | bigint,
  flags?: number,
): ["virStorageVolDownload" | "virStorageVolUpload", bigint, bigint, number] {
  const name = verb === "download" ? "virStorageVolDownload" : "virStorageVolUpload";
  return [name, u64Arg(offset, "offset"), u64Arg(length, "length"), flagsArg(flags)];
}

// Opens a stream on the volume's connection and starts the transfer on it; a failed start
// frees the stream at once. Its plain calls need a connection with no async call in flight
// (callers wait for that first: ffi/turn.ts).
function start(
  vol: StorageVol,
  verb: "download" | "upload",
  options: TransferOptions,
  flags: number,
): { stream: Stream; total: number } {
  const stream = prepare(vol, verb, options);
  return { stream, total: begin(vol, stream, verb, options, flags) };
}

// The checks, and a new stream on the volume's connection (process-local: allowed at any time).
function prepare(vol: StorageVol, verb: "download" | "upload", options: TransferOptions): Stream {
  // A type import only (storage_vol.ts imports this module): recognise it by its methods.
  if (typeof (vol as Partial<StorageVol> | null)?.getConnect !== "function") {
    throw new TypeError(`Cannot ${verb}: expected a StorageVol, got ${describe(vol)}`);
  }
  if (vol.freed) throw new Error(`Cannot ${verb}: this StorageVol was freed`);
  if (options === null || typeof options !== "object") {
    throw new TypeError(`${verb} options must be an object, got ${describe(options)}`);
  }
  const nonBlocking = options.nonBlocking ?? registeredLoop() !== "none";
  u64Arg(options.offset ?? 0, "offset");
  u64Arg(options.length ?? 0, "length");
  return new Stream(vol.getConnect(), nonBlocking ? Stream.NONBLOCK : 0);
}

// Starts the transfer on `stream` (freed if that fails); returns the bytes it will carry, for
// progress.
function begin(
  vol: StorageVol,
  stream: Stream,
  verb: "download" | "upload",
  options: TransferOptions,
  flags: number,
): number {
  const offset = u64Arg(options.offset ?? 0, "offset");
  const length = u64Arg(options.length ?? 0, "length");
  try {
    const transfer = verb === "download" ? volDownload : volUpload;
    transfer(vol.unsafePointer, stream, offset, length, flags);
  } catch (e) {
    stream.free();
    throw e;
  }
  let total = Number(length);
  if (total === 0 && options.onProgress) {
    total = Math.max(0, Number(vol.getInfo().capacity - offset));
  }
  return total;
}

function progress(options: TransferOptions, total: number): ((n: number) => void) | undefined {
  const cb = options.onProgress;
  if (cb === undefined) return undefined;
  if (typeof cb !== "function") throw new TypeError(`onProgress must be a function`);
  let done = 0;
  return (n) => cb(done += n, total);
}

/**
 * The volume's bytes as a byte ReadableStream (the stream-less `StorageVol.download`). The
 * libvirt stream is finished at the end, aborted on cancel or error, and freed either way.
 * One chunk is read ahead by default: piped into `FsFile.writable`, the next chunk is then
 * received while Deno's thread pool writes the last one, instead of after it (higher
 * throughput for the same CPU; bench/findings.md). It costs no copy: a chunk received
 * ahead is the very buffer the reader gets.
 */
export function downloadReadable(
  vol: StorageVol,
  options: DownloadOptions = {},
): ReadableStream<Uint8Array> {
  const flags = options.sparse ? StorageVolDownloadFlags.STREAM : 0;
  const web = {
    chunkSize: options.chunkSize,
    fill: true,
    readAhead: options.readAhead ?? options.chunkSize ?? READ_BUFFER,
  };
  if (syncTurn(vol) === null) {
    const { stream, total } = start(vol, "download", options, flags);
    return streamReadable(stream, {
      ...web,
      onChunk: progress(options, total),
      onEnd: () => stream.free(),
    });
  }
  // The connection has an async call in flight (a server's other requests): the download
  // starts once plain calls on it are allowed, and the readable's first read waits for that.
  // libvirt's error for a start that failed comes from that read instead of from this call.
  const stream = prepare(vol, "download", options);
  let step: ((n: number) => void) | undefined;
  const setup = (async () => {
    for (let t; (t = syncTurn(vol));) await t;
    if (stream.freed) return; // cancelled meanwhile: nothing to start
    step = progress(options, begin(vol, stream, "download", options, flags));
  })();
  return streamReadable(stream, {
    ...web,
    onChunk: options.onProgress ? (n) => step?.(n) : undefined,
    onEnd: () => stream.free(),
  }, setup);
}

/**
 * Uploads everything `source` yields (the stream-less `StorageVol.upload`); resolves once
 * libvirt confirmed the data was written. A source that fails aborts the transfer.
 */
export async function uploadFrom(
  vol: StorageVol,
  source: UploadSource,
  options: UploadOptions = {},
): Promise<void> {
  const readable = toReadable(source);
  let started: { stream: Stream; total: number };
  try {
    for (let t; (t = syncTurn(vol));) await t;
    started = start(vol, "upload", options, 0);
  } catch (e) {
    // Release the source (e.g. close the file behind it) when nothing will read it.
    await readable.cancel(e).catch(() => {});
    throw e;
  }
  const { stream, total } = started;
  const packet = options.chunkSize ?? SEND_PACKET;
  const writable = streamWritable(stream, {
    chunkSize: packet,
    fill: true, // gather the source's small chunks into full packets
    onChunk: progress(options, options.total ?? total),
    onEnd: () => stream.free(),
  });
  // A byte stream (a file's, a fetch body) is read a packet at a time into reused buffers.
  const reader = byobReader(readable);
  if (reader) await pipeBytes(reader, writable, packet);
  else await readable.pipeTo(writable);
}

function toReadable(source: UploadSource): ReadableStream<Uint8Array> {
  if (source instanceof ReadableStream) {
    // Refused before the transfer starts: a pipe would fail only once the stream was open.
    if (source.locked) {
      throw new TypeError(
        "upload needs a ReadableStream that nothing reads yet: this one is locked",
      );
    }
    return source;
  }
  const it = source as Partial<AsyncIterable<Uint8Array> & Iterable<Uint8Array>>;
  if (
    typeof it?.[Symbol.asyncIterator] === "function" || typeof it?.[Symbol.iterator] === "function"
  ) {
    return ReadableStream.from(source as AsyncIterable<Uint8Array>);
  }
  throw new TypeError(
    `upload needs a ReadableStream or an iterable of bytes, got ${describe(source)}`,
  );
}

// Receives a non-blocking stream into one reused buffer and writes each chunk with writeSync,
// recv'ing again inside libvirt's dispatch of READABLE. Against download().pipeTo(file.writable)
// this saves a fresh chunk (page faults) and a thread-pool write per chunk, whose kernel copy
// sometimes runs several times slower (bench/findings.md); a page-cache write of one chunk is
// short enough to make on the JS thread, as Python's recvAll and the callback examples do.
function recvIntoFile(
  st: Stream,
  file: Deno.FsFile,
  size: number,
  step?: (n: number) => void,
): Promise<void> {
  const buf = new Uint8Array(size);
  const { promise, resolve, reject } = Promise.withResolvers<void>();
  const attempt = (): void => {
    const turn = syncTurn(st);
    if (turn !== null) return void turn.then(attempt, reject);
    try {
      for (;;) {
        const n = st.recv(buf);
        if (n === -2) {
          return whenReady(st, StreamEventType.READABLE, { resolve: attempt, reject });
        }
        if (n === 0) return resolve();
        for (let off = 0; off < n;) off += file.writeSync(buf.subarray(off, n));
        step?.(n);
      }
    } catch (e) {
      reject(e);
    }
  };
  attempt();
  return promise;
}

/**
 * Downloads a volume into a local file. With `sparse`, holes are recreated as holes (the file
 * then takes no space for them); otherwise they arrive as zeros.
 *
 * @example
 * ```ts
 * import { Connection, downloadToFile } from "./mod.ts";
 * declare const conn: Connection;
 * const vol = conn.lookupStoragePoolByName("default").lookupVolumeByName("disk.img");
 * await downloadToFile(vol, "/tmp/disk.img", { sparse: true });
 * ```
 */
export async function downloadToFile(
  vol: StorageVol,
  path: string,
  options: DownloadOptions = {},
): Promise<void> {
  if (typeof path !== "string") throw new TypeError(`path must be a string, got ${describe(path)}`);
  if (!options.sparse && (options.nonBlocking ?? registeredLoop() !== "none")) {
    const size = intArg(options.chunkSize ?? READ_BUFFER, "chunkSize", 1, 0x7fffffff);
    using file = await Deno.open(path, { write: true, create: true, truncate: true });
    for (let t; (t = syncTurn(vol));) await t;
    const { stream, total } = start(vol, "download", options, 0);
    try {
      await recvIntoFile(stream, file, size, progress(options, total));
      for (let t; (t = syncTurn(vol));) await t;
      stream.finish();
    } catch (e) {
      for (let t; (t = syncTurn(vol));) await t;
      const state = stream.state;
      if (state === "new" || state === "active") {
        try {
          stream.abort();
        } catch {
          // The original failure is what the caller needs.
        }
      }
      throw e;
    } finally {
      stream.free();
    }
    return;
  }
  if (!options.sparse) {
    // A blocking stream: the pipe yields to Deno's loop between chunks.
    const readable = downloadReadable(vol, options);
    let file: Deno.FsFile;
    try {
      file = await Deno.open(path, { write: true, create: true, truncate: true });
    } catch (e) {
      await readable.cancel(e);
      throw e;
    }
    return await readable.pipeTo(file.writable);
  }
  await using sink = await sparseFileSink(path);
  const chunkSize = options.chunkSize ?? SPARSE_BUFFER;
  for (let t; (t = syncTurn(vol));) await t;
  const { stream, total } = start(vol, "download", options, StorageVolDownloadFlags.STREAM);
  const step = progress(options, total);
  try {
    await stream.sparseRecvAll(
      async (st, data) => (step?.(data.length), await sink.handler(st, data, data.length)),
      async (st, length) => (step?.(length), await sink.holeHandler(st, length)),
      chunkSize,
    );
  } finally {
    stream.free();
  }
}

/**
 * Uploads a local file into a volume. With `sparse`, the file's holes travel as their length
 * (`StorageVolUploadFlags.STREAM`) and the volume keeps them unallocated where it can.
 *
 * @example
 * ```ts
 * import { Connection, uploadFromFile } from "./mod.ts";
 * declare const conn: Connection;
 * const vol = conn.lookupStoragePoolByName("default").lookupVolumeByName("disk.img");
 * await uploadFromFile(vol, "/tmp/disk.img", { sparse: true });
 * ```
 */
export async function uploadFromFile(
  vol: StorageVol,
  path: string,
  options: UploadOptions & { sparse?: boolean } = {},
): Promise<void> {
  if (typeof path !== "string") throw new TypeError(`path must be a string, got ${describe(path)}`);
  if (!options.sparse) {
    // Read in packets of libvirt's size: `file.readable` would yield 64 KiB chunks, each an
    // async read on Deno's thread pool (4x the round trips; bench/findings.md).
    using file = await Deno.open(path, { read: true });
    const total = options.total ?? (await file.stat()).size;
    for (let t; (t = syncTurn(vol));) await t;
    const { stream } = start(vol, "upload", options, 0);
    const step = progress(options, total);
    try {
      await stream.sendAll(async (_st, buf) => {
        const n = (await file.read(buf)) ?? 0;
        if (n > 0) step?.(n);
        return n;
      }, options.chunkSize ?? SEND_PACKET);
    } finally {
      stream.free();
    }
    return;
  }
  using src = await sparseFileSource(path);
  const opts = { ...options, total: options.total ?? src.size };
  for (let t; (t = syncTurn(vol));) await t;
  const { stream } = start(vol, "upload", opts, StorageVolUploadFlags.STREAM);
  const step = progress(opts, opts.total);
  try {
    await stream.sparseSendAll(
      async (st, buf, max) => {
        const n = await src.handler(st, buf, max);
        step?.(n ?? 0);
        return n;
      },
      src.holeHandler,
      async (st, length) => (step?.(length), await src.skipHandler(st, length)),
      options.chunkSize ?? SPARSE_SEND_BUFFER,
    );
  } finally {
    stream.free();
  }
}
