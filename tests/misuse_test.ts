// Specifies that misuse never reaches libvirt: every method of a freed or closed object throws a
// clear Error, releasing twice is a no-op, bad arguments are TypeErrors, and closing a connection
// releases its children (test:///default in process).
import assert from "node:assert/strict";
import {
  Connection,
  Domain,
  DomainMetadataType,
  LibvirtObject,
  type Network,
  type NodeDevice,
  type StoragePool,
  type StorageVol,
} from "../mod.ts";
import { symbol } from "../ffi/library.ts";

const TEST_URI = "test:///default";
const DOMAIN_XML = "<domain type='test'><name>m</name><memory>65536</memory>" +
  "<os><type>hvm</type></os></domain>";
const UUID = "00000000-0000-0000-0000-000000000001";

type Call<T> = (o: T) => unknown;

// One call with valid arguments per public method; every one must throw once the object is gone.
const CONNECTION: Record<string, Call<Connection>> = {
  isAlive: (c) => c.isAlive(),
  isEncrypted: (c) => c.isEncrypted(),
  isSecure: (c) => c.isSecure(),
  getURI: (c) => c.getURI(),
  getHostname: (c) => c.getHostname(),
  getType: (c) => c.getType(),
  getVersion: (c) => c.getVersion(),
  getLibVersion: (c) => c.getLibVersion(),
  getCapabilities: (c) => c.getCapabilities(),
  setKeepAlive: (c) => c.setKeepAlive(5, 3),
  registerCloseCallback: (c) => c.registerCloseCallback(() => {}),
  handle: (c) => c.handle("test"),
  lookupDomainByName: (c) => c.lookupDomainByName("test"),
  lookupDomainByUUIDString: (c) => c.lookupDomainByUUIDString(UUID),
  lookupDomainByUUID: (c) => c.lookupDomainByUUID(new Uint8Array(16)),
  lookupDomainByID: (c) => c.lookupDomainByID(1),
  listAllDomains: (c) => c.listAllDomains(),
  numOfDomains: (c) => c.numOfDomains(),
  defineDomainXML: (c) => c.defineDomainXML(DOMAIN_XML),
  createDomainXML: (c) => c.createDomainXML(DOMAIN_XML),
  lookupStoragePoolByName: (c) => c.lookupStoragePoolByName("default-pool"),
  lookupStoragePoolByUUIDString: (c) => c.lookupStoragePoolByUUIDString(UUID),
  listAllStoragePools: (c) => c.listAllStoragePools(),
  createStoragePoolXML: (c) => c.createStoragePoolXML("<pool type='dir'/>"),
  defineStoragePoolXML: (c) => c.defineStoragePoolXML("<pool type='dir'/>"),
  lookupStorageVolByPath: (c) => c.lookupStorageVolByPath("/x"),
  lookupStorageVolByKey: (c) => c.lookupStorageVolByKey("/x"),
  lookupNetworkByName: (c) => c.lookupNetworkByName("default"),
  lookupNetworkByUUIDString: (c) => c.lookupNetworkByUUIDString(UUID),
  listAllNetworks: (c) => c.listAllNetworks(),
  createNetworkXML: (c) => c.createNetworkXML("<network/>"),
  defineNetworkXML: (c) => c.defineNetworkXML("<network/>"),
  lookupNodeDeviceByName: (c) => c.lookupNodeDeviceByName("computer"),
  defineSecretXML: (c) => c.defineSecretXML("<secret/>"),
  lookupSecretByUUIDString: (c) => c.lookupSecretByUUIDString(UUID),
  getNodeInfo: (c) => c.getNodeInfo(),
  getMaxVcpus: (c) => c.getMaxVcpus(),
};
// Teardown is idempotent: after close these do nothing instead of throwing.
const CONNECTION_TEARDOWN = ["close", "free", "unregisterCloseCallback"];

const DOMAIN: Record<string, Call<Domain>> = {
  getConnect: (d) => d.getConnect(),
  create: (d) => d.create(),
  destroy: (d) => d.destroy(),
  suspend: (d) => d.suspend(),
  resume: (d) => d.resume(),
  shutdown: (d) => d.shutdown(),
  reboot: (d) => d.reboot(),
  reset: (d) => d.reset(),
  undefine: (d) => d.undefine(),
  getName: (d) => d.getName(),
  getUUIDString: (d) => d.getUUIDString(),
  getUUID: (d) => d.getUUID(),
  getID: (d) => d.getID(),
  getState: (d) => d.getState(),
  getInfo: (d) => d.getInfo(),
  getXMLDesc: (d) => d.getXMLDesc(),
  getOSType: (d) => d.getOSType(),
  isActive: (d) => d.isActive(),
  isPersistent: (d) => d.isPersistent(),
  isUpdated: (d) => d.isUpdated(),
  getAutostart: (d) => d.getAutostart(),
  setAutostart: (d) => d.setAutostart(true),
  setMetadata: (d) => d.setMetadata(DomainMetadataType.TITLE, "t"),
  getMetadata: (d) => d.getMetadata(DomainMetadataType.TITLE),
  setMemory: (d) => d.setMemory(1024),
  getMaxMemory: (d) => d.getMaxMemory(),
  managedSave: (d) => d.managedSave(),
  hasManagedSaveImage: (d) => d.hasManagedSaveImage(),
  managedSaveRemove: (d) => d.managedSaveRemove(),
};

const POOL: Record<string, Call<StoragePool>> = {
  getConnect: (p) => p.getConnect(),
  create: (p) => p.create(),
  destroy: (p) => p.destroy(),
  undefine: (p) => p.undefine(),
  refresh: (p) => p.refresh(),
  getName: (p) => p.getName(),
  getUUIDString: (p) => p.getUUIDString(),
  getInfo: (p) => p.getInfo(),
  getXMLDesc: (p) => p.getXMLDesc(),
  isActive: (p) => p.isActive(),
  isPersistent: (p) => p.isPersistent(),
  listAllVolumes: (p) => p.listAllVolumes(),
  lookupVolumeByName: (p) => p.lookupVolumeByName("v.img"),
  createVolumeXML: (p) => p.createVolumeXML("<volume><name>w</name></volume>"),
};

const VOLUME: Record<string, Call<StorageVol>> = {
  getConnect: (v) => v.getConnect(),
  getName: (v) => v.getName(),
  getKey: (v) => v.getKey(),
  getPath: (v) => v.getPath(),
  getInfo: (v) => v.getInfo(),
  getXMLDesc: (v) => v.getXMLDesc(),
  delete: (v) => v.delete(),
  wipe: (v) => v.wipe(),
  resize: (v) => v.resize(1024),
  getPool: (v) => v.getPool(),
};

const NETWORK: Record<string, Call<Network>> = {
  getConnect: (n) => n.getConnect(),
  create: (n) => n.create(),
  destroy: (n) => n.destroy(),
  undefine: (n) => n.undefine(),
  getName: (n) => n.getName(),
  getUUIDString: (n) => n.getUUIDString(),
  getXMLDesc: (n) => n.getXMLDesc(),
  getBridgeName: (n) => n.getBridgeName(),
  isActive: (n) => n.isActive(),
  isPersistent: (n) => n.isPersistent(),
};

const DEVICE: Record<string, Call<NodeDevice>> = {
  getConnect: (d) => d.getConnect(),
  getName: (d) => d.getName(),
};

// Methods the runtime prototype has but that are not part of the public surface.
const PROTECTED = new Set(["constructor", "beforeRelease", "releasedWord", "adopt"]);

/** The public methods of an object's class chain below LibvirtObject. */
function publicMethods(o: object): string[] {
  const names = new Set<string>();
  for (
    let p = Object.getPrototypeOf(o);
    p && p !== LibvirtObject.prototype;
    p = Object.getPrototypeOf(p)
  ) {
    for (const name of Object.getOwnPropertyNames(p)) {
      const desc = Object.getOwnPropertyDescriptor(p, name);
      if (typeof desc?.value === "function" && !PROTECTED.has(name)) names.add(name);
    }
  }
  return [...names];
}

/**
 * Calls every method of a released object. The listed ones (valid arguments) must throw
 * "Cannot <verb>: this <Kind> was <word>". Any method added later and missing from the list is
 * called without arguments and must still throw an Error (a TypeError or the released error).
 */
function assertAllThrow<T extends object>(
  o: T,
  calls: Record<string, Call<T>>,
  kind: string,
  word: string,
  skip: string[] = [],
): void {
  const pattern = new RegExp(`^Cannot .+: this ${kind} was ${word}$`);
  for (const [name, call] of Object.entries(calls)) {
    assert.throws(() => call(o), (e: unknown) => {
      assert.ok(e instanceof Error && !(e instanceof TypeError), `${name}: ${e}`);
      assert.match(e.message, pattern, `${kind}.${name}`);
      return true;
    });
  }
  for (const name of publicMethods(o)) {
    if (name in calls || skip.includes(name)) continue;
    const fn = (o as Record<string, unknown>)[name] as () => unknown;
    assert.throws(() => fn.call(o), Error, `${kind}.${name} (unlisted) did not throw`);
  }
  assert.throws(() => (o as unknown as LibvirtObject).unsafePointer, (e: unknown) => {
    assert.match((e as Error).message, pattern);
    return true;
  });
}

Deno.test("every method of a released object throws a clear Error", async (t) => {
  await t.step("a closed Connection says it was closed", () => {
    const conn = Connection.open(TEST_URI);
    conn.close();
    assertAllThrow(conn, CONNECTION, "Connection", "closed", CONNECTION_TEARDOWN);
  });

  await t.step("freed Domain, StoragePool, StorageVol, Network and NodeDevice say freed", () => {
    using conn = Connection.open(TEST_URI);
    const dom = conn.lookupDomainByName("test");
    const pool = conn.lookupStoragePoolByName("default-pool");
    const vol = pool.createVolumeXML("<volume><name>v.img</name><capacity>1</capacity></volume>");
    const net = conn.lookupNetworkByName("default");
    const dev = conn.lookupNodeDeviceByName("computer");
    for (const o of [dom, pool, vol, net, dev]) o.free();
    assertAllThrow(dom, DOMAIN, "Domain", "freed");
    assertAllThrow(pool, POOL, "StoragePool", "freed");
    assertAllThrow(vol, VOLUME, "StorageVol", "freed");
    assertAllThrow(net, NETWORK, "Network", "freed");
    assertAllThrow(dev, DEVICE, "NodeDevice", "freed");
    // The connection itself is untouched by its children being freed.
    assert.equal(conn.lookupDomainByName("test").isActive(), true);
  });

  await t.step("objects obtained before conn.close() throw afterwards", () => {
    const conn = Connection.open(TEST_URI);
    const dom = conn.lookupDomainByName("test");
    const pool = conn.lookupStoragePoolByName("default-pool");
    const vol = pool.createVolumeXML("<volume><name>v.img</name><capacity>1</capacity></volume>");
    const net = conn.lookupNetworkByName("default");
    const dev = conn.lookupNodeDeviceByName("computer");
    conn.close();
    for (const o of [dom, pool, vol, net, dev]) assert.equal(o.freed, true);
    assertAllThrow(dom, DOMAIN, "Domain", "freed");
    assertAllThrow(pool, POOL, "StoragePool", "freed");
    assertAllThrow(vol, VOLUME, "StorageVol", "freed");
    assertAllThrow(net, NETWORK, "Network", "freed");
    assertAllThrow(dev, DEVICE, "NodeDevice", "freed");
  });
});

Deno.test("releasing twice is a no-op", async (t) => {
  await t.step("free() twice, dispose after free, and free after the connection closed", () => {
    const conn = Connection.open(TEST_URI);
    const objects: LibvirtObject[] = [
      conn.lookupDomainByName("test"),
      conn.lookupStoragePoolByName("default-pool"),
      conn.lookupNetworkByName("default"),
      conn.lookupNodeDeviceByName("computer"),
    ];
    for (const o of objects) {
      o.free();
      o.free();
      o[Symbol.dispose]();
    }
    const late = conn.lookupDomainByName("test");
    conn.close();
    late.free();
    assert.equal(late.freed, true);
  });

  await t.step("close() and free() on a closed connection return quietly", () => {
    const conn = Connection.open(TEST_URI);
    conn.registerCloseCallback(() => {});
    assert.equal(conn.close(), 0);
    assert.equal(conn.close(), 0);
    conn.free();
    conn.unregisterCloseCallback();
    conn[Symbol.dispose]();
  });
});

Deno.test("wrong arguments are TypeErrors thrown before libvirt is called", async (t) => {
  using conn = Connection.open(TEST_URI);
  const dom = conn.lookupDomainByName("test");
  const pool = conn.lookupStoragePoolByName("default-pool");
  const vol = pool.createVolumeXML("<volume><name>t.img</name><capacity>1</capacity></volume>");
  // deno-lint-ignore no-explicit-any
  const bad = (v: unknown): any => v;

  await t.step("a number, null or object where a string is expected", () => {
    assert.throws(() => Connection.open(bad(42)), TypeError);
    assert.throws(() => conn.lookupDomainByName(bad(42)), TypeError);
    assert.throws(() => conn.lookupDomainByName(bad(null)), TypeError);
    assert.throws(() => conn.lookupDomainByUUID(bad(123)), TypeError);
    assert.throws(() => conn.defineDomainXML(bad(undefined)), TypeError);
    assert.throws(() => conn.createNetworkXML(bad({})), TypeError);
    assert.throws(() => conn.lookupStorageVolByPath(bad(["/x"])), TypeError);
    assert.throws(() => conn.getMaxVcpus(bad(5)), TypeError);
    assert.throws(() => pool.lookupVolumeByName(bad(1)), TypeError);
    assert.throws(() => dom.setMetadata(DomainMetadataType.TITLE, bad(5)), TypeError);
  });

  await t.step("strings containing NUL", () => {
    assert.throws(() => Connection.open("test:///default\0x"), TypeError);
    assert.throws(() => conn.lookupDomainByName("te\0st"), TypeError);
    assert.throws(() => conn.defineDomainXML(`${DOMAIN_XML}\0`), TypeError);
    assert.throws(() => pool.createVolumeXML("<volume>\0</volume>"), TypeError);
    assert.throws(() => dom.getMetadata(DomainMetadataType.ELEMENT, "http://x\0"), TypeError);
  });

  await t.step("NaN, negative, fractional, huge or non-number flags", () => {
    for (const flags of [NaN, -1, 1.5, 2 ** 32, Infinity, bad("1"), bad(1n)]) {
      assert.throws(() => conn.listAllDomains(flags), TypeError, `listAllDomains(${flags})`);
      assert.throws(() => dom.destroy(flags), TypeError, `destroy(${flags})`);
      assert.throws(() => dom.getXMLDesc(flags), TypeError);
      assert.throws(() => pool.listAllVolumes(flags), TypeError);
      assert.throws(() => vol.delete(flags), TypeError);
    }
  });

  await t.step("out-of-range ids, sizes and memory", () => {
    for (const id of [-1, 2 ** 31, NaN, 1.5]) {
      assert.throws(() => conn.lookupDomainByID(id), TypeError);
    }
    for (const size of [-1, NaN, 0.5, -1n, 2n ** 64n]) {
      assert.throws(() => dom.setMemory(size), TypeError);
      assert.throws(() => vol.resize(size), TypeError);
    }
    assert.throws(() => conn.setKeepAlive(NaN, 3), TypeError);
  });

  await t.step("non-boolean autostart, bad metadata type, bad UUIDs", () => {
    assert.throws(() => dom.setAutostart(bad(1)), TypeError);
    assert.throws(() => dom.getMetadata(bad(99)), TypeError);
    assert.throws(() => conn.lookupDomainByUUIDString("xyz"), TypeError);
    assert.throws(() => conn.lookupDomainByUUID(new Uint8Array(17)), TypeError);
  });

  await t.step("after all of that, the objects still work", () => {
    assert.equal(dom.isActive(), true);
    assert.equal(vol.getName(), "t.img");
    assert.equal(conn.isAlive(), true);
  });
});

Deno.test("fromPointer takes ownership of a reference", async (t) => {
  await t.step("a second wrapper over an extra reference is freed independently", () => {
    using conn = Connection.open(TEST_URI);
    const dom = conn.lookupDomainByName("test");
    assert.equal(symbol("virDomainRef")(dom.unsafePointer), 0);
    const twin = Domain.fromPointer(conn, dom.unsafePointer);
    dom.free();
    assert.equal(twin.getName(), "test");
    twin.free();
  });

  await t.step("wrapping for a closed connection drops the reference and throws", () => {
    const conn = Connection.open(TEST_URI);
    const dom = conn.lookupDomainByName("test");
    assert.equal(symbol("virDomainRef")(dom.unsafePointer), 0);
    const extra = dom.unsafePointer;
    conn.close();
    assert.throws(() => Domain.fromPointer(conn, extra), /its Connection was closed/);
  });
});
