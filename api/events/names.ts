// Readable names for event IDs, lifecycle events and their details (for logs and printing).
import {
  DomainEventCrashedDetailType,
  DomainEventDefinedDetailType,
  DomainEventID,
  DomainEventPMSuspendedDetailType,
  DomainEventResumedDetailType,
  DomainEventShutdownDetailType,
  DomainEventStartedDetailType,
  DomainEventStoppedDetailType,
  DomainEventSuspendedDetailType,
  DomainEventType,
  DomainEventUndefinedDetailType,
  NetworkEventID,
  NetworkEventLifecycleType,
  NodeDeviceEventID,
  NodeDeviceEventLifecycleType,
  SecretEventID,
  SecretEventLifecycleType,
  StoragePoolEventID,
  StoragePoolEventLifecycleType,
} from "../../ffi/enums.ts";
import { describe, intArg } from "../../ffi/marshal.ts";

function nameIn(table: Record<string, number>, value: number, what: string): string {
  intArg(value, what);
  for (const [k, v] of Object.entries(table)) if (v === value) return k;
  return String(value);
}

// The table for `kind`, refusing what is no kind (an unknown key would read as no table).
function tableOf<K extends string>(
  tables: Record<K, Record<string, number>>,
  kind: K,
): Record<string, number> {
  if (typeof kind !== "string" || !Object.hasOwn(tables, kind)) {
    throw new TypeError(
      `kind must be one of ${Object.keys(tables).join(", ")}, got ${describe(kind)}`,
    );
  }
  return tables[kind];
}

const DETAILS: Record<number, Record<string, number>> = {
  [DomainEventType.DEFINED]: DomainEventDefinedDetailType,
  [DomainEventType.UNDEFINED]: DomainEventUndefinedDetailType,
  [DomainEventType.STARTED]: DomainEventStartedDetailType,
  [DomainEventType.SUSPENDED]: DomainEventSuspendedDetailType,
  [DomainEventType.RESUMED]: DomainEventResumedDetailType,
  [DomainEventType.STOPPED]: DomainEventStoppedDetailType,
  [DomainEventType.SHUTDOWN]: DomainEventShutdownDetailType,
  [DomainEventType.PMSUSPENDED]: DomainEventPMSuspendedDetailType,
  [DomainEventType.CRASHED]: DomainEventCrashedDetailType,
};

/** The object kinds whose events have names here. */
export type EventNameKind = "domain" | "network" | "storagePool" | "nodeDevice" | "secret";

const IDS: Record<EventNameKind, Record<string, number>> = {
  domain: DomainEventID,
  network: NetworkEventID,
  storagePool: StoragePoolEventID,
  nodeDevice: NodeDeviceEventID,
  secret: SecretEventID,
};

const LIFECYCLES: Record<Exclude<EventNameKind, "domain">, Record<string, number>> = {
  network: NetworkEventLifecycleType,
  storagePool: StoragePoolEventLifecycleType,
  nodeDevice: NodeDeviceEventLifecycleType,
  secret: SecretEventLifecycleType,
};

/**
 * The name of an event ID ("LIFECYCLE", "METADATA_CHANGE", …); unknown IDs give their number.
 *
 * @example
 * ```ts
 * import { DomainEventID, eventIDName } from "./mod.ts";
 * console.log(eventIDName("domain", DomainEventID.TRAY_CHANGE)); // TRAY_CHANGE
 * ```
 */
export function eventIDName(kind: EventNameKind, id: number): string {
  return nameIn(tableOf(IDS, kind), id, "id");
}

/**
 * The name of a domain lifecycle event ("STARTED", …).
 *
 * @example
 * ```ts
 * import { domainEventTypeName, DomainEventType } from "./mod.ts";
 * console.log(domainEventTypeName(DomainEventType.STOPPED)); // STOPPED
 * ```
 */
export function domainEventTypeName(event: number): string {
  return nameIn(DomainEventType, event, "event");
}

/**
 * The name of a lifecycle detail, which depends on the event ("BOOTED" for STARTED 0,
 * "SHUTDOWN" for STOPPED 0, …).
 *
 * @example
 * ```ts
 * import { domainEventDetailName, DomainEventType } from "./mod.ts";
 * console.log(domainEventDetailName(DomainEventType.STOPPED, 1)); // DESTROYED
 * ```
 */
export function domainEventDetailName(event: number, detail: number): string {
  nameIn(DomainEventType, event, "event");
  const table = DETAILS[event];
  return table ? nameIn(table, detail, "detail") : nameIn({}, detail, "detail");
}

/**
 * The name of a network, pool, node device or secret lifecycle event.
 *
 * @example
 * ```ts
 * import { objectLifecycleName, StoragePoolEventLifecycleType } from "./mod.ts";
 * console.log(objectLifecycleName("storagePool", StoragePoolEventLifecycleType.STARTED)); // STARTED
 * ```
 */
export function objectLifecycleName(kind: Exclude<EventNameKind, "domain">, event: number): string {
  return nameIn(tableOf(LIFECYCLES, kind), event, "event");
}
