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

function nameIn(table: Record<string, number>, value: number): string {
  for (const [k, v] of Object.entries(table)) if (v === value) return k;
  return String(value);
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
  return nameIn(IDS[kind], id);
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
  return nameIn(DomainEventType, event);
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
  const table = DETAILS[event];
  return table ? nameIn(table, detail) : String(detail);
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
  return nameIn(LIFECYCLES[kind], event);
}
