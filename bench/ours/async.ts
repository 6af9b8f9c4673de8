// This module's async forms against the sync ones, in a process of its own (one loop per
// process). Prints one JSON line.
//   deno run -A bench/ours/async.ts wipe    --uri Q --pool P --mib N --loop deno|default --form sync|async
//   deno run -A bench/ours/async.ts percall --uri U --loop deno|default --calls N
// wipe: the worst gap of a 2 ms setInterval while a volume of N MiB is wiped (virStorageVolWipe)
// by the daemon, and how long the wipe took. percall: ns per getInfo, sync and async (awaited
// one at a time), on the same connection.
import { parseArgs } from "node:util";
import { Connection, DefaultEventLoop, DenoEventImpl, Event } from "../../mod.ts";
import { tickMeter } from "../../tests/helpers/tick_meter.ts";

const { values: a, positionals } = parseArgs({
  args: Deno.args,
  allowPositionals: true,
  options: {
    uri: { type: "string" },
    pool: { type: "string" },
    mib: { type: "string", default: "512" },
    loop: { type: "string", default: "deno" },
    form: { type: "string", default: "async" },
    calls: { type: "string", default: "10000" },
  },
});
const mode = positionals[0];
if (!a.uri || !["wipe", "percall"].includes(mode)) throw new Error("usage: see the header");

let defaultLoop: DefaultEventLoop | null = null;
if (a.loop === "deno") Event.register(new DenoEventImpl());
else (defaultLoop = new DefaultEventLoop()).start();

const conn = await Connection.openAsync(a.uri);
conn.setKeepAlive(5, 3);

if (mode === "wipe") {
  const MiB = 1024 * 1024;
  const pool = conn.lookupStoragePoolByName(a.pool!);
  const vol = pool.createVolumeXML(
    `<volume><name>async-wipe-${Deno.pid}.raw</name><capacity>${Number(a.mib) * MiB}</capacity>` +
      `<target><format type='raw'/></target></volume>`,
  );
  const meter = tickMeter(2);
  await new Promise((r) => setTimeout(r, 100)); // the interval is running steadily
  meter.reset();
  const t0 = performance.now();
  if (a.form === "sync") vol.wipe();
  else await vol.wipeAsync();
  const wipeMs = performance.now() - t0;
  // The gap that the wipe itself caused ends with the first tick after it.
  await new Promise((r) => setTimeout(r, 10));
  meter.stop();
  vol.delete();
  vol.free();
  pool.free();
  console.log(JSON.stringify({ maxGapMs: meter.maxGap, wipeMs, ticks: meter.ticks }));
} else {
  const n = Number(a.calls);
  const phase = (p: string) => Deno.env.get("ASYNC_BENCH_TRACE") && console.error(`phase ${p}`);
  const dom = conn.lookupDomainByName("test");
  phase("warm-up");
  for (let i = 0; i < 200; i++) dom.getInfo(); // warm-up: bindings, caches
  for (let i = 0; i < 200; i++) await dom.getInfoAsync();
  phase("sync");
  let t0 = performance.now();
  for (let i = 0; i < n; i++) dom.getInfo();
  const syncNs = ((performance.now() - t0) * 1e6) / n;
  phase("async");
  t0 = performance.now();
  for (let i = 0; i < n; i++) await dom.getInfoAsync();
  const asyncNs = ((performance.now() - t0) * 1e6) / n;
  // Eight callers on eight connections at once: what the pool buys in throughput.
  phase("parallel");
  const conns = await Promise.all(Array.from({ length: 8 }, () => Connection.openAsync(a.uri!)));
  const doms = conns.map((c) => c.lookupDomainByName("test"));
  t0 = performance.now();
  await Promise.all(doms.map(async (d) => {
    for (let i = 0; i < n / 8; i++) await d.getInfoAsync();
  }));
  const parallel8Ns = ((performance.now() - t0) * 1e6) / n;
  doms.forEach((d) => d.free());
  conns.forEach((c) => c.close());
  dom.free();
  console.log(JSON.stringify({ syncNs, asyncNs, parallel8Ns }));
}
conn.close();
if (defaultLoop) await defaultLoop.stop();
