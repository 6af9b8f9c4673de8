// Cases 3 and 4: lifecycle-event delivery under a flood from another process (listener CPU per
// 10k events, delay from the generator's last event to the listener's last callback), and an
// idle listener's CPU use (open remote connection, keepalive every 5 s), right after start and
// once it ran for a minute.
import { setTimeout as sleep } from "node:timers/promises";
import type { BenchContext } from "../lib/context.ts";
import {
  type Argv,
  benchAbort,
  cpuSeconds,
  cpuSecondsOver,
  denoScript,
  LineChild,
  peerScript,
  runJson,
} from "../lib/proc.ts";
import type { CaseSpec, Contender, Kind } from "../lib/runner.ts";

interface Listener {
  name: string;
  kind: Kind;
  /** The listener's command line for a mode ("listen" or "idle"); virsh has one for both. */
  argv: (mode: "listen" | "idle", expect: number) => Argv;
  /** virsh prints a line per event instead of one summary. */
  virsh?: boolean;
}

function listeners(ctx: BenchContext): Listener[] {
  const uri = ["--uri", ctx.testUri];
  const ours = (loop: string) => (mode: string, expect: number) =>
    denoScript("loop.ts", [mode, ...uri, "--loop", loop, "--expect", String(expect)]);
  const py = (loop: string) => (mode: string, expect: number) =>
    peerScript("libvirt_bench.py", [mode, ...uri, "--loop", loop, "--expect", String(expect)]);
  return [
    {
      name: "virsh event --all --loop",
      kind: "virsh",
      virsh: true,
      argv: () => ["virsh", "-c", ctx.testUri, "event", "--all", "--loop", "--timestamp"],
    },
    { name: "ours (DenoEventImpl)", kind: "ours", argv: ours("deno") },
    { name: "ours (default loop)", kind: "ours", argv: ours("default") },
    { name: "Python (default loop thread)", kind: "python", argv: py("default") },
    { name: "Python (libvirtaio)", kind: "python", argv: py("asyncio") },
    {
      name: "Perl (default loop)",
      kind: "perl",
      argv: (mode, expect) =>
        peerScript("sys_virt_bench.pl", [mode, ...uri, "--expect", String(expect)]),
    },
  ];
}

// The idle case's floors (see its notes): the runtimes alone, waking as often as a keepalive.
function wakeFloors(): Listener[] {
  return [
    {
      name: "floor: Deno alone, a pool wait ending every 5 s",
      kind: "floor",
      argv: () => denoScript("wake_floor.ts", []),
    },
    {
      name: "floor: Python alone, a thread's poll(2) ending every 5 s",
      kind: "floor",
      argv: () => peerScript("wake_floor.py", []),
    },
  ];
}

interface GenReport {
  events: number;
  lastAt: number;
  seconds: number;
}

// "2026-11-23 15:10:52.123+0000: event 'lifecycle' for domain 'x': Stopped Destroyed"
function virshStamp(line: string): number {
  const m = line.match(/^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d\.\d+)([+-]\d{4}):/);
  if (!m) return NaN;
  return Date.parse(`${m[1]}T${m[2]}${m[3].slice(0, 3)}:${m[3].slice(3)}`);
}

async function startListener(l: Listener, mode: "listen" | "idle", expect: number) {
  const child = new LineChild(l.argv(mode, expect), { exitsOnEof: !l.virsh });
  try {
    // virsh prints nothing until an event arrives: give it time to connect and register.
    if (l.virsh) await new Promise((r) => setTimeout(r, 500));
    else await child.waitLine((s) => s === "READY", 30_000);
  } catch (e) {
    await child.stop();
    throw e;
  }
  return child;
}

function floodContender(ctx: BenchContext, l: Listener, cycles: number): Contender {
  const expect = 2 * cycles + 4; // see bench/ours/generator.ts
  return {
    name: l.name,
    kind: l.kind,
    run: async () => {
      const child = await startListener(l, "listen", expect);
      try {
        const domain = `bench-gen-${crypto.randomUUID().slice(0, 6)}`;
        const cpu0 = cpuSeconds(child.pid);
        const gen = await runJson<GenReport>(
          denoScript("generator.ts", [
            "--uri",
            ctx.testUri,
            "--domain",
            domain,
            "--cycles",
            `${cycles}`,
          ]),
        );
        let lastAt: number;
        if (l.virsh) {
          let seen = 0;
          const line = await child.waitLine(
            (s) => s.includes(`'lifecycle' for domain '${domain}'`) && ++seen === expect,
            60_000,
          );
          lastAt = virshStamp(line);
        } else {
          const line = await child.waitLine((s) => s.startsWith("{"), 60_000);
          lastAt = (JSON.parse(line) as { lastAt: number }).lastAt;
        }
        const cpu = cpuSeconds(child.pid) - cpu0;
        return {
          cpuPer10k: (cpu / gen.events) * 10_000,
          tailMs: lastAt - gen.lastAt,
          rate: gen.events / gen.seconds,
        };
      } finally {
        await child.stop();
      }
    },
  };
}

function idleContender(l: Listener, seconds: number): Contender {
  return {
    name: l.name,
    kind: l.kind,
    run: async () => {
      const child = await startListener(l, "idle", 0);
      try {
        await new Promise((r) => setTimeout(r, 1000)); // let start-up work settle
        const t0 = cpuSeconds(child.pid);
        const precise = await cpuSecondsOver(child.pid, seconds * 1000);
        const t1 = cpuSeconds(child.pid);
        const per10s = 10 / seconds;
        return { cpuMs: precise * 1000 * per10s, cpuTicks: (t1 - t0) * per10s };
      } finally {
        await child.stop();
      }
    },
  };
}

type Measured = PromiseSettledResult<Record<string, number>>;

/**
 * The steady-state idle case's contenders. A process's first seconds hold its start-up work
 * (V8 compiling the code the keepalive runs, the collection after start-up), which a service
 * that runs for days pays once. So every listener starts at once, and all are measured together
 * over the same window once they ran for `afterSeconds`: one session per run, started by the
 * first contender the runner calls and read by the others, so a run takes one wait, not one per
 * contender.
 */
function steadyContenders(ls: Listener[], afterSeconds: number, seconds: number): Contender[] {
  // Session n's results, in the order of `ls`.
  const sessions: Promise<Measured[]>[] = [];
  const session = async (): Promise<Measured[]> => {
    const started = await Promise.allSettled(ls.map((l) => startListener(l, "idle", 0)));
    const children = started.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
    try {
      // Ends early on Ctrl-C (the bench's abort): an interrupted run cleans up at once.
      await sleep(afterSeconds * 1000, undefined, { signal: benchAbort.signal });
      return await Promise.all(started.map(async (s): Promise<Measured> => {
        if (s.status === "rejected") return s;
        const cpu = await cpuSecondsOver(s.value.pid, seconds * 1000);
        return { status: "fulfilled", value: { cpuMs: cpu * 1000 * (10 / seconds) } };
      }));
    } finally {
      await Promise.all(children.map((c) => c.stop()));
    }
  };
  // The runner calls each contender once per run: a contender's n-th call reads session n.
  return ls.map((l, i) => {
    let calls = 0;
    return {
      name: l.name,
      kind: l.kind,
      run: async () => {
        const m = (await (sessions[calls++] ??= session()))[i];
        if (m.status === "rejected") throw m.reason;
        return m.value;
      },
    };
  });
}

/** The event-delivery and idle cases. */
export function eventCases(ctx: BenchContext): CaseSpec[] {
  const cycles = ctx.opts.quick ? 1000 : 5000;
  const idleSeconds = ctx.opts.quick ? 3 : 10;
  const steadyAfter = ctx.opts.quick ? 10 : 60;
  // At least one keepalive period (5 s), so a quick run's window holds a wake-up too.
  const steadySeconds = ctx.opts.quick ? 5 : 10;
  const ls = listeners(ctx);
  return [
    {
      id: "events",
      title: `Event delivery: ${2 * cycles + 4} lifecycle events flooded by another process`,
      metrics: [
        { key: "cpuPer10k", label: "listener CPU", unit: "s/10k events", better: "lower" },
        { key: "tailMs", label: "last event delay", unit: "ms", better: "lower" },
        { key: "rate", label: "generator rate", unit: "events/s", better: "higher" },
      ],
      contenders: ls.map((l) => floodContender(ctx, l, cycles)),
      baseline: "virsh event --all --loop",
      notes: [
        "The generator (bench/ours/generator.ts, synchronous calls) destroys and creates a " +
        "test-driver domain through the private libvirtd as fast as it answers.",
        "Listener CPU: utime+stime from /proc/PID/stat (10 ms ticks) between the listener's " +
        "READY and its last callback. The listeners count events and free the domain object; " +
        "virsh also formats and prints a line per event.",
        "Last event delay: wall clock of the listener's last callback minus the moment the " +
        "generator's last call returned (virsh: its --timestamp, ms resolution).",
      ],
    },
    {
      id: "idle",
      title: `Idle listener: open remote connection, keepalive every 5 s, lifecycle callback`,
      metrics: [
        { key: "cpuMs", label: "CPU (schedstat)", unit: "ms per 10 s", better: "lower" },
        { key: "cpuTicks", label: "CPU (stat)", unit: "s per 10 s", better: "lower" },
      ],
      contenders: [...ls, ...wakeFloors()].map((l) => idleContender(l, idleSeconds)),
      notes: [
        `Measured over ${idleSeconds} s after 1 s of settling, scaled to 10 s. schedstat sums ` +
        "the on-CPU nanoseconds of the listener's threads, sampled every 200 ms so that threads " +
        "that end within the window still count; stat is utime+stime in ticks.",
        "The floor rows run no libvirt: a process that only wakes every 5 s (libvirt's keepalive " +
        "needs at least that), from a wait on Deno's thread pool as DenoEventImpl's, or from a " +
        "Python thread's poll(2) as libvirt's default loop. What Deno spends per wake-up is a " +
        "bound under the idle row that no code of ours can go below.",
      ],
    },
    {
      id: "idle-steady",
      title: `Idle listener at steady state: ${steadyAfter} to ${
        steadyAfter + steadySeconds
      } s after start, all side by side`,
      metrics: [
        { key: "cpuMs", label: "CPU (schedstat)", unit: "ms per 10 s", better: "lower" },
      ],
      contenders: steadyContenders([...ls, ...wakeFloors()], steadyAfter, steadySeconds),
      notes: [
        "The idle case's listeners and floors, all started at once and measured together over " +
        `${steadySeconds} s once they ran for ${steadyAfter} s (scaled to 10 s, schedstat as ` +
        "there): what a long-running service pays, without the start-up work the idle case's " +
        "window holds (V8 compiling the code a keepalive runs, the collection after start-up).",
      ],
    },
  ];
}
