// Specifies StoragePool and StorageVol: test:///default in process (pool info, transient and
// defined pools, volume create/info/lookup/delete), and real files through the private daemon.
import assert from "node:assert/strict";
import {
  Connection,
  ErrorNumber,
  LibvirtError,
  StoragePool,
  StoragePoolState,
  StorageVol,
  StorageVolType,
} from "../mod.ts";
import { requireDaemon } from "./helpers/daemon.ts";
import { assertLibvirtError } from "./helpers/libvirt_error.ts";

const TEST_URI = "test:///default";

function poolXML(name: string, dir: string): string {
  return `<pool type='dir'><name>${name}</name><target><path>${dir}</path></target></pool>`;
}

function volXML(name: string, mib: number): string {
  return `<volume><name>${name}</name><capacity unit='MiB'>${mib}</capacity>` +
    `<target><format type='raw'/></target></volume>`;
}

Deno.test("StoragePool describes the test driver's default pool", async (t) => {
  using conn = Connection.open(TEST_URI);
  const pool = conn.lookupStoragePoolByName("default-pool");

  await t.step("name, UUID, XML, active and persistent", () => {
    assert.equal(pool.getName(), "default-pool");
    assert.match(pool.getUUIDString(), /^[0-9a-f-]{36}$/);
    assert.match(pool.getXMLDesc(), /<pool type='dir'>/);
    assert.equal(pool.isActive(), true);
    assert.equal(pool.isPersistent(), true);
  });

  await t.step("getInfo decodes virStoragePoolInfo with bigint byte counts", () => {
    assert.deepEqual(pool.getInfo(), {
      state: StoragePoolState.RUNNING,
      capacity: 107374182400n,
      allocation: 0n,
      available: 107374182400n,
    });
  });

  await t.step("refresh succeeds on a running pool", () => {
    pool.refresh();
  });
});

Deno.test("a transient dir pool and its volumes", async (t) => {
  using conn = Connection.open(TEST_URI);
  const dir = await Deno.makeTempDir({ prefix: "deno-libvirt-pool-" });
  const pool = conn.createStoragePoolXML(poolXML("scratch", dir));

  try {
    await t.step("createStoragePoolXML starts a non-persistent pool", () => {
      assert.ok(pool instanceof StoragePool);
      assert.equal(pool.isActive(), true);
      assert.equal(pool.isPersistent(), false);
      assert.equal(pool.getInfo().state, StoragePoolState.RUNNING);
      assert.deepEqual(pool.listAllVolumes(), []);
    });

    await t.step("createVolumeXML makes a volume whose info matches its XML", () => {
      const vol = pool.createVolumeXML(volXML("disk.img", 10));
      assert.ok(vol instanceof StorageVol);
      assert.equal(vol.getName(), "disk.img");
      assert.equal(vol.getPath(), `${dir}/disk.img`);
      assert.equal(vol.getKey(), vol.getPath());
      assert.match(vol.getXMLDesc(), /<name>disk.img<\/name>/);
      const info = vol.getInfo();
      assert.equal(info.type, StorageVolType.FILE);
      assert.equal(info.capacity, 10n * 1024n * 1024n);
      assert.equal(typeof info.allocation, "bigint");
    });

    await t.step("the volume is found by name, listed, and knows its pool", () => {
      assert.equal(pool.lookupVolumeByName("disk.img").getPath(), `${dir}/disk.img`);
      assert.deepEqual(pool.listAllVolumes().map((v) => v.getName()), ["disk.img"]);
      assert.equal(pool.lookupVolumeByName("disk.img").getPool().getName(), "scratch");
    });

    await t.step("a second volume of the same name is a LibvirtError", () => {
      assertLibvirtError(
        () => pool.createVolumeXML(volXML("disk.img", 1)),
        ErrorNumber.OPERATION_FAILED,
      );
    });

    await t.step("delete removes the volume; the handle then names nothing", () => {
      const vol = pool.lookupVolumeByName("disk.img");
      vol.delete();
      assert.equal(vol.freed, false);
      assertLibvirtError(() => vol.getInfo(), ErrorNumber.NO_STORAGE_VOL);
      assertLibvirtError(() => pool.lookupVolumeByName("disk.img"), ErrorNumber.NO_STORAGE_VOL);
      assert.deepEqual(pool.listAllVolumes(), []);
    });

    await t.step("the test driver refuses wipe and resize with NO_SUPPORT", () => {
      const vol = pool.createVolumeXML(volXML("other.img", 1));
      assertLibvirtError(() => vol.wipe(), ErrorNumber.NO_SUPPORT);
      assertLibvirtError(() => vol.resize(2n ** 21n), ErrorNumber.NO_SUPPORT);
      vol.delete();
    });

    await t.step("destroy makes the transient pool disappear", () => {
      pool.destroy();
      assertLibvirtError(() => pool.isActive(), ErrorNumber.NO_STORAGE_POOL);
      assertLibvirtError(
        () => conn.lookupStoragePoolByName("scratch"),
        ErrorNumber.NO_STORAGE_POOL,
      );
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a defined pool is created, stopped and undefined", async (t) => {
  using conn = Connection.open(TEST_URI);
  const dir = await Deno.makeTempDir({ prefix: "deno-libvirt-pool-" });
  try {
    const pool = conn.defineStoragePoolXML(poolXML("defined", dir));

    await t.step("defined: persistent and inactive", () => {
      assert.equal(pool.isPersistent(), true);
      assert.equal(pool.isActive(), false);
      assert.equal(pool.getInfo().state, StoragePoolState.INACTIVE);
    });

    await t.step("create starts it, destroy stops it", () => {
      pool.create();
      assert.equal(pool.isActive(), true);
      pool.destroy();
      assert.equal(pool.isActive(), false);
    });

    await t.step("undefine removes it", () => {
      pool.undefine();
      assertLibvirtError(
        () => conn.lookupStoragePoolByName("defined"),
        ErrorNumber.NO_STORAGE_POOL,
      );
    });

    await t.step("malformed pool XML is a LibvirtError", () => {
      assert.throws(() => conn.defineStoragePoolXML("<pool"), LibvirtError);
      assert.throws(() => conn.createStoragePoolXML("<pool type='nope'/>"), LibvirtError);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("volumes are real files through the daemon's storage driver", async (t) => {
  const daemon = await requireDaemon("storage volumes on real files");
  if (!daemon) return;
  const dir = await Deno.makeTempDir({ prefix: "deno-libvirt-pool-" });
  const conn = Connection.open(daemon.qemuUri);
  try {
    const pool = conn.createStoragePoolXML(poolXML("files", dir));

    await t.step("createVolumeXML creates the file with the asked capacity", async () => {
      const vol = pool.createVolumeXML(volXML("real.img", 1));
      assert.equal((await Deno.stat(vol.getPath())).size, 1024 * 1024);
      assert.equal(vol.getInfo().capacity, 1048576n);
    });

    await t.step("resize grows the file", async () => {
      const vol = pool.lookupVolumeByName("real.img");
      vol.resize(2 * 1024 * 1024);
      assert.equal(vol.getInfo().capacity, 2097152n);
      assert.equal((await Deno.stat(vol.getPath())).size, 2 * 1024 * 1024);
    });

    await t.step("wipe zeroes the data", async () => {
      const vol = pool.lookupVolumeByName("real.img");
      {
        using file = await Deno.open(vol.getPath(), { write: true });
        await file.write(new Uint8Array([1, 2, 3]));
      }
      vol.wipe();
      const data = await Deno.readFile(vol.getPath());
      assert.equal(data.length, 2 * 1024 * 1024);
      assert.ok(data.every((b) => b === 0));
    });

    await t.step("delete removes the file", async () => {
      const vol = pool.lookupVolumeByName("real.img");
      const path = vol.getPath();
      vol.delete();
      await assert.rejects(() => Deno.stat(path), Deno.errors.NotFound);
    });

    pool.destroy();
  } finally {
    conn.close();
    await Deno.remove(dir, { recursive: true });
    await daemon.stop();
  }
});
