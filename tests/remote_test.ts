// Remote connections through the private libvirtd: test+unix and qemu+unix, read-write and
// read-only, a domain lifecycle in the daemon's test driver, a transient dir pool in its storage.
import assert from "node:assert/strict";
import { Connection, DomainState, ErrorNumber, StoragePoolState, StorageVolType } from "../mod.ts";
import { requireDaemon } from "./helpers/daemon.ts";
import { defaultSendBuffer, grantedSendBuffer, socketsMadeBy } from "./helpers/socket_buffers.ts";
import { socketOf } from "../api/conn/socket.ts";
import { assertLibvirtError } from "./helpers/libvirt_error.ts";

const DOMAIN_XML = `<domain type="test">
  <name>remote-lifecycle</name>
  <memory unit="MiB">64</memory>
  <vcpu>2</vcpu>
  <os><type arch="x86_64">hvm</type></os>
</domain>`;

function poolXML(name: string, path: string): string {
  return `<pool type="dir"><name>${name}</name><target><path>${path}</path></target></pool>`;
}

const VOLUME_XML = `<volume><name>disk1.raw</name><capacity unit="bytes">1048576</capacity>
  <target><format type="raw"/></target></volume>`;

Deno.test("remote connections through a private libvirtd", async (t) => {
  const d = await requireDaemon("remote_test.ts");
  if (!d) return;
  try {
    await t.step("test+unix opens read-write and describes the daemon's test driver", () => {
      using conn = Connection.open(d.testUri);
      assert.equal(conn.readOnly, false);
      assert.equal(conn.getURI(), d.testUri);
      assert.equal(conn.getType(), "TEST"); // the daemon reports the driver name in capitals
      assert.equal(conn.getHostname(), Deno.hostname());
      assert.ok(conn.getVersion().raw > 0);
      assert.equal(conn.getLibVersion().major, 9);
      assert.equal(conn.isAlive(), true);
      assert.equal(conn.isEncrypted(), false);
      assert.equal(conn.isSecure(), true); // a local unix socket
      assert.ok(conn.getCapabilities().includes("<capabilities>"));
      assert.deepEqual(conn.listAllDomains().map((dom) => dom.getName()), ["test"]);
    });

    await t.step("test+unix read-only lists but refuses changes", () => {
      using conn = Connection.open(d.testUriRO, { readOnly: true });
      assert.equal(conn.readOnly, true);
      assert.equal(conn.isAlive(), true);
      using dom = conn.lookupDomainByName("test");
      assert.equal(dom.getState().state, DomainState.RUNNING);
      assertLibvirtError(() => dom.suspend(), ErrorNumber.OPERATION_DENIED);
      assertLibvirtError(() => conn.defineDomainXML(DOMAIN_XML), ErrorNumber.OPERATION_DENIED);
    });

    await t.step("read-only open on the read-write socket is read-only too", () => {
      using conn = Connection.openReadOnly(d.testUri);
      using dom = conn.lookupDomainByName("test");
      assertLibvirtError(() => dom.suspend(), ErrorNumber.OPERATION_DENIED);
    });

    await t.step("qemu+unix opens the daemon's QEMU driver read-write", () => {
      using conn = Connection.open(d.qemuUri);
      assert.equal(conn.getURI(), d.qemuUri);
      assert.equal(conn.getType(), "QEMU");
      assert.equal(conn.getHostname(), Deno.hostname());
      assert.equal(conn.getLibVersion().major, 9);
      assert.equal(conn.isAlive(), true);
      // (Not getCapabilities here: the QEMU driver probes the host for ~8 s on each call.)
      assert.ok(Array.isArray(conn.listAllDomains()));
    });

    await t.step("the unix socket gets room for a stream packet, as asked", async () => {
      const MiB = 1 << 20;
      const unix = (
        s: { value: Connection; sockets: { fd: number; family: number; sendBuffer: number }[] },
      ) => {
        const found = s.sockets.filter((x) => x.family === 1);
        assert.equal(found.length, 1, `one new unix socket: ${JSON.stringify(s.sockets)}`);
        // The socket that uploads wait on for room (stream/room.ts), whatever its buffer.
        assert.equal(socketOf(s.value), found[0].fd);
        return found[0].sendBuffer;
      };
      const opened = await socketsMadeBy(() => Connection.open(d.qemuUri));
      using _a = opened.value;
      assert.equal(unix(opened), grantedSendBuffer(MiB));
      assert.ok(unix(opened) > 262_120, "a whole packet fits");
      const asIs = await socketsMadeBy(() => Connection.open(d.qemuUri, { sendBuffer: 0 }));
      using _b = asIs.value;
      assert.equal(unix(asIs), defaultSendBuffer());
      const big = await socketsMadeBy(() => Connection.open(d.testUri, { sendBuffer: 4 * MiB }));
      using _c = big.value;
      assert.equal(unix(big), grantedSendBuffer(4 * MiB));
      const later = await socketsMadeBy(() => Connection.openAsync(d.testUri));
      using _d = later.value;
      assert.equal(unix(later), grantedSendBuffer(MiB));
      // The open still works, and a transfer over the wider socket keeps every byte (the volume
      // steps below and stream_volume_test run over such connections).
      assert.equal(opened.value.isAlive(), true);
      for (const bad of [-1, 1.5, "1048576", 0x40000000]) {
        assert.throws(
          () => Connection.open(d.testUri, { sendBuffer: bad as number }),
          (e: unknown) => e instanceof TypeError && /options\.sendBuffer/.test(String(e)),
        );
      }
    });

    await t.step("qemu+unix read-only answers queries and refuses to create a pool", async () => {
      const dir = await Deno.makeTempDir({ prefix: "remote-ro-pool-" });
      try {
        using conn = Connection.open(d.qemuUriRO, { readOnly: true });
        assert.equal(conn.getType(), "QEMU");
        assert.ok(Array.isArray(conn.listAllStoragePools()));
        assertLibvirtError(
          () => conn.createStoragePoolXML(poolXML("remote-ro", dir)),
          ErrorNumber.OPERATION_DENIED,
        );
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    });

    await t.step("a domain goes through define, start, pause, resume, stop, undefine", () => {
      using conn = Connection.open(d.testUri);
      using dom = conn.defineDomainXML(DOMAIN_XML);
      assert.equal(dom.isPersistent(), true);
      assert.equal(dom.getState().state, DomainState.SHUTOFF);
      dom.create();
      assert.equal(dom.getState().state, DomainState.RUNNING);
      const info = dom.getInfo();
      assert.equal(info.nrVirtCpu, 2);
      assert.equal(info.maxMem, 64 * 1024);
      dom.suspend();
      assert.equal(dom.getState().state, DomainState.PAUSED);
      dom.resume();
      assert.equal(dom.getState().state, DomainState.RUNNING);
      // A second connection to the same daemon sees the same test driver state.
      using other = Connection.open(d.testUri);
      using seen = other.lookupDomainByName("remote-lifecycle");
      assert.equal(seen.getUUIDString(), dom.getUUIDString());
      dom.destroy();
      assert.equal(dom.getState().state, DomainState.SHUTOFF);
      dom.undefine();
      assertLibvirtError(
        () => conn.lookupDomainByName("remote-lifecycle"),
        ErrorNumber.NO_DOMAIN,
      );
    });

    await t.step("a transient dir pool holds a volume until the pool is destroyed", async () => {
      const dir = await Deno.makeTempDir({ prefix: "remote-pool-" });
      const name = `remote-pool-${Date.now()}`;
      using conn = Connection.open(d.qemuUri);
      const pool = conn.createStoragePoolXML(poolXML(name, dir));
      try {
        assert.equal(pool.getName(), name);
        assert.equal(pool.isActive(), true);
        assert.equal(pool.isPersistent(), false);
        const info = pool.getInfo();
        assert.equal(info.state, StoragePoolState.RUNNING);
        assert.ok(info.capacity > 0n && info.available <= info.capacity);
        assert.ok(conn.listAllStoragePools().some((p) => p.getName() === name));

        const vol = pool.createVolumeXML(VOLUME_XML);
        assert.equal(vol.getName(), "disk1.raw");
        assert.equal(vol.getPath(), `${dir}/disk1.raw`);
        assert.equal((await Deno.stat(vol.getPath())).isFile, true);
        const volInfo = vol.getInfo();
        assert.equal(volInfo.type, StorageVolType.FILE);
        assert.equal(volInfo.capacity, 1048576n);
        assert.deepEqual(pool.listAllVolumes().map((v) => v.getName()), ["disk1.raw"]);
        assert.equal(conn.lookupStorageVolByPath(vol.getPath()).getKey(), vol.getKey());

        vol.delete();
        await assert.rejects(Deno.stat(`${dir}/disk1.raw`), Deno.errors.NotFound);
        assert.deepEqual(pool.listAllVolumes(), []);
        assertLibvirtError(() => pool.lookupVolumeByName("disk1.raw"), ErrorNumber.NO_STORAGE_VOL);
      } finally {
        if (!pool.freed && pool.isActive()) pool.destroy();
        await Deno.remove(dir, { recursive: true });
      }
      // A transient pool disappears once destroyed.
      assertLibvirtError(() => conn.lookupStoragePoolByName(name), ErrorNumber.NO_STORAGE_POOL);
    });

    await t.step("a closed remote connection gives a clear Error, and its objects too", () => {
      const conn = Connection.open(d.testUri);
      const dom = conn.lookupDomainByName("test");
      conn.close();
      assert.throws(() => conn.getHostname(), /Cannot get hostname: this Connection was closed/);
      assert.throws(() => conn.isAlive(), /this Connection was closed/);
      assert.throws(() => conn.listAllDomains(), /this Connection was closed/);
      assert.throws(() => dom.getName(), /this Domain was freed/);
      assert.equal(conn.close(), 0); // closing twice is a no-op
    });
  } finally {
    await d.stop();
  }
});
