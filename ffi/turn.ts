// When the module's own async code (Web Streams, recvAll/sendAll, volume transfers, event
// iterators, the Async forms of event registration) may make its plain libvirt calls on a
// connection.
//
// Why wait: with DenoEventImpl, a plain call on a connection that has an `…Async` call in flight
// could deadlock (libvirt's client waits for the JS thread while it holds the connection's
// locks), so ffi/inflight.ts refuses it. A user's own `st.recv()` gets that Error; but a
// download that is already async (`new Response(vol.download())` in a server whose other
// requests make `…Async` calls on the same connection) has no reason to fail. It waits instead
// for a moment when nothing of the connection is in flight, and makes its plain calls then, in
// one synchronous run: no async call can start in the middle of one. So does an event iterator
// (`conn.domainEvents()` answering a server's request for an event feed), whose registration is
// a plain call that has to hand libvirt the callbacks of the loop in use. Outside DenoEventImpl, or
// while the connection has nothing in flight (a transfer alone), there is nothing to wait for,
// and the transfer costs what it did.
import { asyncTracking, LibvirtObject } from "../api/object.ts";
import { syncAllowed, whenSyncAllowed, whenSyncAllowedFor } from "./inflight.ts";
import { log } from "../log.ts";

/**
 * null when plain calls on `obj`'s connection are allowed now; otherwise a Promise that
 * resolves at a moment when they were. An async call may start between that moment and the
 * caller's continuation, so callers loop until it is null, then make their plain calls before
 * their next `await`: `for (let t; (t = syncTurn(st));) await t;`.
 *
 * @example
 * ```ts
 * import { syncTurn } from "./ffi/turn.ts";
 * import { Connection } from "./mod.ts";
 * using conn = Connection.open("test:///default");
 * console.log(syncTurn(conn)); // null: nothing in flight
 * ```
 */
export function syncTurn(obj: LibvirtObject): Promise<void> | null {
  // Anything else is refused by the call that follows, with an Error that says what it got.
  if (!(obj instanceof LibvirtObject)) return null;
  const wait = whenSyncAllowed(asyncTracking.root(obj));
  if (wait !== null) waits++;
  return wait;
}

let waits = 0;

/**
 * Whether plain calls on `obj`'s connection are allowed now (a check that waits for nothing).
 *
 * @example
 * ```ts
 * import { mayCallNow } from "./ffi/turn.ts";
 * import { Connection } from "./mod.ts";
 * using conn = Connection.open("test:///default");
 * console.log(mayCallNow(conn)); // true
 * ```
 */
export function mayCallNow(obj: LibvirtObject): boolean {
  return !(obj instanceof LibvirtObject) || syncAllowed(asyncTracking.root(obj));
}

/**
 * How many times stream code found its connection busy and waited (for tests).
 *
 * @example
 * ```ts
 * import { turnWaits } from "./ffi/turn.ts";
 * console.log(turnWaits()); // 0 in a process that never mixed them
 * ```
 */
export function turnWaits(): number {
  return waits;
}

/**
 * Runs `call` (plain calls on `obj`'s connection) once they are allowed: at once, synchronously,
 * when they are now; its result or Error through the Promise.
 *
 * @example
 * ```ts
 * import { whenAllowed } from "./ffi/turn.ts";
 * import { Connection } from "./mod.ts";
 * using conn = Connection.open("test:///default");
 * console.log(await whenAllowed(conn, () => conn.getVersion()));
 * ```
 */
export async function whenAllowed<T>(obj: LibvirtObject, call: () => T): Promise<T> {
  for (let t; (t = syncTurn(obj));) await t;
  return call();
}

/**
 * Runs `fn` (plain calls on the connection of a wrapper's own pointer `ptr`) now if plain calls
 * on it are allowed, else once they are; never throws. For code that runs outside any caller
 * (a FinalizationRegistry's cleanup, a timer), where an Error would have nobody to reach.
 *
 * @example
 * ```ts
 * import { runWhenAllowed } from "./ffi/turn.ts";
 * import { Connection } from "./mod.ts";
 * using conn = Connection.open("test:///default");
 * runWhenAllowed(conn.unsafePointer, "a check", () => console.log(conn.getVersion()));
 * ```
 */
export function runWhenAllowed(ptr: Deno.PointerObject, what: string, fn: () => void): void {
  const run = () => {
    try {
      fn();
    } catch (e) {
      log("error", `${what} failed`, { error: e });
    }
  };
  const first = whenSyncAllowedFor(ptr);
  if (first === null) return run();
  void (async () => {
    for (let t: Promise<void> | null = first; t; t = whenSyncAllowedFor(ptr)) await t;
    run();
  })();
}
