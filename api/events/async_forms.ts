// The Async forms of event registration: the same registrations, made once the connection has no
// `…Async` call in flight.
//
// Why not on Deno's thread pool, as other Async forms are: a registration hands libvirt the C
// callbacks of the event loop in use (the JS thread's, or the event relay's Worker while
// libvirt's default loop runs) and records them in this module's tables (api/events/tracking.ts),
// in one step with libvirt's call. What a server needs is that the registration does not fail on
// a busy connection (with DenoEventImpl a plain call there is refused: ffi/inflight.ts), and a
// registration is one short round trip to the daemon. So these check their arguments at once
// (misuse throws at the call, as every Async form's does), wait for a moment when plain calls are
// allowed (ffi/turn.ts), and make the plain registration then, on the JS thread.
import { flagsArg, intArg } from "../../ffi/marshal.ts";
import { objectArg, optionalStringArg } from "../../ffi/args.ts";
import type { Connection } from "../connection.ts";
import type { LibvirtObject } from "../object.ts";
import {
  checkLegacyRegistration,
  domainEventIDArg,
  domainFilterArg,
  handlerArg,
} from "./domain.ts";
import { checkObjectEventArgs, type ObjectEventSpec } from "./objects.ts";

/** Checks the arguments of `domainEventRegisterAny` (TypeErrors, a closed connection). */
export function checkDomainEventArgs(
  conn: Connection,
  dom: unknown,
  id: unknown,
  cb: unknown,
): void {
  domainFilterArg(dom)?.unsafePointer; // a freed filter says so at the call
  domainEventIDArg(id);
  handlerArg(cb);
  conn.handle("register a domain event callback");
}

/** Checks the arguments of the four object kinds' `…EventRegisterAny`. */
export function checkObjectRegistration<O extends LibvirtObject>(
  conn: Connection,
  spec: ObjectEventSpec<O>,
  obj: unknown,
  id: unknown,
  cb: unknown,
): void {
  checkObjectEventArgs(spec, obj, id, cb);
  if (obj !== null && obj !== undefined) void (obj as O).unsafePointer; // a freed filter says so
  conn.handle(`register a ${spec.noun} event callback`);
}

/** Checks `domainEventRegister` (true) or `domainEventDeregister` (false) for `cb`. */
export function checkLegacy(conn: Connection, cb: unknown, register: boolean): void {
  handlerArg(cb);
  checkLegacyRegistration(conn, cb, register);
}

/** Checks the arguments of `domainQemuMonitorEventRegister`. */
export function checkQemuMonitorRegistration(
  conn: Connection,
  dom: unknown,
  event: unknown,
  cb: unknown,
  flags: unknown,
): void {
  if (typeof cb !== "function") throw new TypeError("The callback must be a function");
  if (dom !== null) objectArg(dom as LibvirtObject, "Domain"); // a freed domain says so too
  optionalStringArg(event as string | null, "event");
  flagsArg(flags as number);
  conn.handle("register a QEMU monitor event");
}

/** Checks the arguments of `domainQemuMonitorEventDeregister`. */
export function checkQemuMonitorDeregistration(conn: Connection, callbackID: unknown): void {
  conn.handle("deregister a QEMU monitor event");
  intArg(callbackID as number, "callbackID", 0);
}
