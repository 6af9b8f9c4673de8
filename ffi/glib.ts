// GLib's main loop, which libvirt's default event impl is made of: since libvirt 6.0,
// virEventRunDefaultImpl is one iteration of GLib's default main context, and its handles and
// timers are GLib sources on that context. Running a GMainLoop on the same context runs the
// same dispatch without returning between iterations.

const glibSymbols = {
  // GMainLoop *g_main_loop_new(GMainContext *context /* NULL: the default */, gboolean running)
  g_main_loop_new: { parameters: ["pointer", "i32"], result: "pointer" },
  // void g_main_loop_run(GMainLoop *loop): iterates until g_main_loop_quit. Declared
  // nonblocking: it runs on Deno's thread pool for as long as the loop runs.
  g_main_loop_run: { parameters: ["pointer"], result: "void", nonblocking: true },
  // void g_main_loop_quit(GMainLoop *loop): callable from any thread; wakes the context.
  g_main_loop_quit: { parameters: ["pointer"], result: "void" },
  // void g_main_loop_unref(GMainLoop *loop)
  g_main_loop_unref: { parameters: ["pointer"], result: "void" },
  // gboolean g_main_context_acquire(GMainContext *context): takes the context if no other
  // thread runs it (never waits).
  g_main_context_acquire: { parameters: ["pointer"], result: "i32" },
  // void g_main_context_wakeup(GMainContext *context): wakes a thread waiting in its poll.
  g_main_context_wakeup: { parameters: ["pointer"], result: "void" },
} as const satisfies Deno.ForeignLibraryInterface;

/** The name under which libvirt's copy of GLib is found (the event relay's Worker opens it too). */
export const GLIB_PATH = "libglib-2.0.so.0";

/** GLib's main-loop functions, as bound here. */
export type GLib = Deno.DynamicLibrary<typeof glibSymbols>["symbols"];

// undefined: not looked for yet; null: not there (a libvirt built without GLib).
let glib: Deno.DynamicLibrary<typeof glibSymbols> | null | undefined;

/**
 * GLib's main-loop functions from the copy libvirt loaded, or null where there is none. Kept open
 * for the life of the process (a loop may be running in it).
 *
 * @example
 * ```ts
 * import { glibMainLoop } from "./glib.ts";
 * console.log(glibMainLoop() !== null); // true with libvirt 6.0 or later
 * ```
 */
export function glibMainLoop(): GLib | null {
  if (glib === undefined) {
    try {
      // libvirt already loaded GLib: this finds the same copy, not a second one.
      glib = Deno.dlopen(GLIB_PATH, glibSymbols);
    } catch {
      glib = null;
    }
  }
  return glib?.symbols ?? null;
}
