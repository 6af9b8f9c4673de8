// Domain event registration: every DomainEventID with its typed payload, and the legacy API.
import { DomainEventID } from "../../ffi/enums.ts";
import { eventRegistrationError } from "../../event/loop_hint.ts";
import { callInt } from "../../ffi/call.ts";
import { describe } from "../../ffi/marshal.ts";
import { reportCallbackError } from "../../ffi/callbacks.ts";
import type { Connection } from "../connection.ts";
import { Domain } from "../domain.ts";
import type { DomainEventPayloads, DomainLifecycleEvent } from "./domain_payloads.ts";
import { DOMAIN_DECODERS } from "./domain_decode.ts";
import { callbackPointer, registrations } from "./dispatch.ts";
import { eventsOf, subscribe, unsubscribe } from "./tracking.ts";
import { adoptDomain } from "./wrap.ts";

/**
 * A handler for one domain event ID. `dom` is a new wrapper with its own reference: keep it as
 * long as you like, `free()` it when done, or drop it (it is then released by the garbage
 * collector, or when the connection closes).
 */
export type DomainEventCallback<K extends DomainEventID> = (
  conn: Connection,
  dom: Domain,
  event: DomainEventPayloads[K],
) => void;

/** A handler for the legacy lifecycle-only API (`domainEventRegister`). */
export type DomainLifecycleCallback = (
  conn: Connection,
  dom: Domain,
  event: DomainLifecycleEvent,
) => void;

/** Checks an event ID against the IDs this module decodes; throws a TypeError otherwise. */
export function domainEventIDArg(id: unknown): DomainEventID {
  if (typeof id !== "number" || !Object.hasOwn(DOMAIN_DECODERS, id)) {
    throw new TypeError(`Unknown domain event ID ${describe(id)}: use a DomainEventID value`);
  }
  return id as DomainEventID;
}

/** Checks the `dom` filter argument. */
export function domainFilterArg(dom: unknown): Domain | null {
  if (dom === null || dom === undefined) return null;
  if (!(dom instanceof Domain)) {
    throw new TypeError(`The domain filter must be a Domain or null, got ${describe(dom)}`);
  }
  return dom;
}

/** Throws a TypeError unless `cb` is a function (every registration's handler). */
export function handlerArg(cb: unknown): void {
  if (typeof cb !== "function") throw new TypeError("The event callback must be a function");
}

/** `virConnectDomainEventRegisterAny` for `conn`; see `Connection.domainEventRegisterAny`. */
export function domainEventRegisterAny<K extends DomainEventID>(
  conn: Connection,
  dom: Domain | null,
  eventID: K,
  cb: DomainEventCallback<K>,
): number {
  const filter = domainFilterArg(dom);
  const id = domainEventIDArg(eventID) as K;
  handlerArg(cb);
  const decoder = DOMAIN_DECODERS[id];
  return subscribe(conn, {
    kind: "domain",
    eventID: id,
    shape: decoder.shape,
    decode: decoder.decode,
    filter: filter === null ? null : { ptr: filter.unsafePointer, key: filter.getUUIDString() },
    where: `domain event callback (ID ${id})`,
    deliver: (ptr, payload) => cb(conn, adoptDomain(conn, ptr), payload as DomainEventPayloads[K]),
  });
}

/** `virConnectDomainEventDeregisterAny`; see `Connection.domainEventDeregisterAny`. */
export function domainEventDeregisterAny(conn: Connection, callbackID: number): void {
  unsubscribe(conn, "domain", callbackID);
}

// libvirt's legacy API identifies a registration by (connection, C function pointer) and refuses
// a second one with the same pointer. Every handler shares one C callback, so each connection
// holds at most one C registration and fans out to its JS handlers here.
interface Legacy {
  registryId: number;
  handlers: Set<DomainLifecycleCallback>;
}
const legacyByConn = new WeakMap<Connection, Legacy>();

/**
 * Throws what `domainEventRegister` (`register`) or `domainEventDeregister` would throw for
 * `cb` before it changes anything: a handler registered twice, or one that is not.
 */
export function checkLegacyRegistration(conn: Connection, cb: unknown, register: boolean): void {
  const registered = legacyByConn.get(conn)?.handlers.has(cb as DomainLifecycleCallback) ?? false;
  if (register && registered) {
    throw new Error("This lifecycle callback is already registered on this connection");
  }
  if (!register && !registered) {
    throw new Error("This lifecycle callback is not registered on this connection");
  }
}

/** `virConnectDomainEventRegister`; see `Connection.domainEventRegister`. */
export function domainEventRegister(conn: Connection, cb: DomainLifecycleCallback): void {
  handlerArg(cb);
  checkLegacyRegistration(conn, cb, true);
  const existing = legacyByConn.get(conn);
  if (existing) {
    conn.handle("register a domain event callback");
    existing.handlers.add(cb);
    return;
  }
  const connPtr = conn.handle("register a domain event callback");
  const handlers = new Set<DomainLifecycleCallback>([cb]);
  const decode = DOMAIN_DECODERS[DomainEventID.LIFECYCLE].decode;
  const { id, opaque } = registrations.add({
    where: "domain lifecycle callback (legacy)",
    fire(ptr, args) {
      if (ptr === null) return;
      const payload = decode(args);
      // A handler may deregister itself (or another) while this loop runs: iterate a copy.
      for (const h of [...handlers]) {
        if (!handlers.has(h)) continue;
        try {
          h(conn, adoptDomain(conn, ptr), payload);
        } catch (e) {
          // One handler's failure must not starve the others.
          reportCallbackError("domain lifecycle callback (legacy)", e);
        }
      }
    },
  });
  try {
    callInt(
      "virConnectDomainEventRegister",
      connPtr,
      callbackPointer("lifecycleInt"),
      opaque,
      null, // no free function: see dispatch.ts
    );
  } catch (e) {
    registrations.delete(id);
    throw eventRegistrationError("register a domain event callback", e);
  }
  legacyByConn.set(conn, { registryId: id, handlers });
  eventsOf(conn).closeLegacy = () => dropLegacy(conn);
}

/** `virConnectDomainEventDeregister`; see `Connection.domainEventDeregister`. */
export function domainEventDeregister(conn: Connection, cb: DomainLifecycleCallback): void {
  handlerArg(cb);
  checkLegacyRegistration(conn, cb, false);
  const legacy = legacyByConn.get(conn)!;
  conn.handle("deregister a domain event callback");
  legacy.handlers.delete(cb);
  if (legacy.handlers.size === 0) dropLegacy(conn);
}

function dropLegacy(conn: Connection): void {
  const legacy = legacyByConn.get(conn);
  if (!legacy) return;
  legacyByConn.delete(conn);
  registrations.delete(legacy.registryId);
  delete eventsOf(conn).closeLegacy;
  if (conn.freed) return;
  callInt(
    "virConnectDomainEventDeregister",
    conn.handle("deregister a domain event callback"),
    callbackPointer("lifecycleInt"),
  );
}
