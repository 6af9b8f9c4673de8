// getVersion(): the version of the loaded libvirt library (virGetVersion), without a connection.
import { callInt } from "../ffi/call.ts";
import { decodeVersion, type Version } from "./connection.ts";

/**
 * The version of the libvirt library this process loaded (`virGetVersion`).
 *
 * @example
 * ```ts
 * import { getVersion } from "./mod.ts";
 * const v = getVersion();
 * console.log(`${v.major}.${v.minor}.${v.release}`); // 9.0.0
 * ```
 */
export function getVersion(): Version {
  const lib = new BigUint64Array(1);
  callInt("virGetVersion", lib, null, null);
  return decodeVersion(Number(lib[0]));
}
