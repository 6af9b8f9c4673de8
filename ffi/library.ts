// Loads libvirt.so once, lazily, from LIBVIRT_PATH or the platform's usual name.
import { symbols } from "./symbols.ts";
import { libc } from "./libc.ts";

/** The name of the environment variable that overrides where libvirt is loaded from. */
export const LIBVIRT_PATH_ENV = "LIBVIRT_PATH";

/** The typed view of libvirt's symbols that the rest of the module calls. */
export type LibvirtSymbols = Deno.DynamicLibrary<typeof symbols>["symbols"];

/** The name of one libvirt function in the symbol table. */
export type SymbolName = keyof typeof symbols;

let loaded: { lib: Deno.DynamicLibrary<typeof symbols>; path: string } | undefined;

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

function libraryPath(): string {
  // Reading the environment needs --allow-env; without it, the default name is the answer.
  try {
    const fromEnv = Deno.env.get(LIBVIRT_PATH_ENV);
    if (fromEnv) return fromEnv;
  } catch (e) {
    if (!(e instanceof Deno.errors.NotCapable || e instanceof Deno.errors.PermissionDenied)) {
      throw e;
    }
  }
  return defaultPath();
}

/** Opens libvirt on first use; every later call returns the same library. */
function load(): { lib: Deno.DynamicLibrary<typeof symbols>; path: string } {
  if (loaded) return loaded;
  const path = libraryPath();
  let lib: Deno.DynamicLibrary<typeof symbols>;
  try {
    lib = Deno.dlopen(path, symbols);
  } catch (e) {
    throw new Error(
      `Cannot load libvirt from "${path}": ${(e as Error).message}. ` +
        `Install libvirt (Debian: apt-get install libvirt0) or set ${LIBVIRT_PATH_ENV} ` +
        `to the full path of libvirt's shared library.`,
      { cause: e },
    );
  }
  loaded = { lib, path };
  silenceDefaultErrorPrinting(lib);
  return loaded;
}

/**
 * libvirt prints every error on stderr unless an error function is set. The function must be
 * callable from any thread at any time (libvirt raises errors on its own threads too), so it is
 * no JS callback, which would have to wait for Deno's JS thread: it is libc's `free`, called as
 * `free(NULL, error)`, which does nothing. Errors still reach callers through virGetLastError.
 */
function silenceDefaultErrorPrinting(lib: Deno.DynamicLibrary<typeof symbols>): void {
  lib.symbols.virSetErrorFunc(null, libc().freeAddress);
}

/** The libvirt symbols, loading the library on first use. */
export function libvirt(): LibvirtSymbols {
  return load().lib.symbols;
}

/** The path libvirt was (or will be) loaded from. */
export function libvirtPath(): string {
  return loaded?.path ?? libraryPath();
}

/**
 * One symbol, checked: a symbol the loaded libvirt lacks (added in a later release) throws an
 * Error naming it instead of crashing on a null function.
 */
export function symbol<K extends SymbolName>(name: K): NonNullable<LibvirtSymbols[K]> {
  const fn = libvirt()[name];
  if (fn == null) {
    throw new Error(
      `${name} is not available in the libvirt loaded from "${libvirtPath()}": ` +
        `it needs a newer libvirt.`,
    );
  }
  return fn as NonNullable<LibvirtSymbols[K]>;
}
