// Keeps libxml2 (which libvirt parses its XML with) from printing on stderr.
import { libc } from "./libc.ts";

// libxml2's two setters of its "generic error" function, the one its default warning and error
// handlers print through ("I/O warning : failed to load external entity ..." for a mistyped
// test:///path, before libvirt reports the failure as its own error).
const libxmlSymbols = {
  // void xmlSetGenericErrorFunc(void *ctx, xmlGenericErrorFunc handler): the calling thread's.
  xmlSetGenericErrorFunc: { parameters: ["pointer", "pointer"], result: "void" },
  // void xmlThrDefSetGenericErrorFunc(void *ctx, xmlGenericErrorFunc handler): the default
  // every thread starts with (libxml2 keeps its error state per thread).
  xmlThrDefSetGenericErrorFunc: { parameters: ["pointer", "pointer"], result: "void" },
} as const satisfies Deno.ForeignLibraryInterface;

// Kept open for the life of the process: libxml2 keeps the handler we gave it.
let libxml: Deno.DynamicLibrary<typeof libxmlSymbols> | null = null;

/**
 * Silences libxml2's generic error output, once. libvirt reports XML failures itself (as the
 * LibvirtError the caller gets), so libxml2's own print is noise on the user's stderr.
 *
 * The handler must be callable from any thread at any time (libxml2 runs wherever libvirt
 * parses, including libvirt's own threads), so it is no JS callback: it is libc's `free`,
 * called as `free(ctx = NULL, msg, ...)`, which does nothing. libxml2's handler is per thread:
 * the calling thread (the JS thread, where this module makes its libvirt calls) is set, and so
 * is the default for threads libxml2 has not seen yet. Without libxml2 (another platform's
 * libvirt), nothing is done.
 */
export function silenceLibxmlErrors(): void {
  if (libxml !== null) return;
  try {
    // libvirt already loaded libxml2: this finds the same copy, not a second one.
    libxml = Deno.dlopen("libxml2.so.2", libxmlSymbols);
  } catch {
    return;
  }
  const noop = libc().freeAddress;
  libxml.symbols.xmlThrDefSetGenericErrorFunc(null, noop);
  libxml.symbols.xmlSetGenericErrorFunc(null, noop);
}
