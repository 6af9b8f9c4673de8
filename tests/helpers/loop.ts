// The in-process test loop: one DenoEventImpl registered at import, shared by every test file
// (libvirt accepts one event impl per process and `deno test` runs all files in one process).
import { DenoEventImpl, Event } from "../../mod.ts";
import { registeredImpl } from "../../event/register.ts";

function registerOnce(): DenoEventImpl {
  const existing = registeredImpl();
  if (existing instanceof DenoEventImpl) return existing;
  const loop = new DenoEventImpl();
  // Throws if a connection was opened before this import or another loop is registered:
  // import this helper at the top of every test file that needs events.
  Event.register(loop);
  return loop;
}

/** The DenoEventImpl libvirt uses in this test process. */
export const eventLoop: DenoEventImpl = registerOnce();
