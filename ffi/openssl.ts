// Stops OpenSSL from registering its atexit cleanup, which crashes `deno test` processes at exit.
//
// Why: libvirt.so links libcurl and libssh2, and `virInitialize` (run by the first
// `virConnectOpen`) initialises them, which initialises OpenSSL (libcrypto.so.3) on the calling
// thread. OpenSSL's first initialisation registers `atexit(OPENSSL_cleanup)` and keeps per-thread
// state that a thread-specific-data destructor frees. Under `deno test` (and in a Worker) the JS
// runs on a worker thread, not the main thread, and Deno ends the process with `exit()` without
// joining that thread: `OPENSSL_cleanup` on the main thread frees every thread's state while the
// worker frees its own, the same memory twice. About 2% of such processes die after their last
// test with glibc's "malloc_consolidate(): unaligned fastbin chunk detected" or a SIGSEGV (see
// docs/exit-crash.md). Under `deno run` everything happens on the main thread and nothing races.
//
// The fix: make the process's first OpenSSL initialisation ours, with OPENSSL_INIT_NO_ATEXIT, so
// no atexit handler exists. The process is ending anyway; the OS reclaims OpenSSL's memory.
import { log } from "../log.ts";

// OPENSSL_INIT_NO_ATEXIT (openssl/crypto.h, OpenSSL >= 1.1.1b): do not register OPENSSL_cleanup.
const OPENSSL_INIT_NO_ATEXIT = 0x00080000n;

// The libcrypto sonames libvirt may link: OpenSSL 3 (Debian 12, current distributions), then 1.1.
const LIBCRYPTO_NAMES = ["libcrypto.so.3", "libcrypto.so.1.1"];

const symbols = {
  // int OPENSSL_init_crypto(uint64_t opts, const OPENSSL_INIT_SETTINGS *settings);
  OPENSSL_init_crypto: { parameters: ["u64", "pointer"], result: "i32" },
} as const satisfies Deno.ForeignLibraryInterface;

// Kept open for the life of the process, never closed: if libcrypto were unloaded before libvirt
// loads it again, its state (and our flag) would be gone and the next initialisation would be
// libvirt's, with the atexit handler.
let libcrypto: Deno.DynamicLibrary<typeof symbols> | null = null;
let result: boolean | undefined;

/**
 * Initialises OpenSSL without its atexit cleanup, once per process, before libvirt is loaded
 * (ffi/library.ts calls it first). Harmless everywhere: where libcrypto is absent (another OS,
 * a libvirt built without it) nothing happens, and where OpenSSL is already initialised the call
 * only returns 1 (the flag then has no effect, which is no worse than not calling it). It returns
 * whether the call was made and succeeded; it never throws.
 *
 * Call it yourself only if you load libvirt by other means in the same process before this
 * module does (see docs/exit-crash.md).
 *
 * @example
 * ```ts
 * import { preventOpenSSLAtexitCleanup } from "./ffi/openssl.ts";
 * preventOpenSSLAtexitCleanup(); // before the first Deno.dlopen("libvirt.so.0", …)
 * ```
 */
export function preventOpenSSLAtexitCleanup(): boolean {
  return result ??= initialiseWithoutAtexit();
}

function initialiseWithoutAtexit(): boolean {
  if (Deno.build.os === "windows" || Deno.build.os === "darwin") return false;
  for (const name of LIBCRYPTO_NAMES) {
    try {
      libcrypto = Deno.dlopen(name, symbols);
      break;
    } catch {
      // Absent or unloadable: try the next name; with none, there is nothing to protect.
    }
  }
  if (libcrypto === null) {
    log("debug", "libcrypto not found; OpenSSL atexit cleanup left alone");
    return false;
  }
  try {
    const ok = libcrypto.symbols.OPENSSL_init_crypto(OPENSSL_INIT_NO_ATEXIT, null) === 1;
    log("debug", "OpenSSL initialised without atexit cleanup", { ok });
    return ok;
  } catch (e) {
    // A libcrypto without OPENSSL_init_crypto (older than 1.1) fails at dlopen, not here; this
    // catch only guards against the unexpected: the module must load either way.
    log("debug", "OPENSSL_init_crypto failed", { error: e });
    return false;
  }
}
