// What the private libvirtd needs around it: checks with advice, its config file, the removal of
// a daemon or folder left behind by a crashed test run, and small process helpers.

/** Every private daemon's folder is `<tmp>/deno-libvirtd-XXXX`; the prefix marks ours. */
export const DAEMON_DIR_PREFIX = "deno-libvirtd-";

/**
 * The daemon's config. Only keys that matter here:
 * - its own socket folder, so it never touches /run/libvirt/libvirt-sock of a system daemon;
 * - no authentication on either socket (no polkit/dbus in a container), rw socket owner-only;
 * - logs (warnings and errors) to a file in the folder, shown when a start fails;
 * - no audit (the kernel's audit socket is often unavailable in containers).
 * `--timeout` is not passed: the daemon must not shut itself down while tests idle.
 */
export function daemonConfig(dir: string): string {
  const q = (s: string) => JSON.stringify(s); // libvirt's config strings use C-like escaping
  return [
    "# Written by tests/helpers/daemon.ts for a private libvirtd.",
    `unix_sock_dir = ${q(dir)}`,
    `unix_sock_ro_perms = "0777"`,
    `unix_sock_rw_perms = "0700"`,
    `unix_sock_admin_perms = "0700"`,
    `auth_unix_ro = "none"`,
    `auth_unix_rw = "none"`,
    `log_outputs = ${q(`3:file:${dir}/libvirtd.log`)}`,
    `audit_level = 0`,
    "",
  ].join("\n");
}

/**
 * Throws an explaining Error when this machine cannot run a root libvirtd with a QEMU driver.
 * Debian's libvirt 9.0 QEMU driver refuses to initialize (and the whole daemon exits) when the
 * user and group it drops QEMU to (`libvirt-qemu`, built in as there is no qemu.conf without
 * libvirt-daemon-system) do not exist; scripts/setup.sh creates them.
 */
export function preflight(libvirtd: string): void {
  if (Deno.build.os !== "linux") throw new Error("The private libvirtd needs Linux");
  if (Deno.uid() !== 0) {
    throw new Error(
      "The private libvirtd must run as root: qemu:///system (storage pools) exists only in a " +
        "privileged daemon. Run the tests as root (e.g. sudo ./run.sh test).",
    );
  }
  try {
    Deno.statSync(libvirtd);
  } catch {
    throw new Error(`${libvirtd} is missing: install libvirt-daemon (scripts/setup.sh does it)`);
  }
  const missing: string[] = [];
  if (!getent("passwd", "libvirt-qemu")) missing.push("user libvirt-qemu");
  for (const g of ["libvirt-qemu", "kvm"]) if (!getent("group", g)) missing.push(`group ${g}`);
  if (missing.length > 0) {
    throw new Error(
      `The root libvirtd's QEMU driver needs ${missing.join(", ")} (it drops QEMU processes ` +
        "to them and refuses to start without). Run scripts/setup.sh to create them.",
    );
  }
}

function getent(db: string, key: string): boolean {
  try {
    return new Deno.Command("getent", { args: [db, key], stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    // No getent: fall back to the files.
    const file = db === "passwd" ? "/etc/passwd" : "/etc/group";
    return Deno.readTextFileSync(file).split("\n").some((l) => l.startsWith(`${key}:`));
  }
}

interface Proc {
  pid: number;
  argv: string[];
}

function libvirtdProcesses(): Proc[] {
  const found: Proc[] = [];
  for (const e of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    let argv: string[];
    try {
      argv = Deno.readTextFileSync(`/proc/${e.name}/cmdline`).split("\0").filter(Boolean);
    } catch {
      continue; // exited meanwhile
    }
    if (argv[0]?.split("/").pop() === "libvirtd") found.push({ pid: Number(e.name), argv });
  }
  return found;
}

/**
 * Called while holding the machine-wide lock, so every private daemon still running and every
 * private folder still present belongs to a run that died: kill and remove them. A libvirtd
 * that is not ours (a system daemon) is reported, not killed.
 */
export async function reapStale(tmp: string): Promise<void> {
  for (const p of libvirtdProcesses()) {
    const config = p.argv[p.argv.indexOf("--config") + 1] ?? "";
    if (!p.argv.includes("--config") || !config.includes(`/${DAEMON_DIR_PREFIX}`)) {
      throw new Error(
        `Another libvirtd is running (pid ${p.pid}: ${p.argv.join(" ")}). Only one libvirtd ` +
          "can run at a time (its drivers keep state under /run/libvirt): stop it first.",
      );
    }
    console.error(`daemon: killing libvirtd ${p.pid} left by a crashed test run (${config})`);
    await killAndWait(p.pid);
  }
  for (const e of Deno.readDirSync(tmp)) {
    if (!e.isDirectory || !e.name.startsWith(DAEMON_DIR_PREFIX)) continue;
    const dir = `${tmp}/${e.name}`;
    const pid = Number(readOr(`${dir}/libvirtd.pid`, "").trim());
    if (pid > 0 && readOr(`/proc/${pid}/cmdline`, "").includes(dir)) await killAndWait(pid);
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

async function killAndWait(pid: number): Promise<void> {
  tryKill(pid, "SIGKILL");
  for (let i = 0; i < 200 && processAlive(pid); i++) {
    await new Promise((r) => setTimeout(r, 25));
  }
  if (processAlive(pid)) throw new Error(`A stale libvirtd (pid ${pid}) did not die on SIGKILL`);
}

function readOr(path: string, fallback: string): string {
  try {
    return Deno.readTextFileSync(path);
  } catch {
    return fallback;
  }
}

/** Sends a signal, ignoring a process that is already gone. */
export function tryKill(pid: number, sig: Deno.Signal): void {
  try {
    Deno.kill(pid, sig);
  } catch { /* already gone */ }
}

/** Alive and not a zombie (an exited child stays a zombie until Deno's loop reaps it). */
export function processAlive(pid: number): boolean {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    return !/^\d+ \(.*\) [ZX]/.test(stat);
  } catch {
    return false;
  }
}

let setprivFound: boolean | null = null;
/** Whether util-linux's setpriv is there (it gives the daemon a parent-death signal). */
export function hasSetpriv(): boolean {
  if (setprivFound === null) {
    setprivFound = ["/usr/bin/setpriv", "/bin/setpriv"].some((p) => {
      try {
        return Deno.statSync(p).isFile;
      } catch {
        return false;
      }
    });
  }
  return setprivFound;
}
