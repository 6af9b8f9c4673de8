// Specifies the Async forms of the hand-written calls that had none: network DHCP leases and
// ports, a port's bandwidth parameters, a node device's capabilities, a pool's volume names, the
// snapshot and checkpoint trees, the host's free memory. Each gives what its sync form gives,
// throws misuse (a freed object, a wrong argument) at the call exactly as the sync form does,
// and rejects with libvirt's LibvirtError when libvirt fails. test:///default in process for most;
// the private daemon's network driver for leases, ports and port parameters (the test driver has
// no such calls: there only their NO_SUPPORT failure is checked). Snapshots, checkpoints and
// ports are grandchildren of their connection: their async calls are rooted at it (a first test).
import assert from "node:assert/strict";
import {
  Connection,
  type Domain,
  DomainCheckpoint,
  DomainCheckpointDeleteFlags,
  DomainCheckpointListFlags,
  DomainSnapshot,
  DomainSnapshotDeleteFlags,
  DomainSnapshotListFlags,
  ErrorNumber,
  LibvirtError,
  type Network,
  NetworkPort,
  TypedParameterType,
} from "../mod.ts";
import { asyncCallsInFlight } from "../ffi/inflight.ts";
import { asyncTracking } from "../api/object.ts";
import { remoteTarget } from "./helpers/daemon_or_socket.ts";

const URI = "test:///default";
/** A flag no driver knows: libvirt refuses it with INVALID_ARG, after the call started. */
const BAD_FLAG = 1 << 30;
const { INVALID_ARG, NO_SUPPORT } = ErrorNumber;

/** Checks that `e` is libvirt's error `code`. */
function isCode(e: unknown, code: number, what: string): true {
  assert.ok(e instanceof LibvirtError, `${what}: expected a LibvirtError, got ${e}`);
  assert.equal(e.code, code, `${what}: libvirt code ${e.code}: ${e.message}`);
  return true;
}

/**
 * The sync form throws libvirt's `code`; the Async form returns a Promise (it does not throw)
 * that rejects with the same code.
 */
async function bothFail(
  what: string,
  sync: () => unknown,
  async: () => Promise<unknown>,
  code: number,
): Promise<void> {
  assert.throws(sync, (e) => isCode(e, code, what));
  const p = async(); // a throw here fails the test: libvirt's failures must reject
  assert.ok(p instanceof Promise, `${what}Async returned no Promise`);
  const e = await p.then(() => assert.fail(`${what}Async resolved`), (e) => e);
  isCode(e, code, `${what}Async`);
}

/**
 * Misuse: the sync form throws; the Async form throws the same Error (class and message) at the
 * call, before any Promise exists.
 */
function sameMisuse(
  what: string,
  sync: () => unknown,
  async: () => unknown,
  expected: RegExp,
): void {
  let want: unknown = null;
  try {
    sync();
  } catch (e) {
    want = e;
  }
  assert.ok(want instanceof Error, `${what}: the sync form did not throw`);
  assert.ok(!(want instanceof LibvirtError), `${what}: misuse reached libvirt: ${want}`);
  assert.match(want.message, expected, what);
  let got: unknown = null;
  let returned: unknown;
  try {
    returned = async();
  } catch (e) {
    got = e;
  }
  if (returned instanceof Promise) returned.catch(() => {}); // reported below, not unhandled
  assert.ok(got instanceof Error, `${what}Async did not throw at the call (returned ${returned})`);
  assert.equal(got.constructor, want.constructor, `${what}Async: ${got}`);
  assert.equal(got.message, want.message, `${what}Async`);
}

function names(list: { getName(): string }[]): string[] {
  return list.map((o) => o.getName());
}

// Regression: the root of a grandchild was its parent (a Domain, a Network), and the async calls'
// error function was installed with virConnSetErrorFunc on that parent's pointer, written as if
// it were a virConnectPtr: heap corruption (a segfault a few calls later) and lost errors.
Deno.test("a snapshot's async calls are rooted at its connection", () => {
  using conn = Connection.open(URI);
  const dom = conn.createDomainXML(
    "<domain type='test'><name>async-more-root</name><memory>1024</memory>" +
      "<os><type>hvm</type></os></domain>",
  );
  try {
    const snap = dom.snapshotCreateXML("<domainsnapshot><name>root</name></domainsnapshot>");
    assert.equal(asyncTracking.root(snap), conn);
    snap.delete();
  } finally {
    dom.destroy();
  }
});

Deno.test("StoragePool.listVolumesAsync", async (t) => {
  using conn = Connection.open(URI);
  const pool = conn.lookupStoragePoolByName("default-pool");
  const made: string[] = [];
  try {
    await t.step("the names listVolumes gives, empty or not", async () => {
      assert.deepEqual(await pool.listVolumesAsync(), pool.listVolumes());
      for (const n of ["more-1.img", "more-2.img"]) {
        pool.createVolumeXML(`<volume><name>${n}</name><capacity>1024</capacity></volume>`);
        made.push(n);
      }
      const sync = pool.listVolumes();
      assert.ok(made.every((n) => sync.includes(n)), `${sync}`);
      assert.deepEqual(await pool.listVolumesAsync(), sync);
      assert.deepEqual([...sync].sort(), names(pool.listAllVolumes()).sort());
    });

    await t.step(
      "the count is an async call too, queued in order after earlier calls",
      async () => {
        // Had the count run at the call (sync), it would miss the volume the queued create adds,
        // and the list would hold at most that many names.
        const before = pool.listVolumes().length;
        const created = pool.createVolumeXMLAsync(
          "<volume><name>more-3.img</name><capacity>1024</capacity></volume>",
        );
        const listed = pool.listVolumesAsync();
        await created;
        made.push("more-3.img");
        const got = await listed;
        assert.equal(got.length, before + 1);
        assert.ok(got.includes("more-3.img"), `${got}`);
      },
    );

    await t.step("an inactive pool: OPERATION_INVALID from both forms", async () => {
      pool.destroy();
      try {
        await bothFail(
          "listVolumes",
          () => pool.listVolumes(),
          () => pool.listVolumesAsync(),
          ErrorNumber.OPERATION_INVALID,
        );
      } finally {
        pool.create();
      }
    });

    await t.step("a freed pool throws at the call, as the sync form does", () => {
      const other = conn.lookupStoragePoolByName("default-pool");
      other.free();
      sameMisuse(
        "listVolumes",
        () => other.listVolumes(),
        () => other.listVolumesAsync(),
        /^Cannot list volumes: this StoragePool was freed$/,
      );
    });
  } finally {
    for (const n of made) pool.lookupVolumeByName(n).delete();
  }
  assert.equal(asyncCallsInFlight(), 0);
});

Deno.test("NodeDevice.listCapsAsync", async (t) => {
  using conn = Connection.open(URI);

  await t.step("the capabilities listCaps gives, for every device", async () => {
    const devices = conn.listAllNodeDevices();
    assert.ok(devices.length >= 4);
    for (const dev of devices) {
      assert.deepEqual(await dev.listCapsAsync(), dev.listCaps(), dev.getName());
    }
    assert.deepEqual(await conn.lookupNodeDeviceByName("computer").listCapsAsync(), ["system"]);
  });

  await t.step("a device that is gone: NO_NODE_DEVICE from both forms", async () => {
    // A vHBA on an fc_host that can make vports, destroyed again: its handle outlives it.
    const dev = conn.createNodeDeviceXML(
      "<device><parent>scsi_host1</parent><capability type='scsi_host'>" +
        "<capability type='fc_host'><wwnn>20000000a5a5a5a5</wwnn><wwpn>10000000a5a5a5a5</wwpn>" +
        "</capability></capability></device>",
    );
    assert.deepEqual(await dev.listCapsAsync(), ["scsi_host"]);
    dev.destroy();
    await bothFail(
      "listCaps",
      () => dev.listCaps(),
      () => dev.listCapsAsync(),
      ErrorNumber.NO_NODE_DEVICE,
    );
  });

  await t.step("a freed device throws at the call, as the sync form does", () => {
    const dev = conn.lookupNodeDeviceByName("computer");
    dev.free();
    sameMisuse(
      "listCaps",
      () => dev.listCaps(),
      () => dev.listCapsAsync(),
      /^Cannot list capabilities: this NodeDevice was freed$/,
    );
  });
  assert.equal(asyncCallsInFlight(), 0);
});

const SNAP_DOM_XML = "<domain type='test'><name>async-more-snap</name><memory>1024</memory>" +
  "<os><type>hvm</type></os></domain>";
const snapXML = (name: string) => `<domainsnapshot><name>${name}</name></domainsnapshot>`;

Deno.test("DomainSnapshot: listChildrenNamesAsync, getParentAsync, listAllChildrenAsync", async (t) => {
  using conn = Connection.open(URI);
  const dom = conn.createDomainXML(SNAP_DOM_XML);
  // a ─ b ─ c, and a ─ d (made after reverting to a)
  const a = dom.snapshotCreateXML(snapXML("a"));
  const b = dom.snapshotCreateXML(snapXML("b"));
  const c = dom.snapshotCreateXML(snapXML("c"));
  a.revert();
  const d = dom.snapshotCreateXML(snapXML("d"));
  try {
    await t.step({
      name: "listChildrenNamesAsync: the names the sync form gives, with flags",
      fn: async () => {
        assert.deepEqual((await a.listChildrenNamesAsync()).sort(), ["b", "d"]);
        for (const s of [a, b, c, d]) {
          assert.deepEqual(await s.listChildrenNamesAsync(), s.listChildrenNames(), s.getName());
        }
        const all = DomainSnapshotListFlags.DESCENDANTS;
        assert.deepEqual((await a.listChildrenNamesAsync(all)).sort(), ["b", "c", "d"]);
        assert.deepEqual(await a.listChildrenNamesAsync(all), a.listChildrenNames(all));
        assert.deepEqual(await c.listChildrenNamesAsync(), []);
      },
    });

    await t.step({
      name: "getParentAsync: the parent the sync form gives; a root has none",
      fn: async () => {
        for (const s of [b, c, d]) {
          const parent = await s.getParentAsync();
          assert.ok(parent instanceof DomainSnapshot);
          assert.equal(parent.getDomain(), dom);
          assert.equal(parent.getName(), s.getParent().getName());
        }
        assert.equal((await c.getParentAsync()).getName(), "b");
        await bothFail(
          "getParent",
          () => a.getParent(),
          () => a.getParentAsync(),
          ErrorNumber.NO_DOMAIN_SNAPSHOT,
        );
      },
    });

    await t.step({
      name: "listAllChildrenAsync: the children the sync form gives, with flags",
      fn: async () => {
        for (const s of [a, b, c, d]) {
          const got = await s.listAllChildrenAsync();
          assert.ok(got.every((x) => x instanceof DomainSnapshot && x.getDomain() === dom));
          assert.deepEqual(names(got).sort(), names(s.listAllChildren()).sort(), s.getName());
        }
        const all = DomainSnapshotListFlags.DESCENDANTS;
        assert.deepEqual(names(await a.listAllChildrenAsync(all)).sort(), ["b", "c", "d"]);
      },
    });

    await t.step({
      name: "calls queue in order: a snapshot made by an earlier call is counted",
      fn: async () => {
        const made = dom.snapshotCreateXMLAsync(snapXML("e")); // a child of d, the current one
        const listed = d.listChildrenNamesAsync();
        const e = await made;
        assert.deepEqual(await listed, ["e"]);
        e.delete();
      },
    });

    await t.step({
      name: "flags libvirt refuses: INVALID_ARG from both forms",
      fn: async () => {
        await bothFail(
          "listChildrenNames",
          () => a.listChildrenNames(BAD_FLAG),
          () => a.listChildrenNamesAsync(BAD_FLAG),
          INVALID_ARG,
        );
        await bothFail(
          "getParent",
          () => b.getParent(BAD_FLAG),
          () => b.getParentAsync(BAD_FLAG),
          INVALID_ARG,
        );
        await bothFail(
          "listAllChildren",
          () => a.listAllChildren(BAD_FLAG),
          () => a.listAllChildrenAsync(BAD_FLAG),
          INVALID_ARG,
        );
      },
    });

    await t.step({
      name: "a deleted snapshot: NO_DOMAIN_SNAPSHOT from both forms",
      fn: async () => {
        const gone = dom.snapshotCreateXML(snapXML("gone"));
        gone.delete();
        await bothFail(
          "listChildrenNames",
          () => gone.listChildrenNames(),
          () => gone.listChildrenNamesAsync(),
          ErrorNumber.NO_DOMAIN_SNAPSHOT,
        );
        await bothFail(
          "listAllChildren",
          () => gone.listAllChildren(),
          () => gone.listAllChildrenAsync(),
          ErrorNumber.NO_DOMAIN_SNAPSHOT,
        );
      },
    });

    await t.step("misuse throws at the call, as the sync form does", () => {
      const bad = "x" as unknown as number;
      sameMisuse(
        "listChildrenNames",
        () => a.listChildrenNames(bad),
        () => a.listChildrenNamesAsync(bad),
        /flags/,
      );
      sameMisuse("getParent", () => b.getParent(bad), () => b.getParentAsync(bad), /flags/);
      sameMisuse(
        "listAllChildren",
        () => a.listAllChildren(bad),
        () => a.listAllChildrenAsync(bad),
        /flags/,
      );
      const freed = dom.snapshotLookupByName("b");
      freed.free();
      const word = /^Cannot .+: this DomainSnapshot was freed$/;
      sameMisuse(
        "listChildrenNames",
        () => freed.listChildrenNames(),
        () => freed.listChildrenNamesAsync(),
        word,
      );
      sameMisuse("getParent", () => freed.getParent(), () => freed.getParentAsync(), word);
      sameMisuse(
        "listAllChildren",
        () => freed.listAllChildren(),
        () => freed.listAllChildrenAsync(),
        word,
      );
    });

    await t.step({
      name: "the domain freed during a call: the children cannot be wrapped",
      fn: async () => {
        const other = conn.lookupDomainByName("async-more-snap");
        const root = other.snapshotLookupByName("a");
        const children = root.listAllChildrenAsync();
        const parent = other.snapshotLookupByName("c").getParentAsync();
        other.free(); // frees `root` and `c` too: their libvirt references wait for the calls
        assert.equal(root.freed, true);
        await assert.rejects(children, /Cannot wrap a DomainSnapshot: its Domain was freed/);
        await assert.rejects(parent, /Cannot wrap a DomainSnapshot: its Domain was freed/);
        assert.equal(asyncCallsInFlight(), 0);
      },
    });
  } finally {
    a.delete(DomainSnapshotDeleteFlags.CHILDREN);
    dom.destroy();
  }
  assert.equal(asyncCallsInFlight(), 0);
});

const CP_DOM_XML = "<domain type='test'><name>async-more-cp</name><memory>1024</memory>" +
  "<os><type>hvm</type></os><devices><disk type='file' device='disk'>" +
  "<source file='/tmp/async-more-cp.img'/><target dev='vda' bus='virtio'/>" +
  "<driver name='qemu' type='qcow2'/></disk></devices></domain>";
const cpXML = (name: string) => `<domaincheckpoint><name>${name}</name></domaincheckpoint>`;

Deno.test("DomainCheckpoint: getParentAsync, listAllChildrenAsync", async (t) => {
  using conn = Connection.open(URI);
  const dom: Domain = conn.createDomainXML(CP_DOM_XML);
  const c1 = dom.checkpointCreateXML(cpXML("c1"));
  const c2 = dom.checkpointCreateXML(cpXML("c2"));
  const c3 = dom.checkpointCreateXML(cpXML("c3"));
  try {
    await t.step({
      name: "getParentAsync: the parent the sync form gives; a root has none",
      fn: async () => {
        for (const c of [c2, c3]) {
          const parent = await c.getParentAsync();
          assert.ok(parent instanceof DomainCheckpoint);
          assert.equal(parent.getDomain(), dom);
          assert.equal(parent.getName(), c.getParent().getName());
        }
        assert.equal((await c3.getParentAsync()).getName(), "c2");
        await bothFail(
          "getParent",
          () => c1.getParent(),
          () => c1.getParentAsync(),
          ErrorNumber.NO_DOMAIN_CHECKPOINT,
        );
      },
    });

    await t.step({
      name: "listAllChildrenAsync: the children the sync form gives, with flags",
      fn: async () => {
        for (const c of [c1, c2, c3]) {
          const got = await c.listAllChildrenAsync();
          assert.ok(got.every((x) => x instanceof DomainCheckpoint && x.getDomain() === dom));
          assert.deepEqual(names(got), names(c.listAllChildren()), c.getName());
        }
        assert.deepEqual(names(await c1.listAllChildrenAsync()), ["c2"]);
        const all = DomainCheckpointListFlags.DESCENDANTS;
        assert.deepEqual(names(await c1.listAllChildrenAsync(all)).sort(), ["c2", "c3"]);
        assert.deepEqual(await c3.listAllChildrenAsync(), []);
      },
    });

    await t.step({
      name: "flags libvirt refuses: INVALID_ARG from both forms",
      fn: async () => {
        await bothFail(
          "getParent",
          () => c2.getParent(BAD_FLAG),
          () => c2.getParentAsync(BAD_FLAG),
          INVALID_ARG,
        );
        await bothFail(
          "listAllChildren",
          () => c1.listAllChildren(BAD_FLAG),
          () => c1.listAllChildrenAsync(BAD_FLAG),
          INVALID_ARG,
        );
      },
    });

    await t.step("misuse throws at the call, as the sync form does", () => {
      const bad = "x" as unknown as number;
      sameMisuse("getParent", () => c2.getParent(bad), () => c2.getParentAsync(bad), /flags/);
      sameMisuse(
        "listAllChildren",
        () => c1.listAllChildren(bad),
        () => c1.listAllChildrenAsync(bad),
        /flags/,
      );
      const freed = dom.checkpointLookupByName("c2");
      freed.free();
      const word = /^Cannot .+: this DomainCheckpoint was freed$/;
      sameMisuse("getParent", () => freed.getParent(), () => freed.getParentAsync(), word);
      sameMisuse(
        "listAllChildren",
        () => freed.listAllChildren(),
        () => freed.listAllChildrenAsync(),
        word,
      );
    });

    await t.step({
      name: "the domain freed during a call: the children cannot be wrapped",
      fn: async () => {
        const other = conn.lookupDomainByName("async-more-cp");
        const children = other.checkpointLookupByName("c1").listAllChildrenAsync();
        other.free();
        await assert.rejects(children, /Cannot wrap a DomainCheckpoint: its Domain was freed/);
        assert.equal(asyncCallsInFlight(), 0);
      },
    });
  } finally {
    c1.delete(DomainCheckpointDeleteFlags.CHILDREN);
    dom.destroy();
  }
  assert.equal(asyncCallsInFlight(), 0);
});

Deno.test("Connection.getNodeFreeMemoryAsync", async (t) => {
  await t.step("the bytes the sync form gives", async () => {
    using conn = Connection.open(URI);
    const free = await conn.getNodeFreeMemoryAsync();
    assert.equal(typeof free, "bigint");
    assert.ok(free > 0n);
    assert.equal(free, conn.getNodeFreeMemory()); // the test driver's fixed host
  });

  await t.step("a host without NUMA cells: libvirt's 0 is a failure from both forms", async () => {
    // The test driver sums its cells' free memory; a host of none gives 0, which libvirt
    // reports as "An error occurred, but the cause is unknown".
    const file = await Deno.makeTempFile({ suffix: ".xml" });
    try {
      await Deno.writeTextFile(file, "<node></node>");
      using conn = Connection.open(`test://${file}`);
      await bothFail(
        "getNodeFreeMemory",
        () => conn.getNodeFreeMemory(),
        () => conn.getNodeFreeMemoryAsync(),
        ErrorNumber.INTERNAL_ERROR,
      );
    } finally {
      await Deno.remove(file);
    }
  });

  await t.step("a closed connection throws at the call, as the sync form does", () => {
    const conn = Connection.open(URI);
    conn.close();
    sameMisuse(
      "getNodeFreeMemory",
      () => conn.getNodeFreeMemory(),
      () => conn.getNodeFreeMemoryAsync(),
      /^Cannot get free memory: this Connection was closed$/,
    );
  });
  assert.equal(asyncCallsInFlight(), 0);
});

Deno.test("Network on test:///default: no leases or ports there (NO_SUPPORT), misuse", async (t) => {
  using conn = Connection.open(URI);
  const net = conn.lookupNetworkByName("default");

  await t.step("getDHCPLeasesAsync and listAllPortsAsync reject with NO_SUPPORT", async () => {
    await bothFail(
      "getDHCPLeases",
      () => net.getDHCPLeases(),
      () => net.getDHCPLeasesAsync(),
      NO_SUPPORT,
    );
    await bothFail(
      "getDHCPLeases",
      () => net.getDHCPLeases("52:54:00:00:00:01"),
      () => net.getDHCPLeasesAsync("52:54:00:00:00:01"),
      NO_SUPPORT,
    );
    await bothFail(
      "listAllPorts",
      () => net.listAllPorts(),
      () => net.listAllPortsAsync(),
      NO_SUPPORT,
    );
  });

  await t.step("misuse throws at the call, as the sync form does", () => {
    const mac = 42 as unknown as string;
    const bad = "x" as unknown as number;
    sameMisuse(
      "getDHCPLeases",
      () => net.getDHCPLeases(mac),
      () => net.getDHCPLeasesAsync(mac),
      /mac/,
    );
    sameMisuse(
      "getDHCPLeases",
      () => net.getDHCPLeases(null, bad),
      () => net.getDHCPLeasesAsync(null, bad),
      /flags/,
    );
    sameMisuse(
      "getDHCPLeases",
      () => net.getDHCPLeases("a\0b"),
      () => net.getDHCPLeasesAsync("a\0b"),
      /NUL|\\0|null/i,
    );
    sameMisuse(
      "listAllPorts",
      () => net.listAllPorts(bad),
      () => net.listAllPortsAsync(bad),
      /flags/,
    );
    const freed = conn.lookupNetworkByName("default");
    freed.free();
    const word = /^Cannot .+: this Network was freed$/;
    sameMisuse(
      "getDHCPLeases",
      () => freed.getDHCPLeases(),
      () => freed.getDHCPLeasesAsync(),
      word,
    );
    sameMisuse("listAllPorts", () => freed.listAllPorts(), () => freed.listAllPortsAsync(), word);
  });
  assert.equal(asyncCallsInFlight(), 0);
});

Deno.test({
  name: "the private daemon's network driver: leases, ports, port parameters",
  sanitizeResources: false,
  fn: async (t) => {
    const d = await remoteTarget("async_more_test.ts");
    if (!d) return;
    const tag = `async-more-${Deno.pid}`;
    try {
      using conn = Connection.open(d.qemuUri);
      // A transient network that borrows `lo` (bridge mode: no bridge made, no firewall rules,
      // no dnsmasq, so no leases: the lists compared are empty).
      const net: Network = conn.createNetworkXML(
        `<network><name>${tag}</name><forward mode='bridge'><interface dev='lo'/></forward>` +
          `</network>`,
      );
      try {
        await t.step("getDHCPLeasesAsync: the leases the sync form gives", async () => {
          assert.deepEqual(await net.getDHCPLeasesAsync(), net.getDHCPLeases());
          const mac = "52:54:00:00:00:e1";
          assert.deepEqual(await net.getDHCPLeasesAsync(mac), net.getDHCPLeases(mac));
          await bothFail(
            "getDHCPLeases",
            () => net.getDHCPLeases(null, BAD_FLAG),
            () => net.getDHCPLeasesAsync(null, BAD_FLAG),
            INVALID_ARG,
          );
        });

        const uuid = "00000000-0000-0000-0000-0000000000e2";
        let port: NetworkPort | null = null;
        await t.step("listAllPortsAsync: the ports the sync form gives", async () => {
          assert.deepEqual(await net.listAllPortsAsync(), []);
          port = await net.portCreateXMLAsync(
            `<networkport><uuid>${uuid}</uuid><owner><name>${tag}</name>` +
              `<uuid>00000000-0000-0000-0000-0000000000e1</uuid></owner>` +
              `<mac address='52:54:00:00:00:e1'/></networkport>`,
          );
          const got = await net.listAllPortsAsync();
          assert.equal(got.length, 1);
          assert.ok(got[0] instanceof NetworkPort);
          assert.equal(got[0].getNetwork(), net);
          assert.deepEqual(
            got.map((p) => p.getUUIDString()),
            net.listAllPorts().map((p) => p.getUUIDString()),
          );
          assert.equal(got[0].getUUIDString(), uuid);
          await bothFail(
            "listAllPorts",
            () => net.listAllPorts(BAD_FLAG),
            () => net.listAllPortsAsync(BAD_FLAG),
            INVALID_ARG,
          );
        });

        await t.step({
          name: "getParametersAsync and setParametersAsync",
          fn: async () => {
            const p = port!;
            // No bandwidth in the port's XML: no parameters at all.
            assert.deepEqual(await p.getParametersAsync(), {});
            assert.deepEqual(await p.getParametersAsync(), p.getParameters());
            const set = await p.setParametersAsync([
              { field: "inbound.average", type: TypedParameterType.UINT, value: 3000 },
              { field: "inbound.peak", type: TypedParameterType.UINT, value: 4000 },
              { field: "inbound.burst", type: TypedParameterType.UINT, value: 256 },
            ]);
            assert.equal(set, undefined);
            const want = {
              "inbound.average": 3000,
              "inbound.peak": 4000,
              "inbound.floor": 0,
              "inbound.burst": 256,
            };
            assert.deepEqual(p.getParameters(), want); // the async set reached the daemon
            assert.deepEqual(await p.getParametersAsync(), want);
            assert.match(p.getXMLDesc(), /<inbound average='3000' peak='4000' burst='256'\/>/);
            await bothFail(
              "getParameters",
              () => p.getParameters(BAD_FLAG),
              () => p.getParametersAsync(BAD_FLAG),
              INVALID_ARG,
            );
            await bothFail(
              "setParameters",
              () => p.setParameters([], BAD_FLAG),
              () => p.setParametersAsync([], BAD_FLAG),
              INVALID_ARG,
            );
          },
        });

        await t.step("port misuse throws at the call, as the sync form does", () => {
          const p = port!;
          const bad = "x" as unknown as number;
          const notParams = "x" as unknown as [];
          sameMisuse(
            "getParameters",
            () => p.getParameters(bad),
            () => p.getParametersAsync(bad),
            /flags/,
          );
          sameMisuse(
            "setParameters",
            () => p.setParameters(notParams),
            () => p.setParametersAsync(notParams),
            /array/,
          );
          const wrongType = [{
            field: "inbound.average",
            type: TypedParameterType.UINT,
            value: -1,
          }];
          sameMisuse(
            "setParameters",
            () => p.setParameters(wrongType),
            () => p.setParametersAsync(wrongType),
            /inbound\.average/,
          );
          sameMisuse(
            "setParameters",
            () => p.setParameters([], bad),
            () => p.setParametersAsync([], bad),
            /flags/,
          );
        });

        port!.delete();
        await t.step({
          name: "a deleted port: NO_NETWORK_PORT from both forms",
          fn: async () => {
            const p = port!;
            await bothFail(
              "getParameters",
              () => p.getParameters(),
              () => p.getParametersAsync(),
              ErrorNumber.NO_NETWORK_PORT,
            );
            await bothFail(
              "setParameters",
              () => p.setParameters([]),
              () => p.setParametersAsync([]),
              ErrorNumber.NO_NETWORK_PORT,
            );
          },
        });

        await t.step("a freed port throws at the call, as the sync form does", () => {
          const p = port!;
          p.free();
          const word = /^Cannot .+: this NetworkPort was freed$/;
          sameMisuse("getParameters", () => p.getParameters(), () => p.getParametersAsync(), word);
          sameMisuse(
            "setParameters",
            () => p.setParameters([]),
            () => p.setParametersAsync([]),
            word,
          );
        });

        await t.step("the network freed during listAllPortsAsync: no port is wrapped", async () => {
          const other = conn.lookupNetworkByName(tag);
          const made = await other.portCreateXMLAsync(
            `<networkport><uuid>00000000-0000-0000-0000-0000000000f3</uuid>` +
              `<owner><name>${tag}</name><uuid>00000000-0000-0000-0000-0000000000e3</uuid></owner>` +
              `<mac address='52:54:00:00:00:e3'/></networkport>`,
          );
          const made2 = await other.portCreateXMLAsync(
            `<networkport><uuid>00000000-0000-0000-0000-0000000000f4</uuid>` +
              `<owner><name>${tag}</name><uuid>00000000-0000-0000-0000-0000000000e4</uuid></owner>` +
              `<mac address='52:54:00:00:00:e4'/></networkport>`,
          );
          const listed = other.listAllPortsAsync();
          other.free();
          await assert.rejects(listed, /Cannot wrap a NetworkPort: its Network was freed/);
          assert.equal(asyncCallsInFlight(), 0);
          // The ports are the daemon's still (freed with the network here, not deleted).
          assert.equal(made.freed, true);
          assert.equal(made2.freed, true);
          const left = await net.listAllPortsAsync();
          assert.equal(left.length, 2);
          for (const p of left) p.delete();
        });
      } finally {
        net.destroy();
      }

      await t.step("a network that is gone: NO_NETWORK from both forms", async () => {
        await bothFail(
          "getDHCPLeases",
          () => net.getDHCPLeases(),
          () => net.getDHCPLeasesAsync(),
          ErrorNumber.NO_NETWORK,
        );
        await bothFail(
          "listAllPorts",
          () => net.listAllPorts(),
          () => net.listAllPortsAsync(),
          ErrorNumber.NO_NETWORK,
        );
      });

      await t.step("the daemon's host: free memory in bytes from both forms", async () => {
        const free = await conn.getNodeFreeMemoryAsync();
        assert.equal(typeof free, "bigint");
        assert.ok(free > 0n && conn.getNodeFreeMemory() > 0n);
      });
      assert.equal(asyncCallsInFlight(), 0);
    } finally {
      await d.stop();
    }
  },
});
