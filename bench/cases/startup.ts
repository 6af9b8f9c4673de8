// Case "startup" (issue 16): a script that opens test:///default and prints its domain names,
// as whole processes (wall time, peak RSS from /usr/bin/time): ours through the package's entry
// and through its TypeScript sources, libvirt-python, virsh; and case "startup-inside": the same
// script timed from inside (import, the first Connection.open with libvirt's load, the list).
//   deno run -A bench/cases/startup.ts [--root DIR] [--runs N]   (standalone: prints the medians)
import { ROOT } from "../lib/proc.ts";
import { type CaseSpec, runCase } from "../lib/runner.ts";
import { writeBundle } from "../../tools/build_bundle.ts";

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

/** The module files a user's script can import from the checkout at `root`. */
function entries(root: string): { published: string; source: string } {
  const config = JSON.parse(Deno.readTextFileSync(`${root}/deno.json`));
  const exported = typeof config.exports === "string" ? config.exports : config.exports["."];
  return {
    published: `${root}/${exported.replace(/^\.\//, "")}`,
    source: `${root}/mod.ts`,
  };
}

/**
 * Writes the case's script importing `entry` statically, as a user's script does (a dynamic
 * import would build the module graph later, at run time), and runs it once untimed so Deno's
 * caches are as warm as for a script run before.
 */
async function listScript(name: string, entry: string): Promise<string> {
  const dir = `${Deno.env.get("TMPDIR") ?? "/tmp"}/deno-libvirt-startup`;
  await Deno.mkdir(dir, { recursive: true });
  const path = `${dir}/${name}.ts`;
  await Deno.writeTextFile(
    path,
    `import { Connection } from ${JSON.stringify(entry)};\n` +
      'using conn = Connection.open("test:///default");\n' +
      "for (const d of conn.listAllDomains()) console.log(d.getName());\n",
  );
  await timed([Deno.execPath(), "run", "--allow-ffi", "--allow-read", path]);
  return path;
}

/** One run of the inside-the-process child on `entry`. */
async function inside(entry: string): Promise<Record<string, number>> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-ffi", "--allow-read", `${ROOT}bench/ours/startup.ts`, entry],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout).trim();
  if (!out.success) throw new Error(new TextDecoder().decode(out.stderr));
  return JSON.parse(text.split("\n").at(-1)!);
}

/** The two cases, measuring the checkout at `root` (default: this one). */
export function startupCases(root: string = ROOT): CaseSpec[] {
  const deno = Deno.execPath();
  const { published, source } = entries(root.replace(/\/$/, ""));
  const scripts = {
    // The entry is built, not committed: build this checkout's from its sources first.
    published: (root === ROOT ? writeBundle() : Promise.resolve(0))
      .then(() => listScript("list-published", published)),
    source: listScript("list-source", source),
  };
  const run = async (which: keyof typeof scripts) =>
    timed([deno, "run", "--allow-ffi", "--allow-read", await scripts[which]]);
  return [
    {
      id: "startup",
      title: "Start-up: open test:///default, print the domain names (whole process)",
      metrics: [
        { key: "wallMs", label: "wall", unit: "ms", better: "lower" },
        { key: "peakMiB", label: "peak RSS", unit: "MiB", better: "lower" },
      ],
      contenders: [
        { name: "ours (published entry)", kind: "ours", run: () => run("published") },
        { name: "ours, from the TypeScript sources", kind: "ours", run: () => run("source") },
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
        "Both of ours run `deno run --allow-ffi` on a script with a static import: of the " +
        "package's entry (deno.json's exports: dist/libvirt.js, one JavaScript module), or of " +
        "mod.ts (the 74 TypeScript modules it is built from).",
      ],
    },
    {
      id: "startup-inside",
      title: "Start-up inside the process: import, first open (loads libvirt.so), list",
      metrics: [
        { key: "sinceStartMs", label: "Deno start", unit: "ms", better: "lower" },
        { key: "importMs", label: "import", unit: "ms", better: "lower" },
        { key: "openMs", label: "first open (load + bind)", unit: "ms", better: "lower" },
        { key: "listMs", label: "list + names", unit: "ms", better: "lower" },
      ],
      contenders: [
        { name: "ours (published entry)", kind: "ours", run: () => inside(published) },
        { name: "ours, from the TypeScript sources", kind: "ours", run: () => inside(source) },
      ],
      notes: [
        "Deno start: performance.now() when the child's own code begins (the runtime's start).",
        "first open: the dlopen of libvirt.so and its libraries, then virConnectOpen and the " +
        "few functions it binds.",
      ],
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
