// Object events under a running DefaultEventLoop, taken by a Worker instead of the JS thread.
//
// Why: libvirt's default loop runs in a thread of its own, and each callback it makes into JS
// waits until the JS thread has run it (Deno runs such calls there, one at a time). Under an event
// flood, while the JS thread is busy (blocking calls, many async completions), it takes about one
// callback per turn, and everything else on that loop (keepalive, stream callbacks, timers) waits
// behind the events: with blocking calls and eight async callers beside three flooded
// listeners, a 100 ms loop timer fired up to 11.5 s late, and in a longer soak the daemon dropped
// connections for keepalive timeouts. A Worker's thread does nothing else, so it takes each event
// at once: it holds a reference to the event's object, copies its strings (libvirt frees both
// when the callback returns), and posts the events to the JS thread in batches; the loop's thread
// goes straight on. The same load then kept the timer within 68 ms. The hop into the Worker cost
// what the hop into the JS thread did, and the batch's message came on top (bench/findings.md,
// seventeenth pass); so once the Worker exists the loop runs on its thread (`host`), where the hop
// is a direct call (nineteenth pass).
//
// Only while a DefaultEventLoop runs (and from the first registration on): a Worker keeps the
// process alive, and so does the running loop; when the last loop stops, every relayed
// registration goes back to the JS thread's own callbacks (api/events/tracking.ts) before the
// Worker ends. The Worker reads the structs some events carry (typed parameters, a graphics
// client's addresses and identities) into plain values, as it reads strings, so that no event
// callback calls into the JS thread from the loop's: such a call would wait for the JS thread,
// and if the process is ending by then (an uncaught error, event/exit_quiet.ts), for a runtime
// that is gone.
import { registrations, type Shape, shapeResult, SHAPES } from "./dispatch.ts";
import { libvirtPath } from "../../ffi/library.ts";
import { callRaw } from "../../ffi/call.ts";
import { reportCallbackError } from "../../ffi/callbacks.ts";
import { log } from "../../log.ts";
import { OBJECT_FREE, OBJECT_REF } from "./object_refs.ts";
import { moveDefaultLoopToHost } from "../../event/default_loop.ts";
import { GLIB_PATH } from "../../ffi/glib.ts";
import { TYPED_PARAM_LAYOUT } from "../typed_params.ts";
import { readGraphicsAddress, readGraphicsIdentities, readTypedParams } from "../struct_readers.ts";

/** The object types in the order of their index in a relayed opaque (see `relayOpaque`). */
const KINDS = ["domain", "network", "storagePool", "nodeDevice", "secret"] as const;
const REFS = KINDS.map((k) => OBJECT_REF[k]);
const FREES = KINDS.map((k) => OBJECT_FREE[k]);

/** The signatures the Worker serves: every one. */
const RELAYED: readonly Shape[] = Object.keys(SHAPES) as Shape[];

/**
 * How the Worker reads each argument between the object and `opaque`: "n" a number as it came,
 * "s" a C string, "t" a typed parameter array (its count is the next argument), "a" a graphics
 * address, "i" a graphics subject's identities. By default a pointer is a C string.
 */
function readers(shape: Shape): string {
  if (shape === "paramsInt") return "tn";
  if (shape === "graphics") return "naasi";
  return SHAPES[shape].slice(2, -1).map((t) => t === "pointer" ? "s" : "n").join("");
}

/**
 * The opaque a relayed registration passes to libvirt: the registration's id and its object type
 * in one integer, since the Worker must know which `vir*Ref` to call and holds no state of ours.
 */
export function relayOpaque(registryId: number, kind: (typeof KINDS)[number]): Deno.PointerValue {
  return Deno.UnsafePointer.create(BigInt(registryId * 8 + KINDS.indexOf(kind)));
}

// The Worker, as source text run from a data: URL: nothing to find on disk, so it works the same
// from a checkout and from JSR, needs no permission beyond FFI, and a compiled binary's loader
// takes data: modules too (not tried here: `deno compile` cannot fetch its runtime on this
// machine). It takes
// no module of ours: each callback only references the object, reads its C strings, and queues the
// event; a timer posts what queued meanwhile, one message per batch (`GATHER_MS`). Pointers travel
// as numbers (user-space addresses fit in 53 bits). Nothing may throw out of a callback (Deno
// would report it and return 0 to C), so each one catches and posts the error.
//
// It also hosts a DefaultEventLoop's GLib loop (`host`): a message makes it run g_main_loop_run
// as a plain FFI call, so libvirt dispatches on the Worker's own thread and the Worker's callbacks
// run as direct calls, with no thread waiting for another. While it runs, the Worker takes no
// message and no timer of its own fires: libvirt's timer posts the batches, and `drain` comes only
// after the last loop returned (api/events/relay_hooks.ts).
const SOURCE = `
let batch = [];
let scheduled = false;
let flushed = -1e9;
// While this thread runs GLib's loop (m.run), libvirt's own timer posts the batches: the
// Worker's timers cannot fire until the loop returns.
let loopLib = null;
let timer = -1;
function flush() {
  scheduled = false;
  flushed = performance.now();
  if (batch.length === 0) return;
  const events = batch;
  batch = [];
  self.postMessage({ events });
}
// The structs libvirt lends an event callback, read while it still owns them, by the readers
// the JS thread uses (api/struct_readers.ts), their text put here; the typed-parameter layout
// comes in the first message (m.layout).
let layout = null;
function cstr(p) {
  return p === null ? null : Deno.UnsafePointerView.getCString(p);
}
// Bound to names of this text's own: a bundler may rename the functions it took them from.
const readTypedParams = ${readTypedParams};
const readGraphicsAddress = ${readGraphicsAddress};
const readGraphicsIdentities = ${readGraphicsIdentities};
function report(err) {
  try { self.postMessage({ error: String((err && err.stack) || err) }); } catch {}
}
// Runs GLib's loop m.run here; false if another thread runs the default context now. This thread
// must never wait for that context: its owner may be a pool thread calling one of the callbacks
// above, which waits for this thread.
function runLoop(m) {
  if (loopLib === null) {
    const lib = Deno.dlopen(m.glib, {
      g_main_loop_run: { parameters: ["pointer"], result: "void" },
      g_main_context_acquire: { parameters: ["pointer"], result: "i32" },
      g_main_context_release: { parameters: ["pointer"], result: "void" },
    });
    const ev = Deno.dlopen(m.path, {
      virEventAddTimeout: { parameters: ["i32", "function", "pointer", "pointer"], result: "i32" },
      virEventUpdateTimeout: { parameters: ["i32", "i32"], result: "void" },
      virEventRemoveTimeout: { parameters: ["i32"], result: "i32" },
    });
    const tick = Deno.UnsafeCallback.threadSafe({ parameters: ["i32", "pointer"], result: "void" },
      () => {
        try {
          ev.symbols.virEventUpdateTimeout(timer, -1);
          flush();
        } catch (err) {
          report(err);
        }
      });
    loopLib = { glib: lib.symbols, ev: ev.symbols, tick };
  }
  if (!loopLib.glib.g_main_context_acquire(null)) return false;
  self.postMessage({ hosting: true });
  try {
    // A batch gathered for a Worker timer would wait for the whole run.
    flush();
    timer = loopLib.ev.virEventAddTimeout(-1, loopLib.tick.pointer, null, null);
    if (timer < 0) throw new Error("virEventAddTimeout failed");
    try {
      loopLib.glib.g_main_loop_run(Deno.UnsafePointer.create(BigInt(m.run)));
    } finally {
      loopLib.ev.virEventRemoveTimeout(timer);
      timer = -1;
      flush();
    }
  } finally {
    loopLib.glib.g_main_context_release(null);
  }
  return true;
}
self.onmessage = (e) => {
  const m = e.data;
  if (m.drain !== undefined) {
    flush();
    self.postMessage({ drained: m.drain });
    return;
  }
  if (m.run !== undefined) {
    let ran = false;
    let failed;
    try {
      ran = runLoop(m);
    } catch (err) {
      failed = String((err && err.stack) || err);
    }
    self.postMessage({ ran, failed });
    return;
  }
  const status = new BigInt64Array(m.status);
  try {
    const table = {};
    for (const name of m.refs) table[name] = { parameters: ["pointer"], result: "i32" };
    const lib = Deno.dlopen(m.path, table);
    const refs = m.refs.map((name) => lib.symbols[name]);
    layout = m.layout;
    m.shapes.forEach(([parameters, result, read], i) => {
      const last = parameters.length - 1;
      const cb = Deno.UnsafeCallback.threadSafe({ parameters, result }, (...args) => {
        try {
          const op = Number(Deno.UnsafePointer.value(args[last]));
          const values = [];
          for (let k = 2; k < last; k++) {
            const a = args[k];
            const how = read[k - 2];
            values.push(how === "n" ? a
              : how === "s" ? cstr(a)
              : how === "t" ? readTypedParams(a, args[k + 1], layout)
              : how === "a" ? readGraphicsAddress(a)
              : readGraphicsIdentities(a));
          }
          const obj = args[1];
          let ptr = 0;
          if (obj !== null) {
            refs[op % 8](obj);
            ptr = Number(Deno.UnsafePointer.value(obj));
          }
          batch.push(op, ptr, values.length, ...values);
          if (!scheduled) {
            scheduled = true;
            const wait = performance.now() - flushed < m.gatherAfter ? m.gatherMs : 0;
            if (timer >= 0) loopLib.ev.virEventUpdateTimeout(timer, wait);
            else setTimeout(flush, wait);
          }
        } catch (err) {
          report(err);
        }
        return result === "i32" ? 0 : undefined;
      });
      status[1 + i] = BigInt(Deno.UnsafePointer.value(cb.pointer));
    });
    Atomics.store(status, 0, 1n);
  } catch (err) {
    Atomics.store(status, 0, 2n);
    report(err);
  }
  Atomics.notify(status, 0);
};
`;

/**
 * An event that comes within this many ms of the last batch is part of a flood: the Worker
 * gathers for `GATHER_MS` before it posts, so the JS thread wakes once per batch, not per event.
 * A lone event is posted at once.
 */
const GATHER_AFTER_MS = 4;
/** How long the Worker gathers the events of a flood before it posts them. */
const GATHER_MS = 2;

/**
 * How long a registration waits, once, for a starting Worker's callbacks (about 60 ms on the
 * test host). A Worker whose module does not load says nothing while this thread waits, so after
 * that the events stay on the JS thread's own callbacks.
 */
const READY_MS = 3_000;
/** How long the end of the last loop waits for the Worker to post what it queued. */
const DRAIN_MS = 5_000;

const stats = { workers: 0, batches: 0, events: 0, dropped: 0, hosted: 0 };

class RelayWorker {
  readonly worker: Worker;
  readonly #status = new BigInt64Array(new SharedArrayBuffer(8 * (1 + RELAYED.length)));
  #pointers: Map<Shape, Deno.PointerObject> | null = null;
  #failed = false;
  /** Resolves the one drain `end()` waits for. */
  #drained: (() => void) | null = null;
  /** Resolves the loop run the Worker hosts now, if any (see `host`). */
  #hosting: ((ran: boolean) => void) | null = null;
  /** Set once a hosted run failed: the Worker never hosts again, the loops stay on the pool. */
  #hostFailed = false;

  constructor() {
    this.worker = new Worker(
      `data:application/javascript;base64,${btoa(SOURCE)}`,
      { type: "module", name: "libvirt event relay" },
    );
    this.worker.onmessage = (e: MessageEvent) => this.#receive(e.data);
    // An error the Worker did not catch would otherwise end this process too.
    this.worker.onerror = (e: ErrorEvent) => {
      e.preventDefault();
      log("error", "event relay: the Worker failed", { error: e.message });
      this.#hostFailed = true;
      this.#ranLoop(false);
    };
    this.worker.postMessage({
      status: this.#status.buffer,
      path: libvirtPath(),
      refs: REFS,
      shapes: RELAYED.map((s) => [SHAPES[s], shapeResult(s), readers(s)]),
      layout: TYPED_PARAM_LAYOUT,
      gatherAfter: GATHER_AFTER_MS,
      gatherMs: GATHER_MS,
    });
    stats.workers++;
  }

  /**
   * The Worker's callback for `shape` (one it serves), or null if the Worker did not start. The
   * first call waits for the Worker's start-up (tens of ms, once): libvirt needs the pointer now,
   * in a synchronous registration.
   */
  pointer(shape: Shape): Deno.PointerObject | null {
    if (this.#failed) return null;
    if (this.#pointers === null) {
      Atomics.wait(this.#status, 0, 0n, READY_MS);
      if (Atomics.load(this.#status, 0) !== 1n) {
        this.#failed = true;
        log("warn", "event relay: the Worker did not start; events stay on the JS thread", {});
        return null;
      }
      this.#pointers = new Map(
        RELAYED.map((s, i) => [s, Deno.UnsafePointer.create(this.#status[1 + i])!]),
      );
    }
    return this.#pointers.get(shape)!;
  }

  /**
   * Has the Worker run GLib's loop `loop` until it is quit; resolves once that run returned, to
   * false if it did not run (another thread runs the default context). Null when the Worker
   * cannot: it did not start, hosts a loop already, or a run failed.
   */
  host(loop: Deno.PointerObject): Promise<boolean> | null {
    if (this.#pointers === null || this.#failed || this.#hostFailed || this.#hosting !== null) {
      return null;
    }
    const { promise, resolve } = Promise.withResolvers<boolean>();
    this.#hosting = resolve;
    this.worker.postMessage({
      run: Number(Deno.UnsafePointer.value(loop)),
      glib: GLIB_PATH,
      path: libvirtPath(),
    });
    return promise;
  }

  /** Whether the Worker is free to host a loop (see `host`). */
  get canHost(): boolean {
    return this.#pointers !== null && !this.#failed && !this.#hostFailed &&
      this.#hosting === null;
  }

  #ranLoop(ran: boolean): void {
    const resolve = this.#hosting;
    this.#hosting = null;
    resolve?.(ran);
    // Another loop that ran on the pool meanwhile (it started while this one stopped) takes
    // its place.
    if (ran && current === this && this.canHost) moveDefaultLoopToHost();
  }

  /** Resolves once the Worker posted every event it took (or after `DRAIN_MS`), then ends it. */
  async end(): Promise<void> {
    if (this.#pointers !== null && !this.#failed) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      await new Promise<void>((resolve) => {
        this.#drained = resolve;
        timer = setTimeout(resolve, DRAIN_MS);
        this.worker.postMessage({ drain: 1 });
      });
      clearTimeout(timer);
      this.#drained = null;
    }
    this.worker.terminate();
  }

  #receive(
    m: {
      events?: unknown[];
      hosting?: boolean;
      ran?: boolean;
      failed?: string;
      drained?: number;
      error?: string;
    },
  ): void {
    if (m.events) {
      stats.batches++;
      // Flat, as the Worker pushed them: opaque, object pointer (0: none), count, arguments.
      const ev = m.events;
      for (let i = 0; i < ev.length;) {
        const n = ev[i + 2] as number;
        deliver(ev[i] as number, ev[i + 1] as number, ev.slice(i + 3, i + 3 + n));
        i += 3 + n;
      }
    } else if (m.hosting) {
      stats.hosted++;
    } else if (m.ran !== undefined) {
      if (m.failed !== undefined) {
        this.#hostFailed = true;
        log("warn", "event relay: the Worker could not run the loop; it stays on the pool", {
          error: m.failed,
        });
      }
      this.#ranLoop(m.ran);
    } else if (m.drained !== undefined) {
      this.#drained?.();
    } else if (m.error !== undefined) {
      reportCallbackError("the event relay", new Error(m.error));
    }
  }
}

// One event the Worker took: hand it to its registration on the JS thread, then drop the
// reference the Worker took on its object (each handler's wrapper holds one of its own).
function deliver(op: number, ptr: number, mid: unknown[]): void {
  if (ptr === 0) return;
  const kind = op % 8;
  const obj = Deno.UnsafePointer.create(BigInt(ptr))!;
  try {
    stats.events++;
    // Gone if deregistered (or its connection closed) meanwhile: delivery stops at once, as on
    // the JS thread's own callbacks.
    const entry = registrations.byId((op - kind) / 8);
    if (entry === undefined) {
      stats.dropped++;
      return;
    }
    try {
      entry.fire(obj, mid);
    } catch (e) {
      reportCallbackError(entry.where, e);
    }
  } finally {
    callRaw(FREES[kind], obj);
  }
}

let current: RelayWorker | null = null;
// Whether a DefaultEventLoop runs, so that registrations may go through a Worker.
let wanted = false;

/**
 * Lets registrations go through the relay from now on. The Worker starts with the first one
 * that needs it: a loop that never sees an event registration (a stream, a keepalive) costs no
 * thread and no isolate.
 */
export function startRelay(): void {
  wanted = true;
}

/**
 * The relay's callback for `shape` while a relay is wanted, else null (see
 * `RelayWorker.pointer`). Starts the Worker on first use.
 */
export function relayPointer(shape: Shape): Deno.PointerObject | null {
  if (!wanted || !RELAYED.includes(shape)) return null;
  if (current === null) {
    try {
      current = new RelayWorker();
    } catch (e) {
      // No Worker (an embedder without them): the events stay on the JS thread.
      wanted = false;
      log("warn", "event relay: cannot start a Worker; events stay on the JS thread", {
        error: e,
      });
      return null;
    }
  }
  const pointer = current.pointer(shape);
  // The first events are relayed: a loop running on the pool moves to the Worker.
  if (pointer !== null && current.canHost) moveDefaultLoopToHost();
  return pointer;
}

/**
 * Runs `loop` (a DefaultEventLoop's GLib loop) on the relay's Worker, if one runs and is free;
 * resolves once that run returned, to false if it could not run there. Null when there is no
 * free Worker. Either way the loop then runs on Deno's thread pool.
 */
export function hostLoop(loop: Deno.PointerObject): Promise<boolean> | null {
  return current?.host(loop) ?? null;
}

/**
 * Stops handing out the running relay's callbacks, and returns a function that ends its Worker
 * once it delivered what it took. Every registration with its callbacks must be gone by then.
 */
export function detachRelay(): () => Promise<void> {
  const ending = current;
  current = null;
  wanted = false;
  return async () => await ending?.end();
}

/**
 * For tests: Workers started, batches and events received, events dropped because their
 * registration had gone.
 */
export function relayStats(): Readonly<typeof stats> {
  return { ...stats };
}
