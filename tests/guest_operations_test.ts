// Specifies what users do daily to a real QEMU guest, through this module: define, start, shut
// down, destroy, undefine; suspend and resume; reset and reboot; managed save then start; live
// device attach and detach; memory; metadata. The guest's console shows it really happened.
import "./helpers/loop.ts";
import assert from "node:assert/strict";
import {
  Connection,
  DomainMetadataType,
  DomainModificationImpact,
  DomainPausedReason,
  DomainRunningReason,
  DomainShutoffReason,
  DomainState,
  DomainXMLFlags,
  ErrorNumber,
  LibvirtError,
} from "../mod.ts";
import { GUEST_BANNER } from "./fixtures/bootsector.ts";
import { requireGuestHost, startGuest } from "./helpers/guest.ts";
import { GuestConsole } from "./helpers/guest_console.ts";

const LIVE = DomainModificationImpact.LIVE;
const TABLET = "<input type='tablet' bus='usb'/>";
const NS = "https://deno-libvirt.example/ops";

async function waitState(
  dom: { getState(): { state: number; reason: number } },
  state: number,
  ms = 15_000,
): Promise<number> {
  const end = Date.now() + ms;
  for (;;) {
    const now = dom.getState();
    if (now.state === state) return now.reason;
    if (Date.now() > end) throw new Error(`Still in state ${now.state} after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

Deno.test("daily operations on a real QEMU guest", async (t) => {
  const host = await requireGuestHost("guest_operations_test.ts");
  if (!host) return;
  using conn = Connection.open(host.uri);
  const g = startGuest(conn, { persistent: true, paused: true });
  let con = GuestConsole.open(g.dom);
  try {
    g.dom.resume();
    await con.waitFor(GUEST_BANNER);

    await t.step("defined and started: persistent, running, booted", () => {
      assert.equal(g.dom.isPersistent(), true);
      assert.equal(g.dom.isActive(), true);
      assert.deepEqual(g.dom.getState(), {
        state: DomainState.RUNNING,
        reason: DomainRunningReason.UNPAUSED,
      });
      assert.equal(conn.lookupDomainByName(g.name).getUUIDString(), g.dom.getUUIDString());
    });

    await t.step("suspend and resume: paused by the user, then running again", async () => {
      g.dom.suspend();
      assert.deepEqual(g.dom.getState(), {
        state: DomainState.PAUSED,
        reason: DomainPausedReason.USER,
      });
      g.dom.resume();
      assert.equal(g.dom.getState().state, DomainState.RUNNING);
      await con.write("still here");
      await con.waitFor("still here");
    });

    await t.step("QEMU's monitor and agent through the Async forms", async () => {
      const status = JSON.parse(await g.dom.qemuMonitorCommandAsync('{"execute":"query-status"}'));
      assert.equal(status.return.status, "running");
      const withFiles = await g.dom.qemuMonitorCommandWithFilesAsync(
        '{"execute":"query-name"}',
        [],
      );
      assert.ok("return" in JSON.parse(withFiles.result));
      assert.deepEqual(withFiles.outfiles, []);
      // The guest has no agent channel: libvirt's own error, as a rejection.
      await assert.rejects(
        g.dom.qemuAgentCommandAsync('{"execute":"guest-ping"}', 1),
        (e) => e instanceof LibvirtError && e.code !== 0,
      );
      await assert.rejects(
        g.dom.qemuMonitorCommandAsync("not json"),
        (e) => e instanceof LibvirtError,
      );
      assert.throws(() => g.dom.qemuMonitorCommandWithFilesAsync("{}", [-1]), TypeError);
    });

    await t.step("reset and reboot: the guest boots again each time", async () => {
      let from = con.received.length;
      g.dom.reset();
      from = await con.waitFor(GUEST_BANNER, 10_000, from);
      g.dom.reboot(); // ACPI: the guest powers off on the button, libvirt starts it again
      await con.waitFor(GUEST_BANNER, 15_000, from);
      assert.equal(g.dom.getState().state, DomainState.RUNNING);
    });

    await t.step("live attach and detach of a USB tablet", async () => {
      g.dom.attachDeviceFlags(TABLET, LIVE);
      assert.match(g.dom.getXMLDesc(), /<input type='tablet' bus='usb'>/);
      assert.doesNotMatch(g.dom.getXMLDesc(DomainXMLFlags.INACTIVE), /type='tablet'/);
      g.dom.detachDeviceFlags(TABLET, LIVE);
      const end = Date.now() + 10_000; // the removal completes when QEMU confirms it
      while (/type='tablet'/.test(g.dom.getXMLDesc())) {
        assert.ok(Date.now() < end, "the tablet is still there after 10 s");
        await new Promise((r) => setTimeout(r, 50));
      }
    });

    await t.step("memory: the balloon target is accepted, more than the maximum is not", () => {
      const max = g.dom.getMaxMemory();
      assert.equal(max, 32 * 1024);
      g.dom.setMemory(24 * 1024); // the balloon target (the guest has no driver to honour it)
      assert.throws(() => g.dom.setMemory(max * 2), LibvirtError);
      g.dom.setMemoryFlags(16 * 1024, DomainModificationImpact.CONFIG);
      const inactive = g.dom.getXMLDesc(DomainXMLFlags.INACTIVE);
      assert.match(inactive, /<currentMemory unit='KiB'>16384<\/currentMemory>/);
    });

    await t.step("metadata: title, description and an element, live, read back, removed", () => {
      g.dom.setMetadata(DomainMetadataType.TITLE, "ops guest", null, null, LIVE);
      g.dom.setMetadata(DomainMetadataType.DESCRIPTION, "runs a boot sector", null, null, LIVE);
      g.dom.setMetadata(DomainMetadataType.ELEMENT, "<ops ok='yes'/>", "o", NS, LIVE);
      assert.equal(g.dom.getMetadata(DomainMetadataType.TITLE, null, LIVE), "ops guest");
      assert.equal(
        g.dom.getMetadata(DomainMetadataType.DESCRIPTION, null, LIVE),
        "runs a boot sector",
      );
      assert.equal(g.dom.getMetadata(DomainMetadataType.ELEMENT, NS, LIVE), `<ops ok="yes"/>`);
      g.dom.setMetadata(DomainMetadataType.ELEMENT, null, null, NS, LIVE);
      assert.throws(
        () => g.dom.getMetadata(DomainMetadataType.ELEMENT, NS, LIVE),
        (e) => e instanceof LibvirtError && e.code === ErrorNumber.NO_DOMAIN_METADATA,
      );
    });

    await t.step("managedSave, then start: restored where it was", async () => {
      await con.close();
      g.dom.managedSave();
      assert.equal(g.dom.hasManagedSaveImage(), true);
      assert.deepEqual(g.dom.getState(), {
        state: DomainState.SHUTOFF,
        reason: DomainShutoffReason.SAVED,
      });
      g.dom.create();
      assert.equal(g.dom.getState().reason, DomainRunningReason.RESTORED);
      assert.equal(g.dom.hasManagedSaveImage(), false);
      con = GuestConsole.open(g.dom);
      await con.write("restored");
      await con.waitFor("restored"); // the same boot, no banner: it went on where it was
      assert.ok(!con.text.includes(GUEST_BANNER));
    });

    await t.step("shutdown: the guest powers off (ACPI), shut off by shutdown", async () => {
      g.dom.shutdown();
      assert.equal(await waitState(g.dom, DomainState.SHUTOFF), DomainShutoffReason.SHUTDOWN);
      await con.close();
    });

    await t.step("start again, then destroy: shut off, destroyed", () => {
      g.dom.create();
      assert.equal(g.dom.getState().state, DomainState.RUNNING);
      g.dom.destroy();
      assert.deepEqual(g.dom.getState(), {
        state: DomainState.SHUTOFF,
        reason: DomainShutoffReason.DESTROYED,
      });
    });

    await t.step("undefine: the domain is gone", () => {
      g.dom.undefine();
      assert.throws(
        () => conn.lookupDomainByName(g.name),
        (e) => e instanceof LibvirtError && e.code === ErrorNumber.NO_DOMAIN,
      );
    });
  } finally {
    await con.close().catch(() => {});
    g.remove(conn);
  }
});
