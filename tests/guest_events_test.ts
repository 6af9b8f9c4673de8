// Specifies the events of a real QEMU guest's life (start, pause, reset, tunables, metadata, RTC,
// watchdog, ACPI sleep and wake-up, save and restore, ACPI shutdown): each payload this module
// decodes is compared field by field with what `virsh event` printed for the same action.
import "./helpers/loop.ts";
import assert from "node:assert/strict";
import {
  ConnectDomainQemuMonitorEventRegisterFlags,
  Connection,
  DomainEventID,
  type DomainEventPayloads,
  DomainEventType,
  DomainMetadataType,
  DomainModificationImpact,
  ErrorNumber,
  LibvirtError,
  type QemuMonitorEvent,
} from "../mod.ts";
import { liveQemuMonitorHandlers } from "../api/qemu.ts";
import { GUEST_BANNER, GuestCommand } from "./fixtures/bootsector.ts";
import { type Guest, requireGuestHost, startGuest } from "./helpers/guest.ts";
import { GuestConsole } from "./helpers/guest_console.ts";
import { until } from "./fixtures/reliability_child.ts";
import { EventRecorder, type VirshEvent, VirshEvents } from "./helpers/guest_events.ts";
import {
  AGENT_REASON,
  AGENT_STATE,
  DISK_CHANGE_REASON,
  fields,
  LIFECYCLE_DETAIL,
  LIFECYCLE_EVENT,
  METADATA_TYPE,
  orNull,
  paramsAsVirsh,
  WATCHDOG_ACTION,
} from "./helpers/guest_virsh_names.ts";

const NS = "https://deno-libvirt.example/guest-test";

/** Parameter values compared as virsh prints them; numbers compared as numbers (%lf vs 0.5). */
function sameParams(ours: Record<string, unknown>, theirs: Record<string, string>): void {
  const mine = paramsAsVirsh(ours);
  assert.deepEqual(Object.keys(mine).sort(), Object.keys(theirs).sort());
  for (const [k, v] of Object.entries(theirs)) {
    if (mine[k] === v) continue;
    assert.equal(Number(mine[k]), Number(v), `parameter ${k}: ours ${mine[k]}, virsh ${v}`);
  }
}

Deno.test("a real guest's life, as events, beside virsh event", async (t) => {
  const host = await requireGuestHost("guest_events_test.ts");
  if (!host) return;
  using conn = Connection.open(host.uri);
  using rec = new EventRecorder(conn);
  // virsh listens once it printed the probe domain's definition (libvirt needs a valid one).
  await using virsh = await VirshEvents.start(host.uri, (probe) => {
    const dom = conn.defineDomainXML(
      `<domain type='qemu'><name>${probe}</name><memory unit='MiB'>32</memory>` +
        `<os><type arch='x86_64' machine='pc'>hvm</type></os></domain>`,
    );
    dom.undefine();
    dom.free();
  });
  let g: Guest | null = null;
  let con: GuestConsole | null = null;

  async function both<K extends DomainEventID>(
    id: K,
    virshName: string,
    pred: (p: DomainEventPayloads[K]) => boolean = () => true,
    vpred: (e: VirshEvent) => boolean = () => true,
  ): Promise<[DomainEventPayloads[K], VirshEvent]> {
    const ours = await rec.next(id, g!.name, pred);
    const theirs = await virsh.next(virshName, g!.name, vpred);
    return [ours.payload, theirs];
  }

  async function lifecycle(event: number, detail: number): Promise<void> {
    const name = `${LIFECYCLE_EVENT[event]} ${LIFECYCLE_DETAIL[event][detail]}`;
    const [ours, theirs] = await both(
      DomainEventID.LIFECYCLE,
      "lifecycle",
      (p) => p.event === event,
      (e) => e.text.startsWith(LIFECYCLE_EVENT[event] + " "),
    );
    assert.equal(theirs.text, name, "virsh's event and detail");
    assert.equal(ours.event, event);
    assert.equal(ours.detail, detail, `our detail for ${name}`);
  }

  try {
    await t.step(
      "start: lifecycle, disk-change (missing CD source) and agent-lifecycle",
      async () => {
        g = startGuest(conn, { paused: true });
        con = GuestConsole.open(g.dom);
        g.dom.resume();
        await con.waitFor(GUEST_BANNER);
        await lifecycle(DomainEventType.STARTED, 0); // BOOTED
        await lifecycle(DomainEventType.RESUMED, 0); // UNPAUSED

        const [disk, vdisk] = await both(DomainEventID.DISK_CHANGE, "disk-change");
        const v = fields(vdisk, /^disk (?<alias>\S+): (?<old>.*) -> (?<new>.*): (?<reason>\w+)$/);
        assert.deepEqual(
          {
            alias: disk.devAlias,
            old: orNull(disk.oldSrcPath),
            new: orNull(disk.newSrcPath),
            reason: DISK_CHANGE_REASON[disk.reason],
          },
          v,
        );
        assert.equal(disk.oldSrcPath, g!.missingMedia);
        assert.equal(disk.newSrcPath, null);

        const [agent, vagent] = await both(DomainEventID.AGENT_LIFECYCLE, "agent-lifecycle");
        assert.deepEqual(
          { state: AGENT_STATE[agent.state], reason: AGENT_REASON[agent.reason] },
          fields(vagent, /^state: '(?<state>[^']*)' reason: '(?<reason>[^']*)'$/),
        );
      },
    );

    await t.step("suspend and resume: Suspended Paused, Resumed Unpaused", async () => {
      g!.dom.suspend();
      await lifecycle(DomainEventType.SUSPENDED, 0);
      g!.dom.resume();
      await lifecycle(DomainEventType.RESUMED, 0);
    });

    await t.step("QEMU monitor events: STOP and RESUME from QEMU itself", async () => {
      const seen: QemuMonitorEvent[] = [];
      const everything: string[] = [];
      const before = liveQemuMonitorHandlers();
      const since = BigInt(Math.floor(Date.now() / 1000));
      const id = conn.domainQemuMonitorEventRegister(
        g!.dom,
        "^(stop|resume)$",
        (e) => void seen.push(e),
        ConnectDomainQemuMonitorEventRegisterFlags.REGEX |
          ConnectDomainQemuMonitorEventRegisterFlags.NOCASE,
      );
      const all = conn.domainQemuMonitorEventRegister(null, null, (e) => {
        everything.push(e.event);
      });
      assert.equal(liveQemuMonitorHandlers(), before + 2);
      g!.dom.suspend();
      await lifecycle(DomainEventType.SUSPENDED, 0);
      g!.dom.resume();
      await lifecycle(DomainEventType.RESUMED, 0);
      await until(() => seen.length >= 2, 10_000, "STOP and RESUME");
      assert.deepEqual(seen.map((e) => e.event), ["STOP", "RESUME"]);
      for (const e of seen) {
        assert.equal(e.domain.getName(), g!.name);
        assert.ok(e.seconds >= since && e.micros >= 0 && e.micros < 1_000_000);
        // QEMU sends `data` only when the event has some; STOP and RESUME have none.
        if (e.details !== null) JSON.parse(e.details);
      }
      assert.ok(everything.includes("STOP") && everything.includes("RESUME"), `${everything}`);
      conn.domainQemuMonitorEventDeregister(id);
      conn.domainQemuMonitorEventDeregister(all);
      assert.equal(liveQemuMonitorHandlers(), before);
      assert.throws(() => conn.domainQemuMonitorEventDeregister(id), LibvirtError);
      g!.dom.suspend();
      await lifecycle(DomainEventType.SUSPENDED, 0);
      g!.dom.resume();
      await lifecycle(DomainEventType.RESUMED, 0);
      assert.equal(seen.length, 2, "nothing after deregistration");

      // A registration left when its connection closes: the close deregisters it.
      const other = Connection.open(host.uri);
      other.domainQemuMonitorEventRegister(null, null, () => {});
      assert.equal(liveQemuMonitorHandlers(), before + 1);
      other.close();
      assert.equal(liveQemuMonitorHandlers(), before);
    });

    await t.step("reset: reboot (no payload), and the guest boots again", async () => {
      const from = con!.received.length;
      g!.dom.reset();
      const [ours, theirs] = await both(DomainEventID.REBOOT, "reboot");
      assert.deepEqual(ours, {});
      assert.equal(theirs.text, "");
      await con!.waitFor(GUEST_BANNER, 10_000, from);
    });

    await t.step("metadata-change for an element and for the title", async () => {
      g!.dom.setMetadata(
        DomainMetadataType.ELEMENT,
        "<probe n='1'/>",
        "dl",
        NS,
        DomainModificationImpact.LIVE,
      );
      g!.dom.setMetadata(DomainMetadataType.TITLE, "a title", null, null, 1);
      for (const type of [DomainMetadataType.ELEMENT, DomainMetadataType.TITLE]) {
        const [ours, theirs] = await both(DomainEventID.METADATA_CHANGE, "metadata-change");
        assert.equal(ours.type, type);
        assert.deepEqual(
          { type: METADATA_TYPE[ours.type], uri: orNull(ours.nsuri) },
          fields(theirs, /^type (?<type>\w+), uri (?<uri>\S+)$/),
        );
      }
    });

    await t.step("tunable: the scheduler's cpu_shares, as typed parameters", async () => {
      g!.dom.setSchedulerParameters({ cpu_shares: 512n }, DomainModificationImpact.LIVE);
      const [ours, theirs] = await both(DomainEventID.TUNABLE, "tunable");
      assert.equal(ours.params["cputune.cpu_shares"], 512n);
      sameParams(ours.params, theirs.params);
    });

    await t.step("rtc-change: the guest sets its clock (int 1Ah)", async () => {
      await con!.write(String.fromCharCode(GuestCommand.SET_CLOCK));
      const [ours, theirs] = await both(DomainEventID.RTC_CHANGE, "rtc-change");
      assert.equal(typeof ours.utcOffset, "bigint");
      assert.equal(String(ours.utcOffset), theirs.text);
    });

    await t.step("watchdog: the guest arms the ib700 with a 0 s timeout", async () => {
      await con!.write(String.fromCharCode(GuestCommand.WATCHDOG));
      const [ours, theirs] = await both(DomainEventID.WATCHDOG, "watchdog");
      assert.equal(WATCHDOG_ACTION[ours.action], theirs.text);
      assert.equal(theirs.text, "none");
    });

    await t.step("pm-suspend (ACPI S3 from the guest), then pm-wakeup", async () => {
      await con!.write(String.fromCharCode(GuestCommand.SUSPEND_RAM));
      const [ours, theirs] = await both(DomainEventID.PMSUSPEND, "pm-suspend");
      assert.deepEqual(ours, { reason: 0 });
      assert.equal(theirs.text, "");
      await lifecycle(DomainEventType.PMSUSPENDED, 0); // MEMORY
      const from = con!.received.length;
      g!.dom.pmWakeup();
      const [woke, vwoke] = await both(DomainEventID.PMWAKEUP, "pm-wakeup");
      assert.deepEqual(woke, { reason: 0 });
      assert.equal(vwoke.text, "");
      await lifecycle(DomainEventType.STARTED, 4); // WAKEUP
      await con!.waitFor(GUEST_BANNER, 10_000, from); // SeaBIOS boots again after S3
    });

    await t.step("save then restore: migration-iteration, job-completed, lifecycle", async () => {
      await con!.close();
      con = null;
      const file = `${g!.dir}/saved.img`;
      g!.dom.save(file);
      const [iter, viter] = await both(DomainEventID.MIGRATION_ITERATION, "migration-iteration");
      assert.deepEqual(
        { iteration: String(iter.iteration) },
        fields(viter, /^iteration: '(?<iteration>\d+)'$/),
      );
      const [job, vjob] = await both(DomainEventID.JOB_COMPLETED, "job-completed");
      assert.ok(Object.keys(job.params).length > 5, "the job's statistics");
      sameParams(job.params, vjob.params);
      await lifecycle(DomainEventType.STOPPED, 4); // SAVED
      conn.restoreDomain(file);
      await lifecycle(DomainEventType.STARTED, 2); // RESTORED
      con = GuestConsole.open(g!.dom);
      await con.write("after restore");
      await con.waitFor("after restore");
    });

    await t.step("shutdown: the guest powers off on the ACPI button", async () => {
      g!.dom.shutdown();
      await lifecycle(DomainEventType.SHUTDOWN, 1); // FINISHED after guest request
      await lifecycle(DomainEventType.STOPPED, 0); // SHUTDOWN
      // A transient guest is gone once it stopped.
      assert.throws(
        () => conn.lookupDomainByName(g!.name),
        (e) => e instanceof LibvirtError && e.code === ErrorNumber.NO_DOMAIN,
      );
    });
  } finally {
    await (con as GuestConsole | null)?.close();
    (g as Guest | null)?.remove(conn);
    const ids = [...rec.seenIDs()].sort((a, b) => a - b);
    console.log(`  event IDs received from the real guest: ${ids.join(", ")}`);
  }
});
