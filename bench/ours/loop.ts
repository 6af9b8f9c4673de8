// This module's event-loop measurements, in a process of their own (one loop per process):
// event listener, idle connection, timer accuracy and add/remove overhead. Prints JSON lines.
//   deno run -A bench/ours/loop.ts listen   --uri U --loop deno|default --expect N
//   deno run -A bench/ours/loop.ts idle     --uri U --loop deno|default
//   deno run -A bench/ours/loop.ts timers   --loop deno|default --seconds S --interval MS
//   deno run -A bench/ours/loop.ts overhead --loop deno|default --cycles N [--log off|noop]
import { parseArgs } from "node:util";
import {
  Connection,
  DefaultEventLoop,
  DenoEventImpl,
  DomainEventID,
  Event,
  setLogger,
} from "../../mod.ts";

const { values: a, positionals } = parseArgs({
  args: Deno.args,
  allowPositionals: true,
  options: {
    uri: { type: "string" },
    loop: { type: "string", default: "deno" },
    expect: { type: "string", default: "0" },
    seconds: { type: "string", default: "5" },
    interval: { type: "string", default: "10" },
    cycles: { type: "string", default: "10000" },
    log: { type: "string", default: "off" },
  },
});
const mode = positionals[0];
const emit = (o: unknown) => console.log(JSON.stringify(o));

// "noop": a logger that drops every record, at debug level, so each log site builds its
// record and makes the call: the cost of logging switched on, minus any output.
if (a.log === "noop") {
  const drop = () => {};
  setLogger({ debug: drop, info: drop, warn: drop, error: drop }, "debug");
}

let defaultLoop: DefaultEventLoop | null = null;
if (a.loop === "default") (defaultLoop = new DefaultEventLoop()).start();
else Event.register(new DenoEventImpl());

// Resolves when stdin is closed: how the bench tells a listener to end.
async function stdinClosed(): Promise<void> {
  const buf = new Uint8Array(64);
  while ((await Deno.stdin.read(buf)) !== null) { /* ignore input */ }
}

if (mode === "listen" || mode === "idle") {
  const expect = Number(a.expect);
  const conn = Connection.open(a.uri!);
  let count = 0;
  let lastAt = 0;
  const id = conn.domainEventRegisterAny(null, DomainEventID.LIFECYCLE, (_c, dom) => {
    count++;
    lastAt = performance.timeOrigin + performance.now();
    dom.free();
    if (count === expect) emit({ count, lastAt });
  });
  conn.setKeepAlive(5, 3);
  console.log("READY");
  await stdinClosed();
  conn.domainEventDeregisterAny(id);
  conn.close();
} else if (mode === "timers") {
  const seconds = Number(a.seconds);
  const stamps = [performance.now()];
  const done = Promise.withResolvers<void>();
  const timer = Event.addTimeout(Number(a.interval), (t) => {
    stamps.push(performance.now());
    if (stamps[stamps.length - 1] - stamps[0] >= seconds * 1000) {
      Event.updateTimeout(t, -1);
      done.resolve();
    }
  });
  await done.promise;
  Event.removeTimeout(timer);
  emit({ intervals: stamps.slice(1).map((s, i) => s - stamps[i]) });
} else if (mode === "overhead") {
  const n = Number(a.cycles);
  const hcb = () => {};
  const tcb = () => {};
  // Warm up the JIT and the FFI trampolines as a long-running program would have.
  for (let i = 0; i < 1000; i++) Event.removeHandle(Event.addHandle(0, Event.HANDLE_READABLE, hcb));
  for (let i = 0; i < 1000; i++) Event.removeTimeout(Event.addTimeout(1000, tcb));
  await new Promise((r) => setTimeout(r, 50));
  const t0 = performance.now();
  for (let i = 0; i < n; i++) Event.removeHandle(Event.addHandle(0, Event.HANDLE_READABLE, hcb));
  const t1 = performance.now();
  for (let i = 0; i < n; i++) Event.removeTimeout(Event.addTimeout(1000, tcb));
  const t2 = performance.now();
  // The free callbacks run after the synchronous loop; let them before exiting.
  await new Promise((r) => setTimeout(r, 50));
  emit({ handleNs: (t1 - t0) * 1e6 / n, timeoutNs: (t2 - t1) * 1e6 / n });
} else {
  throw new Error(`unknown mode ${mode}`);
}
await defaultLoop?.stop();
