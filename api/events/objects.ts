// Network, storage pool, node device and secret event registration, with typed payloads.
import {
  NetworkEventID,
  NodeDeviceEventID,
  SecretEventID,
  StoragePoolEventID,
} from "../../ffi/enums.ts";
import { describe } from "../../ffi/marshal.ts";
import type { Connection } from "../connection.ts";
import type { LibvirtObject } from "../object.ts";
import { Network } from "../network.ts";
import { StoragePool } from "../storage_pool.ts";
import { NodeDevice } from "../node_device.ts";
import { Secret } from "../secret.ts";
import type {
  NetworkEventPayloads,
  NodeDeviceEventPayloads,
  SecretEventPayloads,
  StoragePoolEventPayloads,
} from "./object_payloads.ts";
import { type EventKind, subscribe, unsubscribe } from "./tracking.ts";
import { adoptNetwork, adoptNodeDevice, adoptSecret, adoptStoragePool } from "./wrap.ts";

/** A handler for one network event ID; `net` is the caller's to keep (see DomainEventCallback). */
export type NetworkEventCallback<K extends NetworkEventID> = (
  conn: Connection,
  net: Network,
  event: NetworkEventPayloads[K],
) => void;

/** A handler for one storage pool event ID; `pool` is the caller's to keep. */
export type StoragePoolEventCallback<K extends StoragePoolEventID> = (
  conn: Connection,
  pool: StoragePool,
  event: StoragePoolEventPayloads[K],
) => void;

/** A handler for one node device event ID; `dev` is the caller's to keep. */
export type NodeDeviceEventCallback<K extends NodeDeviceEventID> = (
  conn: Connection,
  dev: NodeDevice,
  event: NodeDeviceEventPayloads[K],
) => void;

/** A handler for one secret event ID; `secret` is the caller's to keep. */
export type SecretEventCallback<K extends SecretEventID> = (
  conn: Connection,
  secret: Secret,
  event: SecretEventPayloads[K],
) => void;

// What differs between the four kinds. In libvirt 9.0 each has LIFECYCLE = 0 with (int event,
// int detail) and, apart from networks, one generic event with no arguments.
/** @internal One object kind's event API. */
export interface ObjectEventSpec<O extends LibvirtObject> {
  /** Its registration family. */
  kind: EventKind;
  /** Its name in messages. */
  noun: string;
  /** Its wrapper class's name, for messages. */
  className: string;
  /** Whether a value is its wrapper (a function, so the class is read after module cycles). */
  isInstance(v: unknown): v is O;
  /** Its event ID enum. */
  ids: Record<string, number>;
  /** The filter key libvirt compares registrations by (UUID; name for node devices). */
  key(obj: O): string;
  /** Wraps a borrowed pointer with a new reference. */
  adopt(conn: Connection, ptr: Deno.PointerObject): O;
}

const LIFECYCLE = 0;

/** Checks an event ID of one kind; exported for the async iterators. */
export function objectEventIDArg(ids: Record<string, number>, noun: string, id: unknown): number {
  if (typeof id !== "number" || !Object.values(ids).includes(id)) {
    throw new TypeError(`Unknown ${noun} event ID ${describe(id)}`);
  }
  return id;
}

/** @internal Checks a filter of one object kind: an object of that kind, or null. */
export function objectFilterArg<O extends LibvirtObject>(
  spec: ObjectEventSpec<O>,
  obj: unknown,
): void {
  if (obj !== null && obj !== undefined && !spec.isInstance(obj)) {
    throw new TypeError(
      `The ${spec.noun} filter must be a ${spec.className} or null, got ${describe(obj)}`,
    );
  }
}

/** @internal Checks the arguments of a registration of one object kind (TypeErrors). */
export function checkObjectEventArgs<O extends LibvirtObject>(
  spec: ObjectEventSpec<O>,
  obj: unknown,
  eventID: unknown,
  cb: unknown,
): void {
  objectFilterArg(spec, obj);
  objectEventIDArg(spec.ids, spec.noun, eventID);
  if (typeof cb !== "function") throw new TypeError("The event callback must be a function");
}

/** @internal Registers one event ID of one object kind. */
export function registerObjectEvent<O extends LibvirtObject>(
  spec: ObjectEventSpec<O>,
  conn: Connection,
  obj: O | null,
  eventID: number,
  cb: (conn: Connection, obj: O, payload: never) => void,
): number {
  checkObjectEventArgs(spec, obj, eventID, cb);
  const id = objectEventIDArg(spec.ids, spec.noun, eventID);
  const lifecycle = id === LIFECYCLE;
  return subscribe(conn, {
    kind: spec.kind,
    eventID: id,
    shape: lifecycle ? "intInt" : "none",
    decode: (args) => lifecycle ? { event: args[0] as number, detail: args[1] as number } : {},
    filter: obj ? { ptr: obj.unsafePointer, key: spec.key(obj) } : null,
    where: `${spec.noun} event callback (ID ${id})`,
    deliver: (ptr, payload) => cb(conn, spec.adopt(conn, ptr), payload as never),
  });
}

/** The network kind. */
export const NETWORK: ObjectEventSpec<Network> = {
  kind: "network",
  noun: "network",
  className: "Network",
  isInstance: (v): v is Network => v instanceof Network,
  key: (o) => o.getUUIDString(),
  ids: NetworkEventID,
  adopt: adoptNetwork,
};
/** The storage pool kind. */
export const STORAGE_POOL: ObjectEventSpec<StoragePool> = {
  kind: "storagePool",
  noun: "storage pool",
  className: "StoragePool",
  isInstance: (v): v is StoragePool => v instanceof StoragePool,
  key: (o) => o.getUUIDString(),
  ids: StoragePoolEventID,
  adopt: adoptStoragePool,
};
/** The node device kind. */
export const NODE_DEVICE: ObjectEventSpec<NodeDevice> = {
  kind: "nodeDevice",
  noun: "node device",
  className: "NodeDevice",
  isInstance: (v): v is NodeDevice => v instanceof NodeDevice,
  key: (o) => o.getName(),
  ids: NodeDeviceEventID,
  adopt: adoptNodeDevice,
};
/** The secret kind. */
export const SECRET: ObjectEventSpec<Secret> = {
  kind: "secret",
  noun: "secret",
  className: "Secret",
  isInstance: (v): v is Secret => v instanceof Secret,
  key: (o) => o.getUUIDString(),
  ids: SecretEventID,
  adopt: adoptSecret,
};

/** `virConnectNetworkEventRegisterAny`; see `Connection.networkEventRegisterAny`. */
export function networkEventRegisterAny<K extends NetworkEventID>(
  conn: Connection,
  net: Network | null,
  eventID: K,
  cb: NetworkEventCallback<K>,
): number {
  return registerObjectEvent(NETWORK, conn, net, eventID, cb);
}

/** `virConnectStoragePoolEventRegisterAny`; see `Connection.storagePoolEventRegisterAny`. */
export function storagePoolEventRegisterAny<K extends StoragePoolEventID>(
  conn: Connection,
  pool: StoragePool | null,
  eventID: K,
  cb: StoragePoolEventCallback<K>,
): number {
  return registerObjectEvent(STORAGE_POOL, conn, pool, eventID, cb);
}

/** `virConnectNodeDeviceEventRegisterAny`; see `Connection.nodeDeviceEventRegisterAny`. */
export function nodeDeviceEventRegisterAny<K extends NodeDeviceEventID>(
  conn: Connection,
  dev: NodeDevice | null,
  eventID: K,
  cb: NodeDeviceEventCallback<K>,
): number {
  return registerObjectEvent(NODE_DEVICE, conn, dev, eventID, cb);
}

/** `virConnectSecretEventRegisterAny`; see `Connection.secretEventRegisterAny`. */
export function secretEventRegisterAny<K extends SecretEventID>(
  conn: Connection,
  secret: Secret | null,
  eventID: K,
  cb: SecretEventCallback<K>,
): number {
  return registerObjectEvent(SECRET, conn, secret, eventID, cb);
}

/** Deregisters a callback id of one kind (`virConnect<Kind>EventDeregisterAny`). */
export function objectEventDeregisterAny(
  conn: Connection,
  kind: Exclude<EventKind, "domain">,
  callbackID: number,
): void {
  unsubscribe(conn, kind, callbackID);
}
