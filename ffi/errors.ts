// LibvirtError and the one place where a failed libvirt call becomes a thrown error.
import { symbol } from "./library.ts";
import { readCString } from "./marshal.ts";
import { type ErrorDomain, type ErrorLevel, ErrorNumber } from "./enums.ts";
import { log, logEnabled } from "../log.ts";

/** Fields libvirt reports with an error (`virError`). */
export interface LibvirtErrorInit {
  /** `virErrorNumber`. */
  code: number;
  /** `virErrorDomain`. */
  domain: ErrorDomain | number;
  /** `virErrorLevel`. */
  level: ErrorLevel | number;
  /** libvirt's message. */
  message: string;
  /** Extra strings and numbers libvirt attaches to some errors. */
  str1?: string | null;
  /** Second extra string. */
  str2?: string | null;
  /** Third extra string. */
  str3?: string | null;
  /** First extra number. */
  int1?: number;
  /** Second extra number. */
  int2?: number;
  /** The C function that failed. */
  func?: string;
}

/**
 * A failure reported by libvirt, with libvirt's own code, domain, level and message.
 *
 * @example
 * ```ts
 * import { Connection, ErrorNumber, LibvirtError } from "./mod.ts";
 * using conn = Connection.open("test:///default");
 * try {
 *   conn.lookupDomainByName("no-such-domain");
 * } catch (e) {
 *   if (e instanceof LibvirtError && e.code === ErrorNumber.NO_DOMAIN) console.log("no such domain");
 * }
 * ```
 */
export class LibvirtError extends Error {
  /** libvirt's error number (`virErrorNumber`, see `ErrorNumber`). */
  readonly code: number;
  /** libvirt's error domain (`virErrorDomain`, see `ErrorDomain`). */
  readonly domain: ErrorDomain | number;
  /** libvirt's error level. */
  readonly level: ErrorLevel | number;
  /** The first extra string libvirt gave, if any. */
  readonly str1: string | null;
  /** The second extra string. */
  readonly str2: string | null;
  /** The third extra string. */
  readonly str3: string | null;
  /** The first extra number. */
  readonly int1: number;
  /** The second extra number. */
  readonly int2: number;
  /** The libvirt function whose failure this is. */
  readonly func: string | undefined;

  /** Builds an error from libvirt's fields; the module throws these, users rarely build them. */
  constructor(init: LibvirtErrorInit) {
    super(init.message, { cause: { code: init.code, domain: init.domain } });
    this.name = "LibvirtError";
    this.code = init.code;
    this.domain = init.domain;
    this.level = init.level;
    this.str1 = init.str1 ?? null;
    this.str2 = init.str2 ?? null;
    this.str3 = init.str3 ?? null;
    this.int1 = init.int1 ?? 0;
    this.int2 = init.int2 ?? 0;
    this.func = init.func;
  }
}

/** Reads a `virError` struct at `ptr` (x86_64/aarch64 layout). */
export function readError(ptr: Deno.PointerObject, func?: string): LibvirtError {
  const v = new Deno.UnsafePointerView(ptr);
  return new LibvirtError({
    code: v.getInt32(0),
    domain: v.getInt32(4),
    message: readCString(v.getPointer(8)) ?? "unknown libvirt error",
    level: v.getInt32(16),
    str1: readCString(v.getPointer(40)),
    str2: readCString(v.getPointer(48)),
    str3: readCString(v.getPointer(56)),
    int1: v.getInt32(64),
    int2: v.getInt32(68),
    func,
  });
}

/** Size of `virError` in bytes, for copies into memory the module owns. */
export const VIR_ERROR_SIZE = 80;

/**
 * The error libvirt recorded for the calling thread (every call here is on the JS thread), or,
 * failing that, for the connection. Resets it, so a later failure never reports a stale one.
 */
export function lastError(func: string, conn?: Deno.PointerValue): LibvirtError {
  const e = readLastError(func, conn);
  // libvirt's own error report, which it would otherwise have printed on stderr. A lookup that
  // finds nothing is how code asks "does it exist?": a debug record, not an error.
  const level = NOT_FOUND.has(e.code) ? "debug" : "error";
  if (logEnabled[level]) {
    log(level, `${func}: ${e.message}`, { code: e.code, domain: e.domain, level: e.level });
  }
  return e;
}

// The "no such object" codes of `ErrorNumber` (NO_DOMAIN, NO_NETWORK, NO_STORAGE_POOL, ...).
const NOT_FOUND: ReadonlySet<number> = new Set([
  ErrorNumber.NO_DOMAIN,
  ErrorNumber.NO_NETWORK,
  ErrorNumber.NO_STORAGE_POOL,
  ErrorNumber.NO_STORAGE_VOL,
  ErrorNumber.NO_NODE_DEVICE,
  ErrorNumber.NO_SECRET,
  ErrorNumber.NO_INTERFACE,
  ErrorNumber.NO_NWFILTER,
  ErrorNumber.NO_NWFILTER_BINDING,
  ErrorNumber.NO_DOMAIN_SNAPSHOT,
  ErrorNumber.NO_DOMAIN_CHECKPOINT,
  ErrorNumber.NO_DOMAIN_BACKUP,
  ErrorNumber.NO_DOMAIN_METADATA,
  ErrorNumber.NO_NETWORK_PORT,
]);

function readLastError(func: string, conn?: Deno.PointerValue): LibvirtError {
  const err = symbol("virGetLastError")();
  if (err !== null) {
    const e = readError(err, func);
    symbol("virResetLastError")();
    return e;
  }
  const e = conn ? copyConnectionError(conn, func) : null;
  return e ?? new LibvirtError({ code: 1, domain: 0, level: 2, message: `${func} failed`, func });
}

/**
 * A copy of the last error libvirt recorded on connection `conn` (`virConnCopyLastError`), or
 * null when it holds none. Every public libvirt call that fails on a connection copies its
 * thread's error there, whichever thread failed (the JS thread, or a pool thread running an
 * async call), so this is the one record of a failure that crosses threads; it stays until the
 * next failure on the connection or `virConnResetLastError`.
 */
export function copyConnectionError(
  conn: Deno.PointerObject,
  func?: string,
): LibvirtError | null {
  const buf = new Uint8Array(VIR_ERROR_SIZE);
  // 0: no error; -1: a NULL connection (never passed here).
  if (symbol("virConnCopyLastError")(conn, buf) <= 0) return null;
  const p = Deno.UnsafePointer.of(buf)!;
  try {
    return readError(p, func);
  } finally {
    // The copy owns duplicates of libvirt's strings (message, str1-3): virResetError frees them.
    symbol("virResetError")(p);
  }
}
