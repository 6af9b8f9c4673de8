// Which event callbacks each connection holds: one libvirt registration per (kind, event ID,
// filter), fanned out to any number of JS handlers, all deregistered when the connection closes.
import { callInt, callRaw } from "../../ffi/call.ts";
import { describe, idPointer, intArg } from "../../ffi/marshal.ts";
import { LibvirtObject } from "../object.ts";
import { reportCallbackError } from "../../ffi/callbacks.ts";
import type { Connection } from "../connection.ts";
import { callbackPointer, registrations, type Shape } from "./dispatch.ts";
import { relayOpaque, relayPointer } from "./relay.ts";
import { OBJECT_FREE, OBJECT_REF } from "./object_refs.ts";
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

// The filter object's own reference, held by a channel: a registration made again later (the
// relay's switch below) needs a live pointer, and the user may free the filter meanwhile.
function refObject(kind: EventKind, obj: Deno.PointerObject): void {
  callInt(OBJECT_REF[kind], obj);
}

function freeObject(kind: EventKind, obj: Deno.PointerObject): void {
  callRaw(OBJECT_FREE[kind], obj);
}

// A channel's registration with the relay's callback (`relay`) or the JS thread's own; returns
// libvirt's callback id. The opaque carries the channel's id either way (dispatch.ts, relay.ts).
function registerChannelC(
  conn: Deno.PointerObject,
  c: ChannelC,
  relay: Deno.PointerObject | null,
): number {
  return registerAnyC(
    c.kind,
    conn,
    c.filter,
    c.eventID,
    relay ?? callbackPointer(c.shape),
    relay ? relayOpaque(c.registryId, c.kind) : idPointer(c.registryId),
  );
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
  key: string;
  c: ChannelC;
  handlers: Map<number, Subscription>;
}

// A channel's libvirt registration: what the backstop deregisters and the relay's switch
// registers again. Nothing here reaches the Connection.
interface ChannelC {
  kind: EventKind;
  eventID: number;
  shape: Shape;
  /** libvirt's id of the registration (a new one after each switch). */
  callbackID: number;
  registryId: number;
  /** The filter object, with a reference of the channel's own, or null for every object. */
  filter: Deno.PointerObject | null;
  /** Whether the event relay's Worker takes the callbacks (api/events/relay.ts). */
  relayed: boolean;
}

// What libvirt holds for one connection, as the backstop needs it: nothing that reaches the
// Connection (libvirt's registrations must not keep an abandoned connection alive).
interface LibvirtSide {
  ptr: Deno.PointerObject;
  channels: Map<number, ChannelC>;
}

// Every connection's libvirt side with channels, for the relay's switch. Holds no Connection.
const sides = new Set<LibvirtSide>();

// A channel's end in libvirt: its registration (unless the connection is gone) and its
// reference to the filter object.
function dropChannelC(conn: Deno.PointerObject | null, c: ChannelC, when: string): void {
  registrations.delete(c.registryId);
  if (conn !== null && c.callbackID >= 0) {
    try {
      deregisterAnyC(c.kind, conn, c.callbackID);
    } catch (e) {
      log("debug", `deregistration failed ${when}`, { callbackID: c.callbackID, error: e });
    }
  }
  releaseFilter(c);
}

function releaseFilter(c: ChannelC): void {
  if (c.filter !== null) freeObject(c.kind, c.filter);
  c.filter = null;
}

// A connection collected with registrations left: libvirt's callback list holds a reference to
// the connection per registration, which the object backstop's virConnectClose alone would not
// release. Each deregistration drops one; the pointer is valid until the last one.
// Our own reference is held meanwhile: without it the last deregistration would dispose of the
// connection inside the remote driver's lock, which the disposal takes again (a deadlock).
const backstop = new FinalizationRegistry<LibvirtSide>((side) => {
  sides.delete(side);
  if (side.channels.size === 0) return;
  callRaw("virConnectRef", side.ptr);
  for (const c of side.channels.values()) dropChannelC(side.ptr, c, "of a collected connection");
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
  const { id: registryId } = registrations.add({
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
  const c: ChannelC = {
    kind: sub.kind,
    eventID: sub.eventID,
    shape: sub.shape,
    callbackID: -1,
    registryId,
    filter: null,
    relayed: false,
  };
  const relay = relayPointer(sub.shape);
  try {
    if (sub.filter) {
      refObject(sub.kind, sub.filter.ptr);
      c.filter = sub.filter.ptr;
    }
    c.callbackID = registerChannelC(connPtr, c, relay);
    c.relayed = relay !== null;
  } catch (e) {
    // A failed registration leaves nothing in libvirt to undo.
    dropChannelC(null, c, "");
    throw eventRegistrationError(`register a ${NOUN[sub.kind]} event callback`, e);
  }
  log("debug", "event callback registered", {
    kind: sub.kind,
    id: sub.eventID,
    callbackID: c.callbackID,
    relayed: c.relayed,
  });
  const st = eventsOf(conn);
  if (!st.libvirtSide) {
    st.libvirtSide = { ptr: connPtr, channels: new Map() };
    backstop.register(conn, st.libvirtSide, st.libvirtSide);
  }
  st.libvirtSide.channels.set(registryId, c);
  sides.add(st.libvirtSide);
  return { key, c, handlers };
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

/** Throws what `unsubscribe` would throw before it changes anything (a wrong or unknown id). */
export function checkCallbackID(conn: Connection, kind: EventKind, callbackID: number): void {
  channelOf(conn, kind, callbackID);
}

function channelOf(conn: Connection, kind: EventKind, callbackID: number): Channel {
  intArg(callbackID, "callbackID", 0);
  // A closed connection says so, rather than that it does not know the id.
  conn.handle(`deregister a ${NOUN[kind]} event callback`);
  const channel = eventsOf(conn).byId.get(callbackID);
  if (channel === undefined || channel.c.kind !== kind) {
    throw new Error(`No ${NOUN[kind]} event callback with id ${callbackID} on this connection`);
  }
  return channel;
}

/** Removes one handler; delivery to it stops at once. The last one out deregisters libvirt's. */
export function unsubscribe(conn: Connection, kind: EventKind, callbackID: number): void {
  const channel = channelOf(conn, kind, callbackID);
  const connPtr = conn.handle(`deregister a ${NOUN[kind]} event callback`);
  const st = eventsOf(conn);
  st.byId.delete(callbackID);
  channel.handlers.delete(callbackID);
  if (channel.handlers.size > 0) return;
  st.channels.delete(channel.key);
  registrations.delete(channel.c.registryId);
  st.libvirtSide?.channels.delete(channel.c.registryId);
  try {
    // None if its move to or from the event relay failed (switchRelay).
    if (channel.c.callbackID >= 0) deregisterAnyC(kind, connPtr, channel.c.callbackID);
  } finally {
    releaseFilter(channel.c);
  }
  log("debug", "event callback deregistered", { kind, callbackID: channel.c.callbackID });
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
  for (const ch of st.byId.values()) if (kind === undefined || ch.c.kind === kind) n++;
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
    sides.delete(st.libvirtSide);
  }
  for (const channel of st.channels.values()) {
    channel.handlers.clear();
    dropChannelC(connPtr, channel.c, "at close");
  }
  st.channels.clear();
  st.byId.clear();
  for (const end of [...st.onClose]) end();
  st.onClose.clear();
}

/**
 * Moves every channel's libvirt registration to the event relay's Worker (`on`) or back to the
 * JS thread's own callbacks. DefaultEventLoop calls it when its first loop starts and before its
 * last one returns, while no dispatch runs. Each channel is registered anew before the old
 * registration goes: a remote connection then keeps its registration on the daemon, so no event
 * falls between the two. A channel that fails to move to the Worker stays as it was; one that
 * fails to move back loses its registration (a Worker's must not outlive the Worker), logged.
 */
export function switchRelay(on: boolean): void {
  for (const side of sides) {
    for (const c of side.channels.values()) {
      if (c.relayed === on) continue;
      const relay = on ? relayPointer(c.shape) : null;
      if (on && relay === null) continue;
      let callbackID = -1;
      try {
        callbackID = registerChannelC(side.ptr, c, relay);
      } catch (e) {
        log("warn", "event relay: a registration could not move", { error: e });
        // Staying with the JS thread's callbacks is safe; a registration with the Worker's must
        // not outlive the Worker, so it goes even when its replacement failed.
        if (on) continue;
      }
      try {
        deregisterAnyC(c.kind, side.ptr, c.callbackID);
      } catch (e) {
        log("debug", "event relay: the old registration would not go", { error: e });
      }
      c.callbackID = callbackID;
      c.relayed = on;
    }
  }
}
