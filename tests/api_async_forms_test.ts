// Specifies rule 4 of docs/api.md over the whole public API: every method of a libvirt object
// that can wait on a daemon or a guest has an `…Async` twin. The methods without one are listed
// here with the reason; a method added without a twin, or a listed one that gained a twin or
// went away, fails this test.
import assert from "node:assert/strict";
import * as mod from "../mod.ts";
import { LibvirtObject } from "../api/object.ts";

const LOCAL = "process-local: never waits on the daemon";
const INTERNAL = "the module's own plumbing (protected or @internal)";
const RELEASE = "releases the wrapper (also by `using`); never waits on a call in flight";
const STREAM_IO = "a non-blocking stream's own I/O returns -2 instead of waiting; the Web " +
  "streams, recvAll/sendAll and ready() are the waiting forms";
const ITERATOR = "returns an async iterator: its registration waits for the connection itself";

const WITHOUT_ASYNC: Record<string, Record<string, string>> = {
  LibvirtObject: {
    children: INTERNAL,
    ptr: INTERNAL,
    releasedWord: INTERNAL,
    release: INTERNAL,
    beforeRelease: INTERNAL,
    free: RELEASE,
  },
  Connection: {
    handle: INTERNAL,
    adopt: INTERNAL,
    close: RELEASE,
    setKeepAlive: "arms the client's own keepalive timer; sends nothing itself",
    registerCloseCallback: LOCAL,
    unregisterCloseCallback: LOCAL,
    copyLastError: LOCAL,
    resetLastError: LOCAL,
    domainEvents: ITERATOR,
    networkEvents: ITERATOR,
    storagePoolEvents: ITERATOR,
    nodeDeviceEvents: ITERATOR,
    secretEvents: ITERATOR,
    domainQemuAttach: "libvirt 9.0 no longer supports it: it fails at once in every driver",
  },
  Domain: {
    getConnect: LOCAL,
    getID: LOCAL,
    getName: LOCAL,
    getUUID: LOCAL,
    getUUIDString: LOCAL,
  },
  DomainSnapshot: { getName: LOCAL, getDomain: LOCAL, getConnect: LOCAL },
  DomainCheckpoint: { getName: LOCAL, getDomain: LOCAL, getConnect: LOCAL },
  Interface: { getConnect: LOCAL, getName: LOCAL },
  NWFilter: { getConnect: LOCAL, getName: LOCAL, getUUID: LOCAL, getUUIDString: LOCAL },
  NWFilterBinding: { getConnect: LOCAL },
  Network: { getConnect: LOCAL, getName: LOCAL, getUUID: LOCAL, getUUIDString: LOCAL },
  NetworkPort: { getNetwork: LOCAL, getConnect: LOCAL, getUUID: LOCAL, getUUIDString: LOCAL },
  NodeDevice: { getConnect: LOCAL, getName: LOCAL },
  Secret: {
    getConnect: LOCAL,
    getUsageType: LOCAL,
    getUsageID: LOCAL,
    getUUID: LOCAL,
    getUUIDString: LOCAL,
  },
  StoragePool: { getConnect: LOCAL, getName: LOCAL, getUUID: LOCAL, getUUIDString: LOCAL },
  StorageVol: { getConnect: LOCAL, getKey: LOCAL, getName: LOCAL },
  Stream: {
    send: STREAM_IO,
    recv: STREAM_IO,
    recvFlags: STREAM_IO,
    sendHole: STREAM_IO,
    recvHole: LOCAL,
    addCallback: LOCAL,
    updateCallback: LOCAL,
    removeCallback: LOCAL,
    ready: "returns a Promise already",
    recvAll: "returns a Promise already",
    sendAll: "returns a Promise already",
    sparseRecvAll: "returns a Promise already",
    sparseSendAll: "returns a Promise already",
  },
};

// The methods a class has, own and inherited, up to LibvirtObject (whose own are listed apart).
function methods(proto: object, stop: object): Set<string> {
  const out = new Set<string>();
  for (let p = proto; p !== null && p !== stop; p = Object.getPrototypeOf(p)) {
    for (const k of Object.getOwnPropertyNames(p)) {
      if (
        k !== "constructor" && typeof Object.getOwnPropertyDescriptor(p, k)!.value === "function"
      ) {
        out.add(k);
      }
    }
  }
  return out;
}

Deno.test("every method that can wait on the daemon has an Async form", () => {
  const classes = Object.entries(mod).filter(([, v]) =>
    typeof v === "function" && v.prototype instanceof LibvirtObject
  ) as [string, { prototype: object }][];
  assert.ok(classes.length >= 13, `only ${classes.length} libvirt object classes found`);
  const problems: string[] = [];
  const check = (name: string, names: Set<string>) => {
    const allowed = WITHOUT_ASYNC[name] ?? {};
    for (const m of names) {
      if (m.endsWith("Async") || names.has(`${m}Async`)) continue;
      // A subclass's override of a base method (free, beforeRelease...) keeps the base's reason.
      if (!(m in allowed) && !(m in WITHOUT_ASYNC.LibvirtObject)) {
        problems.push(`${name}.${m} has no ${m}Async`);
      }
    }
    for (const m of Object.keys(allowed)) {
      if (!names.has(m)) problems.push(`${name}.${m} is listed but is no method`);
      else if (names.has(`${m}Async`)) problems.push(`${name}.${m} is listed but has ${m}Async`);
    }
  };
  check("LibvirtObject", methods(LibvirtObject.prototype, Object.prototype));
  let total = 0;
  for (const [name, cls] of classes) {
    const names = methods(cls.prototype, LibvirtObject.prototype);
    total += [...names].filter((m) => m.endsWith("Async")).length;
    check(name, names);
  }
  assert.deepEqual(problems, []);
  console.log(`${classes.length} classes, ${total} Async methods`);
});
