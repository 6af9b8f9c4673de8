// The benchmark's outputs: a console table per case with ratios against virsh, the targets of
// issue 5 checked against the medians, the JSON file and the Markdown page.
import { type CaseResult, medianOf, ratioOf, type Row } from "./runner.ts";
import { cell, fmt } from "./stats.ts";

/** Where and on what the figures were taken. */
export interface Meta {
  date: string;
  runs: number;
  quick: boolean;
  sizeMiB: number;
  sink: string;
  machine: string;
  versions: Record<string, string>;
}

/** One target of issue 5 and where we stand. */
export interface Target {
  target: string;
  measured: string;
  met: boolean | null;
  /** What was missed, when only part of the target was. */
  missed?: string;
}

/** Everything a run produced (bench/results/latest.json). */
export interface Results {
  meta: Meta;
  cases: CaseResult[];
  targets: Target[];
}

function header(c: CaseResult): string[] {
  const cols = [
    "implementation",
    ...c.metrics.map((m) => `${m.label}${m.unit ? ` (${m.unit})` : ""}`),
  ];
  if (c.baseline) cols.push(`ratio to ${c.baseline.split(" ")[0]}`);
  return cols;
}

function cells(c: CaseResult, r: Row): string[] {
  const out = [r.name, ...c.metrics.map((m) => cell(r.values[m.key]))];
  if (c.baseline) {
    const ratio = ratioOf(c, r);
    out.push(ratio === null ? "–" : `${ratio.toFixed(2)}x`);
  }
  if (r.errors.length > 0 && c.metrics.every((m) => !r.values[m.key])) {
    out[1] = "failed (see notes)";
  }
  return out;
}

/** The console form of a case: aligned columns. */
export function consoleTable(c: CaseResult): string {
  const rows = [header(c), ...c.rows.map((r) => cells(c, r))];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  const line = (r: string[]) =>
    r.map((s, i) => (i === 0 ? s.padEnd(widths[i]) : s.padStart(widths[i]))).join("  ");
  return [`${c.title}`, line(rows[0]), ...rows.slice(1).map(line)].join("\n");
}

function mdTable(c: CaseResult): string {
  const h = header(c);
  const esc = (s: string) => s.replaceAll("|", "\\|");
  return [
    `| ${h.map(esc).join(" | ")} |`,
    `| ${h.map((_, i) => (i === 0 ? "---" : "---:")).join(" | ")} |`,
    ...c.rows.map((r) => `| ${cells(c, r).map(esc).join(" | ")} |`),
  ].join("\n");
}

const ours = (c: CaseResult | undefined) => c?.rows.filter((r) => r.kind === "ours") ?? [];

// A case's floor row (the runtime alone): its median and its ratio to the baseline.
function floorOf(c: CaseResult, key: string): { value: number; ratio: number | null } | null {
  const r = c.rows.find((r) => r.kind === "floor");
  const value = medianOf(r, key);
  return r && value !== null ? { value, ratio: ratioOf(c, r) } : null;
}

/** The issues' targets (5, 14, 16, 17) against this run's medians (null: not measured in this run). */
export function checkTargets(cases: CaseResult[]): Target[] {
  const out: Target[] = [];
  const get = (id: string) => cases.find((c) => c.id === id);
  for (const id of ["download", "upload"]) {
    const c = get(id);
    if (!c) continue;
    const py = medianOf(c.rows.find((r) => r.kind === "python"), "mibps");
    const pl = medianOf(c.rows.find((r) => r.kind === "perl"), "mibps");
    for (const r of ours(c)) {
      const ratio = ratioOf(c, r);
      const mine = medianOf(r, "mibps");
      const misses = [
        ...(ratio !== null && ratio < 0.95 ? ["< 0.95x virsh"] : []),
        ...(mine !== null && py !== null && mine <= py ? ["not above Python"] : []),
        ...(mine !== null && pl !== null && mine <= pl ? ["not above Perl"] : []),
      ];
      // The floor row bounds the rows that read through the same Deno stream (bench/cases/streams.ts).
      const floor = r.name.includes("file.readable") ? floorOf(c, "mibps") : null;
      out.push({
        target: `${id}: ${r.name} >= 0.95x virsh and above Python and Perl`,
        measured: `${ratio === null ? "–" : ratio.toFixed(2)}x virsh; ${fmt(mine)} vs Python ` +
          `${fmt(py)}, Perl ${fmt(pl)} MiB/s` +
          (floor === null ? "" : `; floor (Deno's readable alone) ${fmt(floor.value)} MiB/s, ` +
            `${floor.ratio === null ? "–" : floor.ratio.toFixed(2)}x virsh`),
        met: ratio === null || mine === null ? null : misses.length === 0,
        missed: misses.join(", "),
      });
    }
  }
  const ev = get("events");
  if (ev) {
    const pys = ev.rows.filter((r) => r.kind === "python").map((r) => medianOf(r, "cpuPer10k"))
      .filter((x): x is number => x !== null);
    const best = pys.length ? Math.min(...pys) : null;
    for (const r of ours(ev)) {
      const mine = medianOf(r, "cpuPer10k");
      out.push({
        target: `events: ${r.name} CPU per event <= Python's (the better of its two loops)`,
        measured: `${fmt(mine)} vs ${fmt(best)} s/10k events`,
        met: mine === null || best === null ? null : mine <= best,
      });
    }
  }
  const idle = get("idle");
  const idleFloor = (who: string) =>
    medianOf(idle?.rows.find((r) => r.kind === "floor" && r.name.includes(who)), "cpuMs");
  const denoFloor = idleFloor("Deno");
  const floors = denoFloor === null
    ? ""
    : `; floor: Deno alone ${fmt(denoFloor)}, Python alone ${fmt(idleFloor("Python"))} ms per 10 s`;
  for (const r of ours(idle)) {
    const mine = medianOf(r, "cpuMs");
    out.push({
      // Issue 14's figure (issue 5 had asked for 10 ms).
      target: `idle: ${r.name} CPU <= 1 ms per 10 s`,
      measured: `${fmt(mine)} ms per 10 s${floors}`,
      met: mine === null ? null : mine <= 1,
    });
  }
  const timers = get("timers");
  for (const r of ours(timers)) {
    const mine = medianOf(r, "p99Err");
    out.push({
      target: `timers: ${r.name} p99 error < 2 ms`,
      measured: `${fmt(mine)} ms`,
      met: mine === null ? null : mine < 2,
    });
  }
  // Issue 16: a script's whole process, through the package's entry, beside libvirt-python.
  const startup = get("startup");
  const published = startup?.rows.find((r) => r.name.startsWith("ours (published"));
  if (startup && published) {
    const mine = medianOf(published, "wallMs");
    const py = medianOf(startup.rows.find((r) => r.kind === "python"), "wallMs");
    out.push({
      target: `startup: ${published.name} wall <= libvirt-python's`,
      measured: `${fmt(mine)} vs ${fmt(py)} ms`,
      met: mine === null || py === null ? null : mine <= py,
    });
  }
  return out;
}

const mark = (t: Target) =>
  t.met === null ? "not measured" : t.met ? "met" : t.missed ? `MISSED (${t.missed})` : "MISSED";

/** The console summary of the targets. */
export function consoleTargets(targets: Target[]): string {
  return targets.map((t) => `${mark(t).padEnd(12)} ${t.target}: ${t.measured}`).join("\n");
}

/** The Markdown page: method, tables, targets, and the hand-written findings. */
export function markdown(res: Results, findings: string): string {
  const m = res.meta;
  const versions = Object.entries(m.versions).map(([k, v]) => `${k} ${v}`).join(", ");
  const parts = [
    "# Benchmarks",
    "",
    "<!-- Generated by `deno task bench` (bench/run.ts) from bench/results/latest.json; the " +
    "Findings section comes from bench/findings.md. -->",
    "",
    "This module beside `virsh` (the C tool), libvirt-python and Perl's Sys::Virt, all run in " +
    "the same benchmark run against one private libvirtd, alternating run by run. Cells show " +
    "the median and, in parentheses, the minimum and maximum over the runs.",
    "",
    `- Date: ${m.date}; ${m.runs} runs per case${m.quick ? " (--quick)" : ""}; stream size ` +
    `${m.sizeMiB} MiB; download sink: ${m.sink}`,
    `- Machine: ${m.machine}`,
    `- Versions: ${versions}`,
    // The case ids of this very run, so the list cannot miss a case added since.
    "- Reproduce: `./run.sh bench` (installs the peers), or `deno task bench [--runs N] " +
    `[--quick] [--size MiB] [--only ${res.cases.map((c) => c.id).join(",")}]\`.`,
    "",
    "## Targets",
    "",
    "| target | measured | status |",
    "| --- | --- | --- |",
    ...res.targets.map((t) => `| ${t.target} | ${t.measured} | ${mark(t)} |`),
    "",
  ];
  for (const c of res.cases) {
    parts.push(`## ${c.title}`, "", mdTable(c), "");
    parts.push(`- ${c.runs} runs, ${c.measuredAt.slice(0, 16).replace("T", " ")} UTC.`);
    for (const n of c.notes) parts.push(`- ${n}`);
    const failed = c.rows.filter((r) => r.errors.length > 0);
    for (const r of failed) {
      parts.push(`- ${r.name}: ${r.errors.length} kind(s) of failure: ${r.errors[0]}`);
    }
    parts.push("");
  }
  if (findings.trim()) parts.push(findings.trim(), "");
  return parts.join("\n");
}
