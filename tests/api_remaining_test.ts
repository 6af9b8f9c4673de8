// Calls the C functions no other API test reached: the name lists of defined (inactive) networks,
// pools and interfaces, the free memory, the old migrate calls and the connection's last error on
// test:///default; on the private libvirtd, network filter names, a network port's UUID, XML and
// bandwidth parameters, and secret events.
import "./helpers/loop.ts";
import assert from "node:assert/strict";
import {
  Connection,
  ErrorNumber,
  eventCallbackCount,
  LibvirtError,
  SecretEventID,
  TypedParameterType,
} from "../mod.ts";
import { requireDaemon } from "./helpers/daemon.ts";
import { assertLibvirtError } from "./helpers/libvirt_error.ts";
import { waitFor } from "./helpers/wait.ts";

Deno.test("test:///default: defined-object names, free memory, the old migrate calls", async (t) => {
  using conn = Connection.open("test:///default");

  await t.step("listDefinedNetworks: a defined, never started network", () => {
    assert.deepEqual(conn.listDefinedNetworks(), []);
    const net = conn.defineNetworkXML(
      "<network><name>rem-net</name><bridge name='rembr0'/></network>",
    );
    try {
      assert.deepEqual(conn.listDefinedNetworks(), ["rem-net"]);
      assert.ok(!conn.listNetworks().includes("rem-net"), "an inactive network is not running");
    } finally {
      net.undefine();
    }
    assert.deepEqual(conn.listDefinedNetworks(), []);
  });

  await t.step("listDefinedStoragePools: a defined, never started pool", () => {
    const pool = conn.defineStoragePoolXML(
      "<pool type='dir'><name>rem-pool</name><target><path>/rem-pool</path></target></pool>",
    );
    try {
      assert.deepEqual(conn.listDefinedStoragePools(), ["rem-pool"]);
      assert.ok(!conn.listStoragePools().includes("rem-pool"));
    } finally {
      pool.undefine();
    }
    assert.deepEqual(conn.listDefinedStoragePools(), []);
  });

  await t.step("listDefinedInterfaces: a defined, never started interface", () => {
    const iface = conn.defineInterfaceXML(
      "<interface type='ethernet' name='rem9'><mac address='52:54:00:00:0e:09'/></interface>",
    );
    try {
      assert.deepEqual(conn.listDefinedInterfaces(), ["rem9"]);
      assert.ok(!conn.listInterfaces().includes("rem9"));
    } finally {
      iface.undefine();
    }
    assert.deepEqual(conn.listDefinedInterfaces(), []);
  });

  await t.step("getNodeFreeMemory: the driver's fixed host, in bytes", () => {
    const free = conn.getNodeFreeMemory();
    assert.equal(typeof free, "bigint");
    assert.ok(free > 0n);
    // The test driver's host is fixed: the same answer each time, within the host's memory (KiB).
    assert.equal(conn.getNodeFreeMemory(), free);
    assert.ok(free <= BigInt(conn.getNodeInfo().memory) * 1024n);
  });

  await t.step("migrate and migrate2: the test driver cannot migrate", () => {
    using dst = Connection.open("test:///default");
    const dom = conn.lookupDomainByName("test");
    assertLibvirtError(() => dom.migrate(dst, 0, "moved", null, 10), ErrorNumber.NO_SUPPORT);
    assertLibvirtError(
      () => dom.migrate2(dst, dom.getXMLDesc(), 0, "moved"),
      ErrorNumber.NO_SUPPORT,
    );
    assert.throws(() => dst.lookupDomainByName("moved"), LibvirtError);
    // Bad arguments are TypeErrors before libvirt.
    assert.throws(() => dom.migrate({} as Connection), TypeError);
    assert.throws(() => dom.migrate2(dst, 5 as unknown as string), TypeError);
    assert.throws(() => dom.migrate(dst, 0, null, null, -1), TypeError);
  });

  await t.step(
    "copyLastError: the connection keeps its last failure, from the JS thread or the pool",
    async () => {
      conn.resetLastError();
      assert.equal(conn.copyLastError(), null);
      const thrown = assertLibvirtError(
        () => conn.lookupDomainByName("no-such-domain"),
        ErrorNumber.NO_DOMAIN,
      );
      const copy = conn.copyLastError();
      assert.ok(copy instanceof LibvirtError);
      assert.equal(copy.code, ErrorNumber.NO_DOMAIN);
      assert.equal(copy.domain, thrown.domain);
      assert.equal(copy.message, thrown.message);
      // Each copy owns its strings (freed once read): a second copy reads the same record, and
      // a call that succeeds leaves the record as it was.
      conn.lookupDomainByName("test").free();
      assert.equal(conn.copyLastError()?.message, thrown.message);
      // An async call fails on a pool thread, whose own last error the JS thread cannot see:
      // libvirt copies it to the connection all the same.
      let rejected: unknown;
      await conn.lookupNetworkByNameAsync("no-such-net").catch((e) => rejected = e);
      assert.ok(rejected instanceof LibvirtError);
      const fromPool = conn.copyLastError();
      assert.equal(fromPool?.code, ErrorNumber.NO_NETWORK);
      assert.equal(fromPool?.message, rejected.message);
      conn.resetLastError();
      assert.equal(conn.copyLastError(), null);
    },
  );
});

Deno.test("the private daemon: filter names, a network port, secret events", async (t) => {
  const given = Deno.env.get("API_DAEMON_URI");
  const d = given ? null : await requireDaemon("api_remaining_test.ts");
  if (!d && !given) return;
  const tag = `rem-${Deno.pid}`;
  try {
    using conn = Connection.open(given ?? d!.qemuUri);

    await t.step("listNWFilters names a defined filter", () => {
      const f = conn.defineNWFilterXML(
        `<filter name='${tag}'><rule action='accept' direction='in'><all/></rule></filter>`,
      );
      try {
        const names = conn.listNWFilters();
        assert.equal(names.length, conn.numOfNWFilters());
        assert.ok(names.includes(tag), `${tag} missing from ${names}`);
      } finally {
        f.undefine();
      }
      assert.ok(!conn.listNWFilters().includes(tag));
    });

    await t.step("NetworkPort: UUID, XML, bandwidth parameters", () => {
      // A transient network that borrows `lo` (bridge mode: no bridge made, no firewall rules).
      const net = conn.createNetworkXML(
        `<network><name>${tag}</name><forward mode='bridge'><interface dev='lo'/></forward>` +
          `</network>`,
      );
      try {
        const uuid = "00000000-0000-0000-0000-0000000000b2";
        const port = net.portCreateXML(
          `<networkport><uuid>${uuid}</uuid><owner><name>${tag}</name>` +
            `<uuid>00000000-0000-0000-0000-0000000000b1</uuid></owner>` +
            `<mac address='52:54:00:00:00:b1'/></networkport>`,
        );
        try {
          const raw = port.getUUID();
          assert.equal(raw.length, 16);
          assert.equal(raw[15], 0xb2);
          assert.ok(raw.subarray(0, 15).every((b) => b === 0));
          assert.equal(port.getUUIDString(), uuid);
          const xml = port.getXMLDesc();
          assert.match(xml, new RegExp(`<uuid>${uuid}</uuid>`));
          assert.match(xml, /52:54:00:00:00:b1/);
          // No bandwidth in the port's XML: libvirt returns no parameters at all.
          assert.deepEqual(port.getParameters(), {});
          port.setParameters([
            { field: "inbound.average", type: TypedParameterType.UINT, value: 1000 },
            { field: "inbound.peak", type: TypedParameterType.UINT, value: 2000 },
            { field: "inbound.burst", type: TypedParameterType.UINT, value: 512 },
          ]);
          // Setting the inbound limits fills in the inbound record (floor unset: 0).
          assert.deepEqual(port.getParameters(), {
            "inbound.average": 1000,
            "inbound.peak": 2000,
            "inbound.floor": 0,
            "inbound.burst": 512,
          });
          assert.match(port.getXMLDesc(), /<inbound average='1000' peak='2000' burst='512'\/>/);
        } finally {
          port.delete();
        }
      } finally {
        net.destroy();
      }
    });

    await t.step("secret events: register, see a definition, deregister", async () => {
      const seen: { uuid: string; event: number }[] = [];
      const id = conn.secretEventRegisterAny(null, SecretEventID.LIFECYCLE, (_c, secret, ev) => {
        seen.push({ uuid: secret.getUUIDString(), event: ev.event });
      });
      assert.equal(eventCallbackCount(conn), 1);
      const secret = conn.defineSecretXML(
        "<secret ephemeral='yes' private='no'><usage type='volume'>" +
          `<volume>/${tag}/vol.img</volume></usage></secret>`,
      );
      const uuid = secret.getUUIDString();
      try {
        await waitFor(() => seen.some((s) => s.uuid === uuid), 5000);
        assert.equal(seen.find((s) => s.uuid === uuid)!.event, 0); // DEFINED
      } finally {
        secret.undefine();
      }
      await waitFor(() => seen.filter((s) => s.uuid === uuid).length >= 2, 5000);
      assert.equal(seen.filter((s) => s.uuid === uuid)[1].event, 1); // UNDEFINED
      conn.secretEventDeregisterAny(id);
      assert.equal(eventCallbackCount(conn), 0);
      assert.throws(() => conn.secretEventDeregisterAny(id), /No secret event/);
    });
  } finally {
    await d?.stop();
  }
});
