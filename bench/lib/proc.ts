// Child processes of the benchmark: running one to its JSON answer, talking to a long-lived one
// line by line, reading a process's CPU time from /proc, and ending what we started.
import { fileURLToPath } from "node:url";

/** The repository's root folder (children run there). */
export const ROOT: string = fileURLToPath(new URL("../..", import.meta.url));
/** Debian's own Python: the one with python3-libvirt (the first python3 on PATH may not be). */
export const PYTHON = "/usr/bin/python3";
/** The Perl that has Sys::Virt. */
export const PERL = "/usr/bin/perl";

const CLK_TCK = 100; // sysconf(_SC_CLK_TCK) on Linux/x86-64; /proc/PID/stat counts in these ticks

/** Aborted on SIGINT/SIGTERM: children are killed and the run unwinds to its cleanup. */
export const benchAbort: AbortController = new AbortController();

function childSignal(timeoutMs = 600_000): AbortSignal {
  return AbortSignal.any([AbortSignal.timeout(timeoutMs), benchAbort.signal]);
}

/** A command line for a child: the program and its arguments. */
export type Argv = [string, ...string[]];

/** Set by `--profile DIR`: our children then write V8 CPU profiles (.cpuprofile) there. */
export const profiling: { dir: string | null } = { dir: null };

/** The command line that runs one of our bench scripts (bench/ours/*.ts) with Deno. */
export function denoScript(script: string, args: string[]): Argv {
  const prof = profiling.dir && script !== "generator.ts"
    ? ["--cpu-prof", `--cpu-prof-dir=${profiling.dir}`]
    : [];
  return [Deno.execPath(), "run", "--allow-all", ...prof, `${ROOT}bench/ours/${script}`, ...args];
}

/** The command line that runs a peer script (bench/peers/*) with its interpreter. */
export function peerScript(script: string, args: string[]): Argv {
  const interp = script.endsWith(".py") ? PYTHON : PERL;
  return [interp, `${ROOT}bench/peers/${script}`, ...args];
}

// The event module marks the process's loop in an environment variable that children inherit;
// a child registers its own loop, so it must not see the marker of ours (we register none, but
// keep children clean whatever runs us). LIBVIRT_DENO_LOG stays unless a case sets it.
function childEnv(env: Record<string, string | undefined> = {}): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(Deno.env.toObject())) {
    if (k !== "LIBVIRT_DENO_EVENT_LOOP") out[k] = v;
  }
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete out[k];
    else out[k] = v;
  }
  return out;
}

/** Options of a child run. */
export interface ChildOptions {
  env?: Record<string, string | undefined>;
  /** Kills the child after this many ms (default 10 minutes). */
  timeoutMs?: number;
}

/**
 * Runs `argv` to its end and parses the last stdout line as JSON; throws with the child's
 * stderr when it fails or prints no JSON.
 */
export async function runJson<T>(argv: Argv, opts: ChildOptions = {}): Promise<T> {
  const out = await new Deno.Command(argv[0], {
    args: argv.slice(1),
    cwd: ROOT,
    env: childEnv(opts.env),
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    signal: childSignal(opts.timeoutMs),
  }).output();
  const stdout = new TextDecoder().decode(out.stdout).trim();
  const stderr = new TextDecoder().decode(out.stderr).trim();
  const last = stdout.split("\n").at(-1) ?? "";
  if (!out.success || !last.startsWith("{")) {
    throw new Error(
      `${argv.slice(0, 3).join(" ")} failed (exit ${out.code}): ${stderr.slice(-2000) || stdout}`,
    );
  }
  return JSON.parse(last) as T;
}

/** Runs `argv` to its end; throws with its stderr when it fails. Returns stdout and stderr. */
export async function runPlain(
  argv: Argv,
  opts: ChildOptions = {},
): Promise<{ stdout: string; stderr: string }> {
  const out = await new Deno.Command(argv[0], {
    args: argv.slice(1),
    cwd: ROOT,
    env: childEnv(opts.env),
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    signal: childSignal(opts.timeoutMs),
  }).output();
  const stdout = new TextDecoder().decode(out.stdout);
  const stderr = new TextDecoder().decode(out.stderr);
  if (!out.success) {
    throw new Error(`${argv.slice(0, 3).join(" ")} failed (exit ${out.code}): ${stderr.trim()}`);
  }
  return { stdout, stderr };
}

/** Every child still running, so a failing run can end them (by pid, ours only). */
const live = new Set<LineChild>();

/** Options of a LineChild. */
export interface LineChildOptions extends ChildOptions {
  /** The child exits by itself once its stdin is closed: give it 2 s before SIGTERM. */
  exitsOnEof?: boolean;
}

/** A long-lived child we talk to line by line (event listeners). */
export class LineChild {
  readonly #proc: Deno.ChildProcess;
  // stdout is read continuously (a child blocked on a full pipe would distort its timings);
  // lines wait here until waitLine takes them.
  readonly #queue: string[] = [];
  #ended = false;
  #wake: (() => void) | null = null;
  #stderr = "";
  readonly #exitsOnEof: boolean;
  readonly #done: Promise<Deno.CommandStatus>;

  /** Starts `argv` with piped stdout/stderr and stdin open (closing it tells some to exit). */
  constructor(argv: Argv, opts: LineChildOptions = {}) {
    const proc = new Deno.Command(argv[0], {
      args: argv.slice(1),
      cwd: ROOT,
      env: childEnv(opts.env),
      clearEnv: true,
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.#proc = proc;
    this.#exitsOnEof = opts.exitsOnEof ?? false;
    live.add(this);
    (async () => {
      for await (const line of splitLines(proc.stdout)) {
        this.#queue.push(line);
        this.#wake?.();
      }
    })().catch(() => {}).finally(() => {
      this.#ended = true;
      this.#wake?.();
    });
    (async () => {
      for await (const s of proc.stderr.pipeThrough(new TextDecoderStream())) {
        this.#stderr = (this.#stderr + s).slice(-4000);
      }
    })().catch(() => {});
    this.#done = proc.status.finally(() => live.delete(this));
  }

  /** The child's pid. */
  get pid(): number {
    return this.#proc.pid;
  }

  /** What the child wrote to stderr lately (for error messages). */
  get stderr(): string {
    return this.#stderr.trim();
  }

  /**
   * The next stdout line for which `accept` returns true (others are dropped); rejects when
   * the child ends first or after `timeoutMs`.
   */
  async waitLine(accept: (line: string) => boolean, timeoutMs: number): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      while (this.#queue.length > 0) {
        const line = this.#queue.shift()!;
        if (accept(line)) return line;
      }
      if (this.#ended) throw new Error(`the child ended early: ${this.stderr}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no answer in ${timeoutMs} ms`);
      const { promise, resolve } = Promise.withResolvers<void>();
      this.#wake = resolve;
      const timer = setTimeout(resolve, left);
      await promise;
      clearTimeout(timer);
      this.#wake = null;
    }
  }

  /** Ends the child (stdin closed, SIGTERM, SIGKILL after 3 s) and waits. Safe to call twice. */
  async stop(): Promise<void> {
    if (!live.has(this)) return;
    try {
      await this.#proc.stdin.close();
    } catch { /* already closed */ }
    if (this.#exitsOnEof) {
      const grace = new Promise((r) => setTimeout(r, 2000, "grace"));
      await Promise.race([this.#done, grace]);
      if (!live.has(this)) return;
    }
    const pid = this.#proc.pid;
    try {
      Deno.kill(pid, "SIGTERM");
    } catch { /* already gone */ }
    const kill = setTimeout(() => {
      try {
        Deno.kill(pid, "SIGKILL");
      } catch { /* already gone */ }
    }, 3000);
    try {
      await this.#done;
    } finally {
      clearTimeout(kill);
    }
  }
}

/** Stops every LineChild still running (the bench's `finally`). */
export async function stopAllChildren(): Promise<void> {
  await Promise.all([...live].map((c) => c.stop()));
}

async function* splitLines(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  let rest = "";
  for await (const s of stream.pipeThrough(new TextDecoderStream())) {
    rest += s;
    let i;
    while ((i = rest.indexOf("\n")) >= 0) {
      yield rest.slice(0, i);
      rest = rest.slice(i + 1);
    }
  }
  if (rest) yield rest;
}

/** utime + stime of a process (all its threads), in seconds, from /proc/PID/stat. */
export function cpuSeconds(pid: number | "self"): number {
  const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(f[11]) + Number(f[12])) / CLK_TCK; // fields 14 and 15 of stat(5)
}

// The on-CPU nanoseconds of each live thread of a process (/proc/PID/task/TID/schedstat): finer
// than cpuSeconds' 10 ms ticks.
function threadTimes(pid: number): Map<string, number> {
  const m = new Map<string, number>();
  for (const t of Deno.readDirSync(`/proc/${pid}/task`)) {
    try {
      m.set(
        t.name,
        Number(Deno.readTextFileSync(`/proc/${pid}/task/${t.name}/schedstat`).split(" ")[0]),
      );
    } catch { /* the thread ended meanwhile */ }
  }
  return m;
}

/**
 * On-CPU time of a process over the next `ms` milliseconds, in seconds, for the idle case. It
 * samples every thread's schedstat every 200 ms and keeps each thread's last sample, so a thread
 * that ends within the window (an idle thread of Deno's pool ends after 10 s without work) still
 * counts what it ran: a sum over the live threads at both ends would lose it, and can even come
 * out below zero.
 */
export async function cpuSecondsOver(pid: number, ms: number): Promise<number> {
  const first = threadTimes(pid);
  const last = new Map(first);
  const end = performance.now() + ms;
  for (let left = ms; left > 0; left = end - performance.now()) {
    await new Promise((r) => setTimeout(r, Math.min(200, left)));
    for (const [tid, ns] of threadTimes(pid)) last.set(tid, ns);
  }
  let ns = 0;
  for (const [tid, v] of last) ns += v - (first.get(tid) ?? 0); // a thread born meanwhile: all of it
  return ns / 1e9;
}

/** Wall-clock time in ms with sub-ms precision, comparable across processes. */
export function wallMs(): number {
  return performance.timeOrigin + performance.now();
}
