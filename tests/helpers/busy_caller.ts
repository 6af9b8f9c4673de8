// A connection kept busy: `…Async` calls made back to back on it, as a server's other requests
// would, for the tests of what shares a connection with them (ffi/turn.ts).
import type { Connection } from "../../mod.ts";

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
