// Web Streams over a libvirt stream: a byte ReadableStream and a WritableStream with backpressure.
import { StreamEventType } from "../ffi/enums.ts";
import { describe, intArg } from "../ffi/marshal.ts";
import { sendFully, STREAM_CHUNK } from "./all.ts";
import type { Stream } from "./stream.ts";

/** Options of the Web Streams made over a libvirt stream. */
export interface WebStreamOptions {
  /** Bytes per recv for default readers, and per send (default 256 KiB). */
  chunkSize?: number;
  /** Called after each chunk with the bytes it carried. */
  onChunk?: (bytes: number) => void;
  /** Bytes the readable may receive ahead of its reader (default: one chunk). */
  readAhead?: number;
  /** Called once the libvirt stream ended (finished, aborted or failed), e.g. to free it. */
  onEnd?: () => void;
}

// Aborts a stream that is still active, keeping the error that made us do it.
function abortQuietly(st: Stream, onEnd?: () => void): void {
  const state = st.state;
  if (state === "new" || state === "active") {
    try {
      st.abort();
    } catch {
      // The caller reports the original failure.
    }
  }
  onEnd?.();
}

function once(f: (() => void) | undefined): (() => void) | undefined {
  if (!f) return undefined;
  let done = false;
  return () => {
    if (!done) (done = true, f());
  };
}

// Finishes a stream, then runs onEnd whatever happened.
function finishThen(st: Stream, onEnd?: () => void): void {
  try {
    st.finish();
  } finally {
    onEnd?.();
  }
}

/**
 * A byte ReadableStream over `st`. Each pull does one recv straight into the reader's buffer
 * (BYOB) or a fresh chunk; on -2 it waits for READABLE, so Deno's loop keeps running. The end
 * of the stream finishes it; cancel aborts it; an error aborts it and errors the readable.
 */
export function streamReadable(
  st: Stream,
  options: WebStreamOptions = {},
): ReadableStream<Uint8Array> {
  const chunk = intArg(options.chunkSize ?? STREAM_CHUNK, "chunkSize", 1, 0x7fffffff);
  const ahead = intArg(options.readAhead ?? chunk, "readAhead", 0, 0x7fffffff);
  const onChunk = options.onChunk;
  const onEnd = once(options.onEnd);
  const source: UnderlyingByteSource = {
    type: "bytes",
    autoAllocateChunkSize: chunk,
    async pull(controller: ReadableByteStreamController) {
      // A reader waiting: its buffer (BYOB, or one auto-allocated for a default reader) is
      // filled in place. No reader (a pull to fill the read-ahead): a buffer of our own.
      const req = controller.byobRequest;
      const v = req?.view;
      const view = v ? new Uint8Array(v.buffer, v.byteOffset, v.byteLength) : new Uint8Array(chunk);
      try {
        for (;;) {
          const n = st.recv(view);
          if (n > 0) {
            if (req) req.respond(n);
            else controller.enqueue(n === view.length ? view : view.slice(0, n));
            onChunk?.(n);
            return;
          }
          if (n === 0) {
            finishThen(st, onEnd);
            controller.close();
            req?.respond(0);
            return;
          }
          await st.ready(StreamEventType.READABLE);
        }
      } catch (e) {
        abortQuietly(st, onEnd);
        throw e;
      }
    },
    cancel() {
      abortQuietly(st, onEnd);
    },
  };
  return new ReadableStream(source, { highWaterMark: ahead });
}

/**
 * A WritableStream over `st`: a chunk is sent in full (in slices of `chunkSize`, waiting for
 * WRITABLE when a non-blocking stream is full) before the next one is accepted. close()
 * finishes the stream; abort() or a failed send aborts it.
 */
export function streamWritable(
  st: Stream,
  options: WebStreamOptions = {},
): WritableStream<Uint8Array> {
  const chunk = intArg(options.chunkSize ?? STREAM_CHUNK, "chunkSize", 1, 0x7fffffff);
  const onChunk = options.onChunk;
  const onEnd = once(options.onEnd);
  return new WritableStream<Uint8Array>({
    async write(data) {
      if (!(data instanceof Uint8Array)) {
        abortQuietly(st, onEnd);
        throw new TypeError(`A stream's writable takes Uint8Array chunks, got ${describe(data)}`);
      }
      if (data.length === 0) return;
      try {
        await sendFully(st, data, chunk);
      } catch (e) {
        abortQuietly(st, onEnd);
        throw e;
      }
      onChunk?.(data.length);
    },
    close() {
      finishThen(st, onEnd);
    },
    abort() {
      abortQuietly(st, onEnd);
    },
  });
}
