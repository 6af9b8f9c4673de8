// The hand-written Connection methods (api/conn/*.ts), each with its Async form: real values on
// test:///default where libvirt's test driver implements the call, the driver's own error where
// it does not, then the private daemon's QEMU driver for the host calls only it answers.
import assert from "node:assert/strict";
import {
  Connection,
  Domain,
  DomainStatsTypes,
  ErrorNumber,
  Interface,
  NodeDevice,
} from "../mod.ts";
import { ConnectionNode } from "../api/conn/node.ts";
import { ConnectionLists } from "../api/conn/lists.ts";
import { ConnectionDomains } from "../api/conn/domains.ts";
import { both, bothFail, called, ownMethods } from "./helpers/overrides.ts";
import { requireDaemon } from "./helpers/daemon.ts";

const { INVALID_ARG, OPERATION_UNSUPPORTED } = ErrorNumber;
const HASWELL = "<cpu><arch>x86_64</arch><model>Haswell</model></cpu>";
const XML_WITH_FILES = `<domain type="test"><name>with-files</name><memory>1024</memory>
  <os><type>hvm</type></os></domain>`;

Deno.test("Connection overrides on test:///default", async (t) => {
  const conn = Connection.open("test:///default");
  try {
    await t.step("getNodeCPUMap: 8 CPUs, 3 online", async () => {
      await both(conn, "getNodeCPUMap", [], (v) => {
        assert.deepEqual(v, {
          cpus: [true, false, true, false, true, false, false, false],
          online: 3,
        });
      });
    });

    await t.step(
      "getNodeCPUStats: the driver's counters as bigints, all CPUs and CPU 0",
      async () => {
        const want = {
          user: 9797400000n,
          kernel: 34678723400000n,
          idle: 87264900000n,
          iowait: 763600000n,
        };
        await both(conn, "getNodeCPUStats", [], (v) => assert.deepEqual(v, want));
        await both(conn, "getNodeCPUStats", [0], (v) => assert.deepEqual(v, want));
      },
    );

    await t.step("getNodeCellsFreeMemory: two cells, in bytes", async () => {
      await both(
        conn,
        "getNodeCellsFreeMemory",
        [0, 2],
        (v) => assert.deepEqual(v, [2097152n, 4194304n]),
      );
    });

    await t.step("getNodeFreeMemory: the host's total, in bytes", async () => {
      await both(conn, "getNodeFreeMemory", [], (v) => {
        assert.ok(typeof v === "bigint" && v > 0n);
      });
    });

    await t.step("getNodeFreePages: per cell, per page size", async () => {
      await both(conn, "getNodeFreePages", [[4, 2048], 0, 2], (v) => {
        assert.deepEqual(v, { 0: { 4: 19n, 2048: 45n }, 1: { 4: 97n, 2048: 201n } });
      });
    });

    await t.step("host calls the test driver lacks reach it", async () => {
      await bothFail(conn, "getNodeMemoryStats", []);
      await bothFail(conn, "allocNodePages", [{ 2048: 8 }, 0, 1]);
      await bothFail(conn, "getNodeMemoryParameters", []);
      await bothFail(conn, "setNodeMemoryParameters", [{ shm_pages_to_scan: 100 }]);
      await bothFail(conn, "getNodeSEVInfo", []);
    });

    await t.step("getNodeSecurityModel decodes the fixed-size struct", async () => {
      await both(
        conn,
        "getNodeSecurityModel",
        [],
        (v) => assert.deepEqual(v, { model: "testSecurity", doi: "" }),
      );
    });

    await t.step("listDomains gives the running domain's id", async () => {
      await both(conn, "listDomains", [], (v) => assert.deepEqual(v, [1]));
    });

    await t.step(
      "name lists: defined and active domains, networks, pools, interfaces",
      async () => {
        await both(conn, "listDefinedDomains", [], (v) => assert.deepEqual(v, []));
        await both(conn, "listDefinedInterfaces", [], (v) => assert.deepEqual(v, []));
        await both(conn, "listDefinedNetworks", [], (v) => assert.deepEqual(v, []));
        await both(conn, "listDefinedStoragePools", [], (v) => assert.deepEqual(v, []));
        await both(conn, "listInterfaces", [], (v) => assert.deepEqual(v, ["eth1"]));
        await both(conn, "listNetworks", [], (v) => assert.deepEqual(v, ["default"]));
        await both(conn, "listStoragePools", [], (v) => assert.deepEqual(v, ["default-pool"]));
        await bothFail(conn, "listNWFilters", []);
        await bothFail(conn, "listSecrets", []);
        const dom = conn.lookupDomainByName("test");
        dom.destroy();
        await both(conn, "listDefinedDomains", [], (v) => assert.deepEqual(v, ["test"]));
        await both(conn, "listDomains", [], (v) => assert.deepEqual(v, []));
        dom.create();
      },
    );

    await t.step("listNodeDevices, all and by capability", async () => {
      await both(conn, "listNodeDevices", [], (v: string[]) => {
        assert.deepEqual([...v].sort(), ["computer", "scsi_host1", "scsi_host11", "scsi_host2"]);
      });
      await both(
        conn,
        "listNodeDevices",
        ["scsi_host"],
        (v: string[]) => assert.equal(v.length, 3),
      );
    });

    await t.step(
      "getCPUModelNames lists x86_64 models; an unknown arch is INVALID_ARG",
      async () => {
        await both(conn, "getCPUModelNames", ["x86_64"], (v: string[]) => {
          assert.ok(v.length > 20 && v.includes("Haswell"));
        });
        await bothFail(conn, "getCPUModelNames", ["no-such-arch"], INVALID_ARG);
      },
    );

    await t.step("listAll* returns objects freed with the connection", async () => {
      await both(conn, "listAllInterfaces", [], (v: Interface[]) => {
        assert.deepEqual(v.map((i) => i.getName()), ["eth1"]);
        assert.ok(v[0] instanceof Interface);
      });
      await both(conn, "listAllNodeDevices", [], (v: NodeDevice[]) => {
        assert.equal(v.length, 4);
        assert.ok(v.every((d) => d instanceof NodeDevice));
      });
      await bothFail(conn, "listAllNWFilters", []);
      await bothFail(conn, "listAllNWFilterBindings", []);
      await bothFail(conn, "listAllSecrets", []);
    });

    await t.step(
      "getAllDomainStats: one record per domain, each with its own reference",
      async () => {
        await both(
          conn,
          "getAllDomainStats",
          [DomainStatsTypes.STATE],
          (v: { domain: Domain; stats: Record<string, unknown> }[]) => {
            assert.equal(v.length, 1);
            assert.equal(v[0].domain.getName(), "test"); // valid after libvirt freed the records
            assert.deepEqual(v[0].stats, { "state.state": 1, "state.reason": 1 });
            v[0].domain.free();
          },
        );
        const dom = conn.lookupDomainByName("test");
        await both(
          conn,
          "domainListGetStats",
          [[dom]],
          (v: { domain: Domain; stats: Record<string, unknown> }[]) => {
            assert.equal(v.length, 1);
            assert.notEqual(v[0].domain, dom); // a new wrapper, with its own reference
            assert.equal(v[0].domain.getUUIDString(), dom.getUUIDString());
            assert.equal(v[0].stats["state.state"], 1);
          },
        );
      },
    );

    await t.step(
      "baselineCPU returns CPU XML; the hypervisor variant reaches the driver",
      async () => {
        await both(conn, "baselineCPU", [[HASWELL, HASWELL]], (v: string) => {
          assert.match(v, /<model fallback='forbid'>Haswell<\/model>/);
        });
        await bothFail(conn, "baselineHypervisorCPU", [[HASWELL], { arch: "x86_64" }]);
      },
    );

    await t.step("createDomainXMLWithFiles starts a transient domain", async () => {
      const a = conn.createDomainXMLWithFiles(XML_WITH_FILES, []);
      assert.ok(a instanceof Domain);
      assert.equal(a.isActive(), true);
      a.destroy();
      const b = await conn.createDomainXMLWithFilesAsync(XML_WITH_FILES, []);
      assert.equal(b.getName(), "with-files");
      b.destroy();
      called.add("createDomainXMLWithFiles").add("createDomainXMLWithFilesAsync");
    });

    await t.step("restoreDomainParams and setIdentity reach the driver", async () => {
      await bothFail(conn, "restoreDomainParams", [{ file: "/tmp/never-saved.img" }]);
      await bothFail(conn, "setIdentity", [{ "user-name": "alice", "unix-user-id": 1000n }]);
    });

    await t.step("bad arguments are TypeErrors before libvirt", () => {
      const bad = conn as unknown as Record<string, (...a: unknown[]) => unknown>;
      assert.throws(() => bad.baselineCPU("cpu"), TypeError);
      assert.throws(() => bad.getNodeFreePages([0]), TypeError);
      assert.throws(() => bad.allocNodePages([2048]), TypeError);
      assert.throws(() => bad.domainListGetStats([{}]), TypeError);
      assert.throws(() => bad.createDomainXMLWithFiles("<domain/>", ["0"]), TypeError);
      assert.throws(() => bad.setIdentity({ "user-name": 5 }), TypeError);
      assert.throws(() => bad.getNodeCellsFreeMemory(0, 0), TypeError);
      assert.throws(() => bad.listNodeDevices(5), TypeError);
    });
  } finally {
    conn.close();
  }

  await t.step("a closed connection says so", () => {
    assert.throws(() => conn.getNodeCPUMap(), /this Connection was closed/);
    assert.throws(() => conn.listDefinedDomains(), /this Connection was closed/);
  });
});

Deno.test("Connection overrides on the private daemon's QEMU driver", async (t) => {
  const d = await requireDaemon("api_connection_overrides_test.ts");
  if (!d) return;
  try {
    using conn = Connection.open(d.qemuUri);

    await t.step("getNodeMemoryStats reads the host's memory in KiB", async () => {
      await both(conn, "getNodeMemoryStats", [], (v: Record<string, bigint>) => {
        assert.ok(v.total > 0n && v.free > 0n && v.free <= v.total);
      });
    });

    await t.step(
      "the host's KSM tunables read as a record; writing one back keeps it",
      async () => {
        let pages = 0;
        await both(conn, "getNodeMemoryParameters", [], (v: Record<string, unknown>) => {
          assert.equal(typeof v.shm_pages_to_scan, "number");
          assert.equal(typeof v.shm_full_scans, "bigint");
          pages = v.shm_pages_to_scan as number;
        });
        await both(conn, "setNodeMemoryParameters", [{ shm_pages_to_scan: pages }], () => {});
        assert.equal(conn.getNodeMemoryParameters().shm_pages_to_scan, pages);
      },
    );

    await t.step("a defined secret shows in listSecrets and listAllSecrets", async () => {
      const secret = conn.defineSecretXML(
        "<secret ephemeral='yes' private='yes'><description>overrides test</description></secret>",
      );
      try {
        const uuid = secret.getUUIDString();
        await both(conn, "listSecrets", [], (v: string[]) => assert.ok(v.includes(uuid)));
        await both(conn, "listAllSecrets", [], (v: { getUUIDString(): string }[]) => {
          assert.ok(v.some((s) => s.getUUIDString() === uuid));
        });
      } finally {
        secret.undefine();
      }
    });

    await t.step("the nwfilter driver's lists", async () => {
      await both(conn, "listNWFilters", [], (v: string[]) => assert.ok(Array.isArray(v)));
      await both(conn, "listAllNWFilters", [], (v: unknown[]) => assert.ok(Array.isArray(v)));
      await both(conn, "listAllNWFilterBindings", [], (v: unknown[]) => assert.deepEqual(v, []));
    });

    await t.step("baselineHypervisorCPU asks QEMU what it can provide", async () => {
      const cpu = "<cpu><arch>x86_64</arch><model>qemu64</model></cpu>";
      await both(
        conn,
        "baselineHypervisorCPU",
        [[cpu], { arch: "x86_64", virttype: "qemu" }],
        (v: string) => {
          assert.match(v, /<cpu/);
        },
      );
    });

    await t.step("getNodeSEVInfo: this host has no SEV", async () => {
      await bothFail(conn, "getNodeSEVInfo", [], OPERATION_UNSUPPORTED);
    });
  } finally {
    await d.stop();
  }
});

Deno.test("Connection overrides: every method of api/conn/*.ts was called", () => {
  const classes = [ConnectionNode, ConnectionLists, ConnectionDomains];
  const all = classes.flatMap((c) => ownMethods(c.prototype)).filter((m) => !m.startsWith("#"));
  const missing = all.filter((m) => !called.has(m));
  assert.deepEqual(missing, [], `not called: ${missing.join(", ")}`);
  console.log(`${all.length} Connection override methods called (sync and Async forms)`);
});
