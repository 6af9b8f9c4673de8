// The ffi/call.ts helpers for libvirt-qemu.so and libvirt-lxc.so functions: -1 or NULL becomes
// the LibvirtError libvirt reported, as for every libvirt call.
import { type ExtraLibrary, extraSymbol } from "./library.ts";
import { lastError } from "./errors.ts";
import { readCString, takeCString } from "./marshal.ts";

function invoke(lib: ExtraLibrary, name: string, args: unknown[]): unknown {
  return extraSymbol(lib, name)(...args);
}

/**
 * Calls an int-returning function of libvirt-qemu/lxc; -1 throws.
 *
 * @example
 * ```ts
 * import { callIntExtra } from "./ffi/call_extra.ts";
 * // callIntExtra("qemu", "virConnectDomainQemuMonitorEventDeregister", connPtr, id);
 * console.log(typeof callIntExtra);
 * ```
 */
export function callIntExtra(lib: ExtraLibrary, name: string, ...args: unknown[]): number {
  const r = invoke(lib, name, args) as number;
  if (r === -1) throw lastError(name);
  return r;
}

/**
 * Calls a pointer-returning function of libvirt-qemu/lxc; NULL throws.
 *
 * @example
 * ```ts
 * import { callPtrExtra } from "./ffi/call_extra.ts";
 * console.log(typeof callPtrExtra);
 * ```
 */
export function callPtrExtra(
  lib: ExtraLibrary,
  name: string,
  ...args: unknown[]
): Deno.PointerObject {
  const r = invoke(lib, name, args) as Deno.PointerValue;
  if (r === null) throw lastError(name);
  return r;
}

/**
 * Calls a function of libvirt-qemu/lxc returning a `char *` the caller frees; NULL throws.
 *
 * @example
 * ```ts
 * import { callStringExtra } from "./ffi/call_extra.ts";
 * console.log(typeof callStringExtra);
 * ```
 */
export function callStringExtra(lib: ExtraLibrary, name: string, ...args: unknown[]): string {
  const r = invoke(lib, name, args) as Deno.PointerValue;
  if (r === null) throw lastError(name);
  return takeCString(r)!;
}

/**
 * Calls a function of libvirt-qemu/lxc returning a `const char *`; NULL throws.
 *
 * @example
 * ```ts
 * import { callConstStringExtra } from "./ffi/call_extra.ts";
 * console.log(typeof callConstStringExtra);
 * ```
 */
export function callConstStringExtra(lib: ExtraLibrary, name: string, ...args: unknown[]): string {
  const r = invoke(lib, name, args) as Deno.PointerValue;
  if (r === null) throw lastError(name);
  return readCString(r)!;
}
