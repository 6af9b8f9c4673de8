// Specifies the object kinds and libvirt-qemu/lxc functions test:///default lacks, on the private
// libvirtd's drivers (qemu+unix): network filters and their bindings, secrets and their values,
// network ports and DHCP leases, QEMU monitor and agent commands, QEMU monitor events, and the
// LXC namespace call (NO_SUPPORT on the QEMU driver, which still proves it is bound and called).
import assert from "node:assert/strict";
import {
  Connection,
  ErrorNumber,
  Event,
  IPAddrType,
  LibvirtError,
  NWFilter,
  NWFilterBinding,
  Secret,
  SecretUsageType,
} from "../mod.ts";
import { requireDaemon } from "./helpers/daemon.ts";
import { generatedPlans, outcome, sweep, type SweepContext } from "./helpers/api_sweep.ts";
import { assertLibvirtError } from "./helpers/libvirt_error.ts";

const FILTER_XML = "<filter name='api-filter' chain='ipv4'>" +
  "<rule action='drop' direction='out'><ip srcipaddr='10.0.0.1'/></rule></filter>";
const SECRET_XML = "<secret ephemeral='no' private='no'>" +
  "<usage type='volume'><volume>/api/vol.img</volume></usage></secret>";
const NET_XML = "<network><name>api-net</name><bridge name='apibr9'/>" +
  "<ip address='192.168.213.1' netmask='255.255.255.0'><dhcp>" +
  "<host mac='52:54:00:aa:bb:01' name='alpha' ip='192.168.213.10'/>" +
  "<host mac='52:54:00:aa:bb:02' ip='192.168.213.11'/></dhcp></ip></network>";
// libvirt's own lease helper: dnsmasq runs it (--dhcp-script) for every lease it hands out, and
// it writes the lease file the network driver's virNetworkGetDHCPLeases reads.
const LEASES_HELPER = "/usr/lib/libvirt/libvirt_leaseshelper";
const LEASES_DIR = "/var/lib/libvirt/dnsmasq";
const DOM_XML = "<domain type='qemu'><name>api-q</name><memory>65536</memory>" +
  "<os><type arch='x86_64'>hvm</type></os></domain>";

// Runs libvirt's lease helper as dnsmasq does when it hands out a lease: `add MAC IP [HOST]`,
// with the bridge and the expiry time in dnsmasq's environment variables.
async function addLease(bridge: string, expires: number, args: string[]): Promise<void> {
  const r = await new Deno.Command(LEASES_HELPER, {
    args: ["add", ...args],
    env: { DNSMASQ_INTERFACE: bridge, DNSMASQ_LEASE_EXPIRES: String(expires) },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const err = new TextDecoder().decode(r.stderr);
  assert.ok(r.success, `${LEASES_HELPER} add ${args.join(" ")} failed: ${err}`);
}

Deno.test("the daemon's drivers answer the kinds test:///default lacks", async (t) => {
  // API_DAEMON_URI: a daemon already running (when the private one cannot start here).
  const given = Deno.env.get("API_DAEMON_URI");
  const d = given ? null : await requireDaemon("api_daemon_test.ts");
  if (!d && !given) return;
  const ctx: SweepContext = { dir: "/tmp", objects: {} };
  try {
    // QEMU monitor events need a registered loop; libvirt's own is enough (never run here).
    Event.registerDefaultImpl();
    using conn = Connection.open(given ?? d!.qemuUri);

    await t.step("NWFilter: define, look up three ways, describe, undefine", () => {
      const before = conn.numOfNWFilters();
      const f = conn.defineNWFilterXML(FILTER_XML);
      assert.ok(f instanceof NWFilter);
      assert.equal(f.getConnect(), conn);
      assert.equal(conn.numOfNWFilters(), before + 1);
      assert.equal(conn.lookupNWFilterByName("api-filter").getUUIDString(), f.getUUIDString());
      assert.equal(conn.lookupNWFilterByUUID(f.getUUID()).getName(), "api-filter");
      assert.equal(conn.lookupNWFilterByUUIDString(f.getUUIDString()).getName(), "api-filter");
      // Defined again (same name and UUID): the definition is replaced.
      const again = FILTER_XML.replace(">", `><uuid>${f.getUUIDString()}</uuid>`);
      assert.equal(conn.defineNWFilterXMLFlags(again, 0).getName(), "api-filter");
      const got = sweep(f, generatedPlans("NWFilter"), ctx);
      assert.deepEqual(got, {
        getName: "ok",
        getUUID: "ok",
        getUUIDString: "ok",
        getXMLDesc: "ok",
        undefine: "ok",
      });
      assertLibvirtError(() => conn.lookupNWFilterByName("api-filter"), ErrorNumber.NO_NWFILTER);
    });

    await t.step("NWFilterBinding: lookups of a port that has none", () => {
      assertLibvirtError(
        () => conn.lookupNWFilterBindingByPortDev("api-vnet0"),
        ErrorNumber.NO_NWFILTER_BINDING,
      );
      const xml = "<filterbinding><owner><name>api</name>" +
        "<uuid>11111111-2222-3333-4444-555555555555</uuid></owner><portdev name='api-vnet0'/>" +
        "<mac address='52:54:00:11:22:33'/><filterref filter='allow-arp'/></filterbinding>";
      const r = outcome(() => {
        const b = conn.createNWFilterBindingXML(xml);
        assert.ok(b instanceof NWFilterBinding);
        const got = sweep(b, generatedPlans("NWFilterBinding"), ctx);
        assert.deepEqual(got, {
          getFilterName: "ok",
          getPortDev: "ok",
          getXMLDesc: "ok",
          delete: "ok",
        });
      });
      assert.ok(r === "ok" || r === "INTERNAL_ERROR" || r === "SYSTEM_ERROR", r);
    });

    await t.step("Secret: define, set and read its value, look it up, undefine", () => {
      const s = conn.defineSecretXML(SECRET_XML);
      assert.ok(s instanceof Secret);
      s.setValue(new TextEncoder().encode("hunter2"));
      assert.equal(new TextDecoder().decode(s.getValue()), "hunter2");
      assert.equal(s.getUsageType(), SecretUsageType.VOLUME);
      assert.equal(
        conn.lookupSecretByUsage(SecretUsageType.VOLUME, "/api/vol.img").getUUIDString(),
        s.getUUIDString(),
      );
      assert.equal(conn.lookupSecretByUUID(s.getUUID()).getUsageID(), "/api/vol.img");
      assert.ok(conn.numOfSecrets() >= 1);
      const got = sweep(s, generatedPlans("Secret"), ctx);
      assert.deepEqual(got, {
        getUUID: "ok",
        getUUIDString: "ok",
        getUsageID: "ok",
        getXMLDesc: "ok",
        undefine: "ok",
      });
    });

    await t.step("Network: DHCP leases and ports of a defined network", async () => {
      const net = conn.defineNetworkXML(NET_XML);
      let madeDir = false;
      try {
        assert.deepEqual(net.getDHCPLeases(), []); // no dnsmasq has run: no leases
        // Two leases handed out as dnsmasq would (this sandbox cannot run a DHCP exchange):
        // libvirt's helper records them in the file of the network's bridge.
        try {
          Deno.statSync(LEASES_DIR);
        } catch {
          Deno.mkdirSync(LEASES_DIR, { recursive: true });
          madeDir = true;
        }
        const expires = Math.floor(Date.now() / 1000) + 3600;
        await addLease("apibr9", expires, ["52:54:00:aa:bb:01", "192.168.213.10", "alpha"]);
        await addLease("apibr9", expires + 60, ["52:54:00:aa:bb:02", "192.168.213.11"]);
        const leases = net.getDHCPLeases().sort((a, b) => a.ipaddr.localeCompare(b.ipaddr));
        assert.deepEqual(leases, [
          {
            iface: "apibr9",
            expirytime: BigInt(expires),
            type: IPAddrType.IPV4,
            mac: "52:54:00:aa:bb:01",
            iaid: null,
            ipaddr: "192.168.213.10",
            prefix: 24,
            hostname: "alpha",
            clientid: null,
          },
          {
            iface: "apibr9",
            expirytime: BigInt(expires + 60),
            type: IPAddrType.IPV4,
            mac: "52:54:00:aa:bb:02",
            iaid: null,
            ipaddr: "192.168.213.11",
            prefix: 24,
            hostname: null,
            clientid: null,
          },
        ]);
        // One MAC's leases only; a MAC with none gives an empty list.
        assert.deepEqual(net.getDHCPLeases("52:54:00:AA:BB:02").map((l) => l.ipaddr), [
          "192.168.213.11",
        ]);
        assert.deepEqual(net.getDHCPLeases("52:54:00:aa:bb:cc"), []);
        assertLibvirtError(() => net.listAllPorts(), ErrorNumber.OPERATION_INVALID);
        assertLibvirtError(
          () => net.portLookupByUUIDString("11111111-2222-3333-4444-555555555555"),
          ErrorNumber.NO_NETWORK_PORT,
        );
        assertLibvirtError(
          () => net.portLookupByUUID(new Uint8Array(16).fill(0x11)),
          ErrorNumber.NO_NETWORK_PORT,
        );
      } finally {
        net.undefine(); // removes the network's lease file too
        if (madeDir) Deno.removeSync(LEASES_DIR, { recursive: true });
      }
    });

    await t.step("libvirt-qemu: monitor and agent commands need a running domain", async () => {
      const dom = conn.defineDomainXML(DOM_XML);
      try {
        const cmd = '{"execute":"query-status"}';
        assertLibvirtError(() => dom.qemuMonitorCommand(cmd), ErrorNumber.OPERATION_INVALID);
        assertLibvirtError(
          () => dom.qemuMonitorCommandWithFiles(cmd, []),
          ErrorNumber.OPERATION_INVALID,
        );
        assertLibvirtError(
          () => dom.qemuAgentCommand('{"execute":"guest-ping"}', -1),
          ErrorNumber.OPERATION_INVALID,
        );
        assert.throws(() => dom.qemuMonitorCommandWithFiles(cmd, [-1]), TypeError);
        for (
          const p of [
            dom.qemuMonitorCommandAsync(cmd),
            dom.qemuMonitorCommandWithFilesAsync(cmd, []),
            dom.qemuAgentCommandAsync('{"execute":"guest-ping"}', -1),
          ]
        ) {
          await assert.rejects(
            p,
            (e) => e instanceof LibvirtError && e.code === ErrorNumber.OPERATION_INVALID,
          );
        }
      } finally {
        dom.undefine();
      }
    });

    await t.step("libvirt-qemu: monitor event registration and deregistration", () => {
      const id = conn.domainQemuMonitorEventRegister(null, "STOP", () => {});
      assert.ok(id >= 0);
      conn.domainQemuMonitorEventDeregister(id);
      assertLibvirtError(
        () => conn.domainQemuMonitorEventDeregister(id),
        ErrorNumber.INVALID_ARG,
      );
      assert.throws(
        () => conn.domainQemuMonitorEventRegister(null, null, null as never),
        TypeError,
      );
    });

    await t.step(
      "libvirt-qemu's attach and libvirt-lxc's namespaces: not the QEMU driver's",
      async () => {
        assertLibvirtError(() => conn.domainQemuAttach(1), ErrorNumber.NO_SUPPORT);
        const dom = conn.defineDomainXML(DOM_XML);
        try {
          assertLibvirtError(() => dom.lxcOpenNamespace(), ErrorNumber.NO_SUPPORT);
          await assert.rejects(
            dom.lxcOpenNamespaceAsync(),
            (e) => e instanceof LibvirtError && e.code === ErrorNumber.NO_SUPPORT,
          );
        } finally {
          dom.undefine();
        }
      },
    );
  } finally {
    await d?.stop();
  }
});
