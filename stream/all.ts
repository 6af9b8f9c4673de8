// recvAll / sendAll and their sparse forms: Sys::Virt's whole-stream loops, written over recv/send.
import { StreamEventType, StreamRecvFlagsValues } from "../ffi/enums.ts";
import { describe, intArg } from "../ffi/marshal.ts";
import { roomToSend, type Stream } from "./stream.ts";
import { syncTurn } from "../ffi/turn.ts";

/** Bytes per recv/send by default: libvirt's stream packets carry at most 256 KiB. */
export const STREAM_CHUNK = 256 * 1024;

/**
 * Takes received bytes: returns how many it took (it is called again with the rest; nothing
 * returned means all), or -1 to fail. `data` is a view of a reused buffer: copy what you keep.
 */
export type RecvHandler = (
  stream: Stream,
  data: Uint8Array,
  nbytes: number,
) => number | void | Promise<number | void>;

/** Fills `buffer` (at most `max` bytes) and returns the count, 0 or null at the end, -1 to fail. */
export type SendHandler = (
  stream: Stream,
  buffer: Uint8Array,
  max: number,
) => number | null | Promise<number | null>;

/** Told the length of each hole a sparse download reaches; returns 0 (or nothing) or -1 to fail. */
export type SinkHoleHandler = (
  stream: Stream,
  length: number,
) => number | void | Promise<number | void>;

/** Where a sparse source stands: in data or in a hole, and how many bytes the section has left. */
export interface DataSection {
  /** Whether the current position is in data (false: in a hole). */
  inData: boolean;
  /** Bytes from the current position to the section's end; 0 at the end of the source. */
  length: number;
}

/** Describes the section at the source's position (Sys::Virt returns `($inData, $length)`). */
export type SourceHoleHandler = (
  stream: Stream,
) => DataSection | [boolean, number] | -1 | Promise<DataSection | [boolean, number] | -1>;

/** Moves the source `length` bytes forward, past a hole; returns 0 (or nothing) or -1. */
export type SkipHandler = (
  stream: Stream,
  length: number,
) => number | void | Promise<number | void>;

// Awaits only real promises, so synchronous handlers on blocking streams never yield.
function isThenable<T>(v: T | Promise<T>): v is Promise<T> {
  return typeof (v as { then?: unknown } | null)?.then === "function";
}

function chunkArg(size: number | undefined): Uint8Array {
  return new Uint8Array(intArg(size ?? STREAM_CHUNK, "chunkSize", 1, 0x7fffffff));
}

function checkFn(f: unknown, what: string): void {
  if (typeof f !== "function") {
    throw new TypeError(`${what} must be a function, got ${describe(f)}`);
  }
}

function handlerFailed(what: string, r: unknown): Error {
  return r === -1 || (typeof r === "number" && r < 0)
    ? new Error(`${what} returned -1`)
    : new TypeError(`${what} returned ${describe(r)}`);
}

// A send loop asks its handler for data before it touches the stream: check the stream first,
// so a handler never consumes its source for a stream that can no longer carry it.
function checkUsable(st: Stream, verb: string): void {
  const state = st.state;
  if (state !== "new" && state !== "active") {
    throw new Error(`Cannot ${verb}: this Stream was ${state}`);
  }
}

// Runs a loop body. Ending the stream is not the loop's job: Stream.recvAll() and the others
// own the end (finish on success, abort on failure) and refuse a finish() from user code
// while the loop runs.
function guarded(_st: Stream, body: () => Promise<void>): Promise<void> {
  return body();
}

/** Sends all of `data`, waiting for WRITABLE when a non-blocking stream is full. */
export async function sendFully(st: Stream, data: Uint8Array, max = STREAM_CHUNK): Promise<void> {
  let off = 0;
  while (off < data.length) {
    // Each plain call waits while the connection has an async call in flight (ffi/turn.ts).
    for (let t; (t = syncTurn(st));) await t;
    const room = roomToSend(st);
    if (room) {
      await room;
      continue;
    }
    const n = st.send(data.subarray(off, Math.min(data.length, off + max)));
    if (n === -2) await st.ready(StreamEventType.WRITABLE);
    else off += n;
  }
}

// Hands `got` bytes of `buf` to the handler until it took them all.
async function feed(st: Stream, handler: RecvHandler, buf: Uint8Array, got: number) {
  let off = 0;
  while (off < got) {
    let r = handler(st, buf.subarray(off, got), got - off);
    if (isThenable(r)) r = await r;
    if (r === undefined) return;
    if (!Number.isInteger(r) || r <= 0 || r > got - off) throw handlerFailed("recvAll handler", r);
    off += r;
  }
}

/** Sys::Virt's `recv_all` over `st`; see `Stream.recvAll`. */
export function recvAll(st: Stream, handler: RecvHandler, chunkSize?: number): Promise<void> {
  checkFn(handler, "The recvAll handler");
  const buf = chunkArg(chunkSize);
  return guarded(st, async () => {
    for (;;) {
      for (let t; (t = syncTurn(st));) await t;
      const got = st.recv(buf);
      if (got === 0) return;
      if (got === -2) await st.ready(StreamEventType.READABLE);
      else await feed(st, handler, buf, got);
    }
  });
}

/** Sys::Virt's `sparse_recv_all` over `st`; see `Stream.sparseRecvAll`. */
export function sparseRecvAll(
  st: Stream,
  handler: RecvHandler,
  holeHandler: SinkHoleHandler,
  chunkSize?: number,
): Promise<void> {
  checkFn(handler, "The sparseRecvAll handler");
  checkFn(holeHandler, "The sparseRecvAll hole handler");
  const buf = chunkArg(chunkSize);
  return guarded(st, async () => {
    for (;;) {
      for (let t; (t = syncTurn(st));) await t;
      const got = st.recvFlags(buf, undefined, StreamRecvFlagsValues.HOLE);
      if (got === 0) return;
      if (got === -2) {
        await st.ready(StreamEventType.READABLE);
      } else if (got === -3) {
        let r = holeHandler(st, st.recvHole());
        if (isThenable(r)) r = await r;
        if (r !== undefined && r !== 0) throw handlerFailed("sparseRecvAll hole handler", r);
      } else {
        await feed(st, handler, buf, got);
      }
    }
  });
}

// Calls a send handler and checks what it returned: the bytes filled, 0 at the end.
async function fill(st: Stream, handler: SendHandler, buf: Uint8Array): Promise<number> {
  let r = handler(st, buf, buf.length);
  if (isThenable(r)) r = await r;
  if (r === null) return 0;
  if (!Number.isInteger(r) || r < 0 || r > buf.length) throw handlerFailed("sendAll handler", r);
  return r;
}

/** Sys::Virt's `send_all` over `st`; see `Stream.sendAll`. */
export function sendAll(st: Stream, handler: SendHandler, chunkSize?: number): Promise<void> {
  checkFn(handler, "The sendAll handler");
  const buf = chunkArg(chunkSize);
  return guarded(st, async () => {
    checkUsable(st, "sendAll");
    for (;;) {
      const got = await fill(st, handler, buf);
      if (got === 0) return;
      await sendFully(st, buf.subarray(0, got));
    }
  });
}

/** Sys::Virt's `sparse_send_all` over `st`; see `Stream.sparseSendAll`. */
export function sparseSendAll(
  st: Stream,
  handler: SendHandler,
  holeHandler: SourceHoleHandler,
  skipHandler: SkipHandler,
  chunkSize?: number,
): Promise<void> {
  checkFn(handler, "The sparseSendAll handler");
  checkFn(holeHandler, "The sparseSendAll hole handler");
  checkFn(skipHandler, "The sparseSendAll skip handler");
  const buf = chunkArg(chunkSize);
  return guarded(st, async () => {
    checkUsable(st, "sparseSendAll");
    let dataLeft = 0;
    for (;;) {
      if (dataLeft === 0) {
        const { inData, length } = await section(st, holeHandler);
        if (!inData && length > 0) {
          // A hole is a message too, sent as synchronously as data (stream/room.ts).
          for (let t; (t = syncTurn(st));) await t;
          const room = roomToSend(st);
          if (room) await room;
          for (let t; (t = syncTurn(st));) await t;
          st.sendHole(length);
          let r = skipHandler(st, length);
          if (isThenable(r)) r = await r;
          if (r !== undefined && r !== 0) throw handlerFailed("sparseSendAll skip handler", r);
          continue;
        }
        dataLeft = length;
      }
      // A section of length 0 is the end of the source.
      if (dataLeft === 0) return;
      const got = await fill(st, handler, buf.subarray(0, Math.min(buf.length, dataLeft)));
      if (got === 0) return;
      await sendFully(st, buf.subarray(0, got));
      dataLeft -= got;
    }
  });
}

async function section(st: Stream, holeHandler: SourceHoleHandler): Promise<DataSection> {
  let r = holeHandler(st);
  if (isThenable(r)) r = await r;
  const s = Array.isArray(r) ? { inData: r[0], length: r[1] } : r;
  if (
    s === -1 || typeof s !== "object" || s === null || typeof s.inData !== "boolean" ||
    !Number.isSafeInteger(s.length) || s.length < 0
  ) {
    throw handlerFailed("sparseSendAll hole handler", r);
  }
  return s;
}
