// The daemon a remote test talks to: the private libvirtd (tests/helpers/daemon.ts), or, when
// LIBVIRT_TEST_SOCKET names the read-write socket of a libvirtd that already runs, that one
// (for running a remote test beside another daemon; nothing is started or stopped then).
import { requireDaemon } from "./daemon.ts";

/** The URIs a remote test needs, and how to let go of the daemon afterwards. */
export interface RemoteTarget {
  /** `test+unix:///default?socket=…`: the test driver inside the daemon. */
  testUri: string;
  /** `qemu+unix:///system?socket=…`: the daemon's QEMU driver, storage and networks. */
  qemuUri: string;
  /** Stops the private daemon (a no-op for an outside one). */
  stop(): Promise<void>;
}

/**
 * The target for `what`, or null when the private daemon cannot start outside CI (skipped, loudly).
 *
 * @example
 * ```ts
 * import { remoteTarget } from "./daemon_or_socket.ts";
 * const d = await remoteTarget("my test");
 * if (d) await d.stop();
 * ```
 */
export async function remoteTarget(what: string): Promise<RemoteTarget | null> {
  const socket = Deno.env.get("LIBVIRT_TEST_SOCKET");
  if (socket) {
    return {
      testUri: `test+unix:///default?socket=${socket}`,
      qemuUri: `qemu+unix:///system?socket=${socket}`,
      stop: () => Promise.resolve(),
    };
  }
  return await requireDaemon(what);
}
