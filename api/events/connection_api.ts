// What Connection's event methods delegate to: one import for api/connection.ts.
export {
  domainEventDeregister,
  domainEventDeregisterAny,
  domainEventRegister,
  domainEventRegisterAny,
} from "./domain.ts";
export type { DomainEventCallback, DomainLifecycleCallback } from "./domain.ts";
export {
  networkEventRegisterAny,
  nodeDeviceEventRegisterAny,
  objectEventDeregisterAny,
  secretEventRegisterAny,
  storagePoolEventRegisterAny,
} from "./objects.ts";
export type {
  NetworkEventCallback,
  NodeDeviceEventCallback,
  SecretEventCallback,
  StoragePoolEventCallback,
} from "./objects.ts";
export {
  domainEvents,
  EventIterator,
  networkEvents,
  nodeDeviceEvents,
  secretEvents,
  storagePoolEvents,
} from "./iterators.ts";
export type {
  DomainEventRecord,
  DomainEventsOptions,
  NetworkEventRecord,
  NetworkEventsOptions,
  NodeDeviceEventRecord,
  NodeDeviceEventsOptions,
  SecretEventRecord,
  SecretEventsOptions,
  StoragePoolEventRecord,
  StoragePoolEventsOptions,
} from "./iterators.ts";
export { checkCallbackID as checkDeregistration, deregisterAllEvents } from "./tracking.ts";
export {
  checkDomainEventArgs,
  checkLegacy,
  checkObjectRegistration,
  checkQemuMonitorDeregistration,
  checkQemuMonitorRegistration,
} from "./async_forms.ts";
export { whenAllowed } from "../../ffi/turn.ts";
export { NETWORK, NODE_DEVICE, SECRET, STORAGE_POOL } from "./objects.ts";
export type {
  DomainEventID,
  NetworkEventID,
  NodeDeviceEventID,
  SecretEventID,
  StoragePoolEventID,
} from "../../ffi/enums.ts";
