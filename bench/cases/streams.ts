// Cases 1 and 2: volume download and upload through virsh, libvirt-python, Sys::Virt and this
// module's four stream paths; throughput (MiB/s) and the client's CPU seconds per GiB.
import type { BenchContext } from "../lib/context.ts";
import { type Argv, denoScript, peerScript, runJson, runPlain } from "../lib/proc.ts";
import type { CaseSpec, Contender, Kind, Metric } from "../lib/runner.ts";

const METRICS: Metric[] = [
  { key: "mibps", label: "throughput", unit: "MiB/s", better: "higher" },
  { key: "cpuPerGiB", label: "client CPU", unit: "s/GiB", better: "lower" },
];

interface Transfer {
  seconds: number;
  bytes: number;
  cpu: number;
}

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

function figures(ctx: BenchContext, t: Transfer): Record<string, number> {
  if (t.bytes !== ctx.bytes) throw new Error(`moved ${t.bytes} bytes, expected ${ctx.bytes}`);
  return { mibps: t.bytes / MiB / t.seconds, cpuPerGiB: t.cpu / (t.bytes / GiB) };
}

// virsh times itself with --timing (the command only: connecting happens before it, as for the
// libraries, which time from opening the file to the finished stream); /usr/bin/time gives its
// CPU seconds, which include connecting (a few ms).
async function virsh(ctx: BenchContext, op: "download" | "upload", file: string) {
  const timeOut = `${ctx.dir}/time.out`;
  const cmd = op === "download" ? "vol-download" : "vol-upload";
  const argv: Argv = [
    "/usr/bin/time",
    "-f",
    "%U %S",
    "-o",
    timeOut,
    "virsh",
    "-q",
    "-t",
    "-c",
    ctx.qemuUri,
    cmd,
    "--pool",
    ctx.pool,
    ctx.vol,
    file,
  ];
  const { stdout } = await runPlain(argv);
  const ms = Number(stdout.match(/\(Time: ([\d.]+) ms\)/)?.[1]);
  if (!Number.isFinite(ms)) throw new Error(`no timing in virsh's output: ${stdout}`);
  const [u, s] = (await Deno.readTextFile(timeOut)).trim().split(/\s+/).map(Number);
  return { seconds: ms / 1000, bytes: ctx.bytes, cpu: u + s };
}

function contenders(ctx: BenchContext, op: "download" | "upload"): Contender[] {
  const common = ["--uri", ctx.qemuUri, "--pool", ctx.pool, "--vol", ctx.vol, "--op", op];
  // Downloads write to a fresh sink per run; uploads all read the one source file.
  const wrap = (name: string, kind: Kind, go: (file: string) => Promise<Transfer>): Contender => ({
    name,
    kind,
    run: async () => {
      const file = op === "download" ? ctx.sink(kind) : ctx.source;
      try {
        return figures(ctx, await go(file));
      } finally {
        if (op === "download") await ctx.dropSink(file);
      }
    },
  });
  const ours = (path: string, loop: string) => (file: string) =>
    runJson<Transfer>(
      denoScript("stream.ts", [...common, "--path", path, "--loop", loop, "--file", file]),
    );
  const all = op === "download" ? "recvAll" : "sendAll";
  const pipe = op === "download"
    ? "download().pipeTo(file.writable)"
    : "file.readable.pipeTo(writable)";
  return [
    wrap(`virsh vol-${op}`, "virsh", (f) => virsh(ctx, op, f)),
    wrap(
      `Python ${all}`,
      "python",
      (f) => runJson<Transfer>(peerScript("libvirt_bench.py", ["stream", ...common, "--file", f])),
    ),
    wrap(
      `Perl ${op === "download" ? "recv_all" : "send_all"}`,
      "perl",
      (f) => runJson<Transfer>(peerScript("sys_virt_bench.pl", ["stream", ...common, "--file", f])),
    ),
    wrap(
      `ours: blocking ${op === "download" ? "recv" : "send"} loop`,
      "ours",
      ours("blocking", "none"),
    ),
    wrap(`ours: ${all} (blocking stream)`, "ours", ours("all", "none")),
    wrap(
      `ours: blocking ${op === "download" ? "recv" : "send"} loop, DenoEventImpl registered`,
      "ours",
      ours("blocking", "deno"),
    ),
    wrap(`ours: non-blocking + callback (DenoEventImpl)`, "ours", ours("callbacks", "deno")),
    wrap(`ours: ${pipe} (DenoEventImpl)`, "ours", ours("pipe", "deno")),
    wrap(`ours: non-blocking + callback (default loop)`, "ours", ours("callbacks", "default")),
    wrap(`ours: ${pipe} (default loop)`, "ours", ours("pipe", "default")),
  ];
}

/** The download and upload cases. */
export function streamCases(ctx: BenchContext): CaseSpec[] {
  const size = `${ctx.opts.sizeMiB} MiB`;
  const sink = ctx.opts.sink === "null" ? "/dev/null" : "a new file in the temp folder";
  return [
    {
      id: "download",
      title: `Volume download, ${size} of random data (dir pool, qemu driver)`,
      metrics: METRICS,
      contenders: contenders(ctx, "download"),
      baseline: "virsh vol-download",
      notes: [
        `Every client writes what it receives to ${sink} with one write(2) per chunk.`,
        "Time: from opening the sink to the finished stream (virsh: its own --timing of the " +
        "command); connecting is outside for all. Client CPU: the client's utime+stime over " +
        "the same span (virsh: /usr/bin/time, which includes connecting).",
        "Python, Perl and ours marked blocking run without an event loop; virsh runs libvirt's " +
        "default loop in a thread.",
      ],
    },
    {
      id: "upload",
      title: `Volume upload, ${size} of random data (dir pool, qemu driver)`,
      metrics: METRICS,
      contenders: contenders(ctx, "upload"),
      baseline: "virsh vol-upload",
      notes: [
        "Every client reads the same source file (in the page cache) with one read(2) per chunk.",
      ],
    },
  ];
}
