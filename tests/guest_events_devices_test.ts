// Specifies the device and disk events of a real QEMU guest (hot-plug, CD-ROM media, a write
// past a block threshold, a block copy, a VNC client, suspend to disk): each payload this module
// decodes is compared field by field with what `virsh event` printed for the same action. A
// child listening under DefaultEventLoop (tests/fixtures/event_relay_guest.ts) must decode the
// struct payloads (tray change, graphics, tunable) alike in the event relay's Worker.
import "./helpers/loop.ts";
import assert from "node:assert/strict";
import {
  Connection,
  DomainBlockCopyFlags,
  DomainBlockJobAbortFlags,
  DomainEventID,
  type DomainEventPayloads,
  DomainEventType,
  DomainModificationImpact,
} from "../mod.ts";
import { bootSectorImage, GUEST_BANNER, GuestCommand } from "./fixtures/bootsector.ts";
import { type Guest, requireGuestHost, startGuest } from "./helpers/guest.ts";
import { GuestConsole } from "./helpers/guest_console.ts";
import { EventRecorder, type VirshEvent, VirshEvents } from "./helpers/guest_events.ts";
import { serveFullDisk } from "./helpers/guest_nbd.ts";
import { type Child, resultOf, spawnFixture } from "./fixtures/reliability_child.ts";
import { vncHandshake } from "./helpers/guest_vnc.ts";
import {
  BLOCK_JOB_STATUS,
  BLOCK_JOB_TYPE,
  fields,
  GRAPHICS_FAMILY,
  GRAPHICS_PHASE,
  IO_ERROR_ACTION,
  LIFECYCLE_DETAIL,
  LIFECYCLE_EVENT,
  orNull,
  TRAY_REASON,
} from "./helpers/guest_virsh_names.ts";

const LIVE = DomainModificationImpact.LIVE;
const TABLET = "<input type='tablet' bus='usb'/>";

function cdrom(source: string | null): string {
  return `<disk type='file' device='cdrom'>
    <driver name='qemu' type='raw'/>${source ? `<source file='${source}'/>` : ""}
    <target dev='hdc' bus='ide'/><readonly/></disk>`;
}

Deno.test("a real guest's devices and disks, as events, beside virsh event", async (t) => {
  const host = await requireGuestHost("guest_events_devices_test.ts");
  if (!host) return;
  using conn = Connection.open(host.uri);
  using rec = new EventRecorder(conn);
  await using virsh = await VirshEvents.start(host.uri, (probe) => {
    const dom = conn.defineDomainXML(
      `<domain type='qemu'><name>${probe}</name><memory unit='MiB'>32</memory>` +
        `<os><type arch='x86_64' machine='pc'>hvm</type></os></domain>`,
    );
    dom.undefine();
    dom.free();
  });
  const g: Guest = startGuest(conn, { paused: true });
  const con = GuestConsole.open(g.dom);
  let current = g.name; // the guest `both` waits on
  // What this process decoded on the JS thread, for the relay's child to match.
  const mine: Record<string, unknown[]> = { tray: [], graphics: [], tunable: [] };
  let relay: Child | null = null;

  async function both<K extends DomainEventID>(
    id: K,
    virshName: string,
    pred: (p: DomainEventPayloads[K]) => boolean = () => true,
    vpred: (e: VirshEvent) => boolean = () => true,
  ): Promise<[DomainEventPayloads[K], VirshEvent]> {
    const ours = await rec.next(id, current, pred);
    const theirs = await virsh.next(virshName, current, vpred);
    return [ours.payload, theirs];
  }

  try {
    relay = spawnFixture("event_relay_guest.ts", [host.uri, g.name]);
    await relay.line(/^READY$/, 30_000);
    g.dom.resume();
    await con.waitFor(GUEST_BANNER);

    await t.step("device-added and device-removed: a USB tablet plugged in and out", async () => {
      g.dom.attachDeviceFlags(TABLET, LIVE);
      const [added, vadded] = await both(DomainEventID.DEVICE_ADDED, "device-added");
      assert.match(added.devAlias, /^input\d+$/);
      assert.equal(added.devAlias, vadded.text);
      assert.ok(g.dom.getXMLDesc().includes(`<alias name='${added.devAlias}'/>`));
      g.dom.detachDeviceFlags(TABLET, LIVE);
      const [removed, vremoved] = await both(DomainEventID.DEVICE_REMOVED, "device-removed");
      assert.equal(removed.devAlias, added.devAlias);
      assert.equal(removed.devAlias, vremoved.text);
    });

    await t.step("tray-change: CD-ROM media inserted, then ejected, live", async () => {
      for (const source of [g.media, null]) {
        g.dom.updateDeviceFlags(cdrom(source), LIVE);
        // QEMU opens the tray and closes it again around each media change.
        for (const reason of [0, 1]) {
          const [ours, theirs] = await both(DomainEventID.TRAY_CHANGE, "tray-change");
          mine.tray.push(ours);
          assert.equal(ours.reason, reason);
          assert.deepEqual(
            { alias: ours.devAlias, reason: TRAY_REASON[ours.reason] },
            fields(theirs, /^disk (?<alias>\S+): (?<reason>\w+)$/),
          );
          assert.equal(ours.devAlias, "ide0-1-0");
        }
      }
    });

    await t.step("block-threshold: the guest writes past the threshold (int 13h)", async () => {
      g.dom.setBlockThreshold("hda", 16384);
      await con.write(String.fromCharCode(GuestCommand.WRITE_DISK));
      // libvirt reports the threshold for the disk ("hda") and for its node ("hda[N]").
      for (let i = 0; i < 2; i++) {
        const [ours, theirs] = await both(DomainEventID.BLOCK_THRESHOLD, "block-threshold");
        assert.deepEqual(
          {
            dev: ours.dev,
            path: orNull(ours.path),
            threshold: String(ours.threshold),
            excess: String(ours.excess),
          },
          fields(theirs, /^dev: (?<dev>[^(]+)\((?<path>[^)]*)\) (?<threshold>\d+) (?<excess>\d+)$/),
        );
        assert.match(ours.dev, /^hda(\[\d+\])?$/);
        assert.equal(ours.path, g.disk);
        assert.equal(ours.threshold, 16384n);
        assert.equal(ours.excess, 64n * 512n + 512n - 16384n); // the sector at LBA 64
      }
    });

    await t.step("block-job and block-job-2: a block copy, ready, then pivoted", async () => {
      const copy = `${g.dir}/copy.raw`;
      g.dom.blockCopy(
        "hda",
        `<disk type='file'><driver type='raw'/><source file='${copy}'/></disk>`,
        {},
        DomainBlockCopyFlags.TRANSIENT_JOB,
      );
      const check = async (status: number, path: string) => {
        const [job, vjob] = await both(DomainEventID.BLOCK_JOB, "block-job");
        const [job2, vjob2] = await both(DomainEventID.BLOCK_JOB_2, "block-job-2");
        const re = /^(?<type>.+) for (?<disk>\S+) (?<status>\w+)$/;
        for (const [ours, theirs] of [[job, vjob], [job2, vjob2]] as const) {
          assert.deepEqual(
            {
              type: BLOCK_JOB_TYPE[ours.type],
              disk: ours.disk,
              status: BLOCK_JOB_STATUS[ours.status],
            },
            fields(theirs, re),
          );
          assert.equal(ours.status, status);
        }
        assert.equal(job.disk, path); // BLOCK_JOB names the disk by path,
        assert.equal(job2.disk, "hda"); // BLOCK_JOB_2 by target
      };
      await check(3, g.disk); // READY
      g.dom.blockJobAbort("hda", DomainBlockJobAbortFlags.PIVOT);
      await check(0, copy); // COMPLETED, now on the copy
      assert.ok(g.dom.getXMLDesc().includes(copy));
    });

    await t.step("graphics: a VNC client connects, initializes and leaves", async () => {
      const port = Number(g.dom.getXMLDesc().match(/<graphics type='vnc' port='(\d+)'/)?.[1]);
      assert.ok(port >= 5900, "the VNC port");
      const session = await vncHandshake(port);
      assert.ok(session.width > 0 && session.height > 0);
      const [connect, initialize] = [0, 1];
      const phases: number[] = [connect, initialize];
      await new Promise((r) => setTimeout(r, 100));
      session.close();
      phases.push(2); // disconnect
      for (const phase of phases) {
        const [ours, theirs] = await both(DomainEventID.GRAPHICS, "graphics");
        mine.graphics.push(ours);
        assert.equal(ours.phase, phase);
        const re = new RegExp(
          "^(?<phase>\\w+) local\\[(?<lf>\\S+) (?<ln>\\S+) (?<ls>\\S+)\\] " +
            "remote\\[(?<rf>\\S+) (?<rn>\\S+) (?<rs>\\S+)\\] (?<auth>\\S+)(?<subject>.*)$",
        );
        assert.deepEqual(
          {
            phase: GRAPHICS_PHASE[ours.phase],
            lf: GRAPHICS_FAMILY[ours.local!.family],
            ln: ours.local!.node,
            ls: orNull(ours.local!.service),
            rf: GRAPHICS_FAMILY[ours.remote!.family],
            rn: ours.remote!.node,
            rs: orNull(ours.remote!.service),
            auth: ours.authScheme,
            subject: ours.subject.map((s) => ` ${s.type}=${s.name}`).join(""),
          },
          fields(theirs, re),
        );
        assert.deepEqual(ours.local, { family: 0, node: "127.0.0.1", service: String(port) });
        assert.deepEqual(ours.remote, {
          family: 0,
          node: "127.0.0.1",
          service: String(session.localPort),
        });
        assert.equal(ours.authScheme, "none");
        assert.deepEqual(ours.subject, []); // no authentication, so no identity
      }
    });

    await t.step(
      "under DefaultEventLoop, the relay's Worker reads the same structs (tray, graphics, tunable)",
      async () => {
        g.dom.setSchedulerParameters({ cpu_shares: 512n }, LIVE);
        const [tunable] = await both(DomainEventID.TUNABLE, "tunable");
        assert.equal(tunable.params["cputune.cpu_shares"], 512n);
        mine.tunable.push(tunable);
        await relay!.send("report"); // it waits for its own copy of the tunable event
        const r = resultOf<{ hosted: number; relayed: number; events: typeof mine }>(
          await relay!.line(/^RESULT /, 30_000),
        );
        const exit = await relay!.exit(30_000);
        relay = null;
        assert.equal(exit.code, 0, exit.output);
        assert.equal(r.hosted, 1, "the loop ran on the relay's Worker");
        const count = mine.tray.length + mine.graphics.length + mine.tunable.length;
        assert.equal(count, 8, "4 tray changes, 3 graphics phases, 1 tunable here");
        assert.equal(r.relayed, count, "every event came through the Worker");
        // Through JSON as the child's came (the parameters print their bigints: withBigIntJSON).
        assert.deepEqual(r.events, JSON.parse(JSON.stringify(mine)));
      },
    );

    await t.step("pm-suspend-disk: the guest sleeps to S4, and QEMU powers off", async () => {
      await con.write(String.fromCharCode(GuestCommand.SUSPEND_DISK));
      const [ours, theirs] = await both(DomainEventID.PMSUSPEND_DISK, "pm-suspend-disk");
      assert.deepEqual(ours, { reason: 0 });
      assert.equal(theirs.text, "");
      for (
        const [event, detail] of [[DomainEventType.PMSUSPENDED, 1], [DomainEventType.STOPPED, 0]]
      ) {
        const [life, vlife] = await both(
          DomainEventID.LIFECYCLE,
          "lifecycle",
          (p) => p.event === event,
          (e) => e.text.startsWith(LIFECYCLE_EVENT[event] + " "),
        );
        assert.equal(life.detail, detail);
        assert.equal(vlife.text, `${LIFECYCLE_EVENT[event]} ${LIFECYCLE_DETAIL[event][detail]}`);
      }
    });

    await t.step("io-error and io-error-reason: the guest writes to a full disk", async () => {
      // The boot disk is served by an NBD server whose every write fails with ENOSPC; QEMU's
      // default policy for ENOSPC pauses the guest. The export needs a name: libvirt reports a
      // network disk's source path as its export name, and drops the event of a disk without
      // one (a NULL path cannot cross the remote protocol; measured with libvirt 9.0).
      const image = new Uint8Array(1024 * 1024);
      image.set(bootSectorImage());
      const nbd = await serveFullDisk(`${g.dir}/nbd.sock`, image);
      const full = startGuest(conn, {
        paused: true,
        bootDisk: `<disk type='network' device='disk'>
          <driver name='qemu' type='raw'/>
          <source protocol='nbd' name='full-disk'>
            <host transport='unix' socket='${nbd.socket}'/>
          </source>
          <target dev='hda' bus='ide'/></disk>`,
      });
      const fullCon = GuestConsole.open(full.dom);
      current = full.name;
      try {
        full.dom.resume();
        await fullCon.waitFor(GUEST_BANNER);
        await fullCon.write(String.fromCharCode(GuestCommand.WRITE_DISK));
        const [io, vio] = await both(DomainEventID.IO_ERROR, "io-error");
        const re = /^(?<path>.*) \((?<alias>[^)]+)\) (?<action>\w+)(?: due to (?<reason>.*))?$/;
        const seen = (e: { srcPath: string; devAlias: string; action: number }) => ({
          path: e.srcPath,
          alias: e.devAlias,
          action: IO_ERROR_ACTION[e.action],
        });
        assert.deepEqual({ ...seen(io), reason: undefined }, fields(vio, re));
        const [why, vwhy] = await both(DomainEventID.IO_ERROR_REASON, "io-error-reason");
        assert.deepEqual({ ...seen(why), reason: why.reason }, fields(vwhy, re));
        assert.equal(io.devAlias, "ide0-0-0");
        assert.equal(io.srcPath, "full-disk");
        assert.equal(IO_ERROR_ACTION[io.action], "pause");
        assert.equal(why.reason, "enospc");
        const [life, vlife] = await both(
          DomainEventID.LIFECYCLE,
          "lifecycle",
          (p) => p.event === DomainEventType.SUSPENDED && p.detail !== 0, // not its paused start
          (e) => e.text.startsWith("Suspended ") && e.text !== "Suspended Paused",
        );
        assert.equal(life.detail, 2); // IOERROR
        assert.equal(vlife.text, "Suspended I/O Error");
        assert.ok(await nbd.refusedWrites() >= 1);
      } finally {
        current = g.name;
        await fullCon.close();
        full.remove(conn);
        await nbd.close();
      }
    });
  } finally {
    relay?.kill();
    await con.close();
    g.remove(conn);
    const ids = [...rec.seenIDs()].sort((a, b) => a - b);
    console.log(`  event IDs received from the real guest: ${ids.join(", ")}`);
  }
});
