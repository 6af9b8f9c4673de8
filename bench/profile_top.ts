// Summarizes V8 CPU profiles (`deno run --cpu-prof`, or `deno task bench --profile DIR`): the
// functions with the most self time, and the time under a few frames of interest.
//   deno run -A bench/profile_top.ts FILE.cpuprofile... [--top N]
import { parseArgs } from "node:util";

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
interface Profile {
  nodes: Node[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

const { values: a, positionals } = parseArgs({
  args: Deno.args,
  allowPositionals: true,
  options: { top: { type: "string", default: "25" } },
});

function label(n: Node): string {
  const f = n.callFrame;
  const file = f.url.replace(/^.*\/(bench|event|stream|api|ffi|ext)\//, "$1/").replace(/^.*\//, "");
  return `${f.functionName || "(anonymous)"} ${file ? `${file}:${f.lineNumber + 1}` : ""}`.trim();
}

for (const path of positionals) {
  const p = JSON.parse(await Deno.readTextFile(path)) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  // Self time per node from the sample timeline (more exact than hitCount × interval).
  const selfUs = new Map<number, number>();
  for (let i = 0; i < p.samples.length; i++) {
    const dt = p.timeDeltas[i + 1] ?? 0;
    selfUs.set(p.samples[i], (selfUs.get(p.samples[i]) ?? 0) + dt);
  }
  const total = [...selfUs.values()].reduce((x, y) => x + y, 0);
  const self = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const k = label(byId.get(id)!);
    self.set(k, (self.get(k) ?? 0) + us);
  }
  // Inclusive time per label (counted once per stack even under recursion).
  const incl = new Map<string, number>();
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  for (const [id, us] of selfUs) {
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const k = label(byId.get(cur)!);
      if (!seen.has(k)) (seen.add(k), incl.set(k, (incl.get(k) ?? 0) + us));
    }
  }
  const pct = (us: number) => `${((100 * us) / total).toFixed(1).padStart(5)} %`;
  console.log(`\n${path}: ${(total / 1000).toFixed(0)} ms sampled`);
  console.log("self time:");
  for (const [k, us] of [...self].sort((x, y) => y[1] - x[1]).slice(0, Number(a.top))) {
    console.log(`  ${pct(us)}  ${(us / 1000).toFixed(1).padStart(8)} ms  ${k}`);
  }
  console.log("inclusive time:");
  for (const [k, us] of [...incl].sort((x, y) => y[1] - x[1]).slice(0, Number(a.top))) {
    console.log(`  ${pct(us)}  ${(us / 1000).toFixed(1).padStart(8)} ms  ${k}`);
  }
}
