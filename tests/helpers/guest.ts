// Real QEMU guests for the tests: the boot-sector guest (tests/fixtures/bootsector.ts) started
// under the private libvirtd, as transient domains, removed afterwards even when a test fails.
//
// Each guest owns a temp folder (mode 0755: QEMU runs as libvirt-qemu, and libvirt's DAC driver
// relabels the files but not their folders) holding its 1 MiB raw disk, built at run time from
// the listing's bytes, and a CD image for media changes. Removal: `guest.remove()` (destroy,
// undefine, delete the folder); at `unload`, where nothing can be awaited and the daemon may be
// gone already, QEMU is killed through its pid file; a later run reaps what a crash left.
import { tmpdir } from "node:os";
import {
  Connection,
  type Domain,
  DomainCreateFlags,
  DomainUndefineFlagsValues,
} from "../../mod.ts";
import { bootSectorImage } from "../fixtures/bootsector.ts";
import { type Daemon, daemon, inCI } from "./daemon.ts";
import { prepareGuestHost } from "./guest_host.ts";
import { processAlive, tryKill } from "./daemon_setup.ts";

/** Every guest's name (and temp folder) starts with this, so stale ones can be found. */
export const GUEST_PREFIX = "deno-libvirt-guest-";
const DISK_SIZE = 1024 * 1024;

/** The private daemon, ready for guests. */
export interface GuestHost {
  /** The private libvirtd. */
  daemon: Daemon;
  /** Its QEMU driver: `qemu+unix:///system?socket=…`. */
  uri: string;
}

let unavailable: Error | null = null;

/**
 * The private daemon with virtlogd beside it, for a test that starts real guests. Reaps guests
 * a crashed run left. When guests cannot run: in CI (env CI=true) this throws, so the test
 * fails; elsewhere it prints a loud notice and returns `null`, and the test returns at once.
 *
 * @example
 * ```ts
 * import { requireGuestHost } from "./guest.ts";
 * Deno.test("a real guest", async () => {
 *   const host = await requireGuestHost("a real guest");
 *   if (!host) return; // skipped, loudly (never in CI)
 * });
 * ```
 */
export async function requireGuestHost(what = "this test"): Promise<GuestHost | null> {
  if (unavailable && !inCI) return null;
  try {
    const d = await daemon(); // first: it holds the machine-wide lock while guests run
    await prepareGuestHost();
    reapStaleGuests(d.qemuUri);
    return { daemon: d, uri: d.qemuUri };
  } catch (e) {
    if (inCI) throw e;
    unavailable = e as Error;
    const bar = "!".repeat(78);
    console.error(
      `${bar}\nSKIPPED ${what}: real QEMU guests cannot run here (set CI=true to fail instead)` +
        `\n${unavailable.message}\n${bar}`,
    );
    return null;
  }
}

/** How to build a guest. */
export interface GuestOptions {
  /** Defined (persistent) and started, instead of transient. Default false. */
  persistent?: boolean;
  /** Started with its CPUs paused (`DomainCreateFlags.START_PAUSED`). Default false. */
  paused?: boolean;
  /** Replaces the boot disk's `<disk>` element (e.g. a network disk). */
  bootDisk?: string;
  /** More `<devices>` children. */
  devices?: string;
}

let counter = 0;
const live = new Set<Guest>();
let unloadHooked = false;

/** A running boot-sector guest and its files. */
export class Guest {
  /** The domain's name (`deno-libvirt-guest-<pid>-<n>`). */
  readonly name: string;
  /** The guest's temp folder. */
  readonly dir: string;
  /** The raw boot disk (target `hda`). */
  readonly disk: string;
  /** A 1 MiB raw image to insert into the CD-ROM (`hdc`). */
  readonly media: string;
  /** The CD-ROM's source at start: a file that never exists (startupPolicy optional). */
  readonly missingMedia: string;
  /** The domain XML it was started from. */
  readonly xml: string;
  /** Whether it was defined (persistent). */
  readonly persistent: boolean;
  #dom: Domain | null = null;

  constructor(dir: string, name: string, opts: GuestOptions) {
    this.dir = dir;
    this.name = name;
    this.disk = `${dir}/disk.raw`;
    this.media = `${dir}/media.iso`;
    this.missingMedia = `${dir}/missing.iso`;
    this.persistent = opts.persistent ?? false;
    this.xml = guestDomainXML(this, opts);
  }

  /** The domain (the handle this harness looked up or created). */
  get dom(): Domain {
    if (!this.#dom) throw new Error(`The guest ${this.name} was not started`);
    return this.#dom;
  }

  /** @internal */
  set dom(d: Domain) {
    this.#dom = d;
  }

  /**
   * Destroys the guest if it runs, undefines it if it is defined (with its managed save image),
   * and deletes its folder. Safe to call twice and after the guest stopped by itself.
   */
  remove(conn: Connection): void {
    live.delete(this);
    try {
      const dom = conn.lookupDomainByName(this.name);
      try {
        if (dom.isActive()) dom.destroy();
        if (dom.isPersistent()) {
          dom.undefine(
            DomainUndefineFlagsValues.MANAGED_SAVE | DomainUndefineFlagsValues.NVRAM,
          );
        }
      } finally {
        dom.free();
      }
    } catch { /* gone already */ }
    try {
      Deno.removeSync(this.dir, { recursive: true });
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
  }

  /** The unload path: no libvirt, no awaiting; kill QEMU by its pid file and drop the folder. */
  killSync(): void {
    try {
      const pid = Number(Deno.readTextFileSync(`/run/libvirt/qemu/${this.name}.pid`).trim());
      if (pid > 0) tryKill(pid, "SIGKILL");
    } catch { /* not running */ }
    try {
      Deno.removeSync(this.dir, { recursive: true });
    } catch { /* gone */ }
  }
}

/**
 * The domain XML of a boot-sector guest: 32 MiB, machine 'pc', TCG ('qemu': no KVM needed),
 * ACPI (the guest powers off through it), the raw IDE boot disk `hda`, an IDE CD-ROM `hdc`
 * whose missing source is dropped at start (a DISK_CHANGE event), COM1 as a pty console, a
 * guest-agent channel (AGENT_LIFECYCLE), an ib700 watchdog (WATCHDOG), VNC on 127.0.0.1 and VGA.
 *
 * @example
 * ```ts
 * import { Guest, guestDomainXML } from "./guest.ts";
 * declare const g: Guest;
 * console.log(guestDomainXML(g, {}));
 * ```
 */
export function guestDomainXML(
  g: Pick<Guest, "name" | "disk" | "missingMedia">,
  opts: GuestOptions,
): string {
  const bootDisk = opts.bootDisk ?? `<disk type='file' device='disk'>
      <driver name='qemu' type='raw'/>
      <source file='${g.disk}'/>
      <target dev='hda' bus='ide'/>
    </disk>`;
  return `<domain type='qemu'>
  <name>${g.name}</name>
  <memory unit='MiB'>32</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type><boot dev='hd'/></os>
  <features><acpi/></features>
  <clock offset='utc'/>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>restart</on_reboot>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    ${bootDisk}
    <disk type='file' device='cdrom'>
      <driver name='qemu' type='raw'/>
      <source file='${g.missingMedia}' startupPolicy='optional'/>
      <target dev='hdc' bus='ide'/>
      <readonly/>
    </disk>
    <serial type='pty'/>
    <console type='pty'/>
    <channel type='unix'><target type='virtio' name='org.qemu.guest_agent.0'/></channel>
    <watchdog model='ib700' action='none'/>
    <graphics type='vnc' autoport='yes' listen='127.0.0.1'/>
    <video><model type='vga'/></video>
    ${opts.devices ?? ""}
  </devices>
</domain>`;
}

/**
 * Builds a guest's files and starts it on `conn` (transient unless `persistent`). The caller
 * removes it with `guest.remove(conn)` in a `finally`; the module's `unload` kills what is left.
 *
 * @example
 * ```ts
 * import { Connection } from "../../mod.ts";
 * import { startGuest } from "./guest.ts";
 * declare const conn: Connection;
 * const g = startGuest(conn);
 * try {
 *   console.log(g.dom.getName());
 * } finally {
 *   g.remove(conn);
 * }
 * ```
 */
export function startGuest(conn: Connection, opts: GuestOptions = {}): Guest {
  const name = `${GUEST_PREFIX}${Deno.pid}-${++counter}`;
  const dir = Deno.makeTempDirSync({ prefix: `${name}-`, dir: tmpdir() });
  Deno.chmodSync(dir, 0o755);
  const g = new Guest(dir, name, opts);
  live.add(g);
  if (!unloadHooked) {
    unloadHooked = true;
    globalThis.addEventListener("unload", () => {
      for (const left of live) left.killSync();
    });
  }
  try {
    const disk = new Uint8Array(DISK_SIZE);
    disk.set(bootSectorImage());
    Deno.writeFileSync(g.disk, disk);
    Deno.writeFileSync(g.media, new Uint8Array(DISK_SIZE));
    const flags = opts.paused ? DomainCreateFlags.START_PAUSED : 0;
    if (g.persistent) {
      const dom = conn.defineDomainXML(g.xml);
      g.dom = dom;
      dom.create(flags);
    } else {
      g.dom = conn.createDomainXML(g.xml, flags);
    }
    return g;
  } catch (e) {
    g.remove(conn);
    throw e;
  }
}

/**
 * Whether a guest name or folder belongs to a run that is gone: its process id (the number after
 * the prefix) is no live process. The lock makes that the only case under the shared daemon,
 * but a guest whose process still runs (a run outside the lock, an example) is never touched.
 */
function leftByDeadRun(name: string): boolean {
  if (!name.startsWith(GUEST_PREFIX)) return false;
  const pid = Number(name.slice(GUEST_PREFIX.length).split("-")[0]);
  return Number.isInteger(pid) && pid > 0 && pid !== Deno.pid && !processAlive(pid);
}

/**
 * Destroys and undefines every guest of ours the daemon still knows, and deletes their folders,
 * when the process that made them is gone (a crashed run).
 *
 * @example
 * ```ts
 * import { reapStaleGuests } from "./guest.ts";
 * declare const uri: string;
 * reapStaleGuests(uri);
 * ```
 */
export function reapStaleGuests(uri: string): void {
  using conn = Connection.open(uri);
  for (const dom of conn.listAllDomains()) {
    const name = dom.getName();
    if (!leftByDeadRun(name)) continue;
    console.error(`guest: removing ${name}, left by a crashed test run`);
    try {
      if (dom.isActive()) dom.destroy();
      if (dom.isPersistent()) dom.undefine(DomainUndefineFlagsValues.MANAGED_SAVE);
    } catch { /* raced with its end */ }
  }
  for (const e of Deno.readDirSync(tmpdir())) {
    if (!e.isDirectory || !leftByDeadRun(e.name)) continue;
    Deno.removeSync(`${tmpdir()}/${e.name}`, { recursive: true });
  }
}

/**
 * Runs `virsh -c uri args…` and returns its stdout; throws with its stderr when it fails.
 * The tests use it beside the module, as a second opinion on what libvirt did.
 *
 * @example
 * ```ts
 * import { virsh } from "./guest.ts";
 * declare const uri: string;
 * console.log(await virsh(uri, "list", "--all"));
 * ```
 */
export async function virsh(uri: string, ...args: string[]): Promise<string> {
  const out = await new Deno.Command("virsh", {
    args: ["-q", "-c", uri, ...args],
    stdin: "null",
    signal: AbortSignal.timeout(30_000),
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  if (!out.success) {
    const err = new TextDecoder().decode(out.stderr).trim();
    throw new Error(`virsh ${args.join(" ")} failed: ${err}`);
  }
  return text;
}
