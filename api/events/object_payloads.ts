// Typed payloads of the network, storage pool, node device and secret events of libvirt 9.0.
import type {
  NetworkEventID,
  NodeDeviceEventID,
  SecretEventID,
  StoragePoolEventID,
} from "../../ffi/enums.ts";
import type {
  NetworkEventLifecycleType,
  NodeDeviceEventLifecycleType,
  SecretEventLifecycleType,
  StoragePoolEventLifecycleType,
} from "../../ffi/enums.ts";

/** An event that carries nothing beyond the object (pool REFRESH, device UPDATE, …). */
export type ObjectEventEmpty = Record<string, never>;

/** A lifecycle event: what happened, and a detail libvirt 9.0 always sets to 0. */
export interface ObjectLifecycleEvent<E extends number> {
  /** What happened (DEFINED, STARTED, …). */
  event: E;
  /** Reserved detail (0). */
  detail: number;
}

/** `NetworkEventID.LIFECYCLE`. */
export type NetworkLifecycleEvent = ObjectLifecycleEvent<NetworkEventLifecycleType>;
/** `StoragePoolEventID.LIFECYCLE`. */
export type StoragePoolLifecycleEvent = ObjectLifecycleEvent<StoragePoolEventLifecycleType>;
/** `NodeDeviceEventID.LIFECYCLE`. */
export type NodeDeviceLifecycleEvent = ObjectLifecycleEvent<NodeDeviceEventLifecycleType>;
/** `SecretEventID.LIFECYCLE`. */
export type SecretLifecycleEvent = ObjectLifecycleEvent<SecretEventLifecycleType>;

/** The payload type of each `NetworkEventID`. */
export interface NetworkEventPayloads {
  /** virConnectNetworkEventLifecycleCallback. */
  [NetworkEventID.LIFECYCLE]: NetworkLifecycleEvent;
}

/** The payload type of each `StoragePoolEventID`. */
export interface StoragePoolEventPayloads {
  /** virConnectStoragePoolEventLifecycleCallback. */
  [StoragePoolEventID.LIFECYCLE]: StoragePoolLifecycleEvent;
  /** virConnectStoragePoolEventGenericCallback: the pool was refreshed. */
  [StoragePoolEventID.REFRESH]: ObjectEventEmpty;
}

/** The payload type of each `NodeDeviceEventID`. */
export interface NodeDeviceEventPayloads {
  /** virConnectNodeDeviceEventLifecycleCallback. */
  [NodeDeviceEventID.LIFECYCLE]: NodeDeviceLifecycleEvent;
  /** virConnectNodeDeviceEventGenericCallback: the device's configuration changed. */
  [NodeDeviceEventID.UPDATE]: ObjectEventEmpty;
}

/** The payload type of each `SecretEventID`. */
export interface SecretEventPayloads {
  /** virConnectSecretEventLifecycleCallback. */
  [SecretEventID.LIFECYCLE]: SecretLifecycleEvent;
  /** virConnectSecretEventGenericCallback: the secret's value changed. */
  [SecretEventID.VALUE_CHANGED]: ObjectEventEmpty;
}
