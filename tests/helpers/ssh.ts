// A private sshd on 127.0.0.1 for the qemu+ssh tests and benchmarks: host and client keys made
// for the run in a temp folder, its own sshd_config, and libvirt's `netcat` proxy on the far
// side reaching the private libvirtd's socket. Everything goes away in `stop()`. The same sshd
// serves libvirt's in-process ssh clients (`+libssh2`, `+libssh`), which run no ssh program and
// take the known_hosts file and key from the URI.
//
// Why it looks like this:
// - Nothing under /etc/ssh or ~root/.ssh is read or written. sshd gets `-f` with our config;
//   libvirt runs the ssh client as `ssh [-p port] [-l user] [-i keyfile] [-T -o BatchMode=yes]
//   [-o StrictHostKeyChecking=no] host sh -c '…'`, so the URI's `command=` names a wrapper that
//   adds `-F <our ssh_config>` (ssh then skips the user and system configs, keeps host keys in
//   our known_hosts and does not create ~/.ssh). Host keys are verified for real: the wrapper's
//   known_hosts holds the key generated here.
// - The in-process clients take `keyfile=`, `known_hosts=` (ours) and `sshauth=privkey` from the
//   URI, so they write nothing outside the temp folder either; libssh reads ~/.ssh/config when
//   there is one (libvirt asks it to), which changes nothing on a machine without it.
// - libvirt hands the ssh child only a few environment variables (PATH, HOME, SSH_AUTH_SOCK…),
//   so each known_hosts variant gets a wrapper of its own rather than an environment variable.
// - sshd insists on its privilege-separation folder /run/sshd (compiled in): it is made when
//   missing and removed again by `stop()`.
// - Like the daemon, sshd is started through `setpriv --pdeathsig SIGKILL`, so it dies with the
//   test process; `stop()` also kills the per-connection session processes it forked.
import { type Daemon, requireDaemon } from "./daemon.ts";
import { hasSetpriv, processAlive, tryKill } from "./daemon_setup.ts";

const SSHD = "/usr/sbin/sshd";
const SSH = "/usr/bin/ssh";
const PRIVSEP_DIR = "/run/sshd";
const START_TIMEOUT_MS = 10_000;

/** Which known_hosts the client consults (each has its own `command=` wrapper). */
export type HostKeyCheck =
  /** known_hosts holds the key made for this sshd: strict checking, as a user would have it. */
  | "verify"
  /** An empty known_hosts and `no_verify=1`: ssh accepts and records the key (in our file). */
  | "no_verify"
  /** known_hosts holds another key for 127.0.0.1: ssh must refuse. */
  | "wrong";

/** libvirt's in-process ssh clients: the libssh2 and libssh libraries instead of the ssh program. */
export type InProcessSsh = "libssh2" | "libssh";

/** What a `+libssh2`/`+libssh` URI tells the library about host keys (`libsshUri`). */
export interface LibsshHostKeys {
  /** The known_hosts file to check, and to write when a new key is accepted (default: one
   * holding this sshd's key). */
  knownHosts?: string;
  /**
   * `known_hosts_verify`: `normal` (libvirt's default) asks through the open's auth callback
   * (an ECHOPROMPT answered `y` or `n`) when the key is unknown; `auto` accepts and records an
   * unknown key; `ignore` checks nothing. A key that differs from the file's is refused in
   * every mode but `ignore`.
   */
  verify?: "normal" | "auto" | "ignore";
}

/** A running private sshd. */
export interface SshServer {
  /** The temp folder: keys, configs, wrappers, known_hosts files, log. */
  readonly dir: string;
  /** The TCP port on 127.0.0.1. */
  readonly port: number;
  /** The client's private key (`keyfile=` in the URI). */
  readonly keyfile: string;
  /** The known_hosts the `no_verify` wrapper writes to. */
  readonly freshKnownHosts: string;
  /** The listener's process id. */
  readonly pid: number;
  /**
   * A libvirt URI over this sshd to the private daemon: `qemu+ssh://root@127.0.0.1:PORT/system`
   * (or `test+ssh://…/default`) with `socket=`, `keyfile=`, `no_tty=1`, `proxy=netcat`.
   */
  uri(driver?: "qemu" | "test", check?: HostKeyCheck): string;
  /**
   * A URI over this sshd through libvirt's in-process ssh client:
   * `qemu+libssh2://root@127.0.0.1:PORT/system` (or `+libssh`, or `test+…/default`) with
   * `socket=`, `keyfile=`, `sshauth=privkey`, `known_hosts=`, `proxy=netcat`.
   */
  libsshUri(transport: InProcessSsh, driver?: "qemu" | "test", keys?: LibsshHostKeys): string;
  /** The session processes (one per open ssh connection: sshd's `[priv]` children). */
  sessions(): number[];
  /** The last lines of sshd's log. */
  logTail(lines?: number): string;
  /** Stops sshd and its sessions, removes the folder (and /run/sshd if we made it). */
  stop(): Promise<void>;
}

/**
 * What root's ~/.ssh holds now (names, sizes, times), to prove that a test left it as it was:
 * neither the ssh program nor libssh/libssh2 may record a host key there.
 *
 * @example
 * ```ts
 * import { rootSshState } from "./ssh.ts";
 * const before = rootSshState();
 * // … open and close ssh connections …
 * if (rootSshState() !== before) throw new Error("root's ~/.ssh changed");
 * ```
 */
export function rootSshState(): string {
  const home = "/root/.ssh";
  try {
    return [...Deno.readDirSync(home)].map((e) => {
      const s = Deno.statSync(`${home}/${e.name}`);
      return `${e.name}:${s.size}:${s.mtime?.getTime()}`;
    }).sort().join(",");
  } catch {
    return "(absent)";
  }
}

async function run(argv: string[]): Promise<void> {
  const out = await new Deno.Command(argv[0], {
    args: argv.slice(1),
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) {
    const err = new TextDecoder().decode(out.stderr).trim();
    throw new Error(`${argv.join(" ")} failed (${out.code}): ${err}`);
  }
}

/** A free TCP port on 127.0.0.1 (free when asked: the caller binds it soon after). */
export function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/** Direct children of `pid`, read from /proc. */
export function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const e of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    try {
      const stat = Deno.readTextFileSync(`/proc/${e.name}/stat`);
      // Field 4 (ppid) follows the command in parentheses, which may itself hold spaces.
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === pid) out.push(Number(e.name));
    } catch { /* exited meanwhile */ }
  }
  return out;
}

function descendantsOf(pid: number): number[] {
  const all: number[] = [];
  for (const todo = childrenOf(pid); todo.length > 0;) {
    const p = todo.pop()!;
    all.push(p);
    todo.push(...childrenOf(p));
  }
  return all;
}

/** Whether any sshd still runs (another fixture's, or the system's): it needs /run/sshd. */
function sshdRunning(): boolean {
  for (const e of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    try {
      const stat = Deno.readTextFileSync(`/proc/${e.name}/stat`);
      if (/^\d+ \(sshd\) [^ZX]/.test(stat)) return true;
    } catch { /* exited meanwhile */ }
  }
  return false;
}

async function waitGone(pids: number[], ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (pids.some(processAlive)) {
    if (Date.now() > deadline) {
      for (const p of pids) tryKill(p, "SIGKILL");
      if (Date.now() > deadline + 2000) return;
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * Starts an sshd on a free loopback port that lets root in with a key made for the run and
 * reaches `daemon`'s socket through `nc -U`. Throws with sshd's log when it does not come up.
 *
 * @example
 * ```ts
 * import { Connection } from "../../mod.ts";
 * import { requireDaemon } from "./daemon.ts";
 * import { startSshd } from "./ssh.ts";
 * const d = (await requireDaemon("ssh"))!;
 * const sshd = await startSshd(d);
 * try {
 *   using conn = Connection.open(sshd.uri("qemu"));
 *   console.log(conn.getURI());
 * } finally {
 *   await sshd.stop();
 *   await d.stop();
 * }
 * ```
 */
export async function startSshd(daemon: Daemon): Promise<SshServer> {
  const dir = await Deno.makeTempDir({ prefix: "deno-libvirt-sshd-" });
  let madePrivsep = false;
  let child: Deno.ChildProcess | null = null;
  const cleanup = async () => {
    try {
      if (child) {
        const pid = child.pid;
        tryKill(pid, "SIGSTOP"); // no new sessions while we collect the current ones
        const procs = descendantsOf(pid);
        for (const p of [pid, ...procs]) tryKill(p, "SIGKILL");
        await waitGone([pid, ...procs], 5000);
        await child.status.catch(() => {});
      }
    } finally {
      globalThis.removeEventListener("unload", onUnload);
      await Deno.remove(dir, { recursive: true }).catch(() => {});
      if (madePrivsep) {
        // A session's unprivileged child may outlive its killed parent for a moment.
        for (let i = 0; i < 100 && sshdRunning(); i++) await new Promise((r) => setTimeout(r, 20));
        if (!sshdRunning()) await Deno.remove(PRIVSEP_DIR).catch(() => {});
      }
    }
  };
  // A test module that ends without stop() (a failed assertion before it): sshd dies with the
  // process (pdeathsig), the folders go here, synchronously.
  const onUnload = () => {
    const procs = child ? [child.pid, ...descendantsOf(child.pid)] : [];
    for (const p of procs) tryKill(p, "SIGKILL");
    // No awaiting in `unload`: poll /proc (zombies count as gone) for up to 2 s.
    for (let i = 0; i < 100 && procs.some(processAlive); i++) {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
    }
    try {
      Deno.removeSync(dir, { recursive: true });
    } catch { /* gone */ }
    if (madePrivsep && !sshdRunning()) {
      try {
        Deno.removeSync(PRIVSEP_DIR);
      } catch { /* gone */ }
    }
  };
  globalThis.addEventListener("unload", onUnload);
  try {
    for (const bin of [SSHD, SSH, "/usr/bin/ssh-keygen"]) {
      try {
        Deno.statSync(bin);
      } catch {
        throw new Error(`${bin} is missing: install openssh-server (scripts/setup.sh does it)`);
      }
    }
    const port = freePort();
    const keygen = (file: string) =>
      run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "deno-libvirt-test", "-f", file]);
    await Promise.all([
      keygen(`${dir}/host_key`),
      keygen(`${dir}/client_key`),
      keygen(`${dir}/other_host_key`),
    ]);
    await Deno.copyFile(`${dir}/client_key.pub`, `${dir}/authorized_keys`);
    const hostEntry = async (pub: string) =>
      `[127.0.0.1]:${port} ${(await Deno.readTextFile(pub)).trim()}\n`;
    await Deno.writeTextFile(`${dir}/known_hosts.verify`, await hostEntry(`${dir}/host_key.pub`));
    await Deno.writeTextFile(
      `${dir}/known_hosts.wrong`,
      await hostEntry(`${dir}/other_host_key.pub`),
    );
    await Deno.writeTextFile(
      `${dir}/sshd_config`,
      [
        "# Written by tests/helpers/ssh.ts for a private sshd on loopback.",
        `Port ${port}`,
        "ListenAddress 127.0.0.1",
        `HostKey ${dir}/host_key`,
        `PidFile ${dir}/sshd.pid`,
        `AuthorizedKeysFile ${dir}/authorized_keys`,
        "AllowUsers root",
        "PermitRootLogin prohibit-password",
        "PubkeyAuthentication yes",
        "PasswordAuthentication no",
        "KbdInteractiveAuthentication no",
        // No PAM: its session modules (loginuid…) fail in containers; the key is enough here.
        "UsePAM no",
        // The temp folder sits in the world-writable /tmp, which StrictModes refuses.
        "StrictModes no",
        "X11Forwarding no",
        "AllowTcpForwarding no",
        "AllowAgentForwarding no",
        "PrintMotd no",
        "LogLevel INFO",
        "",
      ].join("\n"),
    );
    for (const check of ["verify", "no_verify", "wrong"] as HostKeyCheck[]) {
      await Deno.writeTextFile(
        `${dir}/ssh_config.${check}`,
        [
          "Host *",
          `  UserKnownHostsFile ${dir}/known_hosts.${check}`,
          "  GlobalKnownHostsFile /dev/null",
          "  IdentitiesOnly yes",
          "  LogLevel ERROR",
          "",
        ].join("\n"),
      );
      await Deno.writeTextFile(
        `${dir}/ssh.${check}`,
        `#!/bin/sh\nexec ${SSH} -F '${dir}/ssh_config.${check}' "$@"\n`,
        { mode: 0o755 },
      );
    }
    try {
      Deno.statSync(PRIVSEP_DIR);
    } catch {
      await Deno.mkdir(PRIVSEP_DIR, { mode: 0o755 });
      madePrivsep = true;
    }

    const deathSig = hasSetpriv() ? "setpriv --pdeathsig SIGKILL -- " : "";
    const script = `exec ${deathSig}"$@" >>"${dir}/sshd.log" 2>&1 </dev/null`;
    // -D: stay in the foreground (one pid to signal); -e: log to stderr (our file).
    child = new Deno.Command("/bin/sh", {
      args: ["-c", script, "sh", SSHD, "-D", "-e", "-f", `${dir}/sshd_config`],
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn();
    const pid = child.pid;
    let exited = false;
    child.status.then(() => (exited = true));
    const logTail = (lines = 30) => {
      try {
        return Deno.readTextFileSync(`${dir}/sshd.log`).trimEnd().split("\n").slice(-lines)
          .join("\n");
      } catch {
        return "(sshd logged nothing)";
      }
    };
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (!/Server listening/.test(logTail(200))) {
      if (exited || Date.now() > deadline) {
        throw new Error(`The private sshd did not start on port ${port}. Its log:\n${logTail()}`);
      }
      await new Promise((r) => setTimeout(r, 25));
    }

    const keyfile = `${dir}/client_key`;
    return {
      dir,
      port,
      keyfile,
      freshKnownHosts: `${dir}/known_hosts.no_verify`,
      pid,
      uri(driver = "qemu", check = "verify") {
        const path = driver === "qemu" ? "system" : "default";
        const params = [
          `socket=${daemon.socket}`,
          `keyfile=${keyfile}`,
          `command=${dir}/ssh.${check}`,
          "no_tty=1",
          "proxy=netcat",
          ...(check === "no_verify" ? ["no_verify=1"] : []),
        ];
        return `${driver}+ssh://root@127.0.0.1:${port}/${path}?${params.join("&")}`;
      },
      libsshUri(transport, driver = "qemu", keys = {}) {
        const path = driver === "qemu" ? "system" : "default";
        const params = [
          `socket=${daemon.socket}`,
          `keyfile=${keyfile}`,
          // Only the key: an agent a developer's shell exports must not decide the test.
          "sshauth=privkey",
          `known_hosts=${keys.knownHosts ?? `${dir}/known_hosts.verify`}`,
          ...(keys.verify ? [`known_hosts_verify=${keys.verify}`] : []),
          "proxy=netcat",
        ];
        return `${driver}+${transport}://root@127.0.0.1:${port}/${path}?${params.join("&")}`;
      },
      sessions: () => childrenOf(pid),
      logTail,
      stop: cleanup,
    };
  } catch (e) {
    await cleanup();
    throw e;
  }
}

/**
 * Runs `fn` with the private daemon and an sshd in front of it, then stops both, and fails when
 * root's ~/.ssh changed meanwhile (no ssh client may record a host key there). Skips (returns)
 * when the daemon cannot start outside CI, as `requireDaemon` does.
 *
 * @example
 * ```ts
 * import { Connection } from "../../mod.ts";
 * import { withSshd } from "./ssh.ts";
 * await withSshd("my_test.ts", (_daemon, sshd) => {
 *   using conn = Connection.open(sshd.uri("test"));
 *   console.log(conn.getHostname());
 *   return Promise.resolve();
 * });
 * ```
 */
export async function withSshd(
  what: string,
  fn: (daemon: Daemon, sshd: SshServer) => Promise<void>,
): Promise<void> {
  const d = await requireDaemon(what);
  if (!d) return;
  const before = rootSshState();
  const sshd = await startSshd(d).catch(async (e) => {
    await d.stop();
    throw e;
  });
  try {
    await fn(d, sshd);
  } finally {
    await sshd.stop();
    await d.stop();
  }
  const after = rootSshState();
  if (after !== before) throw new Error(`root's ~/.ssh changed: ${before} -> ${after}`);
}
