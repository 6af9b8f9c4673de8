// The reference functions of each object type with events: a registration's filter object and
// an event's object are held past libvirt's own reference by these (tracking.ts, relay.ts).
import type { EventKind } from "./tracking.ts";

/** `vir*Ref` of each object type. */
export const OBJECT_REF = {
  domain: "virDomainRef",
  network: "virNetworkRef",
  storagePool: "virStoragePoolRef",
  nodeDevice: "virNodeDeviceRef",
  secret: "virSecretRef",
} as const satisfies Record<EventKind, string>;

/** `vir*Free` of each object type (drops one reference). */
export const OBJECT_FREE = {
  domain: "virDomainFree",
  network: "virNetworkFree",
  storagePool: "virStoragePoolFree",
  nodeDevice: "virNodeDeviceFree",
  secret: "virSecretFree",
} as const satisfies Record<EventKind, string>;
