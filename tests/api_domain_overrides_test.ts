// The hand-written Domain methods (api/domain/*.ts), each with its Async form: real values on
// test:///default where libvirt's test driver implements the call, the driver's own error where
// it does not (which still proves the arguments reached libvirt), then a real QEMU guest of the
// private daemon for what only a hypervisor answers, then misuse.
import assert from "node:assert/strict";
import {
  Connection,
  type Domain,
  DomainBlockCopyFlags,
  DomainBlockJobType,
  DomainControlState,
  DomainInterfaceAddressesSource,
  DomainJobType,
  DomainMemoryFlags,
  DomainModificationImpact,
  DomainState,
  DomainStatsTypes,
  ErrorNumber,
  KeycodeSet,
  LibvirtError,
} from "../mod.ts";
import { DomainParams } from "../api/domain/params.ts";
import { DomainDeviceParams } from "../api/domain/device_params.ts";
import { DomainStats } from "../api/domain/stats.ts";
import { DomainVcpus } from "../api/domain/vcpus.ts";
import { DomainGuest } from "../api/domain/guest.ts";
import { DomainBlock } from "../api/domain/block.ts";
import { DomainMigrate } from "../api/domain/migrate.ts";
import { DomainMisc } from "../api/domain/misc.ts";
import { both, bothFail, called, mark, ownMethods } from "./helpers/overrides.ts";
import { requireGuestHost, startGuest } from "./helpers/guest.ts";
import { formatTs, PARAM_NAMES_FILE, renderParamNames } from "../tools/gen_param_names.ts";

const { INVALID_ARG, ARGUMENT_UNSUPPORTED, AGENT_UNRESPONSIVE, OPERATION_UNSUPPORTED } =
  ErrorNumber;
const CONFIG = DomainModificationImpact.CONFIG;

Deno.test("Domain overrides on test:///default", async (t) => {
  const conn = Connection.open("test:///default");
  const dom = conn.lookupDomainByName("test");
  try {
    await t.step("getSchedulerType names the test driver's fair scheduler", async () => {
      await both(
        dom,
        "getSchedulerType",
        [],
        (v) => assert.deepEqual(v, { type: "fair", nparams: 1 }),
      );
    });

    await t.step("scheduler parameters read as a record of libvirt's names", async () => {
      await both(dom, "getSchedulerParameters", [], (v) => assert.deepEqual(v, { weight: 50 }));
      await both(
        dom,
        "setSchedulerParameters",
        [{ weight: 50 }],
        (v) => assert.equal(v, undefined),
      );
      // With flags, the Flags variants run; libvirt adds STRING_OKAY, which the test driver
      // refuses for the getter and accepts for the setter.
      await bothFail(dom, "getSchedulerParameters", [0], INVALID_ARG);
      await both(dom, "setSchedulerParameters", [{ weight: 50 }, 0], () => {});
    });

    await t.step("memory parameters: set hard_limit (bigint KiB), read it back", async () => {
      await both(dom, "setMemoryParameters", [{ hard_limit: 1048576n }], () => {});
      await both(dom, "getMemoryParameters", [], (v: Record<string, unknown>) => {
        assert.equal(v.hard_limit, 1048576n);
        assert.equal(typeof v.soft_limit, "bigint");
      });
    });

    await t.step("blkio parameters: set weight, read it back", async () => {
      await both(dom, "setBlkioParameters", [{ weight: 500 }], () => {});
      await both(dom, "getBlkioParameters", [], (v: Record<string, unknown>) => {
        assert.equal(v.weight, 500);
        assert.equal(v.device_weight, "");
      });
    });

    await t.step("NUMA parameters: set the nodeset string, read it back", async () => {
      await both(dom, "setNumaParameters", [{ numa_nodeset: "0" }], () => {});
      await both(
        dom,
        "getNumaParameters",
        [],
        (v) => assert.deepEqual(v, { numa_mode: 0, numa_nodeset: "0" }),
      );
    });

    await t.step("interface bandwidth of testnet0: set inbound.average, read it back", async () => {
      await both(
        dom,
        "setInterfaceParameters",
        ["testnet0", { "inbound.average": 1000 }],
        () => {},
      );
      await both(dom, "getInterfaceParameters", ["testnet0"], (v: Record<string, unknown>) => {
        assert.equal(v["inbound.average"], 1000);
        assert.equal(Object.keys(v).length, 7);
      });
    });

    await t.step("block I/O tuning of vda: set iops with its max, read them back", async () => {
      const p = { total_iops_sec: 500n, total_iops_sec_max: 1000n };
      await both(dom, "setBlockIoTune", ["vda", p], () => {});
      await both(dom, "getBlockIoTune", ["vda"], (v: Record<string, unknown>) => {
        assert.equal(v.total_iops_sec, 500n);
        assert.equal(v.total_iops_sec_max, 1000n);
      });
      // libvirt's own check of the values (a max below the value) comes back as INVALID_ARG.
      await bothFail(dom, "setBlockIoTune", ["vda", { total_bytes_sec: 5000n }], INVALID_ARG);
    });

    await t.step("perf events: switch cmt on, read the booleans back", async () => {
      await both(dom, "setPerfEvents", [{ cmt: true }], () => {});
      await both(dom, "getPerfEvents", [], (v: Record<string, unknown>) => {
        assert.equal(v.cmt, true);
        assert.equal(v.cpu_cycles, false);
      });
    });

    await t.step("launch security and I/O thread parameters reach the driver", async () => {
      await bothFail(dom, "getLaunchSecurityInfo", [], INVALID_ARG); // flags libvirt added
      await bothFail(dom, "setLaunchSecurityState", [{
        "sev-secret": "s",
        "sev-secret-header": "h",
      }]);
      await bothFail(dom, "setIOThreadParams", [1, { poll_max_ns: 1000n }], INVALID_ARG); // no thread 1
    });

    await t.step("blockStats and interfaceStats decode their structs as bigints", async () => {
      await both(dom, "blockStats", ["vda"], (v: Record<string, bigint>) => {
        assert.deepEqual(Object.keys(v), ["rdReq", "rdBytes", "wrReq", "wrBytes", "errs"]);
        assert.ok(v.rdBytes > 0n && v.wrReq > 0n);
      });
      await bothFail(dom, "blockStatsFlags", ["vda"]);
      await both(dom, "interfaceStats", ["testnet0"], (v: Record<string, bigint>) => {
        assert.equal(Object.keys(v).length, 8);
        assert.ok(v.rxBytes > 0n && v.txPackets > 0n);
      });
    });

    await t.step("memoryStats names libvirt's tags", async () => {
      await both(dom, "memoryStats", [], (v: Record<string, bigint>) => {
        assert.equal(v.actual, 2097152n);
        assert.equal(v.rss, 1048576n);
        assert.equal(typeof v.swap_in, "bigint");
      });
    });

    await t.step("getCPUStats: the total, then one record per host CPU", async () => {
      await both(dom, "getCPUStats", [-1], (v: Record<string, bigint>[]) => {
        assert.equal(v.length, 1);
        assert.ok(v[0].cpu_time > 0n && typeof v[0].user_time === "bigint");
      });
      await both(dom, "getCPUStats", [0], (v: Record<string, bigint>[]) => {
        assert.equal(v.length, 2);
        for (const cpu of v) assert.ok(cpu.cpu_time > 0n && cpu.vcpu_time > 0n);
      });
      await both(dom, "getCPUStats", [1, 1], (v: unknown[]) => assert.equal(v.length, 1));
    });

    await t.step("job info and stats reach the driver; control info is OK", async () => {
      await bothFail(dom, "getJobInfo", []);
      await bothFail(dom, "getJobStats", []);
      await both(dom, "getControlInfo", [], (v) => {
        assert.deepEqual(v, { state: DomainControlState.OK, details: 0, stateTime: 0n });
      });
    });

    await t.step("getVcpus: 2 vCPUs with host CPU numbers and 8-CPU maps", async () => {
      await both(
        dom,
        "getVcpus",
        [],
        (v: { info: { number: number; cpu: number; cpuTime: bigint }[]; cpumaps: boolean[][] }) => {
          assert.deepEqual(v.info.map((i) => i.number), [0, 1]);
          for (const i of v.info) {
            assert.ok(Number.isInteger(i.cpu) && i.cpu >= 0 && i.cpuTime > 0n);
          }
          assert.equal(v.cpumaps.length, 2);
          for (const map of v.cpumaps) assert.equal(map.length, 8);
        },
      );
    });

    await t.step("pinVcpu then getVcpuPinInfo shows the boolean cpumap", async () => {
      const map = [true, false, true, false, false, false, false, false];
      await both(dom, "pinVcpu", [0, map.slice(0, 3)], () => {});
      await both(dom, "getVcpuPinInfo", [], (v: boolean[][]) => {
        assert.equal(v.length, 2);
        assert.deepEqual(v[0], map);
      });
      await both(dom, "pinVcpu", [1, [false, true], 0], () => {}); // virDomainPinVcpuFlags
      assert.deepEqual(dom.getVcpuPinInfo()[1].slice(0, 3), [false, true, false]);
    });

    await t.step("pinEmulator then getEmulatorPinInfo", async () => {
      await both(dom, "pinEmulator", [[false, true]], () => {});
      await both(dom, "getEmulatorPinInfo", [], (v: boolean[]) => {
        assert.deepEqual(v, [false, true, false, false, false, false, false, false]);
      });
    });

    await t.step("I/O threads: none in the test domain", async () => {
      await both(dom, "getIOThreadInfo", [], (v) => assert.deepEqual(v, []));
      await bothFail(dom, "pinIOThread", [1, [true]], INVALID_ARG);
    });

    await t.step("guest agent calls the test driver lacks reach it", async () => {
      await bothFail(dom, "getGuestVcpus", []);
      await bothFail(dom, "getGuestInfo", []);
      await bothFail(dom, "authorizedSSHKeysGet", ["root"]);
      await bothFail(dom, "authorizedSSHKeysSet", ["root", ["ssh-ed25519 AAAA test"]]);
    });

    await t.step("getFSInfo lists the guest's two filesystems with their disk", async () => {
      await both(dom, "getFSInfo", [], (v) => {
        assert.deepEqual(v, [
          { mountpoint: "/", name: "vda1", fstype: "ext4", devAlias: ["vda"] },
          { mountpoint: "/boot", name: "vda2", fstype: "ext4", devAlias: ["vda"] },
        ]);
      });
    });

    await t.step("interfaceAddresses gives testnet0's MAC and IPv4 address", async () => {
      await both(dom, "interfaceAddresses", [DomainInterfaceAddressesSource.LEASE], (v) => {
        assert.deepEqual(v, [{
          name: "testnet0",
          hwaddr: "aa:bb:cc:dd:ee:ff",
          addrs: [{ type: 0, addr: "192.168.122.3", prefix: 24 }],
        }]);
      });
    });

    await t.step("getTime, fsFreeze/fsThaw, getMessages, sendKey", async () => {
      await both(
        dom,
        "getTime",
        [],
        (v) => assert.deepEqual(v, { seconds: 627319920n, nseconds: 0 }),
      );
      // Frozen filesystems cannot freeze again: each freeze is followed by its thaw.
      assert.equal(dom.fsFreeze(), 2);
      assert.equal(dom.fsThaw(), 2);
      assert.equal(await dom.fsFreezeAsync(["/"]), 1);
      assert.equal(await dom.fsThawAsync(["/"]), 1);
      mark("fsFreeze", "fsThaw");
      await both(dom, "getMessages", [], (v) => assert.deepEqual(v, []));
      await both(dom, "sendKey", [KeycodeSet.LINUX, 10, [29, 56, 111]], () => {});
    });

    await t.step("getBlockInfo gives vda's sizes in bytes", async () => {
      await both(dom, "getBlockInfo", ["vda"], (v) => {
        assert.deepEqual(v, {
          capacity: 1099506450432n,
          allocation: 1099511627776n,
          physical: 1099511627776n,
        });
      });
    });

    await t.step("block jobs, block copy and block peek reach the driver", async () => {
      await bothFail(dom, "getBlockJobInfo", ["vda"]);
      await bothFail(dom, "blockCopy", ["vda", "<disk type='file'><source file='/tmp/x'/></disk>", {
        bandwidth: 1n,
      }]);
      await bothFail(dom, "blockPeek", ["vda", 0, 512]);
    });

    await t.step("memoryPeek reads the test driver's pattern bytes", async () => {
      await both(dom, "memoryPeek", [0, 16, DomainMemoryFlags.PHYSICAL], (v: Uint8Array) => {
        assert.deepEqual([...v], Array.from({ length: 16 }, (_, i) => i));
      });
    });

    await t.step("getDiskErrors lists vda in error", async () => {
      await both(dom, "getDiskErrors", [], (v) => assert.deepEqual(v, [{ disk: "vda", error: 1 }]));
    });

    await t.step("migration calls reach the driver", async () => {
      await bothFail(dom, "migrateGetCompressionCache", []);
      await bothFail(dom, "migrateGetMaxDowntime", []);
      await bothFail(dom, "migrateGetMaxSpeed", []);
      await bothFail(
        dom,
        "migrateToURI3",
        ["test:///default", { bandwidth: 10n }],
        ARGUMENT_UNSUPPORTED,
      );
      using dst = Connection.open("test:///default");
      // libvirt itself refuses typed parameters for a driver without migration v3.
      const params = { migrate_disks: ["vda", "vdb"], bandwidth: 10 };
      await bothFail(dom, "migrate3", [dst, params], ARGUMENT_UNSUPPORTED);
      // The older calls: the driver has no migration protocol at all.
      called.add("migrate").add("migrate2").add("migrateAsync").add("migrate2Async");
      const noSupport = (e: unknown) =>
        e instanceof LibvirtError && e.code === ErrorNumber.NO_SUPPORT;
      assert.throws(() => dom.migrate(dst, 0, null, null, 10), noSupport);
      assert.throws(() => dom.migrate2(dst, null), noSupport);
      await assert.rejects(dom.migrateAsync(dst, 0, null, null, 10), noSupport);
      await assert.rejects(dom.migrate2Async(dst, null), noSupport);
    });

    await t.step("security labels", async () => {
      await both(
        dom,
        "getSecurityLabel",
        [],
        (v) => assert.deepEqual(v, { label: "libvirt-test", enforcing: true }),
      );
      await bothFail(dom, "getSecurityLabelList", []);
    });

    await t.step("snapshots: create, list as objects and as names; no checkpoints", async () => {
      dom.snapshotCreateXML("<domainsnapshot><name>s1</name></domainsnapshot>");
      await both(dom, "listAllSnapshots", [], (v: { getName(): string }[]) => {
        assert.deepEqual(v.map((s) => s.getName()), ["s1"]);
      });
      await both(dom, "snapshotListNames", [], (v) => assert.deepEqual(v, ["s1"]));
      await both(dom, "listAllCheckpoints", [], (v) => assert.deepEqual(v, []));
    });

    await t.step(
      "createWithFiles starts the domain; fdAssociate and saveParams reach the driver",
      async () => {
        dom.destroy();
        dom.createWithFiles([]);
        assert.equal(dom.isActive(), true);
        dom.destroy();
        await dom.createWithFilesAsync([]);
        assert.equal(dom.isActive(), true);
        mark("createWithFiles");
        await bothFail(dom, "fdAssociate", ["disk0", [2]]);
        await bothFail(dom, "saveParams", [{ file: "/tmp/never-written.img" }]);
      },
    );
  } finally {
    conn.close();
  }
});

/** Polls `cond` every 50 ms until it holds (30 s at most). */
async function until(cond: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

// A running QEMU guest of the private daemon (tests/helpers/guest.ts): the calls only a real
// hypervisor answers, with values checked against what the guest is (a 1 MiB raw disk holding a
// boot sector, 32 MiB of memory, one vCPU).
Deno.test("Domain overrides on a real QEMU guest", async (t) => {
  const host = await requireGuestHost("api_domain_overrides_test.ts (QEMU guest)");
  if (!host) return;
  const conn = Connection.open(host.uri);
  const g = startGuest(conn, { persistent: true });
  const dom = g.dom;
  try {
    await t.step("cpu_shares set in the configuration reads back", async () => {
      await both(dom, "setSchedulerParameters", [{ cpu_shares: 512n }, CONFIG], () => {});
      await both(dom, "getSchedulerParameters", [CONFIG], (v: Record<string, unknown>) => {
        assert.equal(v.cpu_shares, 512n);
        assert.equal(typeof v.vcpu_quota, "bigint");
      });
      await both(
        dom,
        "getSchedulerType",
        [],
        (v: { type: string }) => assert.equal(v.type, "posix"),
      );
    });

    await t.step("memory, blkio and NUMA tunables set in the configuration read back", () => {
      dom.setMemoryParameters({ soft_limit: 65536n }, CONFIG);
      assert.equal(dom.getMemoryParameters(CONFIG).soft_limit, 65536n);
      dom.setBlkioParameters({ weight: 300 }, CONFIG);
      assert.equal(dom.getBlkioParameters(CONFIG).weight, 300);
      dom.setNumaParameters({ numa_nodeset: "0" }, CONFIG);
      assert.equal(dom.getNumaParameters(CONFIG).numa_nodeset, "0");
      dom.setPerfEvents({ cmt: false }, CONFIG);
      assert.equal(dom.getPerfEvents(CONFIG).cmt, false);
    });

    await t.step("block I/O throttling of the live disk reads back", async () => {
      await both(dom, "setBlockIoTune", ["hda", { total_bytes_sec: 1048576n }], () => {});
      await both(dom, "getBlockIoTune", ["hda"], (v: Record<string, unknown>) => {
        assert.equal(v.total_bytes_sec, 1048576n);
      });
    });

    await t.step("an I/O thread added live: listed, pinned, tuned", async () => {
      dom.addIOThread(1, DomainModificationImpact.LIVE);
      await both(dom, "getIOThreadInfo", [], (v: { iothreadId: number; cpumap: boolean[] }[]) => {
        assert.deepEqual(v.map((i) => i.iothreadId), [1]);
        assert.ok(v[0].cpumap.length >= 1 && v[0].cpumap.every((b) => typeof b === "boolean"));
      });
      await both(dom, "pinIOThread", [1, [true]], () => {});
      assert.deepEqual(dom.getIOThreadInfo()[0].cpumap.filter(Boolean).length, 1);
      await both(dom, "setIOThreadParams", [1, { poll_max_ns: 32768n, poll_grow: 2 }], () => {});
    });

    await t.step("disk, memory and CPU statistics of the running guest", async () => {
      // The BIOS reads the boot sector a moment after the start.
      await until(() => dom.blockStats("hda").rdReq > 0n, "the guest to read its disk");
      await both(
        dom,
        "blockStats",
        ["hda"],
        (v: Record<string, bigint>) => assert.ok(v.rdReq > 0n),
      );
      await both(dom, "blockStatsFlags", ["hda"], (v: Record<string, unknown>) => {
        assert.ok((v.rd_operations as bigint) > 0n && typeof v.wr_bytes === "bigint");
      });
      await both(
        dom,
        "memoryStats",
        [],
        (v: Record<string, bigint>) => assert.equal(v.actual, 32768n),
      );
      await both(
        dom,
        "getCPUStats",
        [-1],
        (v: Record<string, bigint>[]) => assert.ok(v[0].cpu_time > 0n),
      );
      // Per-CPU usage comes from cgroup v1's cpuacct; on a cgroup v2 host QEMU's driver says so.
      try {
        const [cpu0] = dom.getCPUStats(0, 1);
        assert.equal(typeof cpu0.cpu_time, "bigint");
      } catch (e) {
        assert.ok(e instanceof LibvirtError && e.code === OPERATION_UNSUPPORTED, String(e));
        assert.match(e.message, /cgroup V2/);
      }
      await both(
        dom,
        "getJobInfo",
        [],
        (v: { type: number }) => assert.equal(v.type, DomainJobType.NONE),
      );
      await both(
        dom,
        "getJobStats",
        [],
        (v: { type: number }) => assert.equal(v.type, DomainJobType.NONE),
      );
      await both(
        dom,
        "getControlInfo",
        [],
        (v: { state: number }) => assert.equal(v.state, DomainControlState.OK),
      );
    });

    await t.step(
      "getAllDomainStats and domainListGetStats describe the running guest",
      async () => {
        const types = DomainStatsTypes.STATE | DomainStatsTypes.BALLOON | DomainStatsTypes.BLOCK;
        const all = await conn.getAllDomainStatsAsync(types);
        const mine = all.find((r) => r.domain.getName() === g.name);
        assert.ok(mine, "the guest has a record");
        assert.equal(mine.stats["state.state"], DomainState.RUNNING);
        assert.equal(mine.stats["block.0.name"], "hda");
        assert.equal(mine.stats["balloon.current"], 32768n);
        const [rec] = conn.domainListGetStats([dom], DomainStatsTypes.VCPU);
        assert.equal(rec.stats["vcpu.current"], 1);
        assert.equal(typeof rec.stats["vcpu.0.time"], "bigint");
      },
    );

    await t.step("the guest's one vCPU, pinned to host CPU 0", async () => {
      await both(dom, "getVcpus", [], (v: { info: { number: number; state: number }[] }) => {
        assert.deepEqual(v.info.map((i) => i.number), [0]);
      });
      dom.pinVcpu(0, [true]);
      assert.deepEqual(dom.getVcpuPinInfo()[0].filter(Boolean).length, 1);
      dom.pinEmulator([true]);
      assert.equal(dom.getEmulatorPinInfo()[0], true);
    });

    await t.step("the boot sector read through blockPeek and from guest memory", async () => {
      await both(
        dom,
        "getBlockInfo",
        ["hda"],
        (v: { capacity: bigint }) => assert.equal(v.capacity, 1048576n),
      );
      await both(
        dom,
        "blockPeek",
        ["hda", 510, 2],
        (v: Uint8Array) => assert.deepEqual([...v], [0x55, 0xaa]),
      );
      // The BIOS loads the same sector at 0x7c00; 70 KiB crosses the 64 KiB call size.
      const signature = (m: Uint8Array) => m[510] === 0x55 && m[511] === 0xaa;
      await until(
        () => signature(dom.memoryPeek(0x7c00, 512, DomainMemoryFlags.PHYSICAL)),
        "the BIOS to load the boot sector",
      );
      const mem = dom.memoryPeek(0x7c00, 70 * 1024, DomainMemoryFlags.PHYSICAL);
      assert.equal(mem.length, 70 * 1024);
      assert.deepEqual([...mem.subarray(510, 512)], [0x55, 0xaa]);
      const again = await dom.memoryPeekAsync(0x7c00, 512, DomainMemoryFlags.PHYSICAL);
      assert.deepEqual([...again.subarray(510, 512)], [0x55, 0xaa]);
      await both(dom, "getDiskErrors", [], (v) => assert.deepEqual(v, []));
    });

    await t.step("keys, messages, security labels and migration tunables", async () => {
      await both(dom, "sendKey", [KeycodeSet.LINUX, 20, [28]], () => {});
      await both(
        dom,
        "getMessages",
        [],
        (v: string[]) => assert.ok(v.every((m) => typeof m === "string")),
      );
      await both(
        dom,
        "getSecurityLabel",
        [],
        (v: { label: string }) => assert.equal(typeof v.label, "string"),
      );
      await both(dom, "getSecurityLabelList", [], (v: unknown[]) => assert.ok(v.length >= 1));
      await both(dom, "migrateGetMaxSpeed", [], (v: bigint) => assert.ok(v > 0n));
      await both(dom, "migrateGetMaxDowntime", [], (v: bigint) => assert.ok(v > 0n));
      await both(dom, "migrateGetCompressionCache", [], (v: bigint) => assert.ok(v > 0n));
      await both(dom, "getLaunchSecurityInfo", [], (v) => assert.deepEqual(v, {}));
    });

    await t.step("guest-agent calls fail with the agent's own error (no agent runs)", async () => {
      for (
        const [name, args] of [
          ["getGuestVcpus", []],
          ["getGuestInfo", []],
          ["getFSInfo", []],
          ["getTime", []],
          ["fsFreeze", []],
          ["authorizedSSHKeysGet", ["root"]],
          ["interfaceAddresses", [DomainInterfaceAddressesSource.AGENT]],
        ] as const
      ) {
        await bothFail(dom, name, [...args], AGENT_UNRESPONSIVE);
      }
    });

    await t.step("blockCopy runs a copy job that getBlockJobInfo reports", async () => {
      const dest =
        `<disk type='file'><source file='${g.dir}/copy.raw'/><driver type='raw'/></disk>`;
      dom.blockCopy("hda", dest, { bandwidth: 1n << 20n }, DomainBlockCopyFlags.TRANSIENT_JOB);
      const job = await dom.getBlockJobInfoAsync("hda");
      assert.ok(job !== null && job.type === DomainBlockJobType.COPY, `job: ${job}`);
      // Waiting until the copy is ready to pivot (1 MiB at 1 MiB/s at most).
      const ready = await dom.blockJobWaitAsync("hda", { intervalMs: 20 });
      assert.ok(ready !== null && ready.cur === ready.end, `ready: ${ready}`);
      called.add("blockJobWaitAsync");
      dom.blockJobAbort("hda");
      assert.equal(dom.getBlockJobInfo("hda"), null);
      mark("blockCopy");
    });

    await t.step(
      "saveParams stops the guest into a file; restoreDomainParams starts it again",
      async () => {
        const file = `${g.dir}/saved.img`;
        dom.saveParams({ file });
        assert.equal(dom.isActive(), false);
        await conn.restoreDomainParamsAsync({ file });
        assert.equal(dom.isActive(), true);
        await dom.saveParamsAsync({ file });
        conn.restoreDomainParams({ file });
        assert.equal(dom.isActive(), true);
      },
    );
  } finally {
    g.remove(conn);
    conn.close();
    await host.daemon.stop();
  }
});

Deno.test("Domain overrides: bad arguments are TypeErrors, a freed domain says so", async (t) => {
  using conn = Connection.open("test:///default");
  const dom: Domain = conn.lookupDomainByName("test");
  const bad = dom as unknown as Record<string, (...a: unknown[]) => unknown>;

  await t.step("parameter records are checked before libvirt sees them", () => {
    assert.throws(() => bad.setSchedulerParameters("weight=1"), TypeError);
    assert.throws(
      () => dom.setMemoryParameters({ hard_limit: "big" as unknown as bigint }),
      TypeError,
    );
    assert.throws(() => dom.setBlkioParameters({ weight: 1.5 }), TypeError);
    assert.throws(() => dom.setPerfEvents({ cmt: 1 as unknown as boolean }), TypeError);
    assert.throws(() => dom.saveParams({ no_such_name: 3 }), TypeError); // type unknown
  });

  await t.step("cpumaps, strings, numbers and lists are checked", () => {
    assert.throws(() => bad.pinVcpu(0, [1, 0]), TypeError);
    assert.throws(() => bad.pinVcpu(-1, [true]), TypeError);
    assert.throws(() => bad.getBlockInfo(5), TypeError);
    assert.throws(() => bad.interfaceStats(null), TypeError);
    assert.throws(() => bad.fsFreeze(["/", 3]), TypeError);
    assert.throws(() => bad.sendKey(0, 10, [-1]), TypeError);
    assert.throws(() => bad.blockPeek("vda", -1, 1), TypeError);
    assert.throws(() => bad.createWithFiles([0.5]), TypeError);
    assert.throws(() => bad.migrate3({}, {}), TypeError);
    assert.throws(() => bad.getCPUStats(-2), TypeError);
    assert.throws(() => bad.getVcpusAsync.call({}), TypeError);
  });

  await t.step("a domain freed between two steps of an async call stops the call", async () => {
    const other = conn.lookupDomainByName("test");
    const pending = other.getVcpusAsync(); // its first step is in flight
    other.free(); // deferred by that step; the next step sees the domain gone
    await assert.rejects(pending, /freed during the call/);
  });

  await t.step("a freed domain refuses every override, sync and async", () => {
    dom.free();
    assert.throws(() => dom.getVcpus(), /Cannot get vCPUs: this Domain was freed/);
    assert.throws(() => dom.getSchedulerParameters(), /this Domain was freed/);
    assert.throws(() => dom.memoryStatsAsync(), /this Domain was freed/);
  });
});

Deno.test("Domain overrides: getAllDomainStats-style ownership holds over many calls", () => {
  using conn = Connection.open("test:///default");
  using dom = conn.lookupDomainByName("test");
  // Each of these frees what libvirt allocated (typed parameters, struct arrays, strings);
  // a double free or a use after free would crash this loop.
  for (let i = 0; i < 300; i++) {
    dom.getFSInfo();
    dom.interfaceAddresses(0);
    dom.getBlkioParameters();
    dom.getPerfEvents();
    dom.getCPUStats(0);
    dom.snapshotListNames();
  }
});

Deno.test("Domain overrides: every method of api/domain/*.ts was called", () => {
  const classes = [
    DomainParams,
    DomainDeviceParams,
    DomainStats,
    DomainVcpus,
    DomainGuest,
    DomainBlock,
    DomainMigrate,
    DomainMisc,
  ];
  const all = classes.flatMap((c) => ownMethods(c.prototype));
  const missing = all.filter((m) => !called.has(m));
  assert.deepEqual(missing, [], `not called: ${missing.join(", ")}`);
  console.log(`${all.length} Domain override methods called (sync and Async forms)`);
});

Deno.test("api/typed_param_names.ts is what tools/gen_param_names.ts writes from the headers", async () => {
  const { text, count } = renderParamNames();
  assert.ok(count > 200, `only ${count} names read`);
  assert.equal(await formatTs(text), Deno.readTextFileSync(PARAM_NAMES_FILE));
});
