// Which connection each libvirt call and each event registration belongs to, which connections
// have async calls in flight, and the guard that keeps synchronous calls off those connections
// while a TypeScript event loop is registered (the one case where mixing them deadlocks).
import { registeredLoop } from "../event/state.ts";

/**
 * Why a guard: with a TypeScript event impl, libvirt's remote client calls `virEventUpdateHandle`
 * (a JS callback, which waits for the JS thread) while it holds the connection's client lock.
 * An async call on a pool thread does exactly that. If the JS thread is meanwhile inside a
 * synchronous call on the same connection, waiting for that lock, neither thread ever moves.
 * So a sync call on a connection with an async call queued or running throws instead. With
 * libvirt's default loop the impl is native and never waits for JS: no guard is needed there.
 *
 * The same cycle decides how DenoEventImpl dispatches: a handle or timeout callback of a
 * connection that a pool thread may be using (an async call, or one of its callbacks already
 * running on the pool) must run on the pool too; one of a connection used only from the JS
 * thread must run on the JS thread (on the pool it would hold that connection's lock while it
 * waits for the JS thread, which may be inside a sync call on it: measured, a hang within
 * seconds). So every registration is tagged with its connection when libvirt makes it.
 */
const busy = new Map<object, number>();
let total = 0;
// The connections (root objects) whose pointers `LibvirtObject.ptr()` handed out since the last
// call. A sync call evaluates its arguments (ptr()) and then enters ffi/call.ts at once, in the
// same JS turn, so the sync entry point knows which connection it is about to use without any
// extra argument. It trusts a note only when its first argument is the noted pointer (a call may
// take several, a pool and a volume), so a note left by a call that threw before reaching
// libvirt (an argument check after ptr()) never applies to another.
const notedPtrs: unknown[] = [];
const notedRoots: object[] = [];
// Each wrapper's own pointer object → its connection's wrapper: a sync call whose first argument
// is a wrapper's pointer knows its connection even when no note applies. A note is lost when
// another sync call comes between `ptr()` and the call (an event registration with a filter
// references the filter object first): the registration, and the timer libvirt adds in it,
// then belonged to no connection, and DenoEventImpl ran that timer on the JS thread while a
// pool thread of the connection held libvirt's event-state lock and waited for the JS thread (a
// hang, measured: every run of a lifecycle listener with a filter, a legacy listener and async
// calls on one connection).
// The value is the connection's tag, which holds the connection weakly: a pointer object kept
// by a backstop must not keep its abandoned connection from being collected.
const connectionOf = new WeakMap<object, ConnectionTag>();

/** Records a wrapper's own pointer object and its connection, when the wrapper is made. */
export function noteOwnPointer(ptr: Deno.PointerObject, root: object): void {
  if (ptr !== null) connectionOf.set(ptr, tagOf(root));
}

// libvirt functions that never leave the process (no client lock, no daemon): always allowed.
const PROCESS_LOCAL = new Set<string>([
  "virDomainGetName",
  "virDomainGetUUID",
  "virDomainGetUUIDString",
  "virDomainGetID",
  "virDomainGetConnect",
  "virDomainFree",
  "virDomainRef",
  "virNetworkGetName",
  "virNetworkGetUUID",
  "virNetworkGetUUIDString",
  "virNetworkFree",
  "virStoragePoolGetName",
  "virStoragePoolGetUUID",
  "virStoragePoolGetUUIDString",
  "virStoragePoolFree",
  "virStorageVolGetName",
  "virStorageVolGetKey",
  "virStorageVolFree",
  "virNodeDeviceGetName",
  "virNodeDeviceFree",
  "virSecretGetUUID",
  "virSecretGetUUIDString",
  "virSecretGetUsageID",
  "virSecretGetUsageType",
  "virSecretFree",
  "virStreamNew", // an object of the process; the transfer starts with a later call
  "virStreamFree",
  // References, frees and what each object carries with it: the objects' own, in the process
  // (an object's own pointer now always names its connection, so each is listed).
  "virConnectRef",
  "virDomainCheckpointFree",
  "virDomainCheckpointGetConnect",
  "virDomainCheckpointGetDomain",
  "virDomainCheckpointGetName",
  "virDomainCheckpointRef",
  "virDomainFSInfoFree",
  "virDomainIOThreadInfoFree",
  "virDomainInterfaceFree",
  "virDomainSnapshotFree",
  "virDomainSnapshotGetConnect",
  "virDomainSnapshotGetDomain",
  "virDomainSnapshotGetName",
  "virDomainSnapshotRef",
  "virDomainStatsRecordListFree",
  "virInterfaceFree",
  "virInterfaceGetConnect",
  "virInterfaceGetName",
  "virInterfaceRef",
  "virNWFilterBindingFree",
  "virNWFilterBindingRef",
  "virNWFilterFree",
  "virNWFilterGetName",
  "virNWFilterGetUUID",
  "virNWFilterGetUUIDString",
  "virNWFilterRef",
  "virNetworkDHCPLeaseFree",
  "virNetworkGetConnect",
  "virNetworkPortFree",
  "virNetworkPortGetNetwork",
  "virNetworkPortGetUUID",
  "virNetworkPortGetUUIDString",
  "virNetworkPortRef",
  "virNetworkRef",
  "virNodeDeviceRef",
  "virSecretGetConnect",
  "virSecretRef",
  "virStoragePoolGetConnect",
  "virStoragePoolRef",
  "virStorageVolGetConnect",
  "virStorageVolRef",
  "virStreamRef",
  "virTypedParamsFree",
  "virConnCopyLastError",
  "virConnResetLastError",
  "virConnSetErrorFunc",
]);

/**
 * The connection an event registration (handle or timer) belongs to. `root` is the connection's
 * wrapper once known (a registration made while the connection is being opened gets it when the
 * wrapper is made); NO_CONNECTION marks a registration of no connection (the user's own timers
 * and handles); `null` as the tag means: unknown.
 */
export interface ConnectionTag {
  root: object | null;
}

/** The tag of registrations that belong to no connection (always dispatched on the JS thread). */
export const NO_CONNECTION: ConnectionTag = Object.freeze({ root: null });

// Sync calls in progress on the JS thread (nested: a callback inside a call may call again).
let syncDepth = 0;
let syncTag: ConnectionTag | null = null;
// Tags of connections being opened, not yet claimed by their wrapper (sync first, then async).
let syncOpenTag: ConnectionTag | null = null;
let asyncOpenTag: ConnectionTag | null = null;
// The tag of the registration whose callback DenoEventImpl is running (one at a time).
let dispatchTag: ConnectionTag | null = null; // a callback run on the JS thread
let pooledDispatchTag: ConnectionTag | null = null; // a callback run on the pool
const tags = new WeakMap<object, ConnectionTag>();
const isTag = new WeakSet<object>();

// A connection is busy when an async call on it is in flight, or a callback of one of its
// registrations runs on the pool. Such a callback may have started before the registration's
// connection was known (one added while an async open ran): it marks its tag, which the
// connection's wrapper claims later, so both keys are checked.
function busyRoot(root: object): boolean {
  if (busy.has(root)) return true;
  const t = tags.get(root);
  return t !== undefined && busy.has(t);
}

function tagOf(root: object): ConnectionTag {
  let t = tags.get(root);
  if (t === undefined) {
    tags.set(root, t = newTag());
    t.root = root;
  }
  return t;
}

// `root` is held weakly (H-rel, issue 10): a tag lives as long as the event impl's handle or
// timer that carries it, and a remote connection's own socket watch carries its connection's
// tag. A strong `root` kept every remote connection reachable from the loop, so no dropped
// connection was ever collected (nor closed by the backstop, nor its watch ever removed).
function newTag(): ConnectionTag {
  let ref: WeakRef<object> | null = null;
  const t: ConnectionTag = {
    get root(): object | null {
      return ref?.deref() ?? null;
    },
    set root(r: object | null) {
      ref = r === null ? null : new WeakRef(r);
    },
  };
  isTag.add(t);
  return t;
}

/** Records the connection a wrapper's pointer belongs to, just before a call uses it. */
export function notePointerUse(root: object, ptr: Deno.PointerObject): void {
  if (notedPtrs.length === 8) {
    notedPtrs.shift();
    notedRoots.shift();
  }
  notedPtrs.push(ptr);
  notedRoots.push(root);
}

/** Forgets the noted connection (an async call took the pointer, not a sync one). */
export function clearPointerUse(): void {
  notedPtrs.length = 0;
  notedRoots.length = 0;
}

/**
 * Called by ffi/call.ts before every synchronous libvirt call; returns what `leaveSync` restores.
 * Throws when the call would use a connection that a pool thread may be using while a
 * TypeScript event impl is registered (see above).
 */
export function enterSync(name: string, first: unknown): ConnectionTag | null {
  let root: object | null = null;
  if (notedPtrs.length > 0) {
    const i = notedPtrs.lastIndexOf(first);
    if (i >= 0) root = notedRoots[i];
    notedPtrs.length = 0;
    notedRoots.length = 0;
  }
  if (root === null && typeof first === "object" && first !== null) {
    root = connectionOf.get(first)?.root ?? null;
  }
  if (
    root !== null && busyRoot(root) && !PROCESS_LOCAL.has(name) && registeredLoop() === "custom"
  ) {
    throw new Error(
      `Cannot call ${name} synchronously: an async call is in flight on this connection ` +
        `(with a TypeScript event loop a sync call could deadlock against it). ` +
        `Await the async call first, or use the Async form of this method` +
        (name.startsWith("virStream")
          ? ` (a stream's send/recv: its readable/writable or recvAll/sendAll wait by themselves).`
          : "."),
    );
  }
  const outer = syncTag;
  syncDepth++;
  if (root !== null) syncTag = tagOf(root);
  else if (name.startsWith("virConnectOpen")) syncTag = syncOpenTag = newTag();
  else syncTag = NO_CONNECTION;
  return outer;
}

/** Called by ffi/call.ts when a synchronous call returns or throws. */
export function leaveSync(outer: ConnectionTag | null): void {
  syncDepth--;
  syncTag = outer;
}

/**
 * Called when a connection's wrapper is made: registrations made while it was opened (on the
 * JS thread or, for `openAsync`, on the pool) now belong to it.
 */
export function claimOpenTag(root: object, async: boolean): void {
  const t = async ? asyncOpenTag : syncOpenTag;
  if (t === null) return;
  if (async) asyncOpenTag = null;
  else syncOpenTag = null;
  t.root = root;
  tags.set(root, t);
}

/** Marks the start and end of an async open (one at a time, see ffi/call_async.ts). */
export function asyncOpening(on: boolean): void {
  asyncOpenTag = on ? newTag() : null;
}

/**
 * The connection a registration libvirt is making right now belongs to. Nested in a sync call or
 * in a callback run on the JS thread: that one's (certain). Made from a pool thread: the async
 * open in progress (opens run one at a time, and an open is what adds a socket's handle; other
 * calls and callbacks almost never register anything), else the callback running on the pool,
 * else the one busy connection; `null` if none of these can tell.
 */
export function registrationTag(): ConnectionTag | null {
  if (syncDepth > 0) return syncTag;
  if (dispatchTag !== null) return dispatchTag;
  if (asyncOpenTag !== null) return asyncOpenTag;
  if (pooledDispatchTag !== null) return pooledDispatchTag;
  if (busy.size === 1) {
    const key = busy.keys().next().value!;
    return isTag.has(key) ? key as ConnectionTag : tagOf(key);
  }
  return null;
}

/** Set by DenoEventImpl around each callback it runs on the JS thread, or on the pool. */
export function setDispatchTag(tag: ConnectionTag | null, pooled = false): void {
  if (pooled) pooledDispatchTag = tag;
  else dispatchTag = tag;
}

/**
 * Whether a callback of a registration with this tag must run on the pool: its connection has
 * an async call (or a pooled callback) in flight; an unknown one whenever anything is in flight.
 */
export function mustDispatchOffThread(tag: ConnectionTag | null): boolean {
  if (total === 0 || tag === NO_CONNECTION) return false;
  if (tag === null || tag.root === null) return true;
  return busy.has(tag) || busyRoot(tag.root);
}

/** Counts an async call (or a pooled callback) on `root`, queued or running. */
export function enterAsync(root: object): void {
  total++;
  busy.set(root, (busy.get(root) ?? 0) + 1);
}

/** Uncounts it once it settled. */
export function leaveAsync(root: object): void {
  total--;
  const n = (busy.get(root) ?? 1) - 1;
  if (n === 0) busy.delete(root);
  else busy.set(root, n);
  if (n === 0 && waiters.length > 0) {
    for (const w of waiters.splice(0)) {
      if (busy.has(w.root)) waiters.push(w);
      else w.resolve();
    }
  }
  if (n === 0 && freeWaiters.length > 0) {
    for (const w of freeWaiters.splice(0)) {
      if (busyRoot(w.root)) freeWaiters.push(w);
      else w.resolve();
    }
  }
}

/**
 * `whenSyncAllowed` for the connection of a wrapper's own pointer object (`noteOwnPointer`),
 * for code that outlives the wrapper (a FinalizationRegistry's cleanup); null for a pointer of
 * no known connection.
 */
export function whenSyncAllowedFor(ptr: Deno.PointerObject): Promise<void> | null {
  const root = ptr === null ? null : connectionOf.get(ptr)?.root ?? null;
  return root === null ? null : whenSyncAllowed(root);
}

/** Whether a plain call on `root`'s connection is allowed now (see `whenSyncAllowed`). */
export function syncAllowed(root: object): boolean {
  return registeredLoop() !== "custom" || !busyRoot(root);
}

// Waiting for a connection to have nothing in flight at all, so that plain calls on it are
// allowed again (whenSyncAllowed).
const freeWaiters: { root: object; resolve: () => void }[] = [];

/**
 * null when a plain call on `root`'s connection is allowed now (the guard of `enterSync` would
 * let it through); otherwise a Promise that resolves the next time nothing of the connection is
 * queued, running or called back on the pool. Another async call may start between that moment
 * and the continuation of an `await`, so callers ask again before their plain calls.
 */
export function whenSyncAllowed(root: object): Promise<void> | null {
  if (syncAllowed(root)) return null;
  return new Promise((resolve) => freeWaiters.push({ root, resolve }));
}

// Waiting for a connection's tag (its callbacks running on the pool) to clear.
const waiters: { root: ConnectionTag; resolve: () => void }[] = [];

/**
 * null when nothing of `root`'s runs on the pool; otherwise a Promise that resolves once
 * nothing does. An async call settles only then, so the caller's next sync call on the same
 * connection never finds a callback of it still running on the pool (the guard would refuse).
 */
export function whenIdle(root: object): Promise<void> | null {
  // Other async calls of the connection still queued: they keep it busy anyway (and they wait
  // for this one), so there is nothing to wait for here.
  if (busy.has(root)) return null;
  const t = tags.get(root);
  if (t === undefined || !busy.has(t)) return null;
  return new Promise((resolve) => waiters.push({ root: t, resolve }));
}

/**
 * How many async libvirt calls (and callbacks run on the pool because of them) are queued or
 * running in this isolate.
 *
 * @example
 * ```ts
 * import { asyncCallsInFlight } from "./ffi/inflight.ts";
 * console.log(asyncCallsInFlight()); // 0
 * ```
 */
export function asyncCallsInFlight(): number {
  return total;
}

/** Whether `root` has an async call queued or running. */
export function isBusy(root: object): boolean {
  return busy.has(root);
}
