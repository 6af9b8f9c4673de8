// Turns the object pointer libvirt lends an event callback into a wrapper the user may keep.
import { callInt } from "../../ffi/call.ts";
import type { Connection } from "../connection.ts";
import { Domain } from "../domain.ts";
import { Network } from "../network.ts";
import { StoragePool } from "../storage_pool.ts";
import { NodeDevice } from "../node_device.ts";
import { Secret } from "../secret.ts";

// libvirt unrefs the object right after the callback returns. Taking our own reference first
// makes the wrapper independent of that: the user may keep it past the callback, free() it, or
// drop it (the FinalizationRegistry backstop then releases the reference), and it is freed with
// its connection like any other child.

/** A new Domain wrapper holding its own reference to a borrowed `virDomainPtr`. */
export function adoptDomain(conn: Connection, ptr: Deno.PointerObject): Domain {
  callInt("virDomainRef", ptr);
  return Domain.fromPointer(conn, ptr);
}

/** A new Network wrapper holding its own reference to a borrowed `virNetworkPtr`. */
export function adoptNetwork(conn: Connection, ptr: Deno.PointerObject): Network {
  callInt("virNetworkRef", ptr);
  return Network.fromPointer(conn, ptr);
}

/** A new StoragePool wrapper holding its own reference to a borrowed `virStoragePoolPtr`. */
export function adoptStoragePool(conn: Connection, ptr: Deno.PointerObject): StoragePool {
  callInt("virStoragePoolRef", ptr);
  return StoragePool.fromPointer(conn, ptr);
}

/** A new NodeDevice wrapper holding its own reference to a borrowed `virNodeDevicePtr`. */
export function adoptNodeDevice(conn: Connection, ptr: Deno.PointerObject): NodeDevice {
  callInt("virNodeDeviceRef", ptr);
  return NodeDevice.fromPointer(conn, ptr);
}

/** A new Secret wrapper holding its own reference to a borrowed `virSecretPtr`. */
export function adoptSecret(conn: Connection, ptr: Deno.PointerObject): Secret {
  callInt("virSecretRef", ptr);
  return Secret.fromPointer(conn, ptr);
}
