/**
 * libvirt for Deno, through `Deno.dlopen` on libvirt.so: connections, domains, storage,
 * networks, libvirt's event loop (its own, or one on Deno's loop) and streams.
 *
 * Run with `--allow-ffi` (and `--allow-env=LIBVIRT_PATH` to point at another libvirt).
 *
 * @example
 * ```ts
 * import { Connection } from "./mod.ts";
 * using conn = Connection.open("test:///default");
 * for (const dom of conn.listAllDomains()) console.log(dom.getName(), dom.getState().state);
 * ```
 *
 * @module
 */
export { LibvirtError } from "./ffi/errors.ts";
export type { LibvirtErrorInit } from "./ffi/errors.ts";
export * from "./ffi/enums.ts";
export { LIBVIRT_PATH_ENV } from "./ffi/library.ts";
export { LibvirtObject } from "./api/object.ts";
export { Connection, decodeVersion } from "./api/connection.ts";
export type {
  AuthOptions,
  CloseReason,
  Credential,
  OpenOptions,
  Version,
} from "./api/connection.ts";
export { LOG_CATEGORY, setLogger } from "./log.ts";
export type { Logger, LogLevel } from "./log.ts";
