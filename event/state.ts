// Process-wide facts libvirt's event rules depend on: whether an event loop is registered (and
// by which JS isolate), and whether a connection was ever opened (libvirt wants the loop first).
import { libc } from "../ffi/libc.ts";
import { cString, readCString } from "../ffi/marshal.ts";

/**
 * Which event loop is registered with libvirt in this process: none, libvirt's default loop,
 * a TypeScript impl of this isolate, or one of another isolate ("foreign").
 */
export type RegisteredLoop = "none" | "default" | "custom" | "foreign";

const state = { loop: "none" as RegisteredLoop, connectionsOpened: 0 };

// libvirt's registration is per process, but a Worker or another `deno test` module is a separate
// JS isolate with its own copy of this module. A TS impl's callbacks die with the isolate that made
// them, so another isolate must never open a connection (libvirt would call into dead callbacks
// and crash). The marker is a C environment variable, set through libc: shared by all isolates,
// and readable without Deno's env permission.
// Encoded on first use rather than when the module loads: every line run then costs start-up.
let marker: Uint8Array | null = null;
const markerVariable = () => marker ??= cString("LIBVIRT_DENO_EVENT_LOOP");
// Made on first registration, not at import: crypto costs a script that never registers a loop.
let isolateToken: string | null = null;

function processMarker(): string | null {
  return readCString(libc().symbols.getenv(markerVariable()));
}

/** Called by Connection.open before it asks libvirt for a connection; throws if unsafe. */
export function markConnectionOpening(): void {
  if (registeredLoop() === "foreign") {
    throw new Error(
      "Cannot open a connection: libvirt's event loop was registered by another JS isolate " +
        "(a Worker or another test module) of this process, and its callbacks are gone with it. " +
        "Open connections in the isolate that registered the loop, or use " +
        "Event.registerDefaultImpl(), which is shared by every isolate.",
    );
  }
  state.connectionsOpened++;
}

/** How many connections this isolate has opened so far. */
export function connectionsOpened(): number {
  return state.connectionsOpened;
}

/** The loop registered so far, by this isolate or another one of the process. */
export function registeredLoop(): RegisteredLoop {
  if (state.loop !== "none") return state.loop;
  const marker = processMarker();
  if (marker === null) return "none";
  // A child process inherits the environment: a marker of another process is not ours to heed.
  const [kind, pid] = marker.split(":");
  if (Number(pid) !== Deno.pid) return "none";
  return kind === "default" ? "default" : "foreign";
}

/** Records a registration; the event module checks the rules before calling this. */
export function markLoopRegistered(loop: "default" | "custom"): void {
  state.loop = loop;
  isolateToken ??= crypto.randomUUID();
  const value = `${loop}:${Deno.pid}:${isolateToken}`;
  libc().symbols.setenv(markerVariable(), cString(value), 1);
}
