// The private libvirtd the remote tests talk to: one per test module, one per machine at a time.
//
// Why it looks like this:
// - libvirtd's drivers keep state under /run/libvirt, so two daemons cannot run at once. A flock
//   on a file in the OS temp dir, held while our daemon runs, makes concurrent test runs (and
//   test modules run in parallel) queue instead of breaking each other.
// - `deno test` runs each test module in its own isolate, so "shared per process" means shared
//   per module; the `unload` of each module stops its daemon synchronously.
// - The daemon is started through `setpriv --pdeathsig SIGKILL`, so it dies with the test process
//   even when `deno test` is interrupted (its SIGINT handler exits without `unload`).
import { tmpdir } from "node:os";
import {
  DAEMON_DIR_PREFIX,
  daemonConfig,
  hasSetpriv,
  preflight,
  processAlive,
  reapStale,
  tryKill,
} from "./daemon_setup.ts";

const LIBVIRTD = Deno.env.get("LIBVIRTD") ?? "/usr/sbin/libvirtd";
const LOCK_PATH = `${tmpdir()}/deno-libvirt-daemon.lock`;
const START_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 10_000;

/** Whether this run is CI (env CI set and not "false"/"0"): there a daemon that cannot start fails. */
export const inCI: boolean = !["", "0", "false"].includes(
  (Deno.env.get("CI") ?? "").toLowerCase(),
);

/**
 * Extras for a daemon that needs more than the unix sockets (the qemu+tls tests: a TLS
 * listener). Applied when the daemon starts; asking a running daemon for other extras throws.
 */
export interface DaemonOptions {
  /** Lines appended to libvirtd.conf (e.g. `listen_tls = 1`, `tls_port = "16514"`). */
  config?: string[];
  /** Extra command-line arguments (e.g. `--listen`, which opens the TCP/TLS listeners). */
  args?: string[];
}

/** A running private libvirtd. */
export interface Daemon {
  /** The temporary folder holding config, sockets, pid file and logs. */
  readonly dir: string;
  /** The read-write socket. */
  readonly socket: string;
  /** The read-only socket. */
  readonly roSocket: string;
  /** `test+unix:///default?socket=…`: the test driver inside the daemon. */
  readonly testUri: string;
  /** `qemu+unix:///system?socket=…`: the daemon's QEMU driver (and its storage, networks). */
  readonly qemuUri: string;
  /** The same URIs on the read-only socket. */
  readonly testUriRO: string;
  /** The QEMU driver on the read-only socket. */
  readonly qemuUriRO: string;
  /** The daemon's current process id (changes on `restart()`). */
  readonly pid: number;
  /** Whether the daemon process is alive (also true while it is SIGSTOPped). */
  readonly running: boolean;
  /** Sends a signal (SIGSTOP, SIGCONT, SIGKILL, SIGTERM…) to the daemon. */
  signal(sig: Deno.Signal): void;
  /** Resolves when the current daemon process has exited. */
  exited(): Promise<Deno.CommandStatus>;
  /** Starts the daemon again on the same folder (stops it first if it is still running). */
  restart(): Promise<void>;
  /** Stops the daemon (SIGTERM, then SIGKILL after 10 s), removes the folder, frees the lock. */
  stop(): Promise<void>;
  /** The last `lines` lines of the daemon's logs, to show when something failed. */
  logTail(lines?: number): string;
}

class PrivateDaemon implements Daemon {
  readonly dir: string;
  readonly socket: string;
  readonly roSocket: string;
  #lock: Deno.FsFile;
  #child: Deno.ChildProcess | null = null;
  #status: Promise<Deno.CommandStatus> | null = null;
  #exit: Deno.CommandStatus | null = null;
  #stopped = false;
  readonly extraArgs: string[];
  /** The options it was started with, to refuse a later caller asking for others. */
  readonly optionsKey: string;

  constructor(dir: string, lock: Deno.FsFile, options: DaemonOptions = {}) {
    this.dir = dir;
    this.socket = `${dir}/libvirt-sock`;
    this.roSocket = `${dir}/libvirt-sock-ro`;
    this.#lock = lock;
    this.extraArgs = options.args ?? [];
    this.optionsKey = optionsKey(options);
  }

  get testUri(): string {
    return `test+unix:///default?socket=${this.socket}`;
  }
  get qemuUri(): string {
    return `qemu+unix:///system?socket=${this.socket}`;
  }
  get testUriRO(): string {
    return `test+unix:///default?socket=${this.roSocket}`;
  }
  get qemuUriRO(): string {
    return `qemu+unix:///system?socket=${this.roSocket}`;
  }
  get pid(): number {
    if (!this.#child) throw new Error("The private libvirtd is not started");
    return this.#child.pid;
  }
  get running(): boolean {
    return this.#child !== null && this.#exit === null;
  }

  signal(sig: Deno.Signal): void {
    if (!this.running) throw new Error(`Cannot send ${sig}: the private libvirtd is not running`);
    Deno.kill(this.pid, sig);
  }

  exited(): Promise<Deno.CommandStatus> {
    if (!this.#status) throw new Error("The private libvirtd was never started");
    return this.#status;
  }

  logTail(lines = 40): string {
    const read = (name: string) => {
      try {
        return Deno.readTextFileSync(`${this.dir}/${name}`).trimEnd().split("\n");
      } catch {
        return [];
      }
    };
    const all = [...read("libvirtd.stderr"), ...read("libvirtd.log")].filter((l) => l !== "");
    return all.slice(-lines).join("\n") || "(the daemon logged nothing)";
  }

  /** Spawns libvirtd on this folder and waits until it serves requests. */
  async start(): Promise<void> {
    const args = [
      "--config",
      `${this.dir}/libvirtd.conf`,
      "--pid-file",
      `${this.dir}/libvirtd.pid`,
      ...this.extraArgs,
    ];
    // sh redirects the daemon's own stderr (config errors come before logging starts) to a file;
    // `exec` keeps one pid for sh, setpriv and libvirtd, so signals reach the daemon itself.
    const deathSig = hasSetpriv() ? "setpriv --pdeathsig SIGKILL -- " : "";
    const script = `exec ${deathSig}"$@" >>"${this.dir}/libvirtd.stderr" 2>&1 </dev/null`;
    this.#exit = null;
    this.#child = new Deno.Command("/bin/sh", {
      args: ["-c", script, "sh", LIBVIRTD, ...args],
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn();
    const status = this.#child.status.then((s) => (this.#exit = s));
    this.#status = status;
    try {
      await this.#waitReady();
    } catch (e) {
      await this.#terminate();
      throw e;
    }
  }

  async #waitReady(): Promise<void> {
    const deadline = Date.now() + START_TIMEOUT_MS;
    const fail = (why: string) =>
      new Error(`The private libvirtd ${why}. Its log (${this.dir}):\n${this.logTail()}`);
    // The socket exists and accepts (into the backlog) before the drivers are ready; libvirtd
    // serves clients only once every driver initialized, so a real request proves readiness.
    for (;;) {
      if (this.#exit) throw fail(`exited with code ${this.#exit.code} while starting`);
      if (Date.now() > deadline) throw fail(`did not accept connections in ${START_TIMEOUT_MS} ms`);
      try {
        (await Deno.connect({ transport: "unix", path: this.socket })).close();
        break;
      } catch {
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    const probe = await new Deno.Command("virsh", {
      args: ["-q", "-c", this.qemuUri, "uri"],
      stdin: "null",
      signal: AbortSignal.timeout(Math.max(1000, deadline - Date.now())),
    }).output().catch((e) => e as Error);
    if (probe instanceof Error) {
      if (probe instanceof Deno.errors.NotFound) return; // no virsh: the socket check must do
      throw fail(`did not answer in time (${probe.message})`);
    }
    if (!probe.success) {
      const err = new TextDecoder().decode(probe.stderr).trim();
      throw fail(this.#exit ? `exited while starting (${err})` : `refused a request: ${err}`);
    }
  }

  /** Ends the current process: SIGCONT (it may be stopped), SIGTERM, SIGKILL after a while. */
  async #terminate(): Promise<void> {
    if (!this.running) return;
    const pid = this.pid;
    for (const sig of ["SIGCONT", "SIGTERM"] as const) tryKill(pid, sig);
    const timer = setTimeout(() => tryKill(pid, "SIGKILL"), STOP_TIMEOUT_MS);
    try {
      await this.#status;
    } finally {
      clearTimeout(timer);
    }
  }

  async restart(): Promise<void> {
    if (this.#stopped) throw new Error("Cannot restart: the private libvirtd was stopped");
    await this.#terminate();
    await this.start();
  }

  async stop(): Promise<void> {
    await this.#terminate();
    this.#cleanup();
  }

  /** The `unload` path: no awaiting there, so wait by polling /proc. */
  stopSync(): void {
    if (this.running) {
      const pid = this.pid;
      for (const sig of ["SIGCONT", "SIGTERM"] as const) tryKill(pid, sig);
      const deadline = Date.now() + STOP_TIMEOUT_MS;
      while (processAlive(pid)) {
        if (Date.now() > deadline) tryKill(pid, "SIGKILL");
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
      }
    }
    this.#cleanup();
  }

  #cleanup(): void {
    this.#stopped = true;
    if (shared === this) shared = null;
    try {
      Deno.removeSync(this.dir, { recursive: true });
    } catch { /* already gone */ }
    try {
      this.#lock.close(); // closing the file releases the flock
    } catch { /* already closed */ }
  }
}

let shared: PrivateDaemon | null = null;
let starting: Promise<PrivateDaemon> | null = null;
let unloadHooked = false;

/**
 * The module's private libvirtd, started on first use (waits for another run's daemon to stop
 * first). Stopped by `stop()` or when the test module ends; a later call starts a fresh one.
 * Throws, with the tail of the daemon's log, when it cannot start.
 *
 * @example
 * ```ts
 * import { Connection } from "../mod.ts";
 * import { daemon } from "./helpers/daemon.ts";
 * const d = await daemon();
 * using conn = Connection.open(d.qemuUri);
 * d.signal("SIGSTOP"); // e.g. a keepalive test
 * d.signal("SIGCONT");
 * await d.stop();
 * ```
 */
export function daemon(options: DaemonOptions = {}): Promise<Daemon> {
  if (shared) return Promise.resolve(sameOptions(shared, options));
  starting ??= startShared(options).finally(() => (starting = null));
  return starting.then((d) => sameOptions(d, options));
}

function optionsKey(o: DaemonOptions): string {
  return JSON.stringify([o.config ?? [], o.args ?? []]);
}

function sameOptions(d: PrivateDaemon, options: DaemonOptions): PrivateDaemon {
  if (d.optionsKey !== optionsKey(options)) {
    throw new Error(
      `The private libvirtd already runs with other options (${d.optionsKey}); stop it first`,
    );
  }
  return d;
}

async function startShared(options: DaemonOptions): Promise<PrivateDaemon> {
  preflight(LIBVIRTD);
  const lock = await Deno.open(LOCK_PATH, { create: true, read: true, write: true });
  let d: PrivateDaemon | null = null;
  try {
    const waiting = setTimeout(
      () => console.error(`daemon: waiting for another test run's libvirtd (${LOCK_PATH})…`),
      2000,
    );
    await lock.lock(true).finally(() => clearTimeout(waiting));
    // Holding the lock, any daemon or folder of ours still present is left from a crashed run.
    await reapStale(tmpdir());
    const dir = await Deno.makeTempDir({ prefix: DAEMON_DIR_PREFIX });
    const extra = (options.config ?? []).map((l) => `${l}\n`).join("");
    await Deno.writeTextFile(`${dir}/libvirtd.conf`, daemonConfig(dir) + extra);
    d = new PrivateDaemon(dir, lock, options);
    if (!unloadHooked) {
      unloadHooked = true;
      globalThis.addEventListener("unload", () => shared?.stopSync());
    }
    await d.start();
    shared = d;
    return d;
  } catch (e) {
    if (d) await d.stop();
    else lock.close();
    throw e;
  }
}

let unavailable: Error | null = null;

/**
 * The daemon for a test that needs one. When it cannot start: in CI the test fails (a skipped
 * remote suite is a failure there); elsewhere this prints a loud notice and returns `null`, and
 * the test should return at once.
 *
 * @example
 * ```ts
 * import { requireDaemon } from "./helpers/daemon.ts";
 * Deno.test("something remote", async (t) => {
 *   const d = await requireDaemon("something remote");
 *   if (!d) return; // skipped, loudly (never in CI)
 *   try {
 *     await t.step("…", () => {});
 *   } finally {
 *     await d.stop();
 *   }
 * });
 * ```
 */
export async function requireDaemon(
  what = "this test",
  options: DaemonOptions = {},
): Promise<Daemon | null> {
  if (unavailable && !inCI) return null;
  try {
    return await daemon(options);
  } catch (e) {
    if (inCI) throw e;
    unavailable = e as Error;
    const bar = "!".repeat(78);
    console.error(
      `${bar}\nSKIPPED ${what}: the private libvirtd could not start (set CI=true to fail instead)` +
        `\n${unavailable.message}\n${bar}`,
    );
    return null;
  }
}
