// A connection kept busy: `…Async` calls made back to back on it, as a server's other requests
// would, for the tests of what shares a connection with them (ffi/turn.ts).
import assert from "node:assert/strict";
import type { Connection } from "../../mod.ts";
import { turnWaits } from "../../ffi/turn.ts";

/** What a busy caller did: the calls made and any failure. */
export interface CallerResult {
  /** Async calls made. */
  calls: number;
  /** Their failures (none expected). */
  errors: unknown[];
}

/**
 * Starts making async calls on `conn` back to back until `stop()`.
 *
 * @example
 * ```ts
 * import { busyCaller } from "./busy_caller.ts";
 * import { Connection } from "../../mod.ts";
 * using conn = Connection.open("test:///default");
 * const c = busyCaller(conn);
 * console.log((await c.stop()).calls >= 0);
 * ```
 */
export function busyCaller(conn: Connection): { stop(): Promise<CallerResult> } {
  let running = true;
  let calls = 0;
  const errors: unknown[] = [];
  const loop = (async () => {
    while (running) {
      try {
        const doms = await conn.listAllDomainsAsync();
        for (const d of doms) d.free();
        await conn.getLibVersionAsync();
        calls += 2;
      } catch (e) {
        errors.push(e);
      }
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return { calls, errors };
    },
  };
}

/**
 * Runs `body` beside a busy caller on `conn` (whose first call is in flight when `body` starts)
 * and checks what both tests of a shared connection need: the caller's calls went through, and
 * `body` waited for the connection at least once (`turnWaits`). `what` names `body` in the
 * assertions' messages.
 *
 * @example
 * ```ts
 * import { besideBusyCaller } from "./busy_caller.ts";
 * import { Connection } from "../../mod.ts";
 * using conn = Connection.open("test:///default");
 * await besideBusyCaller(conn, "a stream", async () => {}).catch(() => {});
 * ```
 */
export async function besideBusyCaller(
  conn: Connection,
  what: string,
  body: () => Promise<void>,
): Promise<void> {
  const waitsBefore = turnWaits();
  const c = busyCaller(conn);
  // Let the caller's first call be in flight before `body` starts.
  await new Promise((r) => setTimeout(r, 5));
  try {
    await body();
  } finally {
    const { calls, errors } = await c.stop();
    assert.deepEqual(errors, []);
    assert.ok(calls > 0, `async calls were made beside ${what}`);
  }
  assert.ok(turnWaits() > waitsBefore, `${what} waited for the connection`);
}
