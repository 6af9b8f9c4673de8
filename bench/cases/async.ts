// The async forms (issue 13): how long Deno's loop is kept waiting while the daemon wipes a
// volume, with the sync form against the async one, and what an async call costs beside a sync
// one — on DenoEventImpl and on libvirt's default loop.
import type { BenchContext } from "../lib/context.ts";
import { denoScript, runJson } from "../lib/proc.ts";
import type { CaseSpec, Contender } from "../lib/runner.ts";

const LOOPS = [
  { name: "DenoEventImpl", loop: "deno" },
  { name: "default loop", loop: "default" },
];

function wipeContender(ctx: BenchContext, loop: string, name: string, form: string): Contender {
  return {
    name: `ours (${name}), ${form === "sync" ? "vol.wipe()" : "await vol.wipeAsync()"}`,
    kind: "ours",
    run: () =>
      runJson<Record<string, number>>(
        denoScript("async.ts", [
          "wipe",
          "--uri",
          ctx.qemuUri,
          "--pool",
          ctx.pool,
          "--mib",
          `${ctx.opts.sizeMiB}`,
          "--loop",
          loop,
          "--form",
          form,
        ]),
        { env: { LIBVIRT_DENO_LOG: undefined } },
      ),
  };
}

function perCallContender(ctx: BenchContext, loop: string, name: string, calls: number): Contender {
  return {
    name: `ours (${name})`,
    kind: "ours",
    run: () =>
      runJson<Record<string, number>>(
        denoScript("async.ts", [
          "percall",
          "--uri",
          ctx.testUri,
          "--loop",
          loop,
          "--calls",
          `${calls}`,
        ]),
        { env: { LIBVIRT_DENO_LOG: undefined } },
      ),
  };
}

/** The loop-gap and per-call cases of the async forms. */
export function asyncCases(ctx: BenchContext): CaseSpec[] {
  const calls = ctx.opts.quick ? 2000 : 10_000;
  return [
    {
      id: "async-wipe",
      title: `Loop gap during a ${ctx.opts.sizeMiB} MiB volume wipe: sync form vs async form`,
      metrics: [
        { key: "maxGapMs", label: "worst gap of a 2 ms interval", unit: "ms", better: "lower" },
        { key: "wipeMs", label: "wipe", unit: "ms", better: "lower" },
      ],
      contenders: LOOPS.flatMap((l) =>
        ["sync", "async"].map((form) => wipeContender(ctx, l.loop, l.name, form))
      ),
      ratioMetric: "maxGapMs",
      notes: [
        "virStorageVolWipe of a raw volume in a dir pool of the private libvirtd (qemu+unix), " +
        "while a 2 ms setInterval records its longest gap. Target for the async form: < 20 ms.",
      ],
    },
    {
      id: "async-percall",
      title: `Cost per call: ${calls} getInfo calls, sync vs async (test+unix)`,
      metrics: [
        { key: "syncNs", label: "dom.getInfo()", unit: "ns/call", better: "lower" },
        { key: "asyncNs", label: "await dom.getInfoAsync()", unit: "ns/call", better: "lower" },
        {
          key: "parallel8Ns",
          label: "8 connections × getInfoAsync at once",
          unit: "ns/call",
          better: "lower",
        },
      ],
      contenders: LOOPS.map((l) => perCallContender(ctx, l.loop, l.name, calls)),
      notes: [
        "One connection to the private libvirtd's test driver; the async calls are awaited one " +
        "at a time (each is a round trip through Deno's thread pool), then 8 connections call " +
        "at once (the pool runs them in parallel; one connection serializes its calls).",
      ],
    },
  ];
}
