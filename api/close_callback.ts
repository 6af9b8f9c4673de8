// A connection's close callback: one libvirt registration per connection, delivered to JS only
// after libvirt has let go of its locks, so any method can be called from inside it.
//
// libvirt's rules (9.0, src/datatypes.c and the remote driver), and what they force here:
// - libvirt calls the close callback inside virConnectCloseCallbackDataCall, holding the close
//   data's mutex (not recursive), and, when the close was noticed inside an API call, the
//   connection's remote driver lock too. virConnectUnregisterCloseCallback and
//   virConnectRegisterCloseCallback take both. Called from inside the callback on the same
//   thread, they wait on themselves forever; so would any remote call on that connection.
//   So the C callback only records the reason and schedules the JS delivery on a timer: user
//   code never runs while libvirt holds those locks.
// - After the callback, libvirt drops its reference and the opaque (calling the free function,
//   still holding the mutex) but keeps the function pointer: a new registration is refused until
//   an unregistration. The free function is NULL here, so that cleanup never waits for the JS
//   thread (with libvirt's default loop the callback arrives on the loop's thread).
// - The libvirt registration is made once, on first use, and kept until the connection closes.
//   Replacing or removing the JS handler is then a JS-only change, safe at any moment, and the
//   one libvirt call that takes the mutex is the unregistration at close().
// - With libvirt's default loop, its thread may be inside virConnectCloseCallbackDataCall,
//   holding the mutex while it waits for the JS thread to run the C callback. An unregistration
//   on the JS thread at that moment would deadlock the two threads; close() then makes it on
//   Deno's thread pool (the JS thread stays free to run the callback), holding a reference of
//   its own so the connection outlives the call.
import { callInt, callRaw } from "../ffi/call.ts";
import { OpaqueRegistry, permanentCallback, reportCallbackError } from "../ffi/callbacks.ts";
import { asyncSymbol } from "../ffi/library.ts";
import type { ConnectCloseReason } from "../ffi/enums.ts";
import { registeredLoop } from "../event/state.ts";
import { log } from "../log.ts";
import type { Connection } from "./connection.ts";

/** A user's close handler. */
export type CloseHandler = (conn: Connection, reason: ConnectCloseReason) => void;

// What the registry (a root) holds per connection: nothing that reaches the Connection, so a
// registration never keeps an abandoned connection alive (the backstop below cleans up).
interface Watch {
  conn: WeakRef<Connection>;
  ptr: Deno.PointerObject;
  id: number;
  opaque: Deno.PointerValue;
  armed: boolean;
  lost: ConnectCloseReason | null;
}

// What only the connection holds (through the WeakMap): the user's handler and the listeners,
// which often reach the connection.
interface Handlers {
  watch: Watch;
  user: CloseHandler | null;
  listeners: Set<(reason: ConnectCloseReason) => void>;
}

const watches = new OpaqueRegistry<Watch>();
const byConn = new WeakMap<Connection, Handlers>();

// virConnectCloseFunc(virConnectPtr conn, int reason, void *opaque), on whichever thread
// noticed the close (see above): record, schedule, return.
const closeCallback = permanentCallback(
  { parameters: ["pointer", "i32", "pointer"], result: "void" } as const,
  (_conn, reason, opaque) => {
    const w = watches.get(opaque);
    if (!w || w.lost !== null) return;
    w.lost = reason as ConnectCloseReason;
    log("info", "connection closed by libvirt", { reason });
    setTimeout(() => deliver(w), 0);
  },
);

function deliver(watch: Watch): void {
  const reason = watch.lost!;
  const conn = watch.conn.deref();
  const h = conn && byConn.get(conn);
  if (!conn || !h) return;
  // A connection the program closed meanwhile gets no callback, as libvirt's unregistration
  // at close() would have ensured.
  if (!conn.freed && h.user) {
    try {
      h.user(conn, reason);
    } catch (e) {
      reportCallbackError("close callback", e);
    }
  }
  for (const listener of [...h.listeners]) {
    try {
      listener(reason);
    } catch (e) {
      reportCallbackError("connection loss listener", e);
    }
  }
}

function handlersOf(conn: Connection, ptr: Deno.PointerObject): Handlers {
  let h = byConn.get(conn);
  if (!h) {
    const watch = { conn: new WeakRef(conn), ptr, armed: false, lost: null } as Watch;
    Object.assign(watch, watches.add(watch));
    h = { watch, user: null, listeners: new Set() };
    byConn.set(conn, h);
  }
  return h;
}

function arm(w: Watch): void {
  if (w.armed || w.lost !== null) return;
  callInt("virConnectRegisterCloseCallback", w.ptr, closeCallback.pointer, w.opaque, null);
  w.armed = true;
  const conn = w.conn.deref();
  if (conn) backstop.register(conn, w, w);
}

/** `Connection.registerCloseCallback`: sets (or replaces) the user's handler. */
export function setCloseHandler(
  conn: Connection,
  ptr: Deno.PointerObject,
  cb: CloseHandler,
): void {
  const h = handlersOf(conn, ptr);
  arm(h.watch);
  h.user = cb;
}

/** `Connection.unregisterCloseCallback`: removes the user's handler (JS only, see above). */
export function clearCloseHandler(conn: Connection): void {
  const h = byConn.get(conn);
  if (h) h.user = null;
}

/**
 * Calls `listener` once if libvirt reports the connection closed (EOF, keepalive, error);
 * returns the function that removes it. The event iterators end themselves with it.
 */
export function onConnectionLost(
  conn: Connection,
  ptr: Deno.PointerObject,
  listener: (reason: ConnectCloseReason) => void,
): () => void {
  const h = handlersOf(conn, ptr);
  h.listeners.add(listener);
  try {
    arm(h.watch);
  } catch (e) {
    log("debug", "close callback registration failed", { error: e });
  }
  return () => void h.listeners.delete(listener);
}

/** Why libvirt reported `conn` closed, or null while it has not. */
export function lostReason(conn: Connection): ConnectCloseReason | null {
  return byConn.get(conn)?.watch.lost ?? null;
}

/** How many connections hold a close registration in this process (tests check cleanup). */
export function liveCloseWatches(): number {
  return watches.size;
}

// Drops libvirt's registration (which holds a reference to the connection). Runs before the
// connection's own reference is released, or from the backstop.
function disarm(w: Watch, from: "close" | "collected"): void {
  watches.delete(w.id);
  if (!w.armed) return;
  w.armed = false;
  backstop.unregister(w);
  // After the callback fired libvirt holds no reference any more, and the pointer may be gone
  // once the connection's own reference is released: the unregistration is only made before.
  const fired = w.lost !== null;
  if (fired && from === "collected") return;
  if (registeredLoop() === "default") {
    // Off the JS thread, holding our own reference meanwhile (see the top of the file).
    callRaw("virConnectRef", w.ptr);
    asyncSymbol("virConnectUnregisterCloseCallback")(w.ptr, closeCallback.pointer)
      .catch((e) => log("debug", "close callback removal failed", { error: e }))
      .finally(() => callRaw("virConnectClose", w.ptr));
    return;
  }
  // Our own reference around the call: the registration's may be the connection's last one
  // (its wrapper collected, the backstop's virConnectClose done), and the remote driver would
  // then dispose of the connection inside the unregistration, under its own driver lock, which
  // the disposal takes again (seen: a process stuck in virConnectUnregisterCloseCallback).
  callRaw("virConnectRef", w.ptr);
  try {
    // On a connection whose daemon died the remote driver may refuse ("client socket is
    // closed"); the callback can no longer fire then, and close() must still go on.
    callInt("virConnectUnregisterCloseCallback", w.ptr, closeCallback.pointer);
  } catch (e) {
    log("debug", "close callback removal failed at close", { error: e });
  } finally {
    callRaw("virConnectClose", w.ptr);
  }
}

/** Called by Connection.close() before the pointer is released. */
export function releaseCloseWatch(conn: Connection): void {
  const h = byConn.get(conn);
  if (!h) return;
  byConn.delete(conn);
  h.user = null;
  h.listeners.clear();
  disarm(h.watch, "close");
}

// A connection dropped without close(): its registration holds a libvirt reference of the
// connection, which the object backstop's virConnectClose alone would not release.
const backstop = new FinalizationRegistry<Watch>((w) => disarm(w, "collected"));
