// Runs test files again and again in fresh processes and counts how each run ended: passed,
// failed, aborted (SIGABRT), segfaulted (SIGSEGV), killed by another signal, or hung.
//
// Why: some failures show once in 50 or 200 runs, after every test passed (the exit crash of
// docs/exit-crash.md was one). A loop is the only test for them. Runs are sequential: the
// machine's private libvirtd is shared, and parallel runs would only queue on its lock.
//
//   deno task stress [options] [filter...]
//     --runs N        runs of the minimal module-using test (default 200, env STRESS_RUNS)
//     --file-runs N   runs of each tests/*_test.ts file kept by the filters (default 3,
//                     env STRESS_FILE_RUNS; 0 skips the files)
//     --timeout S     seconds before a run counts as hung and is killed (default 300;
//                     the minimal test gets min(S, 60))
//   A filter keeps the files whose name contains it (as tests/run.ts). Exits 1 on any abort,
//   segfault, other signal or hang, and on any failed run.
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const MINIMAL = "tests/fixtures/stress_minimal_test.ts";

function envNumber(name: string, fallback: number): number {
  const v = Deno.env.get(name);
  return v && Number.isFinite(Number(v)) ? Number(v) : fallback;
}

const options = {
  runs: envNumber("STRESS_RUNS", 200),
  fileRuns: envNumber("STRESS_FILE_RUNS", 3),
  timeout: 300,
};
const filters: string[] = [];
for (let i = 0; i < Deno.args.length; i++) {
  const a = Deno.args[i];
  const value = () => {
    const n = Number(Deno.args[++i]);
    if (!Number.isInteger(n) || n < 0) throw new TypeError(`${a} needs a whole number`);
    return n;
  };
  if (a === "--runs") options.runs = value();
  else if (a === "--file-runs") options.fileRuns = value();
  else if (a === "--timeout") options.timeout = value();
  else if (a.startsWith("-")) throw new TypeError(`Unknown option ${a}`);
  else filters.push(a);
}

type Outcome = "pass" | "fail" | "abort" | "segv" | "signal" | "hang";
const OUTCOMES: Outcome[] = ["pass", "fail", "abort", "segv", "signal", "hang"];
type Row = Record<Outcome, number> & { runs: number; seconds: number };

const logDir = Deno.makeTempDirSync({ prefix: "deno-libvirt-stress-" });

/** Runs one `deno test` process to its end or its timeout; returns how it ended. */
async function runOnce(file: string, timeoutS: number, tag: string): Promise<Outcome> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["test", "--allow-all", file],
    cwd: root,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  let hung = false;
  const timer = setTimeout(() => {
    hung = true;
    try {
      child.kill("SIGKILL");
    } catch {
      // Already gone.
    }
  }, timeoutS * 1000);
  const out = await child.output();
  clearTimeout(timer);
  const { code, signal } = out;
  const sig = signal ?? (code >= 128 ? code - 128 : null);
  const outcome: Outcome = hung
    ? "hang"
    : sig === 6 || sig === "SIGABRT"
    ? "abort"
    : sig === 11 || sig === "SIGSEGV"
    ? "segv"
    : sig !== null
    ? "signal"
    : code === 0
    ? "pass"
    : "fail";
  if (outcome !== "pass") {
    // Keep the evidence: the end of stderr names the glibc check or the failing test.
    const path = `${logDir}/${tag}.log`;
    const dec = new TextDecoder();
    Deno.writeTextFileSync(
      path,
      dec.decode(out.stdout) + "\n--- stderr\n" + dec.decode(out.stderr),
    );
    const last = dec.decode(out.stderr).trim().split("\n").slice(-1)[0] ?? "";
    console.log(`  ${tag}: ${outcome} (exit ${code}, signal ${signal}) ${last.slice(0, 120)}`);
  }
  return outcome;
}

async function loop(file: string, runs: number, timeoutS: number): Promise<Row> {
  const row: Row = { runs: 0, seconds: 0, pass: 0, fail: 0, abort: 0, segv: 0, signal: 0, hang: 0 };
  const started = performance.now();
  const name = file.replace(/^.*\//, "").replace(/\.ts$/, "");
  for (let i = 1; i <= runs; i++) {
    row[await runOnce(file, timeoutS, `${name}-${i}`)]++;
    row.runs++;
  }
  row.seconds = Math.round((performance.now() - started) / 1000);
  return row;
}

const files = [...Deno.readDirSync(`${root}/tests`)]
  .filter((e) => e.isFile && e.name.endsWith("_test.ts"))
  .map((e) => e.name)
  .filter((n) => filters.length === 0 || filters.some((f) => n.includes(f)))
  .sort();

const rows = new Map<string, Row>();
if (options.runs > 0) {
  console.log(`${MINIMAL}: ${options.runs} runs`);
  rows.set(
    "minimal (fixtures/stress_minimal_test.ts)",
    await loop(MINIMAL, options.runs, Math.min(options.timeout, 60)),
  );
}
if (options.fileRuns > 0) {
  for (const f of files) {
    console.log(`tests/${f}: ${options.fileRuns} runs`);
    rows.set(f, await loop(`tests/${f}`, options.fileRuns, options.timeout));
  }
}

const width = Math.max(...[...rows.keys()].map((k) => k.length), 4);
const header = ["runs", ...OUTCOMES, "secs"];
console.log(`\n${"file".padEnd(width)}  ${header.map((h) => h.padStart(7)).join("")}`);
const sum: Row = { runs: 0, seconds: 0, pass: 0, fail: 0, abort: 0, segv: 0, signal: 0, hang: 0 };
for (const [name, row] of rows) {
  const cells = [row.runs, ...OUTCOMES.map((o) => row[o]), row.seconds];
  console.log(`${name.padEnd(width)}  ${cells.map((c) => String(c).padStart(7)).join("")}`);
  for (const k of Object.keys(sum) as (keyof Row)[]) sum[k] += row[k];
}
const cells = [sum.runs, ...OUTCOMES.map((o) => sum[o]), sum.seconds];
console.log(`${"total".padEnd(width)}  ${cells.map((c) => String(c).padStart(7)).join("")}`);
const crashes = sum.abort + sum.segv + sum.signal + sum.hang;
console.log(
  `${crashes === 0 && sum.fail === 0 ? "ok" : "FAILED"}: ${crashes} crashes or hangs, ` +
    `${sum.fail} failed runs` + (crashes + sum.fail > 0 ? ` (logs in ${logDir})` : ""),
);
if (crashes + sum.fail === 0) Deno.removeSync(logDir, { recursive: true });
else Deno.exitCode = 1;
