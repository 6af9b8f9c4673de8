// Refuses `new Domain(...)`-style construction from user code: wrappers come from libvirt calls.

// Where each kind of wrapper comes from, for the message. A kind added later (H-api's new object
// kinds) gets the generic hint until it is listed here.
const WHERE_FROM: Record<string, string> = {
  Connection: 'Connection.open("test:///default") or Connection.openReadOnly(uri)',
  Domain: 'conn.lookupDomainByName("test"), conn.listAllDomains(), conn.createDomainXML(xml) ' +
    "or conn.defineDomainXML(xml)",
  StoragePool: "conn.lookupStoragePoolByName(name), conn.listAllStoragePools() or " +
    "conn.createStoragePoolXML(xml)",
  StorageVol: "pool.lookupVolumeByName(name), conn.lookupStorageVolByPath(path) or " +
    "pool.createVolumeXML(xml)",
  Network: "conn.lookupNetworkByName(name), conn.listAllNetworks() or conn.createNetworkXML(xml)",
  NodeDevice: "conn.lookupNodeDeviceByName(name) or conn.listAllNodeDevices()",
  Secret: "conn.lookupSecretByUUIDString(uuid), conn.listAllSecrets() or conn.defineSecretXML(xml)",
};

function isPointerObject(p: unknown): p is Deno.PointerObject {
  if (typeof p !== "object" || p === null) return false;
  try {
    // Only a real FFI pointer object converts; anything else throws "Invalid FFI pointer type".
    return BigInt(Deno.UnsafePointer.value(p as Deno.PointerObject)) !== 0n;
  } catch {
    return false;
  }
}

/**
 * Checks what a wrapper constructor was given. The constructors take libvirt pointers and are
 * private in TypeScript, but JavaScript (or a cast) can still call `new Connection(uri)`: that
 * would store a string as a pointer and fail later with Deno's "Invalid FFI pointer type". This
 * says at once where such an object comes from instead.
 */
export function checkWrapperPointer(kind: string, ptr: unknown): void {
  if (isPointerObject(ptr)) return;
  const from = WHERE_FROM[kind] ??
    `the Connection (or parent object) method that looks up or creates a ${kind}`;
  throw new TypeError(
    `A ${kind} cannot be made with \`new ${kind}(...)\`: its constructor takes a libvirt ` +
      `pointer, not ${describeArg(ptr)}. Get one from ${from}.`,
  );
}

function describeArg(v: unknown): string {
  if (typeof v === "string") return `a string ("${v.length > 40 ? v.slice(0, 40) + "…" : v}")`;
  if (v === null || v === undefined) return String(v);
  if (typeof v === "object") return `a ${(v as object).constructor?.name ?? "object"}`;
  return `a ${typeof v}`;
}
