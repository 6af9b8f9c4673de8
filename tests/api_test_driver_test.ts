// Specifies the generated methods against test:///default: every one of them reaches libvirt with
// its arguments, and libvirt 9.0's test driver answers what tests/fixtures/api_expected.ts says
// ("ok", or the code of the LibvirtError: NO_SUPPORT where the test driver lacks the function).
// The Async forms of the read-only ones answer the same. Set API_SWEEP_PRINT=1 to print answers.
import assert from "node:assert/strict";
import { Connection, type Domain, Stream } from "../mod.ts";
import {
  defaultArgs,
  generatedPlans,
  outcomeAsync,
  readOnly,
  sweep,
  type SweepContext,
} from "./helpers/api_sweep.ts";
import { TEST_DRIVER_EXPECTED } from "./fixtures/api_expected.ts";

const DOM_XML = "<domain type='test'><name>api-new</name><memory>1024</memory>" +
  "<os><type>hvm</type></os></domain>";
const NET_XML = "<network><name>api-net</name><bridge name='apibr0'/></network>";
const POOL_XML =
  "<pool type='dir'><name>api-pool</name><target><path>/api-pool</path></target></pool>";
const IFACE_XML = "<interface type='ethernet' name='api0'><start mode='onboot'/>" +
  "<mac address='aa:bb:cc:dd:ee:01'/></interface>";
// A domain with a disk: the test driver makes checkpoints only of those, and only without
// snapshots.
const CP_DOM_XML = "<domain type='test'><name>api-cp</name><memory>1024</memory>" +
  "<os><type>hvm</type></os><devices><disk type='file' device='disk'>" +
  "<source file='/tmp/api-cp.img'/><target dev='vda' bus='virtio'/>" +
  "<driver name='qemu' type='qcow2'/></disk></devices></domain>";

type Args = Record<string, (ctx: SweepContext) => unknown[]>;

// Arguments that make a call succeed where the default ones would only be refused.
const CONNECTION_ARGS: Args = {
  createDomainXML: () => [DOM_XML, 0],
  createNetworkXML: () => [NET_XML.replace("api-net", "api-net1").replace("apibr0", "apibr1")],
  createNetworkXMLFlags: () => [
    NET_XML.replace("api-net", "api-net2").replace("apibr0", "apibr2"),
    0,
  ],
  defineNetworkXML: () => [NET_XML],
  defineNetworkXMLFlags: () => [NET_XML, 0],
  createStoragePoolXML: () => [POOL_XML.replace(/api-pool/g, "api-pool1"), 0],
  defineStoragePoolXML: () => [POOL_XML, 0],
  defineInterfaceXML: () => [IFACE_XML, 0],
  lookupDomainByName: () => ["test"],
  lookupNetworkByName: () => ["default"],
  lookupStoragePoolByName: () => ["default-pool"],
  lookupInterfaceByName: () => ["eth1"],
  lookupInterfaceByMACString: () => ["aa:bb:cc:dd:ee:ff"],
  lookupNodeDeviceByName: () => ["computer"],
};
const DOMAIN_ARGS: Args = {
  setMemory: () => [1024],
  setMemoryFlags: () => [1024, 0],
  setVcpus: () => [1],
  setVcpusFlags: () => [1, 0],
  snapshotCreateXML: () => ["<domainsnapshot><name>api-snap</name></domainsnapshot>", 0],
  snapshotLookupByName: () => ["api-snap", 0],
  snapshotCurrent: () => [0],
};
// What stops or removes the domain goes last (after every other Domain method).
const DOMAIN_LAST = new Set(["save", "saveFlags", "coreDump", "coreDumpWithFormat", "rename"]);

const PRINT = Deno.env.get("API_SWEEP_PRINT") === "1";
const printed: Record<string, Record<string, string>> = {};

function check(cls: string, got: Record<string, string>): void {
  if (PRINT) {
    printed[cls] = { ...printed[cls], ...got };
    return;
  }
  const want = TEST_DRIVER_EXPECTED[cls];
  assert.ok(want, `no expectations for ${cls}`);
  for (const [method, answer] of Object.entries(got)) {
    assert.equal(answer, want[method], `${cls}.${method}: libvirt answered ${answer}`);
  }
}

Deno.test("every generated method reaches test:///default's driver", async (t) => {
  using conn = Connection.open("test:///default");
  const dir = await Deno.makeTempDir({ prefix: "api_sweep_" });
  // A domain of its own: the sweep stops and renames it.
  const dom = conn.defineDomainXML(DOM_XML.replace("api-new", "api-dom"));
  dom.create();
  const pool = conn.lookupStoragePoolByName("default-pool");
  const vol = pool.createVolumeXML(
    "<volume><name>api.img</name><capacity>1024</capacity></volume>",
  );
  using stream = new Stream(conn);
  const ctx: SweepContext = { dir, objects: { Stream: stream, StorageVol: vol } };

  await t.step(
    "first, the Async forms of the read-only methods answer as the sync ones",
    async () => {
      using fresh = Connection.open("test:///default");
      const objects: [string, unknown][] = [
        ["Connection", fresh],
        ["Domain", fresh.lookupDomainByName("test")],
        ["StoragePool", fresh.lookupStoragePoolByName("default-pool")],
        ["Network", fresh.lookupNetworkByName("default")],
        ["Interface", fresh.lookupInterfaceByName("eth1")],
        ["NodeDevice", fresh.lookupNodeDeviceByName("computer")],
      ];
      let n = 0;
      for (const [cls, obj] of objects) {
        const target = obj as Record<string, (...a: unknown[]) => Promise<unknown>>;
        for (const p of generatedPlans(cls).filter(readOnly)) {
          const args = (cls === "Connection" ? CONNECTION_ARGS : {})[p.method]?.(ctx) ??
            defaultArgs(p, ctx);
          const sync = sweep(obj, [p], ctx, { [p.method]: () => args })[p.method];
          const async = await outcomeAsync(() => target[`${p.method}Async`](...args));
          assert.equal(async, sync, `${cls}.${p.method}Async`);
          n++;
        }
      }
      assert.ok(n > 50, `only ${n} Async forms called`);
    },
  );

  await t.step("Domain (the rest of the object first, then what stops it)", () => {
    const plans = generatedPlans("Domain");
    check("Domain", sweep(dom, plans, ctx, DOMAIN_ARGS, DOMAIN_LAST));
    check("Domain", sweep(dom, plans.filter((p) => DOMAIN_LAST.has(p.method)), ctx));
  });

  await t.step("DomainSnapshot, on a tree of two snapshots", () => {
    const other = conn.lookupDomainByName("test");
    const a = other.snapshotCreateXML("<domainsnapshot><name>a</name></domainsnapshot>");
    other.snapshotCreateXML("<domainsnapshot><name>b</name></domainsnapshot>");
    check("DomainSnapshot", sweep(a, generatedPlans("DomainSnapshot"), ctx));
  });

  await t.step("DomainCheckpoint, on a domain with a disk", () => {
    const cpDom: Domain = conn.defineDomainXML(CP_DOM_XML);
    cpDom.create();
    const cp = cpDom.checkpointCreateXML("<domaincheckpoint><name>c1</name></domaincheckpoint>");
    check("DomainCheckpoint", sweep(cp, generatedPlans("DomainCheckpoint"), ctx));
  });

  await t.step("StorageVol and StoragePool", () => {
    check("StorageVol", sweep(vol, generatedPlans("StorageVol"), ctx));
    const other = conn.lookupStoragePoolByName("default-pool");
    const clone = other.createVolumeXML(
      "<volume><name>api2.img</name><capacity>1024</capacity></volume>",
    );
    check(
      "StoragePool",
      sweep(other, generatedPlans("StoragePool"), { ...ctx, objects: { StorageVol: clone } }),
    );
  });

  await t.step("Network, Interface, NodeDevice", () => {
    check("Network", sweep(conn.lookupNetworkByName("default"), generatedPlans("Network"), ctx));
    check("Interface", sweep(conn.lookupInterfaceByName("eth1"), generatedPlans("Interface"), ctx));
    check(
      "NodeDevice",
      sweep(conn.lookupNodeDeviceByName("computer"), generatedPlans("NodeDevice"), ctx),
    );
  });

  await t.step("Connection (node, lookups, creators; libvirt-qemu's attach)", () => {
    using fresh = Connection.open("test:///default");
    check("Connection", sweep(fresh, generatedPlans("Connection"), ctx, CONNECTION_ARGS));
  });

  await Deno.remove(dir, { recursive: true });
  if (PRINT) console.log(JSON.stringify(printed, null, 1));
});
