// What a connection's open made, found by comparing the process before and after it (libvirt
// names neither): its socket, whose send buffer grows (conn/socket.ts), and for `+ssh` the ssh
// client libvirt started, whose end of that socket grows too (conn/ssh_peer.ts). One pair of
// calls around every open, sync or async, so the two cannot drift apart.
import { adoptNewSocket, openFds, SEND_BUFFER } from "./socket.ts";
import { childrenBeforeOpen, widenSshPeers } from "./ssh_peer.ts";

/** The process as it was before an open: its fds, and its children when the URI starts ssh. */
export interface OpenWatch {
  /** `openFds()` before the open. */
  readonly fds: Uint8Array;
  /** This process's children before the open, for `+ssh` URIs (else null). */
  readonly children: Set<number> | null;
}

/**
 * Notes what the process has open before an open of `uri`.
 *
 * @example
 * ```ts
 * const watch = watchOpen("qemu+ssh://root@vmhost/system"); // then open, then adoptOpened
 * ```
 */
export function watchOpen(uri: string | null): OpenWatch {
  return { fds: openFds(), children: childrenBeforeOpen(uri) };
}

/**
 * After the open: widens the send buffer of the unix socket it made and, for `+ssh`, of the ssh
 * client's end to `sendBuffer` (default `SEND_BUFFER`; 0 leaves both), and returns the socket's
 * fd (-1 when not exactly one was made). Never throws.
 *
 * @example
 * ```ts
 * const fd = adoptOpened(watch, options.sendBuffer); // right after virConnectOpen returned
 * ```
 */
export function adoptOpened(watch: OpenWatch, sendBuffer: number = SEND_BUFFER): number {
  const fd = adoptNewSocket(watch.fds, sendBuffer);
  widenSshPeers(watch.children, sendBuffer);
  return fd;
}
