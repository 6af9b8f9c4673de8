// Process-wide facts libvirt's event rules depend on: whether an event loop is registered, and
// whether a connection was ever opened (libvirt wants the loop registered before that).

/** Which event loop is registered with libvirt in this process, if any. */
export type RegisteredLoop = "none" | "default" | "custom";

const state = { loop: "none" as RegisteredLoop, connectionsOpened: 0 };

/** Called by Connection.open before it asks libvirt for a connection. */
export function markConnectionOpening(): void {
  state.connectionsOpened++;
}

/** How many connections this process has opened so far. */
export function connectionsOpened(): number {
  return state.connectionsOpened;
}

/** The loop registered so far. */
export function registeredLoop(): RegisteredLoop {
  return state.loop;
}

/** Records a registration; the event module checks the rules before calling this. */
export function markLoopRegistered(loop: Exclude<RegisteredLoop, "none">): void {
  state.loop = loop;
}
