// Which event callbacks each connection holds: one libvirt registration per (kind, event ID,
// filter), fanned out to any number of JS handlers, all deregistered when the connection closes.
import { callInt, callRaw } from "../../ffi/call.ts";
import { describe, intArg } from "../../ffi/marshal.ts";
import { LibvirtObject } from "../object.ts";
import { reportCallbackError } from "../../ffi/callbacks.ts";
import type { Connection } from "../connection.ts";
import { callbackPointer, registrations, type Shape } from "./dispatch.ts";
import { log } from "../../log.ts";
import { eventRegistrationError } from "../../event/loop_hint.ts";

/** The object types with their own event registration API. */
export type EventKind = "domain" | "network" | "storagePool" | "nodeDevice" | "secret";

const NOUN: Record<EventKind, string> = {
  domain: "domain",
  network: "network",
  storagePool: "storage pool",
  nodeDevice: "node device",
  secret: "secret",
};

// The RegisterAny/DeregisterAny pair of each kind; all five share one C prototype shape.
function registerAnyC(
  kind: EventKind,
  conn: Deno.PointerObject,
  obj: Deno.PointerValue,
  id: number,
  cb: Deno.PointerObject,
  opaque: Deno.PointerValue,
): number {
  // No free function: see dispatch.ts.
  const free = null;
  switch (kind) {
    case "domain":
      return callInt("virConnectDomainEventRegisterAny", conn, obj, id, cb, opaque, free);
    case "network":
      return callInt("virConnectNetworkEventRegisterAny", conn, obj, id, cb, opaque, free);
    case "storagePool":
      return callInt("virConnectStoragePoolEventRegisterAny", conn, obj, id, cb, opaque, free);
    case "nodeDevice":
      return callInt("virConnectNodeDeviceEventRegisterAny", conn, obj, id, cb, opaque, free);
    case "secret":
      return callInt("virConnectSecretEventRegisterAny", conn, obj, id, cb, opaque, free);
  }
}

function deregisterAnyC(kind: EventKind, conn: Deno.PointerObject, callbackID: number): void {
  switch (kind) {
    case "domain":
      return void callInt("virConnectDomainEventDeregisterAny", conn, callbackID);
    case "network":
      return void callInt("virConnectNetworkEventDeregisterAny", conn, callbackID);
    case "storagePool":
      return void callInt("virConnectStoragePoolEventDeregisterAny", conn, callbackID);
    case "nodeDevice":
      return void callInt("virConnectNodeDeviceEventDeregisterAny", conn, callbackID);
    case "secret":
      return void callInt("virConnectSecretEventDeregisterAny", conn, callbackID);
  }
}

/** Receives one decoded event: the borrowed object pointer and the payload. */
export type Deliver = (obj: Deno.PointerObject, payload: unknown) => void;

/** What a JS handler asks for: an event ID of a kind, for one object or all of them. */
export interface Subscription {
  /** The object type. */
  kind: EventKind;
  /** The event ID. */
  eventID: number;
  /** The C signature of that ID. */
  shape: Shape;
  /** Turns the C arguments into the payload (once per event, shared by the handlers). */
  decode(args: readonly unknown[]): unknown;
  /** The filter object's pointer and its libvirt key (UUID, or name for node devices). */
  filter: { ptr: Deno.PointerObject; key: string } | null;
  /** Calls the user's handler. */
  deliver: Deliver;
  /** Names the handler in error reports. */
  where: string;
}

// libvirt refuses a second registration with the same callback pointer for the same
// connection, event ID and filter ("event callback already tracked"), and every registration
// here shares one pointer per C signature. So each distinct (kind, ID, filter) holds one
// libvirt registration (a channel) and the JS handlers subscribe to it under ids of ours.
interface Channel {
  kind: EventKind;
  key: string;
  callbackID: number;
  registryId: number;
  handlers: Map<number, Subscription>;
}

// What libvirt holds for one connection, as the backstop needs it: nothing that reaches the
// Connection (libvirt's registrations must not keep an abandoned connection alive).
interface LibvirtSide {
  ptr: Deno.PointerObject;
  channels: Map<number, { kind: EventKind; callbackID: number }>;
}

// A connection collected with registrations left: libvirt's callback list holds a reference to
// the connection per registration, which the object backstop's virConnectClose alone would not
// release. Each deregistration drops one; the pointer is valid until the last one.
// Our own reference is held meanwhile: without it the last deregistration would dispose of the
// connection inside the remote driver's lock, which the disposal takes again (a deadlock).
const backstop = new FinalizationRegistry<LibvirtSide>((side) => {
  if (side.channels.size === 0) return;
  callRaw("virConnectRef", side.ptr);
  for (const [registryId, { kind, callbackID }] of side.channels) {
    registrations.delete(registryId);
    try {
      deregisterAnyC(kind, side.ptr, callbackID);
    } catch (e) {
      log("debug", "deregistration of a collected connection failed", { error: e });
    }
  }
  side.channels.clear();
  callRaw("virConnectClose", side.ptr);
});

/** A connection's event state. */
export interface ConnectionEvents {
  /** What the backstop deregisters if the connection is collected. */
  libvirtSide?: LibvirtSide;
  /** Channels by `kind/eventID/filterKey`. */
  channels: Map<string, Channel>;
  /** Our callback ids → their channel. */
  byId: Map<number, Channel>;
  /** Run once, after the connection's callbacks are gone (async iterators end here). */
  onClose: Set<() => void>;
  /** Hook for the legacy API's single C registration; undone before the others. */
  closeLegacy?: () => void;
}

const perConnection = new WeakMap<Connection, ConnectionEvents>();
let nextCallbackID = 1;

/** The event state of `conn`, created on first use. */
export function eventsOf(conn: Connection): ConnectionEvents {
  let st = perConnection.get(conn);
  if (!st) {
    st = { channels: new Map(), byId: new Map(), onClose: new Set() };
    perConnection.set(conn, st);
  }
  return st;
}

function openChannel(conn: Connection, sub: Subscription, key: string): Channel {
  const connPtr = conn.handle(`register a ${NOUN[sub.kind]} event callback`);
  const handlers = new Map<number, Subscription>();
  // The registry is a root: it reaches the handlers (which reach the connection) only weakly.
  // The channel, owned by the connection's event state, holds them.
  // Not even `sub.decode`: a decoder made inside a register function shares its closure
  // context with the handler, which holds the connection. Any handler's decoder will do (they
  // all decode the same event ID).
  const weakHandlers = new WeakRef(handlers);
  const { id: registryId, opaque } = registrations.add({
    where: sub.where,
    fire(ptr, args) {
      const handlers = weakHandlers.deref();
      if (ptr === null || !handlers || handlers.size === 0) return;
      const payload = handlers.values().next().value!.decode(args);
      // A handler may deregister itself or another one: iterate a copy, skip the removed.
      for (const [id, h] of [...handlers]) {
        if (!handlers.has(id)) continue;
        try {
          h.deliver(ptr, payload);
        } catch (e) {
          reportCallbackError(h.where, e);
        }
      }
    },
  });
  let callbackID: number;
  try {
    callbackID = registerAnyC(
      sub.kind,
      connPtr,
      sub.filter?.ptr ?? null,
      sub.eventID,
      callbackPointer(sub.shape),
      opaque,
    );
  } catch (e) {
    // A failed registration leaves nothing in libvirt to undo.
    registrations.delete(registryId);
    throw eventRegistrationError(`register a ${NOUN[sub.kind]} event callback`, e);
  }
  log("debug", "event callback registered", { kind: sub.kind, id: sub.eventID, callbackID });
  const st = eventsOf(conn);
  if (!st.libvirtSide) {
    st.libvirtSide = { ptr: connPtr, channels: new Map() };
    backstop.register(conn, st.libvirtSide, st.libvirtSide);
  }
  st.libvirtSide.channels.set(registryId, { kind: sub.kind, callbackID });
  return { kind: sub.kind, key, callbackID, registryId, handlers };
}

/** Adds a handler; returns its callback id (unique in the process, never reused). */
export function subscribe(conn: Connection, sub: Subscription): number {
  const st = eventsOf(conn);
  const key = `${sub.kind}/${sub.eventID}/${sub.filter?.key ?? ""}`;
  let channel = st.channels.get(key);
  if (!channel) {
    channel = openChannel(conn, sub, key);
    st.channels.set(key, channel);
  } else {
    conn.handle(`register a ${NOUN[sub.kind]} event callback`);
  }
  const id = nextCallbackID++;
  channel.handlers.set(id, sub);
  st.byId.set(id, channel);
  return id;
}

/** Removes one handler; delivery to it stops at once. The last one out deregisters libvirt's. */
export function unsubscribe(conn: Connection, kind: EventKind, callbackID: number): void {
  intArg(callbackID, "callbackID", 0);
  // A closed connection says so, rather than that it does not know the id.
  const connPtr = conn.handle(`deregister a ${NOUN[kind]} event callback`);
  const st = eventsOf(conn);
  const channel = st.byId.get(callbackID);
  if (channel === undefined || channel.kind !== kind) {
    throw new Error(`No ${NOUN[kind]} event callback with id ${callbackID} on this connection`);
  }
  st.byId.delete(callbackID);
  channel.handlers.delete(callbackID);
  if (channel.handlers.size > 0) return;
  st.channels.delete(channel.key);
  registrations.delete(channel.registryId);
  st.libvirtSide?.channels.delete(channel.registryId);
  deregisterAnyC(kind, connPtr, channel.callbackID);
  log("debug", "event callback deregistered", { kind, callbackID: channel.callbackID });
}

/**
 * How many handlers of `kind` (or of every kind) `conn` holds through `*EventRegisterAny` and
 * the iterators: a check that iterators and closes cleaned up after themselves.
 *
 * @example
 * ```ts
 * import { Connection, eventCallbackCount } from "./mod.ts";
 * using conn = Connection.open("test:///default");
 * console.log(eventCallbackCount(conn)); // 0
 * ```
 */
export function registeredCount(conn: Connection, kind?: EventKind): number {
  if (!(conn instanceof LibvirtObject) || typeof (conn as Connection).handle !== "function") {
    throw new TypeError(`eventCallbackCount needs a Connection, got ${describe(conn)}`);
  }
  if (kind !== undefined && (typeof kind !== "string" || !Object.hasOwn(NOUN, kind))) {
    throw new TypeError(
      `kind must be one of ${Object.keys(NOUN).join(", ")}, got ${describe(kind)}`,
    );
  }
  const st = perConnection.get(conn);
  if (!st) return 0;
  let n = 0;
  for (const ch of st.byId.values()) if (kind === undefined || ch.kind === kind) n++;
  return n;
}

/** How many libvirt registrations back those handlers (for tests of the fan-out). */
export function channelCount(conn: Connection): number {
  return perConnection.get(conn)?.channels.size ?? 0;
}

/**
 * Deregisters everything `conn` registered, ignoring failures (the connection may be dead),
 * then ends its async iterators. Called by Connection before it releases its pointer.
 */
export function deregisterAllEvents(conn: Connection): void {
  const st = perConnection.get(conn);
  if (!st) return;
  let connPtr: Deno.PointerObject | null = null;
  try {
    connPtr = conn.handle("deregister event callbacks");
  } catch {
    // Already released: libvirt dropped the callbacks with the connection.
  }
  try {
    st.closeLegacy?.();
  } catch (e) {
    log("debug", "legacy deregistration failed at close", { error: e });
  }
  perConnection.delete(conn);
  if (st.libvirtSide) {
    backstop.unregister(st.libvirtSide);
    st.libvirtSide.channels.clear();
  }
  for (const channel of st.channels.values()) {
    registrations.delete(channel.registryId);
    channel.handlers.clear();
    if (connPtr === null) continue;
    try {
      deregisterAnyC(channel.kind, connPtr, channel.callbackID);
    } catch (e) {
      log("debug", "deregistration failed at close", { callbackID: channel.callbackID, error: e });
    }
  }
  st.channels.clear();
  st.byId.clear();
  for (const end of [...st.onClose]) end();
  st.onClose.clear();
}
