// How `virsh event` (libvirt 9.0, tools/virsh-domain-event.c) words each event, so the tests can
// put this module's decoded payloads and virsh's lines side by side, field by field. The lists
// are indexed by libvirt's enum values, in virsh's order.
import type { VirshEvent } from "./guest_events.ts";

/** virsh's names of `DomainEventType` (lifecycle events). */
export const LIFECYCLE_EVENT = [
  "Defined",
  "Undefined",
  "Started",
  "Suspended",
  "Resumed",
  "Stopped",
  "Shutdown",
  "PMSuspended",
  "Crashed",
];

/** virsh's names of each lifecycle event's details, by event type then detail. */
export const LIFECYCLE_DETAIL: string[][] = [
  ["Added", "Updated", "Renamed", "Snapshot"],
  ["Removed", "Renamed"],
  ["Booted", "Migrated", "Restored", "Snapshot", "Event wakeup", "Recovered"],
  [
    "Paused",
    "Migrated",
    "I/O Error",
    "Watchdog",
    "Restored",
    "Snapshot",
    "API error",
    "Post-copy",
    "Post-copy Error",
  ],
  ["Unpaused", "Migrated", "Snapshot", "Post-copy", "Post-copy Error"],
  ["Shutdown", "Destroyed", "Crashed", "Migrated", "Saved", "Failed", "Snapshot", "Recovered"],
  ["Finished", "Finished after guest request", "Finished after host request"],
  ["Memory", "Disk"],
  ["Panicked", "Crashloaded"],
];

/** `DomainBlockJobType`. */
export const BLOCK_JOB_TYPE = [
  "Unknown",
  "Block Pull",
  "Block Copy",
  "Block Commit",
  "Active Block Commit",
  "Backup",
];
/** `ConnectDomainEventBlockJobStatus`. */
export const BLOCK_JOB_STATUS = ["completed", "failed", "canceled", "ready"];
/** `DomainEventGraphicsPhase`. */
export const GRAPHICS_PHASE = ["connect", "initialize", "disconnect"];
/** `DomainEventGraphicsAddressType`. */
export const GRAPHICS_FAMILY = ["IPv4", "IPv6", "unix"];
/** `DomainEventWatchdogAction`. */
export const WATCHDOG_ACTION = [
  "none",
  "pause",
  "reset",
  "poweroff",
  "shutdown",
  "debug",
  "inject-nmi",
];
/** `DomainEventIOErrorAction`. */
export const IO_ERROR_ACTION = ["none", "pause", "report"];
/** `DomainMetadataType`. */
export const METADATA_TYPE = ["description", "title", "element"];
/** `DomainEventTrayChangeReason`. */
export const TRAY_REASON = ["opened", "closed"];
/** `ConnectDomainEventDiskChangeReason`. */
export const DISK_CHANGE_REASON = ["changed", "dropped"];
/** `ConnectDomainEventAgentLifecycleState` (from 1). */
export const AGENT_STATE = ["", "connected", "disconnected"];
/** `ConnectDomainEventAgentLifecycleReason`. */
export const AGENT_REASON = ["unknown", "domain started", "channel event"];

/** virsh prints a missing string as "<null>". */
export function orNull(s: string | null): string {
  return s ?? "<null>";
}

/**
 * Splits virsh's text of `ev` with `re` into named fields; throws, quoting the line, when it
 * does not match.
 *
 * @example
 * ```ts
 * import { fields } from "./guest_virsh_names.ts";
 * declare const ev: import("./guest_events.ts").VirshEvent;
 * console.log(fields(ev, /^(?<alias>\S+)$/).alias);
 * ```
 */
export function fields(ev: VirshEvent, re: RegExp): Record<string, string> {
  const m = ev.text.match(re);
  if (!m?.groups) {
    throw new Error(
      `virsh's '${ev.event}' line does not read as ${re}: ${JSON.stringify(ev.text)}`,
    );
  }
  return { ...m.groups };
}

/** Typed parameters as virsh prints them ("name: value"), every value as a string. */
export function paramsAsVirsh(params: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(params)) {
    out[k] = typeof v === "boolean" ? (v ? "yes" : "no") : String(v);
  }
  return out;
}
