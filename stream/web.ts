// Web Streams over a libvirt stream: a byte ReadableStream and a WritableStream with backpressure.
import { StreamEventType } from "../ffi/enums.ts";
import { describe, intArg } from "../ffi/marshal.ts";
import { sendFully } from "./all.ts";
import { roomToSend, type Stream, whenReady } from "./stream.ts";
import { blockHold } from "../event/hold.ts";
import { syncTurn } from "../ffi/turn.ts";

/**
 * The readable's chunk for default readers (BYOB readers bring their own buffers): one recv
 * takes every packet libvirt holds, up to this many bytes. libvirt's largest stream payload
 * (262,120 bytes: a daemon reads a volume 256 KiB at a time and sends each read as one packet of
 * this size and one of 24 bytes) measured best for a bulk download piped to a file: 10
 * alternating rounds, 287 MiB/s against 279 for 128 KiB, 270 for 192 KiB and 213 for 256 KiB;
 * larger chunks cost more in fresh memory (page faults, zeroing) than they save in writes
 * (bench/findings.md).
 */
export const READ_BUFFER = 262_120;

/**
 * The writable's packet: libvirt's largest stream payload (libvirt's client splits a larger send,
 * and a daemon sends downloads in packets of at most this size). Smaller chunks
 * (`FsFile.readable` yields 64 KiB) are gathered into one packet per send, larger ones sent in
 * packets of this size.
 */
export const SEND_PACKET = 262_120;

/** Options of the Web Streams made over a libvirt stream. */
export interface WebStreamOptions {
  /**
   * The readable's chunk for default readers (default `READ_BUFFER`, 262,120 bytes); the
   * writable's largest send, and with `fill` the packet it gathers (default `SEND_PACKET`).
   */
  chunkSize?: number;
  /** Called with the bytes of each chunk received, or of each send made. */
  onChunk?: (bytes: number) => void;
  /** Bytes the readable may receive before its reader asks (default 0: none). */
  readAhead?: number;
  /**
   * For bulk transfers (volume downloads and uploads set it): a default reader gets chunks of
   * `chunkSize` bytes (the last one shorter), each filled over as many packets as it takes,
   * instead of what libvirt held at the time of the read. Fewer, larger chunks make everything
   * downstream cheaper (a file sink makes one write per chunk). Off for consoles and
   * channels, whose reader wants each byte as soon as it came. BYOB readers ask for their
   * own minimum (`read(view, { min })`). On a writable, small chunks are gathered into
   * packets of `chunkSize` bytes instead of being sent one by one.
   */
  fill?: boolean;
  /** Called once the libvirt stream ended (finished, aborted or failed), e.g. to free it. */
  onEnd?: () => void;
}

// A Web stream dropped before its end (a reader that stopped early and let it go) counts as
// closed once collected (event/hold.ts counts the open ones). The held value is only the
// idempotent unblock, never the stream.
const dropped = new FinalizationRegistry<() => void>((unblock) => unblock());

// Counts a Web stream as open for DenoEventImpl (it does not hold the JS thread while an open
// one transfers, event/hold.ts) until it ends or is collected. Returns the stream's end (once:
// it counts the stream closed, then runs the caller's onEnd) and `track`, to call with the
// stream made.
function openWebStream(onEnd?: () => void): {
  onEnd: () => void;
  track: <S extends object>(stream: S) => S;
} {
  const unblock = blockHold();
  return {
    onEnd: once(() => (unblock(), onEnd?.()))!,
    track: (stream) => (dropped.register(stream, unblock), stream),
  };
}

// Aborts a stream that is still active, keeping the error that made us do it. On a connection
// with an async call in flight, once plain calls are allowed again (ffi/turn.ts).
function abortQuietly(st: Stream, onEnd?: () => void): void {
  const turn = syncTurn(st);
  if (turn !== null) return void turn.then(() => abortQuietly(st, onEnd));
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
 * A byte ReadableStream over `st`. A pull recvs what libvirt already holds straight into a
 * BYOB reader's buffer, or into a reused buffer of which a default reader gets an exact copy
 * (with `fill`: into a fresh chunk, handed over once full). When libvirt holds nothing (-2),
 * the pull waits for READABLE and recvs inside libvirt's dispatch of it, before libvirt's loop
 * turns again. Nothing is read ahead of the reader by default, so libvirt's stream callback
 * is armed only while a reader waits. The end of the stream finishes it; cancel aborts it; an
 * error aborts it and errors the readable.
 */
export function streamReadable(
  st: Stream,
  options: WebStreamOptions = {},
  setup?: Promise<void>,
): ReadableStream<Uint8Array> {
  const size = intArg(options.chunkSize ?? READ_BUFFER, "chunkSize", 1, 0x7fffffff);
  const ahead = intArg(options.readAhead ?? 0, "readAhead", 0, 0x7fffffff);
  const fill = options.fill ?? false;
  const onChunk = options.onChunk;
  const { onEnd, track } = openWebStream(options.onEnd);
  let scratch: Uint8Array | null = null;
  const source: UnderlyingByteSource = {
    type: "bytes",
    pull(controller: ReadableByteStreamController): Promise<void> {
      const { promise, resolve, reject } = Promise.withResolvers<void>();
      const fail = (e: unknown) => {
        abortQuietly(st, onEnd);
        reject(e);
      };
      // fill: the chunk being filled, handed over whole (received into, so never copied).
      let chunk: Uint8Array | null = null;
      let filled = 0;
      const deliver = (data: Uint8Array) => {
        const n = data.length; // enqueue transfers (detaches) the buffer
        controller.enqueue(data);
        onChunk?.(n);
      };
      // Runs now, and again inside libvirt's dispatch after each -2; its plain calls wait
      // while the connection has an async call in flight (ffi/turn.ts).
      const attempt = (): void => {
        const turn = syncTurn(st);
        if (turn !== null) return void turn.then(attempt, fail);
        try {
          for (;;) {
            const req = controller.byobRequest;
            const v = req?.view;
            const view = v
              ? new Uint8Array(v.buffer, v.byteOffset, v.byteLength)
              : fill
              ? (chunk ??= new Uint8Array(size)).subarray(filled)
              : (scratch ??= new Uint8Array(size));
            const n = st.recv(view);
            if (n === -2) {
              return whenReady(st, StreamEventType.READABLE, { resolve: attempt, reject: fail });
            }
            if (n === 0) {
              if (filled > 0) deliver(chunk!.subarray(0, filled));
              finishThen(st, onEnd);
              controller.close();
              req?.respond(0);
              return resolve();
            }
            if (req) {
              req.respond(n);
              onChunk?.(n);
              return resolve();
            }
            if (!fill) {
              deliver(view.slice(0, n));
              return resolve();
            }
            filled += n;
            if (filled === size) {
              deliver(chunk!);
              return resolve();
            }
          }
        } catch (e) {
          fail(e);
        }
      };
      attempt();
      return promise;
    },
    async cancel() {
      for (let t; (t = syncTurn(st));) await t;
      abortQuietly(st, onEnd);
    },
  };
  if (setup) {
    // The transfer starts once the connection allows plain calls (see downloadReadable); a
    // start that failed frees the stream and errors the readable with libvirt's error.
    source.start = () =>
      setup.catch((e) => {
        onEnd();
        throw e;
      });
  }
  return track(new ReadableStream(source, { highWaterMark: ahead }));
}

// Sends `data` in packets of at most `max` bytes; a promise only when a non-blocking stream
// filled up, or its connection's socket has no room (libvirt's remote streams send
// synchronously: stream/room.ts).
function sendPackets(st: Stream, data: Uint8Array, max: number): Promise<void> | undefined {
  for (let off = 0; off < data.length;) {
    const room = roomToSend(st);
    if (room) return room.then(() => sendFully(st, data.subarray(off), max));
    const n = st.send(data.subarray(off, Math.min(data.length, off + max)));
    if (n === -2) return sendFully(st, data.subarray(off), max);
    off += n;
  }
}

/**
 * A WritableStream over `st`. Each chunk is sent at once (in packets of at most `chunkSize`
 * bytes), as a console needs. With `fill` (bulk uploads), chunks are gathered into packets of
 * `chunkSize` bytes (libvirt's largest payload by default): whole packets go straight from the
 * chunk, the rest is copied into a packet buffer and sent once full, or by close(). A write
 * resolves once its bytes were sent or buffered (waiting for WRITABLE when a non-blocking
 * stream is full), so at most one packet waits in memory. close() sends what is left and
 * finishes the stream; abort() or a failed send aborts it.
 */
export function streamWritable(
  st: Stream,
  options: WebStreamOptions = {},
): WritableStream<Uint8Array> {
  const packet = intArg(options.chunkSize ?? SEND_PACKET, "chunkSize", 1, 0x7fffffff);
  const gather = options.fill ?? false;
  const onChunk = options.onChunk;
  const { onEnd, track } = openWebStream(options.onEnd);
  let buf: Uint8Array | null = null;
  let held = 0;
  const failed = (e: unknown): never => {
    abortQuietly(st, onEnd);
    throw e;
  };
  // Sends the packet buffer's `held` bytes.
  const flush = async (): Promise<void> => {
    const n = held;
    held = 0;
    if (n === 0) return;
    const pending = sendPackets(st, buf!.subarray(0, n), packet);
    if (pending) await pending;
    onChunk?.(n);
  };
  const write = async (data: Uint8Array): Promise<void> => {
    for (let t; (t = syncTurn(st));) await t;
    if (!gather) {
      // A console or channel: the other side waits for these very bytes (a keystroke).
      const pending = sendPackets(st, data, packet);
      if (pending) await pending;
      onChunk?.(data.length);
      return;
    }
    let off = 0;
    if (held > 0) {
      off = Math.min(packet - held, data.length);
      buf!.set(data.subarray(0, off), held);
      held += off;
      if (held < packet) return;
      await flush();
      for (let t; (t = syncTurn(st));) await t;
    }
    const whole = off + Math.floor((data.length - off) / packet) * packet;
    if (whole > off) {
      const pending = sendPackets(st, data.subarray(off, whole), packet);
      if (pending) await pending;
      onChunk?.(whole - off);
    }
    if (whole < data.length) {
      (buf ??= new Uint8Array(packet)).set(data.subarray(whole));
      held = data.length - whole;
    }
  };
  return track(
    new WritableStream<Uint8Array>({
      async write(data) {
        if (!(data instanceof Uint8Array)) {
          failed(
            new TypeError(`A stream's writable takes Uint8Array chunks, got ${describe(data)}`),
          );
        }
        if (data.length === 0) return;
        try {
          await write(data);
        } catch (e) {
          failed(e);
        }
      },
      async close() {
        try {
          for (let t; (t = syncTurn(st));) await t;
          await flush();
          for (let t; (t = syncTurn(st));) await t;
        } catch (e) {
          failed(e);
        }
        finishThen(st, onEnd);
      },
      async abort() {
        held = 0;
        for (let t; (t = syncTurn(st));) await t;
        abortQuietly(st, onEnd);
      },
    }),
  );
}
