// The async counterpart of ffi/call.ts: libvirt calls run on Deno's thread pool, one at a time
// per connection, with each failure read back as that call's own LibvirtError.
import {
  asyncSymbol,
  type AsyncSymbolFn,
  type ExtraLibrary,
  extraSymbolAsync,
  symbol,
  type SymbolFn,
  type SymbolName,
} from "./library.ts";
import { copyConnectionError, LibvirtError, readError } from "./errors.ts";
import { idPointer, pointerId, takeCString } from "./marshal.ts";
import { permanentCallback } from "./callbacks.ts";
import { libc } from "./libc.ts";
import { asyncOpening, clearPointerUse, enterAsync, leaveAsync, whenIdle } from "./inflight.ts";
import { asyncTracking, type LibvirtObject, wrapAsyncOpen } from "../api/object.ts";
import { log, logEnabled } from "../log.ts";
import { registeredLoop } from "../event/state.ts";
import { registeredImpl } from "../event/register.ts";
import { DenoEventImpl } from "../event/deno_impl.ts";
import { onExitQuiet } from "../event/exit_quiet.ts";

type Args<K extends SymbolName> = Parameters<SymbolFn<K>>;
type Result<K extends SymbolName> = Awaited<ReturnType<AsyncSymbolFn<K>>>;

// ---- Errors ---------------------------------------------------------------------------------
// libvirt records an error in the failing thread's own slot, so after a call on a pool thread the
// JS thread's virGetLastError sees nothing. What crosses threads: virDispatchError, at the end of
// every failing public call on the failing thread (no libvirt lock held then), calls the
// connection's error function (virConnSetErrorFunc) with that thread's error. Ours records it
// in the connection's slot. Two things make the record unambiguous:
// - one async call per connection at a time (the queue below), so a pool-thread error of a
//   connection is the error of the one call in flight on it;
// - a sync call failing on the JS thread also reaches the function (nested in that call): it
//   is recognised because its `err` is the JS thread's own error object (virGetLastError on the
//   JS thread returns the same pointer) and left alone; the sync caller reads it from the thread.

interface Slot {
  /** Errors recorded by failing pool-thread calls, not yet taken by their call. */
  errors: LibvirtError[];
  /** Side calls (below) running on this connection. */
  side: number;
}
const slots = new Map<number, Slot>(); // by the id passed as the error function's userData
let nextSlot = 1;
const slotOf = new WeakMap<LibvirtObject, { id: number; slot: Slot }>();

function recordError(userData: Deno.PointerValue, err: Deno.PointerValue): void {
  try {
    if (err === null) return;
    const own = symbol("virGetLastError")();
    if (own !== null && Deno.UnsafePointer.equals(own, err)) return; // the JS thread's own
    const slot = slots.get(pointerId(userData));
    if (slot) slot.errors.push(readError(err));
  } catch (e) {
    log("error", "async error handler failed", { error: e });
  }
}

// One function for every connection, alive for the process (libvirt may call it at any time
// on any thread; unref'd: a pending FFI call is what keeps the process alive meanwhile).
const errorHandler = permanentCallback(
  { parameters: ["pointer", "pointer"], result: "void" } as const,
  recordError,
);

// Installs the connection's error function before its first async call. libvirt calls it
// instead of the global one (which only silences printing, see ffi/library.ts).
function slotFor(root: LibvirtObject): Slot {
  let s = slotOf.get(root);
  if (s === undefined) {
    const id = nextSlot++;
    s = { id, slot: { errors: [], side: 0 } };
    slots.set(id, s.slot);
    slotOf.set(root, s);
    installed.set(id, new WeakRef(root));
    const ptr = asyncTracking.pointer(root);
    if (ptr !== null) symbol("virConnSetErrorFunc")(ptr, idPointer(id), errorHandler.pointer);
    // The slot lives as long as the connection's wrapper; the error function stays installed
    // on the libvirt connection (harmless: it only fills a slot that nobody reads any more).
    slotCleanup.register(root, id);
  }
  return s.slot;
}
const slotCleanup = new FinalizationRegistry<number>((id) => {
  slots.delete(id);
  installed.delete(id);
});
// The connections whose error function is ours, by slot id (weak: the slot's own lifetime).
const installed = new Map<number, WeakRef<LibvirtObject>>();
// Whether an async open has the global error function now (see `openAsync`).
let openHasGlobal = false;
// Counts the silencings and restores below (odd: silenced now). A call that ran across a change,
// or started while silenced, may find its error on the connection only.
let quietEpoch = 0;

// The process's end (event/exit_quiet.ts): a failing call on the pool calls the error function
// into JS from its thread, and a call that waits for the JS thread when Deno drops the runtime
// kills the process (a script that died of an uncaught error with eight connections, each with
// a failing call in flight: 3 of 100 runs by SIGSEGV). So the connection's function goes (the
// global one, libc's `free` of NULL, is called instead) and libvirt's own copy of the error on
// the connection is all a failure leaves meanwhile; the function comes back if that end was
// averted.
onExitQuiet(() => {
  if ((quietEpoch & 1) === 0) quietEpoch++;
  for (const root of installed.values()) {
    const ptr = liveRoot(root);
    if (ptr !== null) symbol("virConnSetErrorFunc")(ptr, null, null);
  }
  if (openHasGlobal) symbol("virSetErrorFunc")(null, libc().freeAddress);
}, () => {
  if ((quietEpoch & 1) === 1) quietEpoch++;
  for (const [id, root] of installed) {
    const ptr = liveRoot(root);
    if (ptr !== null) symbol("virConnSetErrorFunc")(ptr, idPointer(id), errorHandler.pointer);
  }
  if (openHasGlobal) symbol("virSetErrorFunc")(idPointer(OPEN_SLOT), errorHandler.pointer);
});

function liveRoot(ref: WeakRef<LibvirtObject>): Deno.PointerObject | null {
  const root = ref.deref();
  return root === undefined ? null : asyncTracking.pointer(root);
}

// The failing call takes the oldest recorded error. With one call per connection at a time there
// is only ever one; with a side call running beside it, two calls that both failed before
// either settled take theirs in the order they settle (see SIDE_CALLS).
function failure(
  name: string,
  slot: Slot | null,
  root: LibvirtObject | null = null,
  epoch = quietEpoch,
): LibvirtError {
  let e = slot?.errors.shift() ?? null;
  if (e === null && root !== null && (epoch !== quietEpoch || (epoch & 1) === 1)) {
    // The error function was silenced while this call ran (above): libvirt's copy on the
    // connection is its error (one call per connection at a time).
    const ptr = asyncTracking.pointer(root);
    e = ptr === null ? null : copyConnectionError(ptr);
  }
  if (e !== null) {
    const err = new LibvirtError({ ...e, func: name, message: e.message });
    if (logEnabled.error) log("error", `${name}: ${err.message}`, { code: err.code });
    return err;
  }
  // libvirt failed without reporting through a connection (an argument check that fails before
  // the connection is known): still a LibvirtError, never an empty one.
  return new LibvirtError({
    code: 1,
    domain: 0,
    level: 2,
    message: `${name} failed (libvirt reported no error for the connection)`,
    func: name,
  });
}

// ---- Which loops allow async calls ----------------------------------------------------------
// libvirt's default loop (native, never waits for JS) and DenoEventImpl (which moves a busy
// connection's callbacks to the pool, see event/deno_impl.ts) do. Any other TypeScript EventImpl
// runs libvirt's callbacks on the JS thread, where one of a busy connection deadlocks at once
// (measured: DENO-FFI-NOTES.md): refused with an Error instead.
/**
 * Throws unless the registered event loop allows async calls (libvirt's default loop, or
 * DenoEventImpl). For callers that must know before they change any state of their own.
 *
 * @example
 * ```ts
 * import { checkLoop } from "./ffi/call_async.ts";
 * checkLoop("virStreamFinish"); // fine with DenoEventImpl or no TypeScript loop
 * ```
 */
export function checkLoop(name: string): void {
  if (registeredLoop() !== "custom" || registeredImpl() instanceof DenoEventImpl) return;
  throw new Error(
    `Cannot call ${name} asynchronously: the registered EventImpl runs libvirt's callbacks on ` +
      `the JS thread, which deadlocks against a call running on Deno's thread pool. Register ` +
      `DenoEventImpl or libvirt's default loop, or use the sync form.`,
  );
}

// ---- Queue ----------------------------------------------------------------------------------
// One async call per connection at a time, in the order they were made: the errors stay
// unambiguous, and `dom.suspendAsync(); dom.resumeAsync()` run in that order. Parallel calls
// belong on separate connections (libvirt's client serializes one connection's socket anyway).
const tails = new WeakMap<LibvirtObject, Promise<void>>();

/**
 * Calls that skip the queue: the ones made to stop or watch a long job that is itself an async
 * call in flight on the same connection (abort a save, read its progress). Queued behind the
 * job, they would run only once it is over. libvirt's client lets several threads call over
 * one connection at once; only error attribution needs care (see `failure`).
 */
const SIDE_CALLS = new Set<string>([
  "virDomainAbortJob",
  "virDomainAbortJobFlags",
  "virDomainBlockJobAbort",
  "virDomainGetJobInfo",
  "virDomainGetJobStats",
  "virDomainGetBlockJobInfo",
  "virDomainMigrateSetMaxDowntime",
  "virDomainMigrateSetMaxSpeed",
  "virDomainMigrateStartPostCopy",
  "virStreamAbort",
]);

async function run<K extends SymbolName>(
  owner: LibvirtObject,
  name: K,
  args: Args<K>,
  check: (r: Result<K>) => boolean,
  // The nonblocking function: libvirt.so's by default, libvirt-qemu/lxc's for the extra calls.
  bindFn: () => unknown = () => asyncSymbol(name),
): Promise<Result<K>> {
  clearPointerUse(); // the pointer in args is for this async call, not for a sync one
  if (owner === null || typeof owner !== "object") {
    throw new TypeError(`${name}: the owner of an async call must be a libvirt object`);
  }
  checkLoop(name);
  const fn = bindFn() as (...a: unknown[]) => Promise<Result<K>>;
  const root = asyncTracking.root(owner);
  const slot = slotFor(root);
  asyncTracking.enter(owner);
  enterAsync(root);
  if (SIDE_CALLS.has(name)) return runSide(owner, root, slot, fn, name, args, check);
  const before = tails.get(root);
  let done!: () => void;
  const mine = new Promise<void>((r) => done = r);
  tails.set(root, mine);
  try {
    if (before) await before;
    if (slot.side === 0) slot.errors.length = 0;
    const epoch = quietEpoch;
    // `args` (and the buffers in it) stay referenced by this frame until the call settles.
    const r = await fn(...args);
    if (!check(r)) throw failure(name, slot, root, epoch);
    return r;
  } finally {
    if (tails.get(root) === mine) tails.delete(root);
    leaveAsync(root);
    // The last call on the connection: wait for a callback of it that DenoEventImpl still runs
    // on the pool (one at most), so a sync call made right after this Promise settles is safe.
    const idle = whenIdle(root);
    if (idle !== null) await idle;
    try {
      asyncTracking.leave(owner); // may run a release that waited for this call
    } catch (e) {
      log("error", "deferred release failed", { error: e });
    }
    done();
  }
}

async function runSide<K extends SymbolName>(
  owner: LibvirtObject,
  root: LibvirtObject,
  slot: Slot,
  fn: (...a: unknown[]) => Promise<Result<K>>,
  name: K,
  args: Args<K>,
  check: (r: Result<K>) => boolean,
): Promise<Result<K>> {
  slot.side++;
  try {
    const epoch = quietEpoch;
    const r = await fn(...args);
    if (!check(r)) throw failure(name, slot, root, epoch);
    return r;
  } finally {
    slot.side--;
    leaveAsync(root);
    const idle = whenIdle(root); // as in `run`
    if (idle !== null) await idle;
    try {
      asyncTracking.leave(owner);
    } catch (e) {
      log("error", "deferred release failed", { error: e });
    }
  }
}

/**
 * Calls an int-returning libvirt function on Deno's thread pool; -1 rejects with the
 * LibvirtError libvirt reported for it. `owner` is the wrapper whose pointer is in `args`.
 *
 * @example
 * ```ts
 * import { Connection } from "./mod.ts";
 * import { callIntAsync } from "./ffi/call_async.ts";
 * using conn = Connection.open("test:///default");
 * console.log(await callIntAsync(conn, "virConnectNumOfDomains", conn.unsafePointer));
 * ```
 */
export function callIntAsync<K extends SymbolName>(
  owner: LibvirtObject,
  name: K,
  ...args: Args<K>
): Promise<number> {
  return run(owner, name, args, (r) => r !== -1) as Promise<number>;
}

/**
 * Calls a pointer-returning libvirt function on Deno's thread pool; NULL rejects with the
 * LibvirtError libvirt reported.
 *
 * @example
 * ```ts
 * import { Connection } from "./mod.ts";
 * import { callPtrAsync } from "./ffi/call_async.ts";
 * import { cString } from "./ffi/marshal.ts";
 * using conn = Connection.open("test:///default");
 * const p = await callPtrAsync(conn, "virDomainLookupByName", conn.unsafePointer, cString("test"));
 * ```
 */
export function callPtrAsync<K extends SymbolName>(
  owner: LibvirtObject,
  name: K,
  ...args: Args<K>
): Promise<Deno.PointerObject> {
  return run(owner, name, args, (r) => r !== null) as Promise<Deno.PointerObject>;
}

/**
 * Calls a function returning a `char *` the caller frees, on Deno's thread pool; NULL rejects.
 *
 * @example
 * ```ts
 * import { Connection } from "./mod.ts";
 * import { callStringAsync } from "./ffi/call_async.ts";
 * using conn = Connection.open("test:///default");
 * console.log(await callStringAsync(conn, "virConnectGetCapabilities", conn.unsafePointer));
 * ```
 */
export async function callStringAsync<K extends SymbolName>(
  owner: LibvirtObject,
  name: K,
  ...args: Args<K>
): Promise<string> {
  const r = await run(owner, name, args, (r) => r !== null);
  return takeCString(r as Deno.PointerValue)!;
}

/**
 * Calls a function whose failure value is its own (`getMaxMemory` fails with 0): `ok` says
 * whether the result is a success; otherwise rejects with the LibvirtError libvirt reported.
 *
 * @example
 * ```ts
 * import { Connection } from "./mod.ts";
 * import { callCheckedAsync } from "./ffi/call_async.ts";
 * using conn = Connection.open("test:///default");
 * using dom = conn.lookupDomainByName("test");
 * console.log(await callCheckedAsync(dom, "virDomainGetMaxMemory", (r) => r !== 0n, dom.unsafePointer));
 * ```
 */
export function callCheckedAsync<K extends SymbolName>(
  owner: LibvirtObject,
  name: K,
  ok: (r: Result<K>) => boolean,
  ...args: Args<K>
): Promise<Result<K>> {
  return run(owner, name, args, ok);
}

/**
 * Calls a function whose result is not a failure code (or is checked by the caller), on Deno's
 * thread pool, still one at a time per connection.
 *
 * @example
 * ```ts
 * import { Connection } from "./mod.ts";
 * import { callRawAsync } from "./ffi/call_async.ts";
 * using conn = Connection.open("test:///default");
 * console.log(await callRawAsync(conn, "virConnectIsAlive", conn.unsafePointer)); // 1
 * ```
 */
export function callRawAsync<K extends SymbolName>(
  owner: LibvirtObject,
  name: K,
  ...args: Args<K>
): Promise<Result<K>> {
  return run(owner, name, args, () => true);
}

// ---- Calls with no connection yet (Connection.openAsync) -------------------------------------
// virConnectOpen* fails before there is a connection, so virDispatchError calls the global error
// function. For the length of one async open the global function is ours (then libc's `free`
// again, which only silences printing); opens are serialized process-wide so the error read
// is that open's. Errors of other async calls never come here (their connections have their
// own function); sync failures on the JS thread are told apart as above.
let openTail: Promise<void> | null = null;
const OPEN_SLOT = 0; // slot 0: the async open in progress
slots.set(OPEN_SLOT, { errors: [], side: 0 });
// What an async open counts as in flight under (no connection yet): while it runs, DenoEventImpl
// dispatches the registrations it makes (unknown connection) on the pool.
const openKey = {};

/**
 * Runs a `virConnectOpen*` function on the thread pool and hands the new `virConnectPtr` to
 * `wrap` (which makes the Connection); NULL rejects with libvirt's error. One at a time per
 * process. Used by `Connection.openAsync`.
 *
 * @example
 * ```ts
 * import { openConnectionAsync } from "./ffi/call_async.ts";
 * import { cString } from "./ffi/marshal.ts";
 * const p = await openConnectionAsync("virConnectOpen", [cString("test:///default")], (p) => p);
 * ```
 */
export async function openConnectionAsync<
  K extends "virConnectOpen" | "virConnectOpenReadOnly" | "virConnectOpenAuth",
  T,
>(name: K, args: Args<K>, wrap: (ptr: Deno.PointerObject) => T): Promise<T> {
  checkLoop(name);
  const fn = asyncSymbol(name) as unknown as (...a: unknown[]) => Promise<Deno.PointerValue>;
  const before = openTail;
  let done!: () => void;
  const mine = new Promise<void>((r) => done = r);
  openTail = mine;
  enterAsync(openKey);
  const slot = slots.get(OPEN_SLOT)!;
  let left = false;
  try {
    if (before) await before;
    slot.errors.length = 0;
    asyncOpening(true); // registrations libvirt makes from the pool now are this connection's
    symbol("virSetErrorFunc")(idPointer(OPEN_SLOT), errorHandler.pointer);
    openHasGlobal = true;
    let r: Deno.PointerValue;
    try {
      // `args` (and the buffers in it) stay referenced by this frame until the call settles.
      r = await fn(...args);
    } finally {
      openHasGlobal = false;
      symbol("virSetErrorFunc")(null, libc().freeAddress);
    }
    if (r === null) throw failure(name, slot);
    const conn = wrapAsyncOpen(() => wrap(r));
    leaveAsync(openKey);
    left = true;
    // As in `run`: settle only once no callback of the new connection runs on the pool.
    const idle = whenIdle(conn as object);
    if (idle !== null) await idle;
    return conn;
  } finally {
    asyncOpening(false);
    if (!left) leaveAsync(openKey);
    if (openTail === mine) openTail = null;
    done();
  }
}

/**
 * `callIntAsync` for a function of libvirt-qemu.so or libvirt-lxc.so (ffi/call_extra.ts has
 * the sync forms): -1 rejects with the LibvirtError libvirt reported for it.
 *
 * @example
 * ```ts
 * import { callIntAsyncExtra } from "./ffi/call_async.ts";
 * import type { Domain } from "./mod.ts";
 * declare const dom: Domain;
 * const result = new BigUint64Array(1);
 * // await callIntAsyncExtra(dom, "qemu", "virDomainQemuMonitorCommand", ptr, cmd, result, 0);
 * console.log(typeof callIntAsyncExtra, dom, result);
 * ```
 */
export function callIntAsyncExtra(
  owner: LibvirtObject,
  lib: ExtraLibrary,
  name: string,
  ...args: unknown[]
): Promise<number> {
  return run(
    owner,
    name as SymbolName,
    args as never,
    (r) => r !== -1,
    () => extraSymbolAsync(lib, name),
  ) as Promise<number>;
}

/**
 * `callIntAsyncExtra` for a function returning a `char *` the caller frees; NULL rejects.
 *
 * @example
 * ```ts
 * import { callStringAsyncExtra } from "./ffi/call_async.ts";
 * import type { Domain } from "./mod.ts";
 * declare const dom: Domain;
 * // await callStringAsyncExtra(dom, "qemu", "virDomainQemuAgentCommand", ptr, cmd, 5, 0);
 * console.log(typeof callStringAsyncExtra, dom);
 * ```
 */
export async function callStringAsyncExtra(
  owner: LibvirtObject,
  lib: ExtraLibrary,
  name: string,
  ...args: unknown[]
): Promise<string> {
  const r = await run(
    owner,
    name as SymbolName,
    args as never,
    (r) => r !== null,
    () => extraSymbolAsync(lib, name),
  );
  return takeCString(r as Deno.PointerValue)!;
}
