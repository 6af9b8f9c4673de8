// AbortSignal for long libvirt jobs: aborting the signal asks libvirt to abort the job (through
// the job's own abort call), and the job's Promise rejects with the signal's reason.
import { log } from "../log.ts";
import { describe } from "./marshal.ts";

/** Options of the async forms of long jobs (save, dump, migration, block jobs, transfers). */
export interface AsyncJobOptions {
  /**
   * Aborts the job: the module calls libvirt's abort for it (`virDomainAbortJob`,
   * `virDomainBlockJobAbort`, `virStreamAbort`) and the Promise rejects with `signal.reason`
   * once libvirt has stopped. A job that finished before libvirt saw the abort resolves.
   */
  signal?: AbortSignal;
}

/**
 * The `signal` of a job's `options`, checked when the job is asked for: a wrong `options` is a
 * TypeError thrown at the call, before any Promise exists (like every other wrong argument).
 *
 * @example
 * ```ts
 * import { jobSignal } from "./ffi/abort.ts";
 * console.log(jobSignal({}), jobSignal(undefined)); // undefined undefined
 * ```
 */
export function jobSignal(options: AsyncJobOptions | undefined): AbortSignal | undefined {
  if (options === undefined) return undefined;
  if (options === null || typeof options !== "object") {
    throw new TypeError(`options must be an object ({ signal? }), got ${describe(options)}`);
  }
  const { signal } = options;
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new TypeError(`options.signal must be an AbortSignal, got ${describe(signal)}`);
  }
  return signal;
}

/** How often the abort is repeated while the job is still pending. */
const RETRY_MS = 50;

/**
 * Runs `job` with `signal` mapped to `abort`: when the signal fires, `abort` is called, and
 * again every 50 ms while the job is still pending (see below). Rejects with `signal.reason` if
 * the job then fails; throws it at once if the signal was already aborted.
 *
 * @example
 * ```ts
 * import { abortable } from "./ffi/abort.ts";
 * const ctl = new AbortController();
 * const p = abortable(() => new Promise<number>((r) => setTimeout(() => r(1), 10)), ctl.signal,
 *   async () => {});
 * console.log(await p); // 1
 * ```
 */
export function abortable<T>(
  job: () => Promise<T>,
  signal: AbortSignal | undefined,
  abort: () => Promise<unknown>,
): Promise<T> {
  // Not async itself: a wrong signal, and the job's own argument checks (run by job() here),
  // throw at the call, before any Promise exists; libvirt's failures and the abort reject.
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new TypeError(`options.signal must be an AbortSignal, got ${describe(signal)}`);
  }
  if (signal?.aborted) return Promise.reject(signal.reason);
  const started = job();
  return signal === undefined ? started : watched(started, signal, abort);
}

async function watched<T>(
  started: Promise<T>,
  signal: AbortSignal,
  abort: () => Promise<unknown>,
): Promise<T> {
  let settled = false;
  let aborting: Promise<void> | null = null;
  const onAbort = () => {
    aborting = (async () => {
      // Until the job settles: libvirt refuses an abort before the job has started (it may be
      // queued behind other calls of its connection), and one that arrives while the job is
      // still setting up can be accepted without effect (measured: a core dump whose job had
      // just shown up in getJobInfo kept running to its end). Repeating is harmless.
      for (let attempt = 1; !settled; attempt++) {
        try {
          await abort();
        } catch (e) {
          log("debug", "abort refused while the job is pending", { attempt, error: e });
        }
        if (!settled) await new Promise((r) => setTimeout(r, RETRY_MS));
      }
    })();
  };
  signal.addEventListener("abort", onAbort, { once: true });
  try {
    const r = await started;
    return r;
  } catch (e) {
    if (signal.aborted) {
      const reason = signal.reason;
      log("debug", "job aborted", { error: e });
      throw reason;
    }
    throw e;
  } finally {
    settled = true;
    signal.removeEventListener("abort", onAbort);
    if (aborting) await aborting;
  }
}
