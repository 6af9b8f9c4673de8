// Turns libvirt's "could not initialize domain event timer" into what a user must do: register a loop.
import { registeredLoop } from "./state.ts";

/**
 * The error to throw when an event registration failed. Without a registered event loop,
 * libvirt cannot add the timer its event queue needs and says only "could not initialize domain
 * event timer"; what the user must hear is that a loop is needed, and how to register one.
 * With a loop registered, libvirt's error stands as it is.
 */
export function eventRegistrationError(what: string, cause: unknown): unknown {
  if (registeredLoop() !== "none") return cause;
  const libvirtSaid = cause instanceof Error ? ` (libvirt said: ${cause.message})` : "";
  return new Error(
    `Cannot ${what}: no event loop is registered. libvirt delivers events through an event loop ` +
      `registered once per process, before the first connection: call ` +
      `Event.register(new DenoEventImpl()) (or Event.registerDefaultImpl()) before ` +
      `Connection.open()${libvirtSaid}`,
    { cause },
  );
}
