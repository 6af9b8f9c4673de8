// The one place where libvirt calls are made and their failures (-1 or NULL) become LibvirtError.
import { type LibvirtSymbols, symbol, type SymbolName } from "./library.ts";
import { lastError } from "./errors.ts";
import { readCString, takeCString } from "./marshal.ts";
import { enterSync, leaveSync } from "./inflight.ts";

type Fn<K extends SymbolName> = NonNullable<LibvirtSymbols[K]>;
type Args<K extends SymbolName> = Parameters<Fn<K>>;

// Every libvirt API resets the thread's error on entry, so the error read after a failure is
// the failure's own. All of these run synchronously on the JS thread; their async forms are in
// ffi/call_async.ts.
function invoke<K extends SymbolName>(name: K, args: Args<K>): unknown {
  // Which connection the call uses, and a refusal if it could deadlock against an async call
  // in flight on it (ffi/inflight.ts).
  const outer = enterSync(name, args[0]);
  try {
    return (symbol(name) as (...a: unknown[]) => unknown)(...args);
  } finally {
    leaveSync(outer);
  }
}

/** Calls an int-returning libvirt function; -1 throws the LibvirtError libvirt reported. */
export function callInt<K extends SymbolName>(name: K, ...args: Args<K>): number {
  const r = invoke(name, args) as number;
  if (r === -1) throw lastError(name);
  return r;
}

/** Calls a pointer-returning libvirt function; NULL throws the LibvirtError libvirt reported. */
export function callPtr<K extends SymbolName>(name: K, ...args: Args<K>): Deno.PointerObject {
  const r = invoke(name, args) as Deno.PointerValue;
  if (r === null) throw lastError(name);
  return r;
}

/** Calls a function returning a `char *` the caller must free; NULL throws. */
export function callString<K extends SymbolName>(name: K, ...args: Args<K>): string {
  const r = invoke(name, args) as Deno.PointerValue;
  if (r === null) throw lastError(name);
  return takeCString(r)!;
}

/** Calls a function returning a `const char *` libvirt keeps; NULL throws. */
export function callConstString<K extends SymbolName>(name: K, ...args: Args<K>): string {
  const r = invoke(name, args) as Deno.PointerValue;
  if (r === null) throw lastError(name);
  return readCString(r)!;
}

/** Calls a function that cannot fail (or whose failure carries no error), returning its result. */
export function callRaw<K extends SymbolName>(name: K, ...args: Args<K>): ReturnType<Fn<K>> {
  return invoke(name, args) as ReturnType<Fn<K>>;
}
