// Running libvirt's own default event loop from Deno: one iteration at a time on Deno's thread
// pool (virEventRunDefaultImpl is the one nonblocking libvirt call), or continuously until stopped.
import { callRaw } from "../ffi/call.ts";
import { type GLib, glibMainLoop } from "../ffi/glib.ts";
import { permanentCallback } from "../ffi/callbacks.ts";
import { symbol } from "../ffi/library.ts";
import { registeredLoop } from "./state.ts";
import { registerDefaultImpl } from "./register.ts";
import { log, logEnabled } from "../log.ts";
import { quietForExit } from "./exit_quiet.ts";

// The wake-up timer's callback: it has nothing to do, its addition is what wakes the loop.
const noopTimeout = permanentCallback(
  { parameters: ["i32", "pointer"], result: "void" } as const,
  () => {},
);

/**
 * Runs one iteration of libvirt's default loop (`virEventRunDefaultImpl`): waits for the next
 * fd event or timer and dispatches it. The wait happens on Deno's thread pool, so Deno's loop
 * keeps going; libvirt's callbacks reach the JS thread through Deno's callback queue.
 * Resolves to 0; throws if libvirt reports a failure (libvirt's message is lost: it is
 * recorded on the pool thread that ran the iteration).
 *
 * While an iteration is pending the process stays alive. Needs `registerDefaultImpl()` first;
 * throws while a `DefaultEventLoop` runs the loop continuously.
 *
 * @example
 * ```ts
 * import { Connection, Event } from "./mod.ts";
 * Event.registerDefaultImpl();
 * using conn = Connection.open("test:///default");
 * let done = false;
 * const timer = Event.addTimeout(10, () => void (done = true));
 * while (!done) await Event.runDefaultImpl();
 * Event.removeTimeout(timer);
 * ```
 */
export async function runDefaultImpl(): Promise<number> {
  if (registeredLoop() !== "default") {
    throw new Error(
      "Cannot run the default event loop: call Event.registerDefaultImpl() first" +
        (registeredLoop() === "custom" ? " (a custom EventImpl is registered instead)" : ""),
    );
  }
  if (glibRuns.size > 0) {
    // GLib's loop owns the main context: an iteration from another thread would wait for it
    // until the loop stops, and then for the next event, as a Promise nobody expects to hang.
    throw new Error(
      "Cannot run one iteration of the default event loop while a DefaultEventLoop runs it " +
        "continuously: stop() that loop first, or let it do the work",
    );
  }
  hookExit();
  iterating++;
  let r: number;
  try {
    r = await symbol("virEventRunDefaultImpl")();
  } finally {
    iterating--;
  }
  if (r < 0) {
    throw new Error(
      "virEventRunDefaultImpl failed (libvirt's error message is not available: it was " +
        "recorded on the thread-pool thread that ran the iteration)",
    );
  }
  return r;
}

// The DefaultEventLoops running GLib's loop now (see `DefaultEventLoop.#runGLib`): how to quit
// each one, and whether it runs on Deno's thread pool (else on the relay's Worker, or about to
// ask for it).
const glibRuns = new Map<() => void, { pooled: boolean }>();
// Iterations of `runDefaultImpl()` under way.
let iterating = 0;

/**
 * How long the process's end waits for libvirt's loop to leave its thread (see `atExit`): a
 * quit loop leaves within a millisecond, unless its thread is inside a call into JS then.
 */
const EXIT_WAIT_MS = 50;
let exitHooked = false;

// Why: a `deno test` process ends when its tests are done, even with a DefaultEventLoop still
// running (a test that failed before its `stop()`, or forgot it), and so does `Deno.exit()`.
// Deno then tears the JS side down while the loop's thread goes on calling JS callbacks (a timer
// of `Event.addTimeout`, a stream or event callback): the process died with SIGSEGV or SIGABRT
// at exit, in 7 to 10 runs of 10, and a failing test's report was cut short by it. So at
// `unload`, first the callbacks that repeat by themselves are silenced in libvirt (the app's
// timers and watches, stream callbacks: event/exit_quiet.ts), then every loop is quit, and the
// JS thread takes GLib's main context once the loop's thread left it. A call into JS that the
// loop's thread already waits on cannot run before `unload` returns (the wait below then gives
// up), but Deno's last turn of its loop runs it; with nothing silenced, the thread made the next
// such call before it saw the quit, and that one Deno ended as it tore down (2 to 12 crashes in
// 20 runs; with the silencing none in 400: bench/findings.md, twentieth pass). Stop your loops in
// the test anyway (`await using loop = new DefaultEventLoop()`): a one-off callback (a
// connection's close, an event of a struct payload) can still be under way at that moment. An
// uncaught error ends a script with no `unload`: exit_quiet.ts silences the same callbacks then.
function atExit(): void {
  const glib = glibMainLoop();
  if (glib === null || (glibRuns.size === 0 && !iterating)) return;
  quietForExit();
  for (const quit of glibRuns.keys()) quit();
  glib.g_main_context_wakeup(null);
  const tick = new Int32Array(new SharedArrayBuffer(4));
  const deadline = performance.now() + EXIT_WAIT_MS;
  while (!glib.g_main_context_acquire(null)) {
    if (performance.now() > deadline) {
      log("warn", "event: libvirt's loop did not leave its thread before the process ended", {});
      return;
    }
    Atomics.wait(tick, 0, 0, 1);
  }
}

function hookExit(): void {
  if (exitHooked) return;
  exitHooked = true;
  globalThis.addEventListener("unload", atExit);
}

// DefaultEventLoops started and not yet stopping.
let runningLoops = 0;

/** @internal What runs when the first DefaultEventLoop starts and when the last one stops. */
export interface DefaultLoopHooks {
  /** The first loop starts, or the first after all others began to stop (before it runs). */
  started(): void;
  /** The last running loop's thread returned; nothing dispatches until this returns. */
  stopping(): void;
  /** The loop that said `stopping` ended; resolves once what stopping began is done. */
  stopped(): Promise<void>;
  /**
   * Runs GLib's loop `loop` on a thread that takes the relayed event callbacks itself (the
   * relay's Worker), resolving once that run returned, to false if it did not run (another
   * thread runs the main context); null when there is none free.
   */
  host(loop: Deno.PointerObject): Promise<boolean> | null;
}

let hooks: DefaultLoopHooks | null = null;

/**
 * @internal Sets the hooks: the event relay's (api/events/relay_hooks.ts), which moves object
 * events off the JS thread while a loop runs.
 */
export function setDefaultLoopHooks(h: DefaultLoopHooks): void {
  hooks = h;
}

function runHook(name: "started" | "stopping"): void {
  try {
    hooks?.[name]();
  } catch (e) {
    log("error", `event: default loop ${name} hook failed`, { error: e });
  }
}

/**
 * @internal Moves a DefaultEventLoop whose GLib loop runs on Deno's thread pool to the relay's
 * Worker, now that one took object events: its run is quit, and the next one asks the hook for a
 * host. A quit that comes before the pool's run began is lost, and the loop stays where it is,
 * slower (every relayed event then crosses from the pool thread into the Worker) but correct.
 */
export function moveDefaultLoopToHost(): void {
  for (const [quit, run] of glibRuns) {
    if (!run.pooled) continue;
    run.pooled = false; // quit once
    quit();
    return;
  }
}

/**
 * Wakes an iteration of the default loop that is waiting in poll: adding a timer makes libvirt's
 * loop (GLib's main context) wake itself, and the timer is removed at once.
 */
export function interruptDefaultImpl(): void {
  const timer = callRaw("virEventAddTimeout", 0, noopTimeout.pointer, null, null);
  if (timer >= 0) callRaw("virEventRemoveTimeout", timer);
  if (logEnabled.debug) log("debug", "event: default loop woken", { timer });
}

/**
 * Runs libvirt's default loop continuously until `stop()`. Registers the default impl if nothing
 * is registered yet. The running loop keeps the process alive (its pending call on Deno's thread
 * pool cannot be unref'd): stop it when the script is done.
 *
 * The loop runs as one call on Deno's thread pool, GLib's `g_main_loop_run` on the main context
 * that libvirt's default impl is made of, so the JS thread is woken only for the callbacks that
 * are its own (events, stream and user callbacks). An idle connection's keepalive is then served
 * in C alone. Where libvirt has no GLib (before 6.0), it runs `runDefaultImpl()` in a loop, which
 * wakes the JS thread after every iteration. While it runs, `runDefaultImpl()` throws.
 *
 * The loop's thread waits for the JS thread on each callback it makes into JS (Deno runs them
 * there, one at a time), so a busy JS thread (blocking calls, many async completions) would hold
 * it back under an event flood, and keepalive and stream callbacks with it. While a loop runs,
 * object events therefore go through a Worker of the module's own, which takes each one at once
 * and posts them to the JS thread in batches; your handlers still run on the JS thread. The
 * Worker starts with the first event registration while a loop runs and ends with the last
 * loop's `stop()`; while it exists, the loop runs on the Worker's thread instead of the pool, so
 * the Worker's callbacks are direct calls (README, "Events: which loop to pick").
 *
 * @example
 * ```ts
 * import { Connection, DefaultEventLoop } from "./mod.ts";
 * const loop = new DefaultEventLoop();
 * loop.start();
 * using conn = Connection.open("test:///default");
 * // ... register events on conn ...
 * await loop.stop();
 * ```
 */
export class DefaultEventLoop {
  #running: Promise<void> | null = null;
  #stopping = false;
  /** Whether this loop counts in `runningLoops` (from start() until its thread returned). */
  #counted = false;
  /** Whether this loop's end said `stopping`, so that its end says `stopped` too. */
  #saidStopping = false;
  /** GLib's loop while one runs, with the functions to quit it (see `#runGLib`). */
  #gloop: { glib: GLib; loop: Deno.PointerObject } | null = null;

  /**
   * Starts the loop (a no-op if it runs already).
   *
   * @example
   * ```ts
   * import { DefaultEventLoop } from "./mod.ts";
   * const loop = new DefaultEventLoop();
   * loop.start();
   * await loop.stop();
   * ```
   */
  start(): void {
    if (this.#running) return;
    if (registeredLoop() === "none") {
      registerDefaultImpl();
    } else if (registeredLoop() !== "default") {
      throw new Error("Cannot start the default event loop: a custom EventImpl is registered");
    }
    this.#stopping = false;
    this.#counted = true;
    if (++runningLoops === 1) runHook("started");
    this.#running = this.#run().finally(() => void (this.#running = null));
  }

  /**
   * Whether the loop runs.
   *
   * @example
   * ```ts
   * import { DefaultEventLoop } from "./mod.ts";
   * console.log(new DefaultEventLoop().running); // false
   * ```
   */
  get running(): boolean {
    return this.#running !== null;
  }

  /**
   * Resolves when the loop is not running (at once if it never started).
   *
   * @example
   * ```ts
   * import { DefaultEventLoop } from "./mod.ts";
   * await new DefaultEventLoop().done;
   * ```
   */
  get done(): Promise<void> {
    return this.#running ?? Promise.resolve();
  }

  /**
   * Stops the loop: wakes the pending iteration and resolves once it returned.
   *
   * @example
   * ```ts
   * import { DefaultEventLoop } from "./mod.ts";
   * const loop = new DefaultEventLoop();
   * loop.start();
   * await loop.stop();
   * ```
   */
  async stop(): Promise<void> {
    const running = this.#running;
    if (!running) return;
    this.#stopping = true;
    // A quit that reaches GLib's loop before g_main_loop_run began on the pool thread is lost
    // (the run marks the loop running as it starts): say it again until the loop returned.
    for (let over = false; !over;) {
      if (this.#gloop !== null) this.#gloop.glib.g_main_loop_quit(this.#gloop.loop);
      else interruptDefaultImpl();
      let timer: ReturnType<typeof setTimeout> | undefined;
      over = await Promise.race([
        running.then(() => true),
        new Promise<boolean>((r) => timer = setTimeout(() => r(false), 20)),
      ]);
      clearTimeout(timer);
    }
  }

  /**
   * Same as `stop()`, for `await using`.
   *
   * @example
   * ```ts
   * import { DefaultEventLoop } from "./mod.ts";
   * await using loop = new DefaultEventLoop();
   * loop.start();
   * ```
   */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  async #run(): Promise<void> {
    const glib = glibMainLoop();
    while (!this.#stopping) {
      try {
        if (glib !== null) await this.#runGLib(glib);
        else await runDefaultImpl();
      } catch (e) {
        log("error", "event: default loop iteration failed", { error: e });
        // A failing iteration returns at once; do not spin on it.
        await new Promise((r) => setTimeout(r, 10));
      }
    }
    // No iteration of ours runs now (`#runGLib` counted this loop out already, unless GLib's
    // loop never ran).
    this.#uncount();
    if (this.#saidStopping) {
      this.#saidStopping = false;
      try {
        await hooks?.stopped();
      } catch (e) {
        log("error", "event: default loop stopped hook failed", { error: e });
      }
    }
  }

  // This loop no longer runs: the last one to go says `stopping`, while no dispatch runs.
  #uncount(): void {
    if (!this.#counted) return;
    this.#counted = false;
    if (--runningLoops === 0) {
      this.#saidStopping = true;
      runHook("stopping");
    }
  }

  // Every iteration of virEventRunDefaultImpl, without returning to JS in between: a GMainLoop
  // on the default main context, run until stop() quits it. Each iteration that returns to JS
  // costs a wake-up of the JS thread and a new submission to the pool (about 0.5 ms of CPU for
  // a cold wake-up here, bench/findings.md), which an idle connection paid for every keepalive.
  //
  // Where it runs: on the relay's Worker once that Worker exists (it starts with the first object
  // event registration). There the loop's thread is the one whose callbacks take the events, so
  // each event is a direct call instead of a wake-up of the Worker's thread, which the pool's
  // thread waits for (bench/findings.md, nineteenth pass). Until then, when the Worker hosts
  // another loop already, and when another loop's thread owns GLib's context (the Worker never
  // waits for it: that thread may be calling into the Worker), on Deno's thread pool.
  async #runGLib(glib: GLib): Promise<void> {
    const loop = glib.g_main_loop_new(null, 0);
    if (loop === null) throw new Error("g_main_loop_new failed");
    this.#gloop = { glib, loop };
    const quit = () => glib.g_main_loop_quit(loop);
    const run = { pooled: false };
    glibRuns.set(quit, run);
    hookExit();
    try {
      const hosted = this.#stopping ? null : hooks?.host(loop) ?? null;
      const ranHosted = hosted !== null && await hosted;
      if (!ranHosted && !this.#stopping) {
        run.pooled = true;
        await glib.g_main_loop_run(loop);
      }
    } finally {
      // Counted out while `glibRuns` still holds this loop: runDefaultImpl() refuses to run
      // meanwhile, so no dispatch can start before the `stopping` hook is done.
      if (this.#stopping) this.#uncount();
      glibRuns.delete(quit);
      this.#gloop = null;
      glib.g_main_loop_unref(loop);
    }
  }
}

/**
 * Runs libvirt's default loop until `signal` aborts; resolves once the last iteration returned.
 *
 * @example
 * ```ts
 * import { Event } from "./mod.ts";
 * const ac = new AbortController();
 * const done = Event.runDefaultImplLoop({ signal: ac.signal });
 * setTimeout(() => ac.abort(), 100);
 * await done;
 * ```
 */
export async function runDefaultImplLoop(options: { signal?: AbortSignal } = {}): Promise<void> {
  const loop = new DefaultEventLoop();
  const { signal } = options;
  if (signal?.aborted) return;
  loop.start();
  const onAbort = () => void loop.stop();
  signal?.addEventListener("abort", onAbort, { once: true });
  try {
    await loop.done;
  } finally {
    signal?.removeEventListener("abort", onAbort);
  }
}
