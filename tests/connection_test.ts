// Specifies Connection against test:///default in process: opening, describing, lookups, lists,
// host info, read-only refusal, and that closing frees what the connection handed out.
import assert from "node:assert/strict";
import {
  Connection,
  ConnectListAllDomainsFlags,
  ConnectListAllNetworksFlags,
  ConnectListAllStoragePoolsFlags,
  Domain,
  ErrorNumber,
  LibvirtError,
  Network,
  NodeDevice,
  Secret,
  SecretUsageType,
  StoragePool,
} from "../mod.ts";
import { requireDaemon } from "./helpers/daemon.ts";
import { assertLibvirtError } from "./helpers/libvirt_error.ts";

const TEST_URI = "test:///default";
const ZERO_UUID = "00000000-0000-0000-0000-000000000000";

Deno.test("Connection opens, describes itself and closes", async (t) => {
  await t.step("open gives a live, writable connection to the test driver", () => {
    using conn = Connection.open(TEST_URI);
    assert.equal(conn.isAlive(), true);
    assert.equal(conn.readOnly, false);
    assert.equal(conn.getURI(), TEST_URI);
    assert.equal(conn.getType(), "TEST");
    assert.ok(conn.getHostname().length > 0);
    assert.ok(conn.getLibVersion().raw >= 9_000_000);
    assert.ok(conn.getVersion().raw > 0);
    assert.match(conn.getCapabilities(), /^<capabilities>/);
    assert.equal(typeof conn.isSecure(), "boolean");
    assert.equal(typeof conn.isEncrypted(), "boolean");
  });

  await t.step("a bogus URI is a LibvirtError, not a crash", () => {
    assert.throws(() => Connection.open("bogus:///nothing"), LibvirtError);
    assert.throws(() => Connection.open("test:///no/such/file.xml"), LibvirtError);
  });

  await t.step("openReadOnly marks the connection read-only", () => {
    using ro = Connection.openReadOnly(TEST_URI);
    assert.equal(ro.readOnly, true);
    assert.equal(ro.lookupDomainByName("test").getName(), "test");
  });

  await t.step("close returns libvirt's remaining references and is safe twice", () => {
    const conn = Connection.open(TEST_URI);
    assert.equal(conn.close(), 0);
    assert.equal(conn.close(), 0);
    assert.equal(conn.freed, true);
  });

  await t.step("a close callback can be registered, replaced and removed", () => {
    using conn = Connection.open(TEST_URI);
    conn.registerCloseCallback(() => {});
    conn.registerCloseCallback(() => {});
    conn.unregisterCloseCallback();
    conn.unregisterCloseCallback();
  });
});

Deno.test("Connection looks up domains", async (t) => {
  using conn = Connection.open(TEST_URI);

  await t.step("by name, UUID string, raw UUID and id, all naming the same domain", () => {
    const dom = conn.lookupDomainByName("test");
    assert.ok(dom instanceof Domain);
    const uuid = dom.getUUIDString();
    assert.equal(conn.lookupDomainByUUIDString(uuid).getName(), "test");
    assert.equal(conn.lookupDomainByUUID(uuid).getName(), "test");
    assert.equal(conn.lookupDomainByUUID(dom.getUUID()).getName(), "test");
    assert.equal(conn.lookupDomainByID(dom.getID()).getName(), "test");
  });

  await t.step("an unknown name, UUID or id is ErrorNumber.NO_DOMAIN", () => {
    assertLibvirtError(() => conn.lookupDomainByName("no-such-domain"), ErrorNumber.NO_DOMAIN);
    assertLibvirtError(() => conn.lookupDomainByUUIDString(ZERO_UUID), ErrorNumber.NO_DOMAIN);
    assertLibvirtError(() => conn.lookupDomainByID(999), ErrorNumber.NO_DOMAIN);
  });

  await t.step("a malformed UUID is a TypeError before libvirt is asked", () => {
    assert.throws(() => conn.lookupDomainByUUIDString("not-a-uuid"), TypeError);
    assert.throws(() => conn.lookupDomainByUUID(new Uint8Array(15)), TypeError);
    assert.throws(() => conn.lookupStoragePoolByUUIDString("1234"), TypeError);
    assert.throws(() => conn.lookupNetworkByUUIDString(""), TypeError);
    assert.throws(() => conn.lookupSecretByUUIDString(`${ZERO_UUID}0`), TypeError);
  });

  await t.step("listAllDomains lists with flags and numOfDomains counts running ones", () => {
    assert.deepEqual(conn.listAllDomains().map((d) => d.getName()), ["test"]);
    assert.equal(conn.listAllDomains(ConnectListAllDomainsFlags.ACTIVE).length, 1);
    assert.equal(conn.listAllDomains(ConnectListAllDomainsFlags.INACTIVE).length, 0);
    assert.equal(conn.numOfDomains(), 1);
  });
});

Deno.test("Connection looks up pools, volumes, networks, devices and secrets", async (t) => {
  using conn = Connection.open(TEST_URI);

  await t.step("storage pools by name, UUID and list", () => {
    const pool = conn.lookupStoragePoolByName("default-pool");
    assert.ok(pool instanceof StoragePool);
    assert.equal(
      conn.lookupStoragePoolByUUIDString(pool.getUUIDString()).getName(),
      "default-pool",
    );
    assert.deepEqual(conn.listAllStoragePools().map((p) => p.getName()), ["default-pool"]);
    assert.equal(conn.listAllStoragePools(ConnectListAllStoragePoolsFlags.INACTIVE).length, 0);
    assertLibvirtError(() => conn.lookupStoragePoolByName("nope"), ErrorNumber.NO_STORAGE_POOL);
    assertLibvirtError(
      () => conn.lookupStoragePoolByUUIDString(ZERO_UUID),
      ErrorNumber.NO_STORAGE_POOL,
    );
  });

  await t.step("storage volumes by path and key", () => {
    const pool = conn.lookupStoragePoolByName("default-pool");
    const vol = pool.createVolumeXML(
      "<volume><name>lookup.img</name><capacity>4096</capacity></volume>",
    );
    assert.equal(conn.lookupStorageVolByPath(vol.getPath()).getName(), "lookup.img");
    assert.equal(conn.lookupStorageVolByKey(vol.getKey()).getName(), "lookup.img");
    vol.delete();
    assertLibvirtError(() => conn.lookupStorageVolByPath("/nope"), ErrorNumber.NO_STORAGE_VOL);
    assertLibvirtError(() => conn.lookupStorageVolByKey("/nope"), ErrorNumber.NO_STORAGE_VOL);
  });

  await t.step("networks by name, UUID and list", () => {
    const net = conn.lookupNetworkByName("default");
    assert.ok(net instanceof Network);
    assert.equal(conn.lookupNetworkByUUIDString(net.getUUIDString()).getName(), "default");
    assert.deepEqual(conn.listAllNetworks().map((n) => n.getName()), ["default"]);
    assert.equal(conn.listAllNetworks(ConnectListAllNetworksFlags.INACTIVE).length, 0);
    assertLibvirtError(() => conn.lookupNetworkByName("nope"), ErrorNumber.NO_NETWORK);
    assertLibvirtError(() => conn.lookupNetworkByUUIDString(ZERO_UUID), ErrorNumber.NO_NETWORK);
  });

  await t.step("node devices by name", () => {
    const dev = conn.lookupNodeDeviceByName("computer");
    assert.ok(dev instanceof NodeDevice);
    assert.equal(dev.getName(), "computer");
    assertLibvirtError(() => conn.lookupNodeDeviceByName("nope"), ErrorNumber.NO_NODE_DEVICE);
  });

  await t.step("secrets: the test driver has none, and says so with NO_SUPPORT", () => {
    assertLibvirtError(
      () => conn.defineSecretXML("<secret><usage type='ceph'><name>c</name></usage></secret>"),
      ErrorNumber.NO_SUPPORT,
    );
    assertLibvirtError(() => conn.lookupSecretByUUIDString(ZERO_UUID), ErrorNumber.NO_SUPPORT);
  });
});

Deno.test("Connection describes the host", async (t) => {
  using conn = Connection.open(TEST_URI);

  await t.step("getNodeInfo decodes virNodeInfo (the test driver's fixed host)", () => {
    assert.deepEqual(conn.getNodeInfo(), {
      model: "i686",
      memory: 3145728,
      cpus: 16,
      mhz: 1400,
      nodes: 2,
      sockets: 2,
      cores: 2,
      threads: 2,
    });
  });

  await t.step("getMaxVcpus answers for the default type", () => {
    assert.equal(conn.getMaxVcpus(), 32);
    assert.equal(conn.getMaxVcpus("test"), 32);
  });
});

Deno.test("a read-only connection refuses changes with OPERATION_DENIED", async (t) => {
  using ro = Connection.openReadOnly(TEST_URI);
  const xml = "<domain type='test'><name>ro</name><memory>65536</memory>" +
    "<os><type>hvm</type></os></domain>";

  await t.step("defining or creating a domain", () => {
    assertLibvirtError(() => ro.defineDomainXML(xml), ErrorNumber.OPERATION_DENIED);
    assertLibvirtError(() => ro.createDomainXML(xml), ErrorNumber.OPERATION_DENIED);
  });

  await t.step("changing an existing domain, pool or network", () => {
    const dom = ro.lookupDomainByName("test");
    assertLibvirtError(() => dom.destroy(), ErrorNumber.OPERATION_DENIED);
    assertLibvirtError(() => dom.suspend(), ErrorNumber.OPERATION_DENIED);
    assertLibvirtError(() => dom.setAutostart(true), ErrorNumber.OPERATION_DENIED);
    assertLibvirtError(
      () => ro.lookupStoragePoolByName("default-pool").destroy(),
      ErrorNumber.OPERATION_DENIED,
    );
    assertLibvirtError(
      () => ro.lookupNetworkByName("default").destroy(),
      ErrorNumber.OPERATION_DENIED,
    );
  });

  await t.step("the refused domain is still running", () => {
    assert.equal(ro.lookupDomainByName("test").isActive(), true);
  });
});

Deno.test("closing a connection frees everything it handed out", async (t) => {
  await t.step("domains, pools, volumes, networks and devices are freed first", () => {
    const conn = Connection.open(TEST_URI);
    const pool = conn.lookupStoragePoolByName("default-pool");
    const children = [
      conn.lookupDomainByName("test"),
      ...conn.listAllDomains(),
      pool,
      pool.createVolumeXML("<volume><name>c.img</name><capacity>1</capacity></volume>"),
      conn.lookupNetworkByName("default"),
      conn.lookupNodeDeviceByName("computer"),
    ];
    conn.close();
    for (const child of children) assert.equal(child.freed, true);
  });

  await t.step("a child freed by hand is not freed again by close", () => {
    const conn = Connection.open(TEST_URI);
    const dom = conn.lookupDomainByName("test");
    dom.free();
    assert.equal(conn.close(), 0);
  });

  await t.step("`using` frees a child at the end of its block", () => {
    using conn = Connection.open(TEST_URI);
    let dom: Domain;
    {
      using d = conn.lookupDomainByName("test");
      dom = d;
    }
    assert.equal(dom.freed, true);
    assert.equal(conn.freed, false);
  });

  await t.step("getConnect returns the very connection object", () => {
    using conn = Connection.open(TEST_URI);
    assert.equal(conn.lookupDomainByName("test").getConnect(), conn);
    assert.equal(conn.lookupStoragePoolByName("default-pool").getConnect(), conn);
    assert.equal(conn.lookupNetworkByName("default").getConnect(), conn);
    assert.equal(conn.lookupNodeDeviceByName("computer").getConnect(), conn);
  });
});

Deno.test("secrets round-trip through the daemon's secret driver", async (t) => {
  const daemon = await requireDaemon("secrets");
  if (!daemon) return;
  const conn = Connection.open(daemon.qemuUri);
  try {
    const secret = conn.defineSecretXML(
      "<secret ephemeral='no' private='yes'><usage type='ceph'><name>client.deno</name>" +
        "</usage></secret>",
    );

    await t.step("defineSecretXML gives a Secret with its usage", () => {
      assert.ok(secret instanceof Secret);
      assert.match(secret.getUUIDString(), /^[0-9a-f-]{36}$/);
      assert.equal(secret.getUsageType(), SecretUsageType.CEPH);
      assert.equal(secret.getUsageID(), "client.deno");
    });

    await t.step("lookupSecretByUUIDString finds it", () => {
      const again = conn.lookupSecretByUUIDString(secret.getUUIDString());
      assert.equal(again.getUsageID(), "client.deno");
    });

    await t.step("setValue takes bytes and refuses anything else", () => {
      secret.setValue(new TextEncoder().encode("hunter2"));
      assert.throws(() => secret.setValue("hunter2" as unknown as Uint8Array), TypeError);
    });

    await t.step("undefine removes it", () => {
      const uuid = secret.getUUIDString();
      secret.undefine();
      assertLibvirtError(() => conn.lookupSecretByUUIDString(uuid), ErrorNumber.NO_SECRET);
    });

    await t.step("a freed Secret throws on every method, and frees twice quietly", () => {
      secret.free();
      secret.free();
      const calls: (() => unknown)[] = [
        () => secret.getConnect(),
        () => secret.getUUIDString(),
        () => secret.getUsageType(),
        () => secret.getUsageID(),
        () => secret.setValue(new Uint8Array(1)),
        () => secret.undefine(),
      ];
      for (const call of calls) assert.throws(call, /Cannot .+: this Secret was freed/);
    });
  } finally {
    conn.close();
    await daemon.stop();
  }
});
