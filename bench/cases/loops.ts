// Cases 5 and 6: timer accuracy (10 ms timers for 5 s) and raw loop overhead (add/remove cycles
// of handles and timeouts), on each loop of this module and of the peers; plus the cost of
// logging on that hot path (issue 7): logging off vs a no-op logger at debug level.
import type { BenchContext } from "../lib/context.ts";
import { type Argv, denoScript, peerScript, runJson } from "../lib/proc.ts";
import { mean, percentile } from "../lib/stats.ts";
import type { CaseSpec, Contender, Kind } from "../lib/runner.ts";

interface Loop {
  name: string;
  kind: Kind;
  argv: (mode: string, args: string[]) => Argv;
  env?: Record<string, string | undefined>;
}

const LOOPS: Loop[] = [
  {
    name: "ours (DenoEventImpl)",
    kind: "ours",
    argv: (m, a) => denoScript("loop.ts", [m, "--loop", "deno", ...a]),
  },
  {
    name: "ours (default loop)",
    kind: "ours",
    argv: (m, a) => denoScript("loop.ts", [m, "--loop", "default", ...a]),
  },
  {
    name: "Python (default loop thread)",
    kind: "python",
    argv: (m, a) => peerScript("libvirt_bench.py", [m, "--loop", "default", ...a]),
  },
  {
    name: "Python (libvirtaio)",
    kind: "python",
    argv: (m, a) => peerScript("libvirt_bench.py", [m, "--loop", "asyncio", ...a]),
  },
  {
    name: "Perl (default loop)",
    kind: "perl",
    argv: (m, a) => peerScript("sys_virt_bench.pl", [m, ...a]),
  },
];

// Logging off: LIBVIRT_DENO_LOG unset. On: a logger that drops records, at debug.
const LOG_VARIANTS: Loop[] = [
  {
    name: "ours (DenoEventImpl), LIBVIRT_DENO_LOG unset",
    kind: "ours",
    argv: (m, a) => denoScript("loop.ts", [m, "--loop", "deno", "--log", "off", ...a]),
  },
  {
    name: "ours (DenoEventImpl), no-op logger at debug",
    kind: "ours",
    argv: (m, a) => denoScript("loop.ts", [m, "--loop", "deno", "--log", "noop", ...a]),
  },
  {
    name: "ours (default loop), LIBVIRT_DENO_LOG unset",
    kind: "ours",
    argv: (m, a) => denoScript("loop.ts", [m, "--loop", "default", "--log", "off", ...a]),
  },
  {
    name: "ours (default loop), no-op logger at debug",
    kind: "ours",
    argv: (m, a) => denoScript("loop.ts", [m, "--loop", "default", "--log", "noop", ...a]),
  },
];

function timerContender(l: Loop, seconds: number, interval: number): Contender {
  return {
    name: l.name,
    kind: l.kind,
    run: async () => {
      const { intervals } = await runJson<{ intervals: number[] }>(
        l.argv("timers", ["--seconds", `${seconds}`, "--interval", `${interval}`]),
        { env: { LIBVIRT_DENO_LOG: undefined } },
      );
      if (intervals.length < 10) throw new Error(`only ${intervals.length} firings`);
      const err = intervals.map((x) => Math.abs(x - interval));
      return {
        meanErr: mean(err),
        p99Err: percentile(err, 0.99),
        maxErr: Math.max(...err),
        firings: intervals.length,
      };
    },
  };
}

function overheadContender(l: Loop, cycles: number): Contender {
  return {
    name: l.name,
    kind: l.kind,
    run: () =>
      runJson<Record<string, number>>(l.argv("overhead", ["--cycles", `${cycles}`]), {
        env: { LIBVIRT_DENO_LOG: undefined },
      }),
  };
}

/** The timer, overhead and logging-cost cases. */
export function loopCases(ctx: BenchContext): CaseSpec[] {
  const seconds = ctx.opts.quick ? 2 : 5;
  const cycles = 10_000;
  return [
    {
      id: "timers",
      title: `Timer accuracy: a 10 ms timer for ${seconds} s`,
      metrics: [
        { key: "meanErr", label: "mean error", unit: "ms", better: "lower" },
        { key: "p99Err", label: "p99 error", unit: "ms", better: "lower" },
        { key: "maxErr", label: "max error", unit: "ms", better: "lower" },
        { key: "firings", label: "firings", unit: "", better: "higher" },
      ],
      contenders: LOOPS.map((l) => timerContender(l, seconds, 10)),
      notes: [
        "Error: |interval between consecutive firings − 10 ms| (libvirt counts the next expiry " +
        "from each firing), taken in the callback with each language's monotonic clock.",
      ],
    },
    {
      id: "overhead",
      title: `Raw loop overhead: ${cycles} add/remove cycles`,
      metrics: [
        { key: "handleNs", label: "addHandle+removeHandle", unit: "ns/cycle", better: "lower" },
        { key: "timeoutNs", label: "addTimeout+removeTimeout", unit: "ns/cycle", better: "lower" },
      ],
      contenders: LOOPS.map((l) => overheadContender(l, cycles)),
      notes: [
        "Through the public virEvent API of each binding (Event.addHandle, " +
        "libvirt.virEventAddHandle, Sys::Virt::Event::add_handle) on fd 0; the timeout is " +
        "1000 ms so it never fires. Ours runs 1000 warm-up cycles first.",
      ],
    },
    {
      id: "logging",
      title: `Logging cost on the hot path: case 6 with logging off and with a no-op logger`,
      metrics: [
        { key: "handleNs", label: "addHandle+removeHandle", unit: "ns/cycle", better: "lower" },
        { key: "timeoutNs", label: "addTimeout+removeTimeout", unit: "ns/cycle", better: "lower" },
      ],
      contenders: LOG_VARIANTS.map((l) => overheadContender(l, cycles)),
      notes: [
        "Off: each log site costs one property read (logEnabled.debug). The no-op logger at " +
        "debug builds every record and calls the logger, without output.",
      ],
    },
  ];
}
