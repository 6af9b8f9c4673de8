// Cases 1 and 2: volume download and upload through virsh, libvirt-python, Sys::Virt and this
// module's four stream paths; throughput (MiB/s) and the client's CPU seconds per GiB.
import type { BenchContext } from "../lib/context.ts";
import { denoScript, peerScript, runJson } from "../lib/proc.ts";
import type { CaseSpec, Contender, Kind } from "../lib/runner.ts";
import {
  type Transfer,
  TRANSFER_METRICS,
  transferFigures,
  virshTransfer,
  VOL_UPLOAD,
} from "../lib/transfer.ts";

function contenders(ctx: BenchContext, op: "download" | "upload"): Contender[] {
  const common = ["--uri", ctx.qemuUri, "--pool", ctx.pool, "--vol", ctx.vol, "--op", op];
  // Downloads write to a fresh sink per run; uploads all read the one source file.
  const wrap = (name: string, kind: Kind, go: (file: string) => Promise<Transfer>): Contender => ({
    name,
    kind,
    run: async () => {
      const file = op === "download" ? ctx.sink(kind) : ctx.source;
      try {
        return transferFigures(ctx, await go(file));
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
    wrap(`virsh vol-${op}`, "virsh", (f) => virshTransfer(ctx, ctx.qemuUri, op, f)),
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
    ...(op === "upload"
      ? [
        ...([["DenoEventImpl", "deno"], ["default loop", "default"]] as const).map(([name, loop]) =>
          wrap(`ours: ${VOL_UPLOAD} (${name})`, "ours", ours("volupload", loop))
        ),
        wrap(
          "floor: file.readable.pipeTo(a sink that drops chunks), no libvirt",
          "floor",
          ours("readable", "none"),
        ),
      ]
      : []),
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
      metrics: TRANSFER_METRICS,
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
      metrics: TRANSFER_METRICS,
      contenders: contenders(ctx, "upload"),
      baseline: "virsh vol-upload",
      notes: [
        "Every client reads the same source file (in the page cache) with one read(2) per chunk.",
      ],
    },
  ];
}
