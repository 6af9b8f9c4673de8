// What a real QEMU guest needs on this host beside the private libvirtd: the QEMU binary,
// virtlogd, and a /dev/kvm whose permissions agree with what libvirt probed.
//
// Why each one:
// - virtlogd: a root libvirtd hands every QEMU's stdout/stderr (and pty consoles' logs) to
//   virtlogd through /run/libvirt/virtlogd-sock; without it, starting a domain fails with
//   "Failed to connect socket to '/run/libvirt/virtlogd-sock'". When none runs, we start one as
//   our child (with a parent-death signal, like the daemon), and stop it when the module ends.
// - /dev/kvm: libvirt caches QEMU's capabilities and re-probes (about 75 s here) whenever the
//   cache's "KVM usable" disagrees with a check made as the QEMU user (libvirt-qemu). A /dev/kvm
//   left root-only (mode 0600, no udev in a container) makes the two disagree on every domain
//   start. Debian's udev rule gives it to group kvm, mode 0660; we do the same (setup.sh too).
//   The guests still run on TCG (type 'qemu'): only the probe is affected.
import { hasSetpriv, processAlive, tryKill } from "./daemon_setup.ts";

/** Where a root libvirtd looks for virtlogd. */
export const VIRTLOGD_SOCKET = "/run/libvirt/virtlogd-sock";
const QEMU = "/usr/bin/qemu-system-x86_64";

let virtlogd: Deno.ChildProcess | null = null;
let pidDir: string | null = null;

async function socketAlive(path: string): Promise<boolean> {
  try {
    (await Deno.connect({ transport: "unix", path })).close();
    return true;
  } catch {
    return false;
  }
}

function fixKvmPermissions(): void {
  let info: Deno.FileInfo;
  try {
    info = Deno.statSync("/dev/kvm");
  } catch {
    return; // no KVM at all: libvirt probes TCG only, consistently
  }
  if (((info.mode ?? 0) & 0o060) === 0o060) return;
  const group = new Deno.Command("getent", { args: ["group", "kvm"], stdout: "piped" })
    .outputSync();
  const gid = Number(new TextDecoder().decode(group.stdout).split(":")[2]);
  if (!group.success || !Number.isInteger(gid)) {
    throw new Error("Group kvm is missing: run scripts/setup.sh (it creates it)");
  }
  console.error("guest: giving /dev/kvm to group kvm, mode 0660 (as Debian's udev rule does)");
  Deno.chownSync("/dev/kvm", 0, gid);
  Deno.chmodSync("/dev/kvm", 0o660);
}

async function startVirtlogd(): Promise<void> {
  if (await socketAlive(VIRTLOGD_SOCKET)) return; // a system one, or one we started already
  Deno.mkdirSync("/var/log/libvirt/qemu", { recursive: true });
  // A socket file left by a dead virtlogd makes the new one refuse to start.
  try {
    Deno.removeSync(VIRTLOGD_SOCKET);
  } catch { /* none */ }
  const deathSig = hasSetpriv() ? ["setpriv", "--pdeathsig", "SIGKILL", "--"] : [];
  // Its own pid file: the default, /run/virtlogd.pid, may be locked by a virtlogd that serves
  // another mount namespace (a daemon of another test run kept apart with its own /run/libvirt).
  pidDir = Deno.makeTempDirSync({ prefix: "deno-libvirt-virtlogd-" });
  const [cmd, ...args] = [...deathSig, "/usr/sbin/virtlogd", "--pid-file", `${pidDir}/pid`];
  virtlogd = new Deno.Command(cmd, { args, stdin: "null", stdout: "null", stderr: "piped" })
    .spawn();
  virtlogd.unref(); // it must not keep the test process alive; unload stops it
  const child = virtlogd;
  const deadline = Date.now() + 10_000;
  while (!(await socketAlive(VIRTLOGD_SOCKET))) {
    if (Date.now() > deadline || !processAlive(child.pid)) {
      tryKill(child.pid, "SIGKILL");
      const err = new TextDecoder().decode((await child.output()).stderr).trim();
      virtlogd = null;
      throw new Error(`virtlogd did not start: ${err || "no socket after 10 s"}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  globalThis.addEventListener("unload", stopVirtlogdSync);
}

/** Stops the virtlogd this module started (if any), synchronously (also the `unload` path). */
export function stopVirtlogdSync(): void {
  const child = virtlogd;
  if (!child) return;
  virtlogd = null;
  tryKill(child.pid, "SIGTERM");
  const deadline = Date.now() + 5000;
  while (processAlive(child.pid)) {
    if (Date.now() > deadline) tryKill(child.pid, "SIGKILL");
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
  }
  child.stderr.cancel().catch(() => {});
  if (pidDir) Deno.removeSync(pidDir, { recursive: true });
  pidDir = null;
}

/**
 * Makes this host ready for real guests: checks the QEMU binary, fixes /dev/kvm's permissions
 * when needed and starts virtlogd when none runs. Throws an Error with advice otherwise.
 *
 * @example
 * ```ts
 * import { prepareGuestHost } from "./guest_host.ts";
 * await prepareGuestHost();
 * ```
 */
export async function prepareGuestHost(): Promise<void> {
  try {
    Deno.statSync(QEMU);
  } catch {
    throw new Error(`${QEMU} is missing: install qemu-system-x86 (scripts/setup.sh does it)`);
  }
  fixKvmPermissions();
  await startVirtlogd();
}
