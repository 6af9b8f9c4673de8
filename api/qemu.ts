// libvirt-qemu and libvirt-lxc functions that need more than a generated wrapper: monitor
// commands with out-strings and file descriptors, the LXC namespace fds, QEMU monitor events.
import { callIntExtra } from "../ffi/call_extra.ts";
import { callIntAsyncExtra, callStringAsyncExtra } from "../ffi/call_async.ts";
import { flagsArg, intArg, readCString, stringArg, takeCString } from "../ffi/marshal.ts";
import { objectArg, optionalStringArg } from "../ffi/args.ts";
import { OpaqueRegistry, permanentCallback, reportCallbackError } from "../ffi/callbacks.ts";
import { libc } from "../ffi/libc.ts";
import type { Connection } from "./connection.ts";
import type { Domain } from "./domain.ts";
import { adoptDomain } from "./events/wrap.ts";

/** One QEMU monitor event (`virConnectDomainQemuMonitorEventCallback`). */
export interface QemuMonitorEvent {
  /** The domain whose QEMU sent it (a handle of its own, freed with the connection). */
  domain: Domain;
  /** The QMP event name ("STOP", "RESUME", "BLOCK_JOB_READY"...). */
  event: string;
  /** When QEMU sent it: seconds since the epoch... */
  seconds: bigint;
  /** ...and microseconds. */
  micros: number;
  /** The event's `data` as JSON text, or null. */
  details: string | null;
}

/** What `Domain.qemuMonitorCommandWithFiles` returns. */
export interface QemuMonitorCommandResult {
  /** QEMU's reply (JSON for QMP, text for HMP). */
  result: string;
  /** File descriptors QEMU passed back; the caller owns (and closes) them. */
  outfiles: number[];
}

/** Sends a QMP (or HMP with the flag) command to the domain's QEMU monitor. */
export function qemuMonitorCommand(dom: Domain, cmd: string, flags: number): string {
  const c = stringArg(cmd, "command");
  const f = flagsArg(flags);
  const result = new BigUint64Array(1);
  callIntExtra("qemu", "virDomainQemuMonitorCommand", objectArg(dom, "Domain"), c, result, f);
  return takeCString(Deno.UnsafePointer.create(result[0])) ?? "";
}

/** `qemuMonitorCommand` on Deno's thread pool (the reply may take as long as QEMU does). */
export function qemuMonitorCommandAsync(dom: Domain, cmd: string, flags: number): Promise<string> {
  const d = objectArg(dom, "Domain");
  const c = stringArg(cmd, "command");
  const f = flagsArg(flags);
  const result = new BigUint64Array(1);
  return callIntAsyncExtra(dom, "qemu", "virDomainQemuMonitorCommand", d, c, result, f)
    .then(() => takeCString(Deno.UnsafePointer.create(result[0])) ?? "");
}

/** The QEMU agent's reply to `cmd` (`virDomainQemuAgentCommand`), on Deno's thread pool. */
export function qemuAgentCommandAsync(
  dom: Domain,
  cmd: string,
  timeout: number,
  flags: number,
): Promise<string> {
  const d = objectArg(dom, "Domain");
  const c = stringArg(cmd, "cmd");
  const t = intArg(timeout, "timeout", -2147483648, 2147483647);
  const f = flagsArg(flags);
  return callStringAsyncExtra(dom, "qemu", "virDomainQemuAgentCommand", d, c, t, f);
}

/** The same, passing `infiles` to QEMU and returning the fds it passes back. */
export function qemuMonitorCommandWithFiles(
  dom: Domain,
  cmd: string,
  infiles: readonly number[],
  flags: number,
): QemuMonitorCommandResult {
  const call = withFiles(dom, cmd, infiles, flags);
  callIntExtra("qemu", "virDomainQemuMonitorCommandWithFiles", ...call.args);
  return call.decode();
}

/** `qemuMonitorCommandWithFiles` on Deno's thread pool. */
export function qemuMonitorCommandWithFilesAsync(
  dom: Domain,
  cmd: string,
  infiles: readonly number[],
  flags: number,
): Promise<QemuMonitorCommandResult> {
  const call = withFiles(dom, cmd, infiles, flags);
  return callIntAsyncExtra(dom, "qemu", "virDomainQemuMonitorCommandWithFiles", ...call.args)
    .then(call.decode);
}

// The arguments of virDomainQemuMonitorCommandWithFiles (checked), and the reading of what it
// returned: both forms share them, and the buffers live as long as `args`.
function withFiles(dom: Domain, cmd: string, infiles: readonly number[], flags: number): {
  args: unknown[];
  decode: () => QemuMonitorCommandResult;
} {
  const d = objectArg(dom, "Domain");
  const c = stringArg(cmd, "command");
  const f = flagsArg(flags);
  if (!Array.isArray(infiles) || !infiles.every((fd) => Number.isInteger(fd) && fd >= 0)) {
    throw new TypeError("infiles must be an array of file descriptors");
  }
  const fds = new Int32Array(infiles);
  const nout = new Uint32Array(1);
  const out = new BigUint64Array(1);
  const result = new BigUint64Array(1);
  const args = [d, c, fds.length, fds.length ? fds : null, nout, out, result, f];
  return { args, decode: () => decodeWithFiles(nout, out, result) };
}

function decodeWithFiles(
  nout: Uint32Array,
  out: BigUint64Array,
  result: BigUint64Array,
): QemuMonitorCommandResult {
  const outfiles: number[] = [];
  const arr = Deno.UnsafePointer.create(out[0]);
  if (arr !== null) {
    const view = new Deno.UnsafePointerView(arr);
    for (let i = 0; i < nout[0]; i++) outfiles.push(view.getInt32(i * 4));
    libc().symbols.free(arr);
  }
  return { result: takeCString(Deno.UnsafePointer.create(result[0])) ?? "", outfiles };
}

/** The fds of an LXC container's namespaces; the caller owns (and closes) them. */
export function lxcOpenNamespace(dom: Domain, flags: number): number[] {
  const f = flagsArg(flags);
  const holder = new BigUint64Array(1);
  const n = callIntExtra("lxc", "virDomainLxcOpenNamespace", objectArg(dom, "Domain"), holder, f);
  return takeFds(holder, n);
}

/** `lxcOpenNamespace` on Deno's thread pool. */
export function lxcOpenNamespaceAsync(dom: Domain, flags: number): Promise<number[]> {
  const d = objectArg(dom, "Domain");
  const f = flagsArg(flags);
  const holder = new BigUint64Array(1);
  return callIntAsyncExtra(dom, "lxc", "virDomainLxcOpenNamespace", d, holder, f)
    .then((n) => takeFds(holder, n));
}

// The `n` fds of the array libvirt allocated at `holder[0]`, which is freed.
function takeFds(holder: BigUint64Array, n: number): number[] {
  const arr = Deno.UnsafePointer.create(holder[0]);
  if (arr === null) return [];
  const view = new Deno.UnsafePointerView(arr);
  const fds = Array.from({ length: n }, (_, i) => view.getInt32(i * 4));
  libc().symbols.free(arr);
  return fds;
}

// ---- QEMU monitor events: one permanent C callback; handlers found through the opaque id.
interface Handler {
  conn: Connection;
  cb: (e: QemuMonitorEvent) => void;
}
const handlers = new OpaqueRegistry<Handler>();
// Each connection's registrations, libvirt's callback id → our opaque id. A registration keeps
// its connection reachable (its handler names it) until it is deregistered or the connection
// closes; the close deregisters what is left (`releaseQemuMonitorEvents`).
const byConn = new WeakMap<Connection, Map<number, number>>();
let eventCb: Deno.PointerObject | null = null;

function eventCallback(): Deno.PointerObject {
  if (eventCb === null) {
    eventCb = permanentCallback({
      parameters: ["pointer", "pointer", "pointer", "i64", "u32", "pointer", "pointer"],
      result: "void",
    }, (_conn, dom, event, seconds, micros, details, opaque) => {
      const h = handlers.get(opaque);
      if (!h || h.conn.freed || dom === null) return;
      try {
        h.cb({
          domain: adoptDomain(h.conn, dom),
          event: readCString(event) ?? "",
          seconds: BigInt(seconds),
          micros,
          details: readCString(details),
        });
      } catch (e) {
        reportCallbackError("a QEMU monitor event handler", e);
      }
    }).pointer;
  }
  return eventCb;
}

/**
 * Registers `cb` for QEMU monitor events of `dom` (or every domain with null), optionally only
 * `event` (`ConnectDomainQemuMonitorEventRegisterFlags` make it a regex or case-insensitive).
 * Returns the callback id for `qemuMonitorEventDeregister`. Events need a registered event loop.
 */
export function qemuMonitorEventRegister(
  conn: Connection,
  dom: Domain | null,
  event: string | null,
  cb: (e: QemuMonitorEvent) => void,
  flags: number,
): number {
  if (typeof cb !== "function") throw new TypeError("The callback must be a function");
  const d = dom === null ? null : objectArg(dom, "Domain");
  const e = optionalStringArg(event, "event");
  const f = flagsArg(flags);
  const evp = eventCallback();
  const { id, opaque } = handlers.add({ conn, cb });
  let callbackID: number;
  try {
    // No free function (the opaque is an id): libvirt's event state would call it holding its
    // lock, from the loop's thread on libvirt's default loop, and a JS free function would then
    // wait for a JS thread that may be waiting for that lock (api/events/dispatch.ts). The
    // handler is forgotten here instead, when deregistered or closed.
    callbackID = callIntExtra(
      "qemu",
      "virConnectDomainQemuMonitorEventRegister",
      conn.handle("register a QEMU monitor event"),
      d,
      e,
      evp,
      opaque,
      null,
      f,
    );
  } catch (err) {
    handlers.delete(id);
    throw err;
  }
  let mine = byConn.get(conn);
  if (!mine) byConn.set(conn, mine = new Map());
  mine.set(callbackID, id);
  return callbackID;
}

/** Stops the registration `callbackID`; delivery to its handler stops at once. */
export function qemuMonitorEventDeregister(conn: Connection, callbackID: number): void {
  // The connection first (a closed one says so), then the id: a C int, checked before the call.
  const c = conn.handle("deregister a QEMU monitor event");
  const id = intArg(callbackID, "callbackID", 0);
  callIntExtra("qemu", "virConnectDomainQemuMonitorEventDeregister", c, id);
  // After libvirt agreed: an unknown id stays libvirt's error. A call libvirt had already queued
  // finds no handler and is dropped (the callback runs on this thread, so not in between).
  const mine = byConn.get(conn);
  const registryId = mine?.get(id);
  if (registryId !== undefined) {
    mine!.delete(id);
    handlers.delete(registryId);
  }
}

/**
 * Deregisters what `conn` still has registered, ignoring failures (the daemon may be gone), and
 * forgets the handlers. Called by Connection before it releases its pointer.
 */
export function releaseQemuMonitorEvents(conn: Connection, connPtr: Deno.PointerObject): void {
  const mine = byConn.get(conn);
  if (!mine) return;
  byConn.delete(conn);
  for (const [callbackID, registryId] of mine) {
    handlers.delete(registryId);
    try {
      callIntExtra("qemu", "virConnectDomainQemuMonitorEventDeregister", connPtr, callbackID);
    } catch {
      // The connection is dead or libvirt dropped it already: nothing is left to undo.
    }
  }
}

/** How many QEMU monitor event handlers are registered, on every connection (for tests). */
export function liveQemuMonitorHandlers(): number {
  return handlers.size;
}
