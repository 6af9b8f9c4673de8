// Summaries of repeated measurements: median and spread (min, max, quartiles), and number format.

/** The summary of one case for one implementation: what the tables and the JSON carry. */
export interface Summary {
  /** How many runs succeeded. */
  n: number;
  median: number;
  min: number;
  max: number;
  /** First and third quartiles (linear interpolation between order statistics). */
  q1: number;
  q3: number;
  /** Every run's value, in run order (so drift across the run shows in the JSON). */
  values: number[];
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 1) return sorted[0];
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/** Summarizes `values`; null when there are none (every run failed or was skipped). */
export function summarize(values: number[]): Summary | null {
  const ok = values.filter((v) => Number.isFinite(v));
  if (ok.length === 0) return null;
  const sorted = [...ok].sort((a, b) => a - b);
  return {
    n: ok.length,
    median: quantile(sorted, 0.5),
    min: sorted[0],
    max: sorted[sorted.length - 1],
    q1: quantile(sorted, 0.25),
    q3: quantile(sorted, 0.75),
    values: ok,
  };
}

/** The `p` quantile (0..1) of raw samples, e.g. timer errors; NaN when empty. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  return quantile([...values].sort((a, b) => a - b), p);
}

/** The arithmetic mean; NaN when empty. */
export function mean(values: number[]): number {
  if (values.length === 0) return NaN;
  let s = 0;
  for (const v of values) s += v;
  return s / values.length;
}

/** A number with about three significant digits (1234, 12.3, 0.0123), "–" for none. */
export function fmt(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return "–";
  const a = Math.abs(v);
  if (a >= 100) return v.toFixed(0);
  if (a >= 10) return v.toFixed(1);
  if (a >= 1) return v.toFixed(2);
  if (a === 0) return "0";
  return v.toPrecision(3);
}

/** "median (min–max)" for a table cell. */
export function cell(s: Summary | null): string {
  if (!s) return "–";
  return s.n > 1 ? `${fmt(s.median)} (${fmt(s.min)}–${fmt(s.max)})` : fmt(s.median);
}
