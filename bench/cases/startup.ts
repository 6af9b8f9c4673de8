// Case "startup" (issue 16): a script that opens test:///default and prints its domain names,
// as whole processes (wall time, peak RSS from /usr/bin/time): ours, libvirt-python, virsh;
// and case "startup-inside": the same script timed from inside (import of mod.ts, loading
// libvirt.so, the first Connection.open with the functions it binds).
//   deno run -A bench/cases/startup.ts [--root DIR] [--runs N]   (standalone: prints the medians)
import { ROOT } from "../lib/proc.ts";
import { type CaseSpec, runCase } from "../lib/runner.ts";

const PY = "import libvirt\nc = libvirt.open('test:///default')\n" +
  "for d in c.listAllDomains(): print(d.name())\nc.close()\n";

/** Runs argv under /usr/bin/time; returns wall ms and peak RSS in MiB. */
async function timed(argv: string[]): Promise<Record<string, number>> {
  const t0 = performance.now();
  const out = await new Deno.Command("/usr/bin/time", {
    args: ["-f", "%M", ...argv],
    cwd: ROOT,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const wall = performance.now() - t0;
  const err = new TextDecoder().decode(out.stderr).trim().split("\n");
  const stdout = new TextDecoder().decode(out.stdout);
  if (!out.success || !stdout.includes("test")) {
    throw new Error(`${argv.slice(0, 3).join(" ")} failed: ${err.join(" ").slice(-500)}`);
  }
  return { wallMs: wall, peakMiB: Number(err.at(-1)) / 1024 };
}

let bundled: string | undefined;

/**
 * The same script over a one-file build of the module (`deno bundle mod.ts`, plain JS): what the
 * start-up would be if Deno loaded one module instead of a hundred TypeScript ones. Built once per
 * bench run and run once untimed, so its caches are as warm as the checkout's.
 */
async function bundledScript(root: string): Promise<string> {
  if (bundled) return bundled;
  const dir = `${Deno.env.get("TMPDIR") ?? "/tmp"}/deno-libvirt-startup-bundle`;
  await Deno.mkdir(dir, { recursive: true });
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["bundle", "--quiet", `${root}/mod.ts`, "-o", `${dir}/mod.js`],
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!out.success) throw new Error(`deno bundle failed: ${new TextDecoder().decode(out.stderr)}`);
  await Deno.writeTextFile(
    `${dir}/list.ts`,
    'import { Connection } from "./mod.js";\nusing conn = Connection.open("test:///default");\n' +
      "for (const d of conn.listAllDomains()) console.log(d.getName());\n",
  );
  bundled = `${dir}/list.ts`;
  await timed([Deno.execPath(), "run", "--allow-ffi", "--allow-read", bundled]);
  return bundled;
}

/** The two cases, measuring the checkout at `root` (default: this one). */
export function startupCases(root: string = ROOT): CaseSpec[] {
  const deno = Deno.execPath();
  const script = `${ROOT}bench/ours/startup.ts`;
  return [
    {
      id: "startup",
      title: "Start-up: open test:///default, print the domain names (whole process)",
      metrics: [
        { key: "wallMs", label: "wall", unit: "ms", better: "lower" },
        { key: "peakMiB", label: "peak RSS", unit: "MiB", better: "lower" },
      ],
      contenders: [
        {
          name: "ours (deno run)",
          kind: "ours",
          run: () => timed([deno, "run", "--allow-ffi", "--allow-read", script, "list", root]),
        },
        {
          name: "ours, one-file bundle",
          kind: "ours",
          run: async () =>
            timed([deno, "run", "--allow-ffi", "--allow-read", await bundledScript(root)]),
        },
        {
          name: "libvirt-python",
          kind: "python",
          run: () => timed(["/usr/bin/python3", "-c", PY]),
        },
        {
          name: "virsh list --name",
          kind: "virsh",
          run: () => timed(["virsh", "-c", "test:///default", "list", "--name"]),
        },
      ],
      baseline: "libvirt-python",
      notes: [
        "Medians of whole processes, alternating contenders; Deno's module cache is warm.",
        "ours runs `deno run --allow-ffi` on a script importing mod.ts.",
        "one-file bundle: the same script importing `deno bundle mod.ts` (one JS module), for " +
        "comparison only: what a hundred TypeScript modules cost Deno to load.",
      ],
    },
    {
      id: "startup-inside",
      title: "Start-up inside the process: import, libvirt load, first open",
      metrics: [
        { key: "importMs", label: "import mod.ts", unit: "ms", better: "lower" },
        { key: "loadMs", label: "load libvirt.so", unit: "ms", better: "lower" },
        { key: "openMs", label: "first open (binds)", unit: "ms", better: "lower" },
        { key: "listMs", label: "list + names", unit: "ms", better: "lower" },
        { key: "bound", label: "functions bound", unit: "", better: "lower" },
      ],
      contenders: [{
        name: "ours",
        kind: "ours",
        run: async () => {
          const out = await new Deno.Command(deno, {
            args: ["run", "--allow-ffi", "--allow-read", script, "inside", root],
            cwd: ROOT,
            stdout: "piped",
            stderr: "piped",
          }).output();
          const text = new TextDecoder().decode(out.stdout).trim();
          if (!out.success) throw new Error(new TextDecoder().decode(out.stderr));
          return JSON.parse(text.split("\n").at(-1)!);
        },
      }],
      notes: ["load: the first libvirt call's dlopen of libvirt.so and its libraries."],
    },
  ];
}

if (import.meta.main) {
  const i = Deno.args.indexOf("--root");
  const root = i >= 0 ? Deno.args[i + 1] : ROOT;
  const r = Deno.args.indexOf("--runs");
  const runs = r >= 0 ? Number(Deno.args[r + 1]) : 10;
  for (const spec of startupCases(root)) {
    const res = await runCase(spec, runs);
    for (const row of res.rows) {
      const cells = res.metrics.map((m) => {
        const s = row.values[m.key];
        return `${m.label} ${s ? s.median.toFixed(1) : "?"}${m.unit}`;
      });
      console.log(`${res.id} | ${row.name} | ${cells.join(" | ")}`);
    }
  }
}
