// Runs a case's contenders in alternation, run after run, and summarizes each metric; a failing
// contender records its error and the others go on.
import { summarize, type Summary } from "./stats.ts";
import { benchAbort } from "./proc.ts";

/**
 * Who a contender is: this module, the C tool, a peer binding, or a floor (the runtime alone, no
 * libvirt: what any binding on it pays at least, shown beside the targets it bounds).
 */
export type Kind = "ours" | "virsh" | "python" | "perl" | "floor";

/** One column of a case's table. */
export interface Metric {
  key: string;
  label: string;
  unit: string;
  better: "lower" | "higher";
}

/** One implementation measured in a case. */
export interface Contender {
  name: string;
  kind: Kind;
  /** One measurement: a value per metric key. */
  run: () => Promise<Record<string, number>>;
}

/** A row of the results: one contender's summaries. */
export interface Row {
  name: string;
  kind: Kind;
  values: Record<string, Summary | null>;
  /** Distinct error messages of failed runs. */
  errors: string[];
}

/** A case's results, as written to the JSON and the tables. */
export interface CaseResult {
  id: string;
  title: string;
  metrics: Metric[];
  rows: Row[];
  /** The row whose median the ratio column divides by (the C tool), if any. */
  baseline?: string;
  /** The metric the ratio column is about (default: the first). */
  ratioMetric?: string;
  notes: string[];
  /** When the case ran (ISO date) and how many runs it made. */
  measuredAt: string;
  runs: number;
}

/** A case before it runs. */
export interface CaseSpec {
  id: string;
  title: string;
  metrics: Metric[];
  contenders: Contender[];
  baseline?: string;
  ratioMetric?: string;
  notes?: string[];
}

/**
 * Runs every contender `runs` times, alternating them within each run and rotating who goes
 * first, so slow drifts of the machine (page cache, CPU clock, daemon state) touch all alike.
 */
export async function runCase(spec: CaseSpec, runs: number): Promise<CaseResult> {
  const n = spec.contenders.length;
  const samples = spec.contenders.map(() => new Map<string, number[]>());
  const errors = spec.contenders.map(() => new Set<string>());
  console.error(`\n## ${spec.title} (${runs} runs of ${n} contenders)`);
  for (let r = 0; r < runs; r++) {
    for (let k = 0; k < n; k++) {
      benchAbort.signal.throwIfAborted();
      const i = (r + k) % n;
      const c = spec.contenders[i];
      const t0 = performance.now();
      try {
        const v = await c.run();
        for (const [key, x] of Object.entries(v)) {
          if (!samples[i].has(key)) samples[i].set(key, []);
          samples[i].get(key)!.push(x);
        }
        const shown = spec.metrics.map((m) => `${m.key}=${round(v[m.key])}`).join(" ");
        console.error(`  run ${r + 1}/${runs} ${c.name}: ${shown}`);
      } catch (e) {
        const msg = (e instanceof Error ? e.message : String(e)).split("\n")[0].slice(0, 300);
        errors[i].add(msg);
        console.error(
          `  run ${r + 1}/${runs} ${c.name}: FAILED after ` +
            `${((performance.now() - t0) / 1000).toFixed(1)} s: ${msg}`,
        );
      }
    }
  }
  return {
    id: spec.id,
    title: spec.title,
    metrics: spec.metrics,
    rows: spec.contenders.map((c, i) => ({
      name: c.name,
      kind: c.kind,
      values: Object.fromEntries(
        spec.metrics.map((m) => [m.key, summarize(samples[i].get(m.key) ?? [])]),
      ),
      errors: [...errors[i]],
    })),
    baseline: spec.baseline,
    ratioMetric: spec.ratioMetric,
    notes: spec.notes ?? [],
    measuredAt: new Date().toISOString(),
    runs,
  };
}

function round(x: number | undefined): string {
  if (x === undefined || !Number.isFinite(x)) return "?";
  return Math.abs(x) >= 100 ? x.toFixed(0) : x.toPrecision(3);
}

/** A row's median for `metric`, or null. */
export function medianOf(row: Row | undefined, metric: string): number | null {
  return row?.values[metric]?.median ?? null;
}

/** `row`'s median over the baseline row's median for the case's ratio metric, or null. */
export function ratioOf(c: CaseResult, row: Row): number | null {
  if (!c.baseline) return null;
  const key = c.ratioMetric ?? c.metrics[0].key;
  const base = medianOf(c.rows.find((r) => r.name === c.baseline), key);
  const mine = medianOf(row, key);
  if (base === null || mine === null || base === 0) return null;
  return mine / base;
}
