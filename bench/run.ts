// `deno task bench`: this module beside virsh, libvirt-python and Sys::Virt, in one run against
// the tests' private libvirtd — stream throughput, event delivery, idle CPU, timer accuracy and
// loop overhead — written to bench/results/latest.json and docs/benchmarks.md.
//   deno run -A bench/run.ts [--runs N] [--quick] [--size MiB] [--only id,id] [--sink file|null]
//     [--profile DIR]   (our children write V8 CPU profiles to DIR; see bench/profile_top.ts)
//     [--report]        (no measuring: rewrites docs/benchmarks.md from the results and findings)
// Not part of `deno task test`: it takes minutes and reports, it does not assert.
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { type BenchOptions, setupState, withBench } from "./lib/context.ts";
import {
  benchAbort,
  PERL,
  profiling,
  PYTHON,
  ROOT,
  runPlain,
  stopAllChildren,
} from "./lib/proc.ts";
import { type CaseResult, type CaseSpec, runCase } from "./lib/runner.ts";
import {
  checkTargets,
  consoleTable,
  consoleTargets,
  markdown,
  type Meta,
  type Results,
} from "./lib/report.ts";
import { streamCases } from "./cases/streams.ts";
import { sparseCases } from "./cases/sparse.ts";
import { eventCases } from "./cases/events.ts";
import { loopCases } from "./cases/loops.ts";
import { startupCases } from "./cases/startup.ts";
import { asyncCases } from "./cases/async.ts";
import { REMOTE_CASE_IDS, remoteBench, remoteTargets } from "./cases/remote.ts";

const { values: a } = parseArgs({
  args: Deno.args,
  options: {
    runs: { type: "string" },
    quick: { type: "boolean", default: false },
    size: { type: "string" },
    only: { type: "string", default: "" },
    sink: { type: "string", default: "file" },
    profile: { type: "string" },
    report: { type: "boolean", default: false },
    out: { type: "string" },
    doc: { type: "string" },
  },
});
const opts: BenchOptions = {
  quick: a.quick,
  runs: Number(a.runs ?? (a.quick ? 2 : 5)),
  sizeMiB: Number(a.size ?? (a.quick ? 64 : 512)),
  only: a.only ? a.only.split(",").map((s) => s.trim()) : [],
  sink: a.sink === "null" ? "null" : "file",
};
if (a.profile) {
  profiling.dir = a.profile;
  await Deno.mkdir(a.profile, { recursive: true });
}
// A --quick smoke run or a profiled run must not overwrite the published figures.
const scratch = opts.quick ? "quick" : a.profile ? "profiled" : null;
const outPath = a.out ??
  (scratch ? `${ROOT}bench/results/${scratch}.json.tmp` : `${ROOT}bench/results/latest.json`);
const docPath = a.doc ?? (scratch ? null : `${ROOT}docs/benchmarks.md`);
if (!Number.isInteger(opts.runs) || opts.runs < 1) throw new Error("--runs must be >= 1");
if (!Number.isInteger(opts.sizeMiB) || opts.sizeMiB < 1) throw new Error("--size must be >= 1");

// Ctrl-C: kill the children, then let the run unwind through its cleanup (daemon, temp folder).
for (const sig of ["SIGINT", "SIGTERM"] as const) {
  Deno.addSignalListener(sig, () => {
    if (benchAbort.signal.aborted) return;
    console.error(`\nbench: ${sig}, cleaning up…`);
    // Still waiting for the daemon (another run holds its lock): nothing runs yet to unwind.
    if (!setupState.daemonStarted) {
      if (setupState.dir) Deno.removeSync(setupState.dir, { recursive: true });
      Deno.exit(130);
    }
    benchAbort.abort(new Error(`interrupted by ${sig}`));
    void stopAllChildren();
  });
}

async function version(argv: [string, ...string[]], re: RegExp): Promise<string> {
  try {
    const { stdout, stderr } = await runPlain(argv, { timeoutMs: 20_000 });
    return (stdout + stderr).match(re)?.[1] ?? "?";
  } catch {
    return "missing";
  }
}

async function meta(): Promise<Meta> {
  const cpuinfo = await Deno.readTextFile("/proc/cpuinfo").catch(() => "");
  const model = cpuinfo.match(/model name\s*:\s*(.*)/)?.[1] ?? "unknown CPU";
  const cpus = navigator.hardwareConcurrency;
  const memGiB = Math.round(Deno.systemMemoryInfo().total / 2 ** 30);
  return {
    date: new Date().toISOString(),
    runs: opts.runs,
    quick: opts.quick,
    sizeMiB: opts.sizeMiB,
    sink: opts.sink === "null" ? "/dev/null" : "a file in the temp folder",
    machine: `${model}, ${cpus} CPUs, ${memGiB} GiB, Linux ${Deno.osRelease()}`,
    versions: {
      deno: Deno.version.deno,
      libvirt: await version(["virsh", "--version"], /([\d.]+)/),
      "libvirt-python": await version(
        [PYTHON, "-c", "import libvirt; v = libvirt.getVersion(); print(v)"],
        /(\d+)/,
      ).then((v) => (Number.isFinite(Number(v)) ? formatLibvirt(Number(v)) : v)),
      "Sys::Virt": await version(
        [PERL, "-MSys::Virt", "-e", "print $Sys::Virt::VERSION"],
        /([\d.]+)/,
      ),
      python: await version([PYTHON, "--version"], /Python ([\d.]+)/),
      perl: await version([PERL, "-e", "print $^V"], /v([\d.]+)/),
    },
  };
}

function formatLibvirt(v: number): string {
  return `${Math.floor(v / 1e6)}.${Math.floor(v / 1e3) % 1000}.${v % 1000}`;
}

async function checkPeers(): Promise<void> {
  const missing: string[] = [];
  if ((await version([PYTHON, "-c", "import libvirt, libvirtaio; print('ok')"], /(ok)/)) !== "ok") {
    missing.push("python3-libvirt");
  }
  if ((await version([PERL, "-MSys::Virt", "-e", "print 'ok'"], /(ok)/)) !== "ok") {
    missing.push("libsys-virt-perl");
  }
  if (missing.length > 0) {
    console.error(
      `bench: the peers ${missing.join(", ")} are missing; their rows will fail. ` +
        "Install them with `./run.sh bench` (scripts/setup.sh --peers) or apt-get.",
    );
  }
}

const findingsPath = fileURLToPath(new URL("./findings.md", import.meta.url));
if (a.report) {
  const saved = await readResults(outPath);
  if (!saved) throw new Error(`--report: no results in ${outPath}`);
  saved.targets = [...checkTargets(saved.cases), ...remoteTargets(saved.cases)];
  const findings = await Deno.readTextFile(findingsPath).catch(() => "");
  await Deno.writeTextFile(docPath ?? `${ROOT}docs/benchmarks.md`, markdown(saved, findings));
  console.log(`bench: rewrote ${docPath ?? "docs/benchmarks.md"} from ${outPath}`);
  Deno.exit(0);
}
await checkPeers();
const info = await meta();
console.error(
  `bench: ${opts.runs} runs, ${opts.sizeMiB} MiB streams${opts.quick ? ", quick" : ""}; ` +
    `${info.machine}`,
);

let cases: CaseResult[];
// The qemu+ssh/qemu+tls cases need certificates before the daemon starts (its TLS listener).
const remote = opts.only.length === 0 || opts.only.some((id) => REMOTE_CASE_IDS.includes(id))
  ? await remoteBench()
  : null;
if (remote) opts.daemon = remote.daemonOptions;
try {
  cases = await withBench(opts, async (ctx) => {
    const done: CaseResult[] = [];
    try {
      const specs: CaseSpec[] = [
        ...streamCases(ctx),
        ...sparseCases(ctx),
        ...eventCases(ctx),
        ...loopCases(ctx),
        ...startupCases(),
        ...asyncCases(ctx),
        ...(remote ? await remote.cases(ctx) : []),
      ].filter((s) => opts.only.length === 0 || opts.only.includes(s.id));
      if (specs.length === 0) throw new Error(`--only ${opts.only} matches no case`);
      for (const spec of specs) done.push(await runCase(spec, opts.runs));
    } finally {
      await stopAllChildren();
      await remote?.stop();
    }
    return done;
  }).finally(() => remote?.stop());
} catch (e) {
  // Interrupted: withBench has stopped the daemon and removed the temp folder by now.
  if (!benchAbort.signal.aborted) throw e;
  console.error("bench: interrupted; the daemon is stopped and the temp folder removed");
  Deno.exit(130);
}

// A run of some cases (--only) updates those in the existing results and keeps the others.
const previous = opts.only.length > 0 ? await readResults(outPath) : null;
const merged = previous
  ? [
    ...previous.cases.map((p) => cases.find((c) => c.id === p.id) ?? p),
    ...cases.filter((c) => !previous.cases.some((p) => p.id === c.id)),
  ]
  : cases;
const results: Results = {
  meta: info,
  cases: merged,
  targets: [...checkTargets(merged), ...remoteTargets(merged)],
};
console.log("");
for (const c of merged) console.log(consoleTable(c) + "\n");
console.log("Targets (issues 5 and 17)\n" + consoleTargets(results.targets));

await Deno.mkdir(new URL("./results/", import.meta.url), { recursive: true });
await Deno.writeTextFile(outPath, JSON.stringify(results, null, 2) + "\n");
if (docPath) {
  const findings = await Deno.readTextFile(findingsPath).catch(() => "");
  await Deno.mkdir(`${ROOT}docs`, { recursive: true });
  await Deno.writeTextFile(docPath, markdown(results, findings));
}
console.log(`\nbench: wrote ${outPath}${docPath ? ` and ${docPath}` : ""}`);

async function readResults(path: string): Promise<Results | null> {
  try {
    return JSON.parse(await Deno.readTextFile(path)) as Results;
  } catch {
    return null;
  }
}
