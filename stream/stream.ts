// Stream: a libvirt data stream (virStream*): send/recv, holes, finish/abort, event callbacks.
import { callInt, callPtr, callRaw } from "../ffi/call.ts";
import { callCheckedAsync, checkLoop } from "../ffi/call_async.ts";
import { lastError, LibvirtError } from "../ffi/errors.ts";
import { describe, flagsArg, intArg, u64Arg } from "../ffi/marshal.ts";
import {
  ErrorDomain,
  ErrorLevel,
  ErrorNumber,
  StreamEventType,
  StreamFlags,
  StreamRecvFlagsValues,
} from "../ffi/enums.ts";
import { asyncTracking, LibvirtObject } from "../api/object.ts";
import { Connection } from "../api/connection.ts";
import {
  addStreamCallback,
  dropCollectedCallback,
  removeStreamCallback,
  settleStreamCallback,
  updateStreamCallback,
} from "./callbacks.ts";
import { EventPump, type PumpWaiter } from "./pump.ts";
import { hasRoom, waitForRoom } from "./room.ts";
import { socketOf } from "../api/conn/socket.ts";
import {
  recvAll,
  type RecvHandler,
  sendAll,
  type SendHandler,
  type SinkHoleHandler,
  type SkipHandler,
  type SourceHoleHandler,
  sparseRecvAll,
  sparseSendAll,
} from "./all.ts";
import { streamReadable, streamWritable } from "./web.ts";
import { log, logEnabled } from "../log.ts";
import { eventRegistrationError } from "../event/loop_hint.ts";
import { noteStreamActivity } from "../event/hold.ts";
import { mayCallNow, runWhenAllowed, syncTurn, whenAllowed } from "../ffi/turn.ts";

/** Where a stream is in its life: unused, transferring, ended one way or the other, or freed. */
export type StreamState = "new" | "active" | "finished" | "aborted" | "freed";

/** A stream event callback (`virStreamEventCallback`): the stream and the events seen. */
export type StreamEventCallback = (stream: Stream, events: number) => void;

// The backstop for streams dropped without finish/abort/free. It owns a second libvirt
// reference (virStreamRef), so it may abort the stream whether or not the base class's own
// backstop has already released the first reference: libvirt forbids freeing an active stream.
interface Guard {
  ptr: Deno.PointerObject;
  live: boolean;
}
// On a connection with an async call in flight, once plain calls are allowed (ffi/turn.ts).
const guardian = new FinalizationRegistry<Guard>((g) =>
  runWhenAllowed(g.ptr, "releasing a collected stream", () => {
    dropCollectedCallback(g.ptr); // the callback goes before the abort (stream/callbacks.ts)
    endInLibvirt(g.ptr, g.live);
  })
);

let attachTo: <T>(st: Stream, verb: string, call: (ptr: Deno.PointerObject) => T) => T;

/**
 * Hands a new stream to the libvirt call that starts a transfer on it (download, upload,
 * screenshot, console, channel) and marks it active once that call succeeded, so finish() or
 * abort() must end it. A stream carries one transfer: a used one is refused. For the API
 * modules, not for users.
 */
export function attachStream<T>(
  st: Stream,
  verb: string,
  call: (ptr: Deno.PointerObject) => T,
): T {
  if (!(st instanceof Stream)) {
    throw new TypeError(`Cannot ${verb}: expected a Stream, got ${describe(st)}`);
  }
  return attachTo(st, verb, call);
}

let attachToAsync: <T>(
  st: Stream,
  verb: string,
  call: (ptr: Deno.PointerObject) => Promise<T>,
) => Promise<T>;

/**
 * attachStream() for the Async forms of those calls: the stream counts as active once the call
 * succeeded; until it settled, the stream cannot be started again, and a free() of it waits
 * for the call (the pool thread uses its pointer). For the API modules, not for users.
 */
export function attachStreamAsync<T>(
  st: Stream,
  verb: string,
  call: (ptr: Deno.PointerObject) => Promise<T>,
): Promise<T> {
  if (!(st instanceof Stream)) {
    throw new TypeError(`Cannot ${verb}: expected a Stream, got ${describe(st)}`);
  }
  return attachToAsync(st, verb, call);
}

let notifyOn: (st: Stream, events: number, waiter: PumpWaiter) => void;

/**
 * `ready()` without a promise, for the Web Streams (stream/web.ts), not for users:
 * `waiter.resolve` runs inside libvirt's dispatch of the event, so the caller can recv or send
 * before libvirt's loop turns again. Throws when the stream cannot wait; a blocking stream
 * (which never returns -2) is told at once.
 */
export function whenReady(st: Stream, events: number, waiter: PumpWaiter): void {
  notifyOn(st, events, waiter);
}

let roomFor: (st: Stream) => Promise<void> | undefined;

/**
 * For the send loops (stream/all.ts, stream/web.ts), not for users: undefined when a
 * non-blocking stream may send now, else a promise that resolves once its connection's socket
 * has room for a packet (stream/room.ts), waited for off the JS thread. libvirt's remote sends
 * would otherwise wait for the daemon on the JS thread. Blocking streams block by choice, and
 * streams without a known socket (drivers in the process) are never held.
 */
export function roomToSend(st: Stream): Promise<void> | undefined {
  return roomFor(st);
}

// Removes a stream's callback registration from libvirt (a failure only means it is gone).
function dropCallback(ptr: Deno.PointerObject, cb: { id: number } | null): void {
  if (!cb) return;
  try {
    removeStreamCallback(ptr, cb.id, true);
  } catch (e) {
    log("debug", "stream callback removal failed", { error: e });
  }
}

// Aborts a stream libvirt still runs (a failure means the transfer had already failed), then
// drops the guardian's reference.
function endInLibvirt(ptr: Deno.PointerObject, live: boolean): void {
  if (live && callRaw("virStreamAbort", ptr) === -1) callRaw("virResetLastError");
  callRaw("virStreamFree", ptr);
}

/**
 * A data stream (`virStreamPtr`) for volume transfers, screenshots, consoles and channels.
 * Blocking streams block the calling JS thread in recv/send; non-blocking ones
 * (`Stream.NONBLOCK`) return -2 instead and report readiness through an event callback, which
 * needs a registered event loop. Every stream libvirt used must end with finish() or abort().
 *
 * @example
 * ```ts
 * import { Connection, Stream } from "./mod.ts";
 * using conn = Connection.open("test:///default");
 * using st = new Stream(conn);
 * const mime = conn.lookupDomainByName("test").screenshot(st, 0);
 * const bytes: Uint8Array[] = [];
 * await st.recvAll((_st, data) => (bytes.push(data.slice()), data.length));
 * console.log(mime, bytes.length);
 * ```
 */
export class Stream extends LibvirtObject {
  /** `VIR_STREAM_NONBLOCK`: recv/send return -2 instead of waiting. */
  static readonly NONBLOCK: 1 = StreamFlags.NONBLOCK;
  /** `VIR_STREAM_EVENT_READABLE`. */
  static readonly EVENT_READABLE: 1 = StreamEventType.READABLE;
  /** `VIR_STREAM_EVENT_WRITABLE`. */
  static readonly EVENT_WRITABLE: 2 = StreamEventType.WRITABLE;
  /** `VIR_STREAM_EVENT_ERROR`. */
  static readonly EVENT_ERROR: 4 = StreamEventType.ERROR;
  /** `VIR_STREAM_EVENT_HANGUP`. */
  static readonly EVENT_HANGUP: 8 = StreamEventType.HANGUP;
  /** `VIR_STREAM_RECV_STOP_AT_HOLE`: recvFlags returns -3 at a hole instead of zeros. */
  static readonly RECV_STOP_AT_HOLE: 1 = StreamRecvFlagsValues.HOLE;

  readonly #conn: Connection;
  readonly #flags: number;
  readonly #guard: Guard;
  #state: "new" | "active" | "finished" | "aborted" = "new";
  // An async call that starts a transfer on this stream is in flight (attachStreamAsync).
  #starting = false;
  // The one libvirt callback a stream may have: the user's, or the pump's.
  #callback: { id: number; user: boolean } | null = null;
  #pump: EventPump | null = null;
  // recv()/recvFlags() returned 0: the data ended and only finish() (or abort()) is left.
  #atEnd = false;
  // The recvAll/sendAll family running on the stream: it owns the end (finish or abort).
  #owner: Owner | null = null;
  #readable?: ReadableStream<Uint8Array>;
  #writable?: WritableStream<Uint8Array>;
  // A volume download or upload: its readable/writable move bulk data in full chunks and
  // packets (a console's must pass each byte on at once).
  #bulk = false;
  // finishAsync() in flight: its promise, which a second call returns too.
  #finishing: Promise<void> | null = null;
  // abortAsync() in flight (the stream already counts as aborted).
  #aborting: Promise<void> | null = null;

  static {
    attachTo = (st, verb, call) => {
      const ptr = st.#startable(verb);
      const r = call(ptr);
      st.#activated(verb);
      return r;
    };
    attachToAsync = (st, verb, call) => {
      const ptr = st.#startable(verb);
      // The pool thread uses the stream's pointer until the call settles: a free() meanwhile
      // releases the wrapper at once and libvirt's reference after it (api/object.ts).
      asyncTracking.enter(st);
      st.#starting = true;
      let pending;
      try {
        pending = call(ptr);
      } catch (e) {
        st.#starting = false;
        asyncTracking.leave(st);
        throw e;
      }
      // A release deferred meanwhile aborts the stream (a plain call): not while another async
      // call is in flight on the connection (ffi/turn.ts).
      return pending.then((r) => (st.#activated(verb), r)).finally(() =>
        whenAllowed(st, () => {
          st.#starting = false;
          asyncTracking.leave(st);
        })
      );
    };
    roomFor = (st) => {
      if (!st.nonBlocking) return undefined;
      const fd = socketOf(st.#conn);
      if (fd < 0 || hasRoom(fd) || !st.#connectionAlive()) return undefined;
      // Until there is room, or the wait has become pointless: the stream ended (aborted by
      // its user meanwhile, say) or its connection is gone. The send after it then says which.
      // While an async call is in flight on the connection, it may not be asked (a plain
      // call); that call fails by itself if the connection is gone, and the next wait asks.
      return waitForRoom(
        fd,
        () => st.state === "active" && (!mayCallNow(st) || st.#connectionAlive()),
      );
    };
    notifyOn = (st, events, waiter) => {
      const ptr = st.#transfer("wait for events");
      if (!st.nonBlocking) return waiter.resolve(events);
      st.#eventPump(ptr).notify(events, waiter);
    };
  }

  /**
   * Creates a stream on `conn` (`virStreamNew`); `flags` is 0 or `Stream.NONBLOCK`. Closing the
   * connection aborts and frees the stream.
   *
   * @example
   * ```ts
   * import { Connection, Stream } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * using st = new Stream(conn, Stream.NONBLOCK);
   * console.log(st.nonBlocking, st.state); // true "new"
   * ```
   */
  constructor(conn: Connection, flags: number = 0) {
    if (!(conn instanceof Connection)) {
      throw new TypeError(`A Stream needs a Connection, got ${describe(conn)}`);
    }
    const f = flagsArg(flags);
    const ptr = callPtr("virStreamNew", conn.handle("create a stream"), f);
    super(ptr, "virStreamFree", "Stream", conn);
    this.#conn = conn;
    this.#flags = f;
    callInt("virStreamRef", ptr);
    this.#guard = { ptr, live: true };
    guardian.register(this, this.#guard, this);
  }

  /** The connection the stream belongs to. */
  get connection(): Connection {
    return this.#conn;
  }

  /** Whether the stream was created with `Stream.NONBLOCK`. */
  get nonBlocking(): boolean {
    return (this.#flags & StreamFlags.NONBLOCK) !== 0;
  }

  /** "new", "active" (attached to a transfer), "finished", "aborted" or "freed". */
  get state(): StreamState {
    return this.freed ? "freed" : this.#state;
  }

  // The pointer for a data call: refuses streams that ended or were freed.
  #live(verb: string): Deno.PointerObject {
    const ptr = this.ptr(verb);
    if (this.#state === "finished" || this.#state === "aborted") {
      throw new Error(`Cannot ${verb}: this Stream was ${this.#state}`);
    }
    // libvirt's finish runs on a pool thread meanwhile, holding the connection; the answer
    // decides whether the stream ended or is still active.
    if (this.#finishing) {
      throw new Error(`Cannot ${verb}: finishAsync() is in flight on this Stream; await it first`);
    }
    return ptr;
  }

  // The pointer for a data or event call: the stream must carry a transfer that has not ended.
  // libvirt would answer a new stream with "this function is not supported by the connection
  // driver", which sends the user looking in the wrong place.
  #transfer(verb: string): Deno.PointerObject {
    const ptr = this.#live(verb);
    // Every data call counts as activity for DenoEventImpl, which does not batch an event
    // flood while a stream transfers (event/hold.ts).
    noteStreamActivity();
    if (this.#state === "new") {
      throw new Error(
        `Cannot ${verb}: this Stream is new, not yet bound to a transfer. Start one first ` +
          `(vol.download(st, ...), vol.upload(st, ...), dom.screenshot(st, screen), ` +
          `dom.openConsole(dev, st), dom.openChannel(name, st)), then ${verb}`,
      );
    }
    return ptr;
  }

  // recv after the end: libvirt's answer ("stream is not open: Bad file descriptor" on some
  // drivers, 0 again on others) hides what happened.
  #receiving(verb: string): Deno.PointerObject {
    const ptr = this.#transfer(verb);
    if (this.#atEnd) {
      throw new Error(
        `Cannot ${verb}: this Stream already reached its end (recv returned 0); call finish() ` +
          `to end the transfer`,
      );
    }
    return ptr;
  }

  // finish()/abort() from user code while recvAll/sendAll runs would cut the transfer short
  // (Perl's `$st->recv_all(...); $st->finish();` habit, without await).
  #ownedBy(verb: string): Error {
    const name = this.#owner!.name;
    return new Error(
      `Cannot ${verb}: ${name}() is still running on this Stream and ends it itself ` +
        `(finish at the end, abort on failure); await it instead: \`await st.${name}(...)\``,
    );
  }

  // libvirt's remote client does not tell its streams that the connection closed (daemon
  // killed, keepalive timeout): a non-blocking recv returns -2 forever and no event comes. So
  // a -2, and a pump that waits, ask the connection (a local check, no round trip).
  // The pointer for a call that starts a transfer; refuses a stream that carries one already
  // or is being started by an async call.
  #startable(verb: string): Deno.PointerObject {
    const ptr = this.#live(verb);
    if (this.#state !== "new" || this.#starting) {
      throw new Error(`Cannot ${verb}: this Stream already carries a transfer`);
    }
    return ptr;
  }

  #activated(verb: string): void {
    this.#state = "active";
    this.#bulk = verb === "download" || verb === "upload";
    if (logEnabled.debug) log("debug", "stream: active", { verb });
  }

  #connectionAlive(): boolean {
    if (this.#conn.freed) return false;
    return callRaw("virConnectIsAlive", this.#conn.handle("check if alive")) !== 0;
  }

  #connectionGone(func: string): LibvirtError {
    return new LibvirtError({
      code: ErrorNumber.INTERNAL_ERROR,
      domain: ErrorDomain.RPC,
      level: ErrorLevel.ERROR,
      message: "internal error: client socket is closed (the stream's connection is gone)",
      func,
    });
  }

  // What a non-blocking call's -2 means: "not now", unless the connection died.
  #wouldBlock(func: string): -2 {
    if (!this.#connectionAlive()) throw this.#connectionGone(func);
    return -2;
  }

  #fail(func: string): Error {
    return lastError(func, this.#conn.freed ? undefined : this.#conn.handle("read its error"));
  }

  /**
   * Sends up to `nbytes` (default: all) of `data` (`virStreamSend`). Returns the bytes sent,
   * which may be fewer, or -2 when a non-blocking stream cannot take data now. On a remote
   * connection libvirt never returns -2 here: it waits until the packet is in the socket, on
   * the calling thread. `sendAll` and `writable` wait for room off the JS thread first.
   * libvirt: [`virStreamSend`](https://libvirt.org/html/libvirt-libvirt-stream.html#virStreamSend).
   *
   * @example
   * ```ts
   * import { Connection, Stream } from "./mod.ts";
   * declare const conn: Connection;
   * const st = new Stream(conn);
   * // after vol.upload(st, 0, 0): send until all is written
   * const data = new TextEncoder().encode("hello");
   * for (let off = 0; off < data.length;) off += st.send(data.subarray(off));
   * st.finish();
   * ```
   */
  send(data: Uint8Array, nbytes?: number): number {
    const n = byteCount(data, nbytes, "send");
    const r = callRaw("virStreamSend", this.#transfer("send"), data, BigInt(n));
    if (r === -1) throw this.#fail("virStreamSend");
    return r === -2 ? this.#wouldBlock("virStreamSend") : r;
  }

  /**
   * Reads up to `nbytes` (default: its length) into `buffer` (`virStreamRecv`), with no copy.
   * Returns the bytes read, 0 at the end of the stream (then call finish()), or -2 when a
   * non-blocking stream has nothing yet.
   * libvirt: [`virStreamRecv`](https://libvirt.org/html/libvirt-libvirt-stream.html#virStreamRecv), [`virStreamRecvFlags`](https://libvirt.org/html/libvirt-libvirt-stream.html#virStreamRecvFlags).
   *
   * @example
   * ```ts
   * import { Connection, Stream } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * using st = new Stream(conn);
   * conn.lookupDomainByName("test").screenshot(st, 0);
   * const buf = new Uint8Array(65536);
   * let total = 0;
   * for (let n; (n = st.recv(buf)) > 0;) total += n;
   * st.finish();
   * console.log(total);
   * ```
   */
  recv(buffer: Uint8Array, nbytes?: number): number {
    const n = byteCount(buffer, nbytes, "recv");
    const r = callRaw("virStreamRecv", this.#receiving("recv"), buffer, BigInt(n));
    if (r === -1) throw this.#fail("virStreamRecv");
    if (r === 0) this.#atEnd = true;
    return r === -2 ? this.#wouldBlock("virStreamRecv") : r;
  }

  /**
   * recv() with flags (`virStreamRecvFlags`): with `Stream.RECV_STOP_AT_HOLE`, returns -3 when
   * a sparse stream reaches a hole (read its length with recvHole()).
   * libvirt: [`virStreamRecvFlags`](https://libvirt.org/html/libvirt-libvirt-stream.html#virStreamRecvFlags).
   *
   * @example
   * ```ts
   * import { Stream } from "./mod.ts";
   * declare const st: Stream; // attached to vol.download(st, 0, 0, StorageVolDownloadFlags.STREAM)
   * const buf = new Uint8Array(262144);
   * const n = st.recvFlags(buf, buf.length, Stream.RECV_STOP_AT_HOLE);
   * if (n === -3) console.log("hole of", st.recvHole(), "bytes");
   * ```
   */
  recvFlags(buffer: Uint8Array, nbytes: number | undefined, flags: number): number {
    const n = byteCount(buffer, nbytes, "recvFlags");
    const f = flagsArg(flags);
    const r = callRaw("virStreamRecvFlags", this.#receiving("recv"), buffer, BigInt(n), f);
    if (r === -1) throw this.#fail("virStreamRecvFlags");
    if (r === 0) this.#atEnd = true;
    return r === -2 ? this.#wouldBlock("virStreamRecvFlags") : r;
  }

  /**
   * Sends a hole of `length` bytes on a sparse stream (`virStreamSendHole`).
   * libvirt: [`virStreamSendHole`](https://libvirt.org/html/libvirt-libvirt-stream.html#virStreamSendHole).
   *
   * @example
   * ```ts
   * import { Stream } from "./mod.ts";
   * declare const st: Stream; // attached to vol.upload(st, 0, 0, StorageVolUploadFlags.STREAM)
   * st.sendHole(1024 * 1024);
   * ```
   */
  sendHole(length: number | bigint, flags: number = 0): void {
    const len = u64Arg(length, "length");
    if (len > 0x7fffffffffffffffn) throw new RangeError("length must fit a long long");
    callInt("virStreamSendHole", this.#transfer("send a hole"), len, flagsArg(flags));
  }

  /**
   * The length of the hole a sparse stream reached (`virStreamRecvHole`), after recvFlags()
   * returned -3. Exact up to 2^53 bytes.
   * libvirt: [`virStreamRecvHole`](https://libvirt.org/html/libvirt-libvirt-stream.html#virStreamRecvHole).
   *
   * @example
   * ```ts
   * import { Stream } from "./mod.ts";
   * declare const st: Stream;
   * const len = st.recvHole();
   * ```
   */
  recvHole(flags: number = 0): number {
    const out = new BigInt64Array(1);
    const ptr = this.#transfer("receive a hole");
    if (callRaw("virStreamRecvHole", ptr, new Uint8Array(out.buffer), flagsArg(flags)) === -1) {
      throw this.#fail("virStreamRecvHole");
    }
    return Number(out[0]);
  }

  /**
   * Ends a transfer that reached its end (`virStreamFinish`): after the last send, or after
   * recv returned 0. libvirt reports here any error it could not report earlier. Calling it
   * again is a no-op. A failed finish leaves the stream as it was ("active"): call abort()
   * (or free()) to end it. Refused while recvAll()/sendAll() runs: they finish the stream.
   * libvirt: [`virStreamFinish`](https://libvirt.org/html/libvirt-libvirt-stream.html#virStreamFinish).
   *
   * @example
   * ```ts
   * import { Stream } from "./mod.ts";
   * declare const st: Stream;
   * st.finish();
   * console.log(st.state); // "finished"
   * ```
   */
  finish(): void {
    if (this.#state === "finished") return;
    if (this.#owner) throw this.#ownedBy("finish");
    return this.#finish();
  }

  #finish(): void {
    const ptr = this.#transfer("finish");
    this.#detach("finished");
    if (callRaw("virStreamFinish", ptr) === -1) {
      throw this.#finishFailed(lastError("virStreamFinish"));
    }
    this.#finished();
  }

  // A failed finish: the state stays "active", the caller decides (abort, or free, which
  // aborts). The backstop must still abort a stream dropped after this.
  #finishFailed(e: LibvirtError): LibvirtError {
    this.#guard.live = true;
    if (logEnabled.debug) log("debug", "stream: finish failed", { error: e.message });
    e.message += ` (the Stream is still active: call abort() to end it)`;
    return e;
  }

  #finished(): void {
    this.#state = "finished";
    if (logEnabled.debug) log("debug", "stream: finished");
  }

  /**
   * `finish()` on Deno's thread pool: the JS thread runs on while libvirt waits for the other
   * end to confirm the transfer (an upload's last data written by the daemon, a slow link, a
   * daemon that stalls). Same rules as `finish()`; a second call while it runs returns the same
   * promise. Meanwhile the stream refuses data calls and `abort()`, and other synchronous calls
   * on its connection throw while a TypeScript event loop is registered, as with every `…Async`
   * call (ffi/inflight.ts); `free()` waits for the answer. Misuse throws at once (an ended
   * stream, a loop that runs no async calls); libvirt's failure rejects with its error and
   * leaves the stream "active".
   * libvirt: [`virStreamFinish`](https://libvirt.org/html/libvirt-libvirt-stream.html#virStreamFinish).
   *
   * @example
   * ```ts
   * import { Stream } from "./mod.ts";
   * declare const st: Stream;
   * await st.finishAsync();
   * console.log(st.state); // "finished"
   * ```
   */
  finishAsync(): Promise<void> {
    if (this.#finishing) return this.#finishing;
    if (this.#state === "finished") return Promise.resolve();
    // Misuse throws here, as every `…Async` method's does; only libvirt's answer rejects.
    if (this.#owner) throw this.#ownedBy("finishAsync");
    const ptr = this.#transfer("finish");
    checkLoop("virStreamFinish"); // before the stream changes
    this.#detach("finished");
    // The state changes as soon as libvirt answered, inside the call: a free() made meanwhile
    // runs when the call is over (api/object.ts) and must see the outcome.
    const done = callCheckedAsync(this, "virStreamFinish", (r) => {
      if (r !== -1) this.#finished();
      return r !== -1;
    }, ptr).then(
      () => {},
      (e) => {
        throw e instanceof LibvirtError && !this.freed ? this.#finishFailed(e) : e;
      },
    ).finally(() => (this.#finishing = null));
    this.#finishing = done;
    return done;
  }

  // abort() for an AbortSignal's listener: on a connection with an async call in flight, once
  // plain calls are allowed again (ffi/turn.ts); an error is logged, as abort() logs its own.
  #abortWhenAllowed(): void {
    whenAllowed(this, () => this.abort()).catch((e) => {
      log("debug", "stream abort on signal failed", { error: e });
    });
  }

  /**
   * Stops a transfer before its end (`virStreamAbort`). A no-op once the stream ended or was
   * freed. Never throws for libvirt's sake: an error libvirt reports while aborting means the
   * transfer had already failed (e.g. "stream had unexpected termination"), which is logged.
   * libvirt: [`virStreamAbort`](https://libvirt.org/html/libvirt-libvirt-stream.html#virStreamAbort).
   *
   * @example
   * ```ts
   * import { Stream } from "./mod.ts";
   * declare const st: Stream;
   * st.abort();
   * console.log(st.state); // "aborted"
   * ```
   */
  abort(): void {
    if (this.#state === "finished" || this.#state === "aborted") return;
    const ptr = this.#beginAbort();
    if (callRaw("virStreamAbort", ptr) === -1) {
      log("debug", "virStreamAbort reported an error", { error: lastError("virStreamAbort") });
    }
  }

  /**
   * `abort()` on Deno's thread pool. On a remote connection libvirt waits for the daemon to
   * confirm an abort too: with a daemon that stalls or a link that hangs, that is until the
   * keepalive gives up on the connection. The stream counts as "aborted" at once (data calls
   * are refused); the promise resolves once libvirt is done, and never rejects for libvirt's
   * sake (as `abort()`, an error there is logged). Refused while `finishAsync()` runs; a no-op
   * once the stream ended.
   * libvirt: [`virStreamAbort`](https://libvirt.org/html/libvirt-libvirt-stream.html#virStreamAbort).
   *
   * @example
   * ```ts
   * import { Stream } from "./mod.ts";
   * declare const st: Stream;
   * await st.abortAsync();
   * console.log(st.state); // "aborted"
   * ```
   */
  abortAsync(): Promise<void> {
    if (this.#aborting) return this.#aborting;
    if (this.#state === "finished" || this.#state === "aborted") return Promise.resolve();
    checkLoop("virStreamAbort"); // before the stream changes
    const ptr = this.#beginAbort();
    const done = callCheckedAsync(this, "virStreamAbort", (r) => r !== -1, ptr).then(
      () => {},
      (e) => log("debug", "virStreamAbort reported an error", { error: e }),
    ).finally(() => (this.#aborting = null));
    this.#aborting = done;
    return done;
  }

  // What abort() and abortAsync() do before libvirt's call: the stream ends on our side.
  #beginAbort(): Deno.PointerObject {
    if (this.#finishing) {
      throw new Error(
        "Cannot abort: finishAsync() is in flight on this Stream; await it, then abort() if it failed",
      );
    }
    const ptr = this.ptr("abort");
    if (this.#owner) {
      // Stopping a running recvAll/sendAll is what abort() is for; the loop then rejects. That
      // rejection is marked handled here: code that never awaited the loop must not die of it.
      this.#owner.stoppedBy ??= "abort";
      this.#owner.run.catch(() => {});
    }
    this.#detach("aborted");
    this.#state = "aborted";
    if (logEnabled.debug) log("debug", "stream: aborted");
    return ptr;
  }

  // Drops the callback before the stream ends (libvirt wants it gone before finish/abort)
  // and fails whatever waits on it.
  #detach(how: "finished" | "aborted" | "freed"): void {
    const ptr = this.#guard.ptr;
    settleStreamCallback(ptr); // one removed from inside its dispatch (callbacks.ts)
    dropCallback(ptr, this.#detachHere(how));
  }

  // The wrapper's side of a stream's end: no more waits, no callback delivered; returns the
  // registration that libvirt's side still has to remove (dropCallback).
  #detachHere(how: "finished" | "aborted" | "freed"): { id: number } | null {
    this.#guard.live = false;
    this.#pump?.close(new Error(`Cannot wait for stream events: this Stream was ${how}`));
    this.#pump = null;
    const cb = this.#callback;
    this.#callback = null;
    return cb;
  }

  /**
   * Watches `events` (`Stream.EVENT_*`) with `cb` (`virStreamEventAddCallback`), run on the JS
   * thread by the registered event loop. One callback per stream, and not while `readable`,
   * `writable` or `ready()` drive it.
   * libvirt: [`virStreamEventAddCallback`](https://libvirt.org/html/libvirt-libvirt-stream.html#virStreamEventAddCallback).
   *
   * @example
   * ```ts
   * import { Stream } from "./mod.ts";
   * declare const st: Stream; // non-blocking, attached to a download
   * const buf = new Uint8Array(262144);
   * st.addCallback(Stream.EVENT_READABLE, (s) => {
   *   for (let n; (n = s.recv(buf)) !== -2;) {
   *     if (n === 0) return (s.removeCallback(), s.finish());
   *   }
   * });
   * ```
   */
  addCallback(events: number, cb: StreamEventCallback): void {
    intArg(events, "events", 0, 15);
    if (typeof cb !== "function") throw new TypeError("The stream callback must be a function");
    const ptr = this.#transfer("add a callback");
    if (this.#callback) throw this.#busy("add a callback");
    const reg = { id: 0, user: true };
    reg.id = watchStream(ptr, events, (ev) => {
      if (this.#callback === reg) cb(this, ev);
    });
    this.#callback = reg;
  }

  /**
   * Changes the events the callback watches (`virStreamEventUpdateCallback`); 0 pauses it.
   * libvirt: [`virStreamEventUpdateCallback`](https://libvirt.org/html/libvirt-libvirt-stream.html#virStreamEventUpdateCallback).
   *
   * @example
   * ```ts
   * import { Stream } from "./mod.ts";
   * declare const st: Stream;
   * st.updateCallback(0); // pause: nothing to write for now
   * ```
   */
  updateCallback(events: number): void {
    intArg(events, "events", 0, 15);
    const ptr = this.#transfer("update its callback");
    if (!this.#callback?.user) throw new Error("Cannot update the callback: none was added");
    updateStreamCallback(ptr, this.#callback.id, events);
  }

  /**
   * Removes the callback (`virStreamEventRemoveCallback`).
   * libvirt: [`virStreamEventRemoveCallback`](https://libvirt.org/html/libvirt-libvirt-stream.html#virStreamEventRemoveCallback).
   *
   * @example
   * ```ts
   * import { Stream } from "./mod.ts";
   * declare const st: Stream;
   * st.removeCallback();
   * ```
   */
  removeCallback(): void {
    const ptr = this.#live("remove its callback");
    const cb = this.#callback;
    if (!cb?.user) throw new Error("Cannot remove the callback: none was added");
    this.#callback = null;
    removeStreamCallback(ptr, cb.id);
  }

  #busy(verb: string): Error {
    const by = this.#callback?.user ? "addCallback()" : "its readable/writable or ready()";
    return new Error(`Cannot ${verb}: this Stream's one event callback is used by ${by}`);
  }

  /**
   * Resolves once a non-blocking stream reports one of `events` (default READABLE), or an
   * error or hangup, with the events seen: the promise form of addCallback(), used by
   * recvAll/sendAll and the Web Streams. Blocking streams resolve at once.
   *
   * @example
   * ```ts
   * import { Stream } from "./mod.ts";
   * declare const st: Stream;
   * const buf = new Uint8Array(65536);
   * let n;
   * while ((n = st.recv(buf)) === -2) await st.ready(Stream.EVENT_READABLE);
   * ```
   */
  ready(events: number = StreamEventType.READABLE): Promise<number> {
    try {
      intArg(events, "events", 1, 15);
      const ptr = this.#transfer("wait for events");
      if (!this.nonBlocking) return Promise.resolve(events);
      return this.#eventPump(ptr).wait(events);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  // The pump behind ready() and the Web Streams (whenReady), made on first use.
  #eventPump(ptr: Deno.PointerObject): EventPump {
    if (this.#callback?.user) throw this.#busy("wait for events");
    return this.#pump ??= new EventPump({
      add: (ev, dispatch) => {
        const reg = { id: 0, user: false };
        // Owned by this stream: the registration alone does not keep it alive (callbacks.ts).
        reg.id = watchStream(ptr, ev, (e) => this.#callback === reg && dispatch(e), this);
        this.#callback = reg;
      },
      update: (ev) => updateStreamCallback(ptr, this.#callback?.id ?? 0, ev),
      turn: () => syncTurn(this),
      alive: () => !mayCallNow(this) || this.#connectionAlive(),
      deadError: () => this.#connectionGone("virStreamEventAddCallback"),
    });
  }

  /**
   * Receives the whole stream into `handler` (Sys::Virt's `recv_all`), then finishes it. The
   * handler gets a view of a reused buffer (copy what you keep), returns how many bytes it
   * took (it is called again with the rest) or -1 to fail; it may be async. Any failure aborts
   * the stream and rejects. Blocking streams run without yielding unless the handler awaits.
   * Await it: while it runs, it owns the stream's end, so finish() is refused (Perl's
   * `recv_all; finish` habit would cut the transfer short) and abort() stops it (it then
   * rejects, saying so). A stream not bound to a transfer is refused untouched.
   * libvirt: [`virStreamRecvAll`](https://libvirt.org/html/libvirt-libvirt-stream.html#virStreamRecvAll).
   *
   * @example
   * ```ts
   * import { Connection, Stream } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * using st = new Stream(conn);
   * conn.lookupDomainByName("test").screenshot(st, 0);
   * using file = await Deno.create("/tmp/screen.png");
   * await st.recvAll((_st, data) => file.write(data));
   * ```
   */
  recvAll(handler: RecvHandler, options?: number | StreamTransferOptions): Promise<void> {
    return this.#runTransfer("recvAll", options, (size) => recvAll(this, handler, size));
  }

  /**
   * Sends everything `handler` produces (Sys::Virt's `send_all`), then finishes. The handler
   * fills the buffer it is given and returns the bytes filled, 0 at the end or -1 to fail; it
   * may be async. Any failure aborts the stream and rejects. Like recvAll(), it owns the
   * stream's end while it runs: await it rather than calling finish().
   * libvirt: [`virStreamSendAll`](https://libvirt.org/html/libvirt-libvirt-stream.html#virStreamSendAll).
   *
   * @example
   * ```ts
   * import { Stream } from "./mod.ts";
   * declare const st: Stream; // attached to vol.upload(st, 0, 0)
   * using file = await Deno.open("/tmp/disk.img");
   * await st.sendAll(async (_st, buf) => (await file.read(buf)) ?? 0);
   * ```
   */
  sendAll(handler: SendHandler, options?: number | StreamTransferOptions): Promise<void> {
    return this.#runTransfer("sendAll", options, (size) => sendAll(this, handler, size));
  }

  /**
   * recvAll() for sparse streams (Sys::Virt's `sparse_recv_all`): data goes to `handler`,
   * each hole's length to `holeHandler` (return 0, or -1 to fail).
   * libvirt: [`virStreamSparseRecvAll`](https://libvirt.org/html/libvirt-libvirt-stream.html#virStreamSparseRecvAll).
   *
   * @example
   * ```ts
   * import { Stream } from "./mod.ts";
   * declare const st: Stream; // vol.download(st, 0, 0, StorageVolDownloadFlags.STREAM)
   * using file = await Deno.create("/tmp/disk.img");
   * await st.sparseRecvAll(
   *   (_st, data) => file.write(data),
   *   async (_st, len) => (await file.seek(len, Deno.SeekMode.Current), 0),
   * );
   * await file.truncate(await file.seek(0, Deno.SeekMode.Current));
   * ```
   */
  sparseRecvAll(
    handler: RecvHandler,
    holeHandler: SinkHoleHandler,
    options?: number | StreamTransferOptions,
  ): Promise<void> {
    return this.#runTransfer(
      "sparseRecvAll",
      options,
      (size) => sparseRecvAll(this, handler, holeHandler, size),
    );
  }

  /**
   * sendAll() for sparse streams (Sys::Virt's `sparse_send_all`): `holeHandler` says whether
   * the source is in data and how long the section is; holes are sent with sendHole() and
   * `skipHandler` moves the source past them; data comes from `handler`.
   * libvirt: [`virStreamSparseSendAll`](https://libvirt.org/html/libvirt-libvirt-stream.html#virStreamSparseSendAll).
   *
   * @example
   * ```ts
   * import { sparseFileSource, Stream } from "./mod.ts";
   * declare const st: Stream; // vol.upload(st, 0, 0, StorageVolUploadFlags.STREAM)
   * using src = await sparseFileSource("/tmp/disk.img");
   * await st.sparseSendAll(src.handler, src.holeHandler, src.skipHandler);
   * ```
   */
  sparseSendAll(
    handler: SendHandler,
    holeHandler: SourceHoleHandler,
    skipHandler: SkipHandler,
    options?: number | StreamTransferOptions,
  ): Promise<void> {
    return this.#runTransfer(
      "sparseSendAll",
      options,
      (size) => sparseSendAll(this, handler, holeHandler, skipHandler, size),
    );
  }

  // Runs a whole-stream loop that owns the stream's end: finish() when it returns, abort() when
  // it fails. Checked first, so misuse is refused without touching the stream: a stream that
  // carries no transfer, has ended, or runs another loop.
  // Reads a transfer's last argument (a chunk size or options); misuse rejects like the rest.
  #runTransfer(
    name: string,
    options: number | StreamTransferOptions | undefined,
    loop: (chunkSize?: number) => Promise<void>,
  ): Promise<void> {
    let parsed: { chunkSize?: number; signal?: AbortSignal };
    try {
      parsed = transferOptions(options);
    } catch (e) {
      return Promise.reject(e);
    }
    return this.#owned(name, () => loop(parsed.chunkSize), parsed.signal);
  }

  #owned(name: string, loop: () => Promise<void>, signal?: AbortSignal): Promise<void> {
    // A signal that already fired refuses the transfer, as Deno's own APIs do.
    if (signal?.aborted) return Promise.reject(signal.reason);
    let problem: Error | null = null;
    if (this.#owner) problem = this.#ownedBy(name);
    else if (this.freed || this.#state !== "active" || this.#atEnd) {
      try {
        this.#receiving(name);
      } catch (e) {
        problem = e as Error;
      }
    }
    if (problem) return Promise.reject(problem);
    const owner: Owner = {
      name,
      run: Promise.resolve(),
      stoppedBy: null,
    };
    // Owned before the loop starts: a synchronous handler may already call finish()/abort().
    this.#owner = owner;
    // The signal stops the loop the way abort() does, and its reason becomes the rejection.
    const onAbort = () => {
      owner.stoppedBy ??= "signal";
      this.#abortWhenAllowed();
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    const run = (async () => {
      try {
        await loop();
        for (let t; (t = syncTurn(this));) await t;
      } catch (e) {
        this.#owner = null;
        if (owner.stoppedBy === "signal") throw signal!.reason;
        if (owner.stoppedBy) throw stopped(name, owner.stoppedBy, e);
        for (let t; (t = syncTurn(this));) await t;
        if (this.#state === "active") {
          try {
            this.abort();
          } catch {
            // The loop's error is the one the caller needs.
          }
        }
        throw e;
      }
      this.#owner = null;
      if (owner.stoppedBy === "signal") throw signal!.reason;
      if (owner.stoppedBy) throw stopped(name, owner.stoppedBy);
      this.#finish();
    })().finally(() => signal?.removeEventListener("abort", onAbort));
    owner.run = run;
    if (owner.stoppedBy) run.catch(() => {});
    return run;
  }

  /**
   * The stream as a `ReadableStream` of bytes (BYOB readers fill their own buffers). Each read
   * takes what libvirt holds (on a volume download: full chunks of 262,120 bytes), waiting on
   * events when non-blocking; the end finishes the stream, cancel aborts it. The same object
   * on every access.
   *
   * @example
   * ```ts
   * import { Connection, Stream } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * const st = new Stream(conn);
   * conn.lookupDomainByName("test").screenshot(st, 0);
   * const png = await new Response(st.readable).bytes();
   * ```
   */
  get readable(): ReadableStream<Uint8Array> {
    return this.#readable ??= streamReadable(this, { fill: this.#bulk });
  }

  /**
   * The stream as a `WritableStream` of bytes: each chunk is sent in full (waiting on events
   * when non-blocking) before the next is accepted; on a volume upload, small chunks are
   * gathered into full packets first. close finishes the stream, abort aborts it. To upload a
   * byte stream such as `file.readable`, `vol.upload(readable)` is cheaper than a pipe into this:
   * it reads a packet at a time into reused buffers, where `pipeTo` gets a fresh chunk per read
   * (64 KiB from a file).
   *
   * @example
   * ```ts
   * import { Stream } from "./mod.ts";
   * declare const st: Stream; // attached to vol.upload(st, 0, 0)
   * using file = await Deno.open("/tmp/disk.img");
   * await file.readable.pipeTo(st.writable);
   * ```
   */
  get writable(): WritableStream<Uint8Array> {
    return this.#writable ??= streamWritable(this, { fill: this.#bulk });
  }

  /**
   * Iterates over the received chunks (through `readable`).
   *
   * @example
   * ```ts
   * import { Stream } from "./mod.ts";
   * declare const st: Stream;
   * for await (const chunk of st) console.log(chunk.length);
   * ```
   */
  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    return this.readable[Symbol.asyncIterator]();
  }

  /** Drops the callback, aborts a stream still active and releases the backstop's reference. */
  protected override beforeRelease(): void {
    const wasLive = this.#state === "new" || this.#state === "active";
    if (this.#owner) {
      // Freed under a running recvAll/sendAll (end of a `using` block, conn.close()): as with
      // abort(), the loop's rejection must not kill code that never awaited it.
      this.#owner.stoppedBy ??= "free";
      this.#owner.run.catch(() => {});
    }
    const ptr = this.#guard.ptr;
    guardian.unregister(this);
    if (wasLive) this.#state = "aborted";
    if (!mayCallNow(this)) {
      // An async call is in flight on the connection (a server's other request): libvirt's
      // side of the release (removing the callback, the abort, plain calls that could deadlock
      // there: ffi/turn.ts) waits for a moment when plain calls are allowed; the wrapper is
      // released now. The guardian's reference keeps the stream alive until then.
      const cb = this.#detachHere(wasLive ? "aborted" : "freed");
      runWhenAllowed(ptr, "releasing a stream", () => {
        settleStreamCallback(ptr);
        dropCallback(ptr, cb);
        endInLibvirt(ptr, wasLive);
      });
      return;
    }
    this.#detach(wasLive ? "aborted" : "freed");
    endInLibvirt(ptr, wasLive);
  }

  /**
   * Releases the stream; one still active is aborted first (libvirt forbids freeing it).
   * Safe to call twice.
   *
   * @example
   * ```ts
   * import { Connection, Stream } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * const st = new Stream(conn);
   * st.free();
   * console.log(st.state); // "freed"
   * ```
   */
  override free(): void {
    this.release();
  }

  /**
   * Aborts the stream if it is still active and frees it, at the end of a `using` block.
   *
   * @example
   * ```ts
   * import { Connection, Stream } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * using st = new Stream(conn);
   * ```
   */
  override [Symbol.dispose](): void {
    this.free();
  }

  /**
   * Aborts the stream if it is still active and frees it, at the end of an `await using` block.
   *
   * @example
   * ```ts
   * import { Connection, Stream } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * await using st = new Stream(conn);
   * ```
   */
  [Symbol.asyncDispose](): Promise<void> {
    this.free();
    return Promise.resolve();
  }
}

// The recvAll/sendAll family running on a stream, and what stopped it from outside, if anything.
interface Owner {
  name: string;
  run: Promise<void>;
  stoppedBy: "abort" | "free" | "signal" | null;
}

/**
 * The last argument of `recvAll`, `sendAll`, `sparseRecvAll` and `sparseSendAll`: a chunk size in
 * bytes (Sys::Virt's habit), or options.
 */
export interface StreamTransferOptions {
  /** The buffer size of each recv/send, in bytes (256 KiB by default). */
  chunkSize?: number;
  /**
   * Stops the transfer when it fires: the stream is aborted (libvirt's `virStreamAbort`) and the
   * Promise rejects with the signal's reason. A signal already fired refuses the transfer
   * without touching the stream.
   */
  signal?: AbortSignal;
}

// The chunk size and signal of a transfer's last argument; misuse is a TypeError at the call.
function transferOptions(
  arg: number | StreamTransferOptions | undefined,
): { chunkSize?: number; signal?: AbortSignal } {
  if (arg === undefined || typeof arg === "number") return { chunkSize: arg };
  if (typeof arg !== "object" || arg === null) {
    throw new TypeError(
      `A transfer's last argument must be a chunk size or { chunkSize, signal }, got ${
        arg === null ? "null" : typeof arg
      }`,
    );
  }
  if (arg.signal !== undefined && !(arg.signal instanceof AbortSignal)) {
    throw new TypeError("options.signal must be an AbortSignal");
  }
  return { chunkSize: arg.chunkSize, signal: arg.signal };
}

function stopped(name: string, by: "abort" | "free" | "signal", cause?: unknown): Error {
  const what = by === "abort" ? "abort() was called on the Stream" : "the Stream was freed";
  return new Error(`${name}() stopped: ${what} while it ran`, { cause });
}

// Registers the stream's libvirt callback. Without a registered event loop libvirt can only say
// "cannot register file watch on stream"; the user must hear that a loop is needed, and how.
function watchStream(
  ptr: Deno.PointerObject,
  events: number,
  cb: (events: number) => void,
  owner?: object,
): number {
  try {
    return addStreamCallback(ptr, events, cb, owner);
  } catch (e) {
    throw eventRegistrationError("watch the stream's events", e);
  }
}

// Checks a buffer and a byte count before they reach libvirt; 0 bytes would read as EOF.
function byteCount(buf: Uint8Array, nbytes: number | undefined, what: string): number {
  if (!(buf instanceof Uint8Array)) {
    throw new TypeError(`${what} needs a Uint8Array, got ${describe(buf)}`);
  }
  const max = Math.min(buf.byteLength, 0x7fffffff);
  if (nbytes === undefined) nbytes = max;
  if (max === 0) throw new RangeError(`${what} needs a non-empty buffer`);
  return intArg(nbytes, "nbytes", 1, max);
}
