// Waiting in tests while Deno's loop turns (events, callbacks, child processes). No side effects
// at import, unlike tests/fixtures/event_contract.ts (which makes FFI callbacks when loaded), so
// any test can import it.

/**
 * Resolves once `pred()` holds, polling every 2 ms so that the loop dispatches meanwhile; rejects
 * after `ms`.
 *
 * @example
 * ```ts
 * import { waitFor } from "./wait.ts";
 * let done = false;
 * setTimeout(() => done = true, 10);
 * await waitFor(() => done, 1000, "the timer");
 * ```
 */
export async function waitFor(pred: () => boolean, ms = 3000, what = "condition"): Promise<void> {
  const deadline = performance.now() + ms;
  while (!pred()) {
    if (performance.now() > deadline) throw new Error(`Timed out after ${ms} ms waiting: ${what}`);
    await sleep(2);
  }
}

/**
 * Waits `ms` while the loop turns.
 *
 * @example
 * ```ts
 * import { sleep } from "./wait.ts";
 * await sleep(5);
 * ```
 */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
