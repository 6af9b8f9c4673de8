// Loads libvirt.so once, lazily, and binds each of its functions the first time it is called.
//
// Why per-symbol binding: `Deno.dlopen` with the whole table resolves and compiles a trampoline
// for every entry up front (about 0.15 ms each, measured), so start-up would grow with the size
// of libvirt's API. Binding one function on first use costs the same once and nothing for the
// functions a program never calls. Each binding is a `Deno.dlopen` of the already-loaded library
// with a one-entry table: it keeps V8's fast calls, which `Deno.UnsafeFnPointer` would not (about
// 50 ns per call against 1 µs, measured).
import { symbols } from "./symbols.ts";
import { lxcSymbols, qemuSymbols } from "./symbols_qemu.ts";
import { libc } from "./libc.ts";
import { logFromEnvironment } from "../log.ts";
import { silenceLibxmlErrors } from "./libxml.ts";
import { preventOpenSSLAtexitCleanup } from "./openssl.ts";

/** The name of the environment variable that overrides where libvirt is loaded from. */
export const LIBVIRT_PATH_ENV = "LIBVIRT_PATH";

/** The typed view of libvirt's symbols that the rest of the module calls. */
export type LibvirtSymbols = Deno.DynamicLibrary<typeof symbols>["symbols"];

/** The name of one libvirt function in the symbol table. */
export type SymbolName = keyof typeof symbols;

/** One bound libvirt function, as `Deno.dlopen` types it. */
export type SymbolFn<K extends SymbolName> = NonNullable<LibvirtSymbols[K]>;

/** The same function run on Deno's blocking thread pool: it returns a Promise of its result. */
export type AsyncSymbolFn<K extends SymbolName> = (
  ...args: Parameters<SymbolFn<K>>
) => Promise<Awaited<ReturnType<SymbolFn<K>>>>;

type AnyFn = (...args: unknown[]) => unknown;

let path: string | undefined;
// Bound functions by name; `null` marks a symbol this libvirt lacks (an optional, newer one).
const bound = new Map<string, AnyFn | null>();
const boundAsync = new Map<string, AnyFn | null>();
// The one-entry libraries stay referenced for the life of the process: the functions they
// hold are called from anywhere, and libvirt is never unloaded.
const libraries: Deno.DynamicLibrary<Deno.ForeignLibraryInterface>[] = [];

function defaultPath(): string {
  switch (Deno.build.os) {
    case "darwin":
      return "libvirt.0.dylib";
    case "windows":
      return "libvirt-0.dll";
    default:
      return "libvirt.so.0";
  }
}

/**
 * The value of an environment variable when the env permission for it is already granted, and
 * undefined otherwise. Reading with `Deno.env.get` alone would make Deno prompt on a terminal
 * (and throw without one): a module must not ask for a permission the user did not pass.
 */
export function grantedEnv(name: string): string | undefined {
  try {
    if (Deno.permissions.querySync({ name: "env", variable: name }).state !== "granted") {
      return undefined;
    }
    return Deno.env.get(name);
  } catch {
    return undefined;
  }
}

function libraryPath(): string {
  return grantedEnv(LIBVIRT_PATH_ENV) || defaultPath();
}

/**
 * Opens libvirt on first use (once per process), with what must happen before and right after:
 * the process-wide settings libvirt's first call depends on.
 */
function load(): string {
  if (path !== undefined) return path;
  logFromEnvironment();
  const where = libraryPath();
  // Before libvirt exists in the process: OpenSSL's first initialisation must be ours, without
  // the atexit cleanup that crashes `deno test` processes at exit (ffi/openssl.ts).
  preventOpenSSLAtexitCleanup();
  let probe: Deno.DynamicLibrary<{ virSetErrorFunc: (typeof symbols)["virSetErrorFunc"] }>;
  try {
    probe = Deno.dlopen(where, { virSetErrorFunc: symbols.virSetErrorFunc });
  } catch (e) {
    throw new Error(
      `Cannot load libvirt from "${where}": ${(e as Error).message}. ` +
        `Install libvirt (Debian: apt-get install libvirt0) or set ${LIBVIRT_PATH_ENV} ` +
        `to the full path of libvirt's shared library.`,
      { cause: e },
    );
  }
  libraries.push(probe as unknown as Deno.DynamicLibrary<Deno.ForeignLibraryInterface>);
  path = where;
  trace("virSetErrorFunc");
  silenceDefaultErrorPrinting(probe.symbols.virSetErrorFunc);
  silenceLibxmlErrors(); // libxml2 prints its own warnings otherwise (ffi/libxml.ts)
  return path;
}

/**
 * libvirt prints every error on stderr unless an error function is set. The function must be
 * callable from any thread at any time (libvirt raises errors on its own threads too), so it is
 * no JS callback, which would have to wait for Deno's JS thread: it is libc's `free`, called as
 * `free(NULL, error)`, which does nothing. Errors still reach callers through virGetLastError.
 */
function silenceDefaultErrorPrinting(
  setErrorFunc: (userData: Deno.PointerValue, handler: Deno.PointerValue) => void,
): void {
  setErrorFunc(null, libc().freeAddress);
}

// The coverage trace of the API tests (tools/api_coverage.ts): with LIBVIRT_DENO_API_TRACE set
// to a file (and the env permission granted), each function's name is appended once, when it is
// first bound, which is right before its first call.
let tracePath: string | undefined | null = null;
function trace(name: string): void {
  if (tracePath === null) tracePath = grantedEnv("LIBVIRT_DENO_API_TRACE") || undefined;
  if (!tracePath) return;
  try {
    Deno.writeTextFileSync(tracePath, name + "\n", { append: true });
  } catch {
    // A program run without write permission (an example under its own flags) is not traced.
    tracePath = undefined;
  }
}

function bind(name: string, nonblocking: boolean): AnyFn | null {
  const where = load();
  const def = (symbols as Record<string, Deno.ForeignFunction>)[name];
  if (def === undefined) throw new Error(`${name} is not in the symbol table`);
  trace(name);
  const lib = Deno.dlopen(where, {
    [name]: { ...def, optional: true, ...(nonblocking ? { nonblocking: true } : {}) },
  } as Deno.ForeignLibraryInterface);
  const fn = lib.symbols[name] as AnyFn | null;
  if (fn !== null) libraries.push(lib);
  else lib.close();
  return fn;
}

function missing(name: string): Error {
  return new Error(
    `${name} is not available in the libvirt loaded from "${libvirtPath()}": ` +
      `it needs a newer libvirt.`,
  );
}

/** Whether the loaded libvirt has `name` (false for functions newer than it). */
export function hasSymbol(name: SymbolName): boolean {
  let fn = bound.get(name);
  if (fn === undefined) bound.set(name, fn = bind(name, false));
  return fn !== null;
}

/**
 * One libvirt function, bound on first use. A function the loaded libvirt lacks (added in a
 * later release) throws an Error naming it instead of crashing on a null function.
 */
export function symbol<K extends SymbolName>(name: K): SymbolFn<K> {
  let fn = bound.get(name);
  if (fn === undefined) bound.set(name, fn = bind(name, false));
  if (fn === null) throw missing(name);
  return fn as unknown as SymbolFn<K>;
}

/**
 * The same libvirt function declared `nonblocking`: each call runs on Deno's blocking thread
 * pool and returns a Promise, so the JS thread keeps running while libvirt waits. What that
 * implies (libvirt's per-thread error, the event impl called from that thread) is handled by
 * ffi/call_async.ts, the only caller.
 */
export function asyncSymbol<K extends SymbolName>(name: K): AsyncSymbolFn<K> {
  let fn = boundAsync.get(name);
  if (fn === undefined) boundAsync.set(name, fn = bind(name, true));
  if (fn === null) throw missing(name);
  return fn as unknown as AsyncSymbolFn<K>;
}

/** The path libvirt was (or will be) loaded from. */
export function libvirtPath(): string {
  return path ?? libraryPath();
}

/** How many libvirt functions are bound so far (for the start-up benchmark and tests). */
export function boundSymbolCount(): number {
  let n = 0;
  for (const fn of bound.values()) if (fn !== null) n++;
  for (const fn of boundAsync.values()) if (fn !== null) n++;
  return n;
}

/** The extra libraries beside libvirt.so: QEMU's and LXC's driver-specific functions. */
export type ExtraLibrary = "qemu" | "lxc";

const extraTables: Record<ExtraLibrary, Record<string, Deno.ForeignFunction>> = {
  qemu: qemuSymbols,
  lxc: lxcSymbols,
};
const extraPaths: Record<ExtraLibrary, string> = {
  qemu: "libvirt-qemu.so.0",
  lxc: "libvirt-lxc.so.0",
};
const extraBound = new Map<string, AnyFn | null>();
const extraBoundAsync = new Map<string, AnyFn | null>();

/**
 * One function of libvirt-qemu.so or libvirt-lxc.so, bound on first use (the library is opened
 * then, after libvirt.so itself, never at start-up). Throws an Error naming the function when
 * the library or the function is missing.
 */
export function extraSymbol(lib: ExtraLibrary, name: string): AnyFn {
  return boundExtra(lib, name, false);
}

/**
 * `extraSymbol` declared `nonblocking`: the call runs on Deno's thread pool and returns a
 * Promise (for the Async forms, through ffi/call_async.ts).
 */
export function extraSymbolAsync(lib: ExtraLibrary, name: string): AnyFn {
  return boundExtra(lib, name, true);
}

function boundExtra(lib: ExtraLibrary, name: string, nonblocking: boolean): AnyFn {
  const table = nonblocking ? extraBoundAsync : extraBound;
  let fn = table.get(name);
  if (fn === undefined) {
    load(); // libvirt first: its error function must be set before any call
    const def = extraTables[lib][name];
    if (def === undefined) throw new Error(`${name} is not in the ${lib} symbol table`);
    trace(name);
    let lib2: Deno.DynamicLibrary<Deno.ForeignLibraryInterface>;
    try {
      lib2 = Deno.dlopen(extraPaths[lib], {
        [name]: { ...def, optional: true, ...(nonblocking ? { nonblocking: true } : {}) },
      });
    } catch (e) {
      throw new Error(
        `Cannot load ${extraPaths[lib]} for ${name}: ${(e as Error).message}. ` +
          `Install libvirt's ${lib} library (Debian: libvirt0).`,
        { cause: e },
      );
    }
    fn = lib2.symbols[name] as AnyFn | null;
    if (fn !== null) libraries.push(lib2);
    else lib2.close();
    table.set(name, fn);
  }
  if (fn === null) throw missing(name);
  return fn;
}
