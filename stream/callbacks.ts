// Stream event callbacks: one permanent C callback for every stream, handlers found by opaque id.
//
// Lifetimes: a registration made for an `owner` (the Stream wrapper driving it through its pump)
// holds its handler only weakly; the owner keeps the handler alive. So a stream the program
// dropped is collected even with a callback registered, and a FinalizationRegistry then removes
// the libvirt registration and aborts the stream (its own backstops free it). While someone waits
// on the stream (ready(), recvAll, a Web Stream's pull), the pump's liveness timer holds the
// owner, so a transfer in flight is never collected under an awaiting caller. A registration
// without an owner (the user's own `addCallback`) is held strongly until removed, like a timer:
// its callback may be all that drives a console or a download, and must not stop after a gc.
import { callInt, callRaw } from "../ffi/call.ts";
import { OpaqueRegistry, permanentCallback, reportCallbackError } from "../ffi/callbacks.ts";
import { idPointer } from "../ffi/marshal.ts";
import { log } from "../log.ts";
import { runWhenAllowed } from "../ffi/turn.ts";
import { onExitQuiet } from "../event/exit_quiet.ts";

/** What a stream's registration runs when libvirt reports events on it. */
export type StreamDispatch = (events: number) => void;

interface Registration {
  strong: StreamDispatch | null;
  weak: WeakRef<StreamDispatch> | null;
  /** The stream, valid while the registration is (its removal comes before the stream's free). */
  readonly stream: Deno.PointerObject;
  /** The events libvirt was last told to watch (0 while paused or parked). */
  events: number;
}

const dispatchers = new OpaqueRegistry<Registration>();

// At the process's end, libvirt's loop calls no stream callback again (event/exit_quiet.ts);
// an end averted gets each one's events back.
onExitQuiet(() => {
  for (const { stream } of dispatchers.values()) {
    if (callRaw("virStreamEventUpdateCallback", stream, 0) < 0) callRaw("virResetLastError");
  }
}, () => {
  for (const { stream, events } of dispatchers.values()) {
    if (callRaw("virStreamEventUpdateCallback", stream, events) < 0) callRaw("virResetLastError");
  }
});
// Owner → the handlers it keeps alive (an ephemeron: gone with the owner).
const kept = new WeakMap<object, Set<StreamDispatch>>();

// virStreamEventCallback(virStreamPtr stream, int events, void *opaque). libvirt calls it from
// whichever thread runs its event loop: the JS thread for a loop on Deno's, or the default
// loop's thread, which Deno parks until the JS thread has run this function.
const eventCallback = permanentCallback(
  { parameters: ["pointer", "i32", "pointer"], result: "void" } as const,
  (stream, events, opaque) => {
    const reg = dispatchers.get(opaque);
    const dispatch = reg?.strong ?? reg?.weak?.deref();
    if (!dispatch) return;
    const outer = dispatching;
    dispatching = Deno.UnsafePointer.value(stream);
    try {
      dispatch(events);
    } catch (e) {
      reportCallbackError("stream event callback", e);
    } finally {
      dispatching = outer;
    }
  },
);

// No virFreeCallback is passed for the opaque (an id, not memory): every path that ends a
// registration forgets its handler here first (removal, a parked removal settled, a collected
// owner, a stream finished, aborted or freed), so libvirt's free call had nothing left to do.
// And it could deadlock: libvirt's fd streams call it from their loop thread while holding the
// stream's lock, right after a dispatch. On libvirt's default loop that thread then waits for the
// JS thread, which may be in virStreamAbort joining the stream's worker thread, which waits for
// that lock (seen once in about 400 runs of reliability_gc.ts on the default loop: the JS
// thread in virStreamAbort's join, the worker on the lock, the loop thread in this callback).

interface Collected {
  id: number;
  stream: Deno.PointerObject;
}

// An owner collected with its registration still in libvirt: remove it, then abort the stream,
// in that order (libvirt's fd streams forget their watch when aborted first, and the loop then
// watches a closed fd forever), and drop the reference taken at registration (which kept
// `stream` valid until now, whatever order the stream's other backstops run in). On the JS
// thread, outside any libvirt call. The stream's own backstop calls `dropCollectedCallback`
// first, so whichever runs first does it.
function dropCollected({ id, stream }: Collected): void {
  if (!tokens.has(id)) return;
  const key = Deno.UnsafePointer.value(stream);
  const p = parked.get(key);
  if (p) clearTimeout(p.timer);
  parked.delete(key);
  dispatchers.delete(id);
  if (callRaw("virStreamEventRemoveCallback", stream) < 0) callRaw("virResetLastError");
  if (callRaw("virStreamAbort", stream) < 0) callRaw("virResetLastError");
  disown(id, stream); // last: it drops the reference that kept `stream` valid
  log("debug", "stream collected with its callback registered: removed, aborted");
}
// On a connection with an async call in flight, once plain calls are allowed (ffi/turn.ts).
const backstop = new FinalizationRegistry<Collected>((c) =>
  runWhenAllowed(c.stream, "removing a collected stream's callback", () => dropCollected(c))
);
// Registration id → the token its backstop entry was registered with (weak, this map is a root).
const tokens = new Map<number, { owner: WeakRef<object>; dispatch: WeakRef<StreamDispatch> }>();
// Stream pointer → its owned registration, for `dropCollectedCallback`.
const byStream = new Map<bigint, Collected>();

/**
 * For the stream's own backstop, before it aborts a collected stream: removes the callback
 * registration it still had (see `dropCollected`). A no-op for a stream without one.
 */
export function dropCollectedCallback(stream: Deno.PointerObject): void {
  settleStreamCallback(stream);
  const entry = byStream.get(Deno.UnsafePointer.value(stream));
  if (entry) dropCollected(entry);
}

// Takes ownership bookkeeping for an owned registration: the owner keeps the handler alive, a
// reference keeps the stream valid for the backstop, which is armed on the owner.
function own(id: number, stream: Deno.PointerObject, reg: Registration, owner: object): void {
  const dispatch = reg.weak!.deref()!;
  let set = kept.get(owner);
  if (!set) kept.set(owner, set = new Set());
  set.add(dispatch);
  callInt("virStreamRef", stream);
  const token = { owner: new WeakRef(owner), dispatch: reg.weak! };
  tokens.set(id, token);
  const entry = { id, stream };
  byStream.set(Deno.UnsafePointer.value(stream), entry);
  backstop.register(owner, entry, token);
}

// Undoes `own` (a no-op for a registration without an owner).
function disown(id: number, stream: Deno.PointerObject): void {
  const token = tokens.get(id);
  if (!token) return;
  tokens.delete(id);
  byStream.delete(Deno.UnsafePointer.value(stream));
  backstop.unregister(token);
  const owner = token.owner.deref();
  const dispatch = token.dispatch.deref();
  if (owner && dispatch) kept.get(owner)?.delete(dispatch);
  callRaw("virStreamFree", stream); // the reference taken by `own`
}

function registration(
  stream: Deno.PointerObject,
  events: number,
  dispatch: StreamDispatch,
  owner?: object,
): Registration {
  return owner
    ? { strong: null, weak: new WeakRef(dispatch), stream, events }
    : { strong: dispatch, weak: null, stream, events };
}

// A callback removed from inside its own dispatch stays registered in libvirt, paused (events
// 0), until that dispatch is over. Why: libvirt 9.0's remote streams call the free function of a
// callback removed during its dispatch only after the dispatch, and only if no callback was
// added meanwhile; `s.removeCallback(); s.addCallback(...)` from inside the callback would leak
// the old registration's reference to the stream, hence to its connection (seen: a connection
// that close() could not release, and a process that never exited). A callback added while one
// is parked takes the parked registration over (an update, no libvirt add).
const parked = new Map<bigint, { id: number; timer: ReturnType<typeof setTimeout> }>();
// The stream whose callback runs now (ptr value), on the JS thread.
let dispatching: bigint | null = null;

/**
 * Completes a removal parked by `removeStreamCallback` (see above) now: before the stream is
 * finished, aborted or freed, which libvirt wants without a callback. A no-op otherwise.
 */
export function settleStreamCallback(stream: Deno.PointerObject): void {
  const key = Deno.UnsafePointer.value(stream);
  const p = parked.get(key);
  if (!p) return;
  parked.delete(key);
  clearTimeout(p.timer);
  dispatchers.delete(p.id);
  try {
    if (callRaw("virStreamEventRemoveCallback", stream) < 0) callRaw("virResetLastError");
  } finally {
    disown(p.id, stream);
  }
}

/**
 * Registers `dispatch` for `events` on a stream; returns the id `removeStreamCallback` needs.
 * The caller must hold the only registration libvirt allows per stream. With an `owner`, the
 * registration does not keep the owner alive (see the top of the file).
 */
export function addStreamCallback(
  stream: Deno.PointerObject,
  events: number,
  dispatch: StreamDispatch,
  owner?: object,
): number {
  const key = Deno.UnsafePointer.value(stream);
  const p = parked.get(key);
  if (p) {
    // Take the parked registration over: same opaque, new handler, new events.
    const reg = dispatchers.get(idPointer(p.id))!;
    callInt("virStreamEventUpdateCallback", stream, events);
    parked.delete(key);
    clearTimeout(p.timer);
    disown(p.id, stream);
    Object.assign(reg, registration(stream, events, dispatch, owner));
    if (owner) own(p.id, stream, reg, owner);
    return p.id;
  }
  const reg = registration(stream, events, dispatch, owner);
  const { id, opaque } = dispatchers.add(reg);
  try {
    callInt("virStreamEventAddCallback", stream, events, eventCallback.pointer, opaque, null);
  } catch (e) {
    dispatchers.delete(id);
    throw e;
  }
  if (owner) own(id, stream, reg, owner);
  return id;
}

/** Changes the events that the registration `id` of a stream watches. */
export function updateStreamCallback(stream: Deno.PointerObject, id: number, events: number): void {
  callInt("virStreamEventUpdateCallback", stream, events);
  const reg = dispatchers.byId(id);
  if (reg) reg.events = events;
}

/**
 * Removes the registration. The handler is forgotten at once: a dispatch already queued on
 * libvirt's loop thread then finds nothing. From
 * inside the stream's own dispatch, libvirt's removal is parked until it is over (see above),
 * unless the removal is `final` (the stream ends right after).
 */
export function removeStreamCallback(
  stream: Deno.PointerObject,
  id: number,
  final = false,
): void {
  const key = Deno.UnsafePointer.value(stream);
  const reg = dispatchers.get(idPointer(id));
  // `final`: the stream ends now (finish, abort, free), which needs the callback gone first.
  if (!final && dispatching === key && reg && !parked.has(key)) {
    reg.strong = null;
    reg.weak = null;
    reg.events = 0;
    callInt("virStreamEventUpdateCallback", stream, 0);
    parked.set(key, {
      id,
      timer: setTimeout(
        () =>
          runWhenAllowed(
            stream,
            "a parked stream callback's removal",
            () => settleStreamCallback(stream),
          ),
        0,
      ),
    });
    return;
  }
  dispatchers.delete(id);
  try {
    callInt("virStreamEventRemoveCallback", stream);
  } finally {
    disown(id, stream);
  }
}

/** How many stream callbacks are registered in this process (tests check cleanup with it). */
export function liveStreamCallbacks(): number {
  return dispatchers.size;
}
