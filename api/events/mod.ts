// The public face of the events module: payload types, handler types, iterators and names.
// The relay's hooks into DefaultEventLoop, installed with the module (relay_hooks.ts).
import "./relay_hooks.ts";
export type * from "./domain_payloads.ts";
export type * from "./object_payloads.ts";
export type { DomainEventCallback, DomainLifecycleCallback } from "./domain.ts";
export type {
  NetworkEventCallback,
  NodeDeviceEventCallback,
  SecretEventCallback,
  StoragePoolEventCallback,
} from "./objects.ts";
export { EventIterator } from "./iterators.ts";
export type {
  DomainEventRecord,
  DomainEventsOptions,
  EventStreamOptions,
  NetworkEventRecord,
  NetworkEventsOptions,
  NodeDeviceEventRecord,
  NodeDeviceEventsOptions,
  ObjectEventsOptions,
  SecretEventRecord,
  SecretEventsOptions,
  StoragePoolEventRecord,
  StoragePoolEventsOptions,
} from "./iterators.ts";
export {
  domainEventDetailName,
  domainEventTypeName,
  eventIDName,
  objectLifecycleName,
} from "./names.ts";
export type { EventNameKind } from "./names.ts";
export { registeredCount as eventCallbackCount } from "./tracking.ts";
export type { EventKind } from "./tracking.ts";
