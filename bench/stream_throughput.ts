// Measures download throughput (MiB/s) of a 256 MiB volume through each stream path, beside
// `virsh vol-download` of the same volume, against the private libvirtd of the tests.
//   deno run -A bench/stream_throughput.ts [--default-loop] [--size=MiB] [--runs=N]
// --default-loop runs non-blocking paths on libvirt's default loop instead of DenoEventImpl.
import { parseArgs } from "node:util";
import { Connection, DefaultEventLoop, DenoEventImpl, Event, Stream } from "../mod.ts";
import { daemon } from "../tests/helpers/daemon.ts";

const { values: args } = parseArgs({
  args: Deno.args,
  options: {
    "default-loop": { type: "boolean", default: false },
    size: { type: "string", default: "256" },
    runs: { type: "string", default: "3" },
  },
});
const MiB = 1024 * 1024;
const SIZE = Number(args.size) * MiB;
const RUNS = Number(args.runs);
const CHUNK = 256 * 1024;

let loop: DefaultEventLoop | null = null;
if (args["default-loop"]) {
  loop = new DefaultEventLoop();
  loop.start();
} else {
  Event.register(new DenoEventImpl());
}

const d = await daemon();
const conn = Connection.open(d.qemuUri);
const dir = await Deno.makeTempDir({ prefix: "deno-libvirt-bench-" });
const poolName = `bench-${crypto.randomUUID().slice(0, 8)}`;
const pool = conn.createStoragePoolXML(
  `<pool type='dir'><name>${poolName}</name><target><path>${dir}</path></target></pool>`,
);
const vol = pool.createVolumeXML(
  `<volume><name>bench.raw</name><capacity>${SIZE}</capacity>` +
    `<target><format type='raw'/></target></volume>`,
);

// Expects every path to deliver exactly SIZE bytes.
function check(n: number): void {
  if (n !== SIZE) throw new Error(`received ${n} bytes, expected ${SIZE}`);
}

const paths: Record<string, () => Promise<void>> = {
  "blocking recv loop": () => {
    using st = new Stream(conn);
    vol.download(st, 0, 0);
    const buf = new Uint8Array(CHUNK);
    let total = 0;
    for (let n; (n = st.recv(buf)) > 0;) total += n;
    st.finish();
    check(total);
    return Promise.resolve();
  },
  "recvAll (blocking)": async () => {
    using st = new Stream(conn);
    vol.download(st, 0, 0);
    let total = 0;
    await st.recvAll((_s, data) => void (total += data.length));
    check(total);
  },
  "non-blocking addCallback": async () => {
    using st = new Stream(conn, Stream.NONBLOCK);
    vol.download(st, 0, 0);
    const buf = new Uint8Array(CHUNK);
    let total = 0;
    const done = Promise.withResolvers<void>();
    st.addCallback(Stream.EVENT_READABLE, (s) => {
      for (let n; (n = s.recv(buf)) !== -2;) {
        if (n === 0) return (s.removeCallback(), s.finish(), done.resolve());
        total += n;
      }
    });
    await done.promise;
    check(total);
  },
  "recvAll (non-blocking)": async () => {
    using st = new Stream(conn, Stream.NONBLOCK);
    vol.download(st, 0, 0);
    let total = 0;
    await st.recvAll((_s, data) => void (total += data.length));
    check(total);
  },
  "vol.download() readable (non-blocking)": async () => {
    let total = 0;
    for await (const chunk of vol.download()) total += chunk.length;
    check(total);
  },
  "vol.download() BYOB reader (non-blocking)": async () => {
    const reader = vol.download().getReader({ mode: "byob" });
    let buf = new Uint8Array(CHUNK);
    let total = 0;
    for (;;) {
      const { value, done } = await reader.read(buf);
      if (done) break;
      total += value.length;
      buf = new Uint8Array(value.buffer);
    }
    check(total);
  },
  "vol.download() readable (blocking)": async () => {
    let total = 0;
    for await (const chunk of vol.download({ nonBlocking: false })) total += chunk.length;
    check(total);
  },
  "vol.download().pipeTo(file)": async () => {
    const path = `${dir}/out.raw`;
    using file = await Deno.open(path, { write: true, create: true, truncate: true });
    await vol.download().pipeTo(file.writable);
  },
  "virsh vol-download to /dev/null": () => virsh("/dev/null"),
  "virsh vol-download to a file": () => virsh(`${dir}/out.raw`),
};

async function virsh(target: string): Promise<void> {
  const out = await new Deno.Command("virsh", {
    args: ["-q", "-c", d.qemuUri, "vol-download", "--pool", poolName, "bench.raw", target],
    stdin: "null",
  }).output();
  if (!out.success) throw new Error(new TextDecoder().decode(out.stderr));
}

try {
  // Fill the volume with data so no path profits from holes.
  const data = new Uint8Array(16 * MiB);
  for (let i = 0; i < data.length; i += 65536) crypto.getRandomValues(data.subarray(i, i + 65536));
  await vol.upload(Array.from({ length: SIZE / data.length }, () => data));

  const loopName = args["default-loop"] ? "libvirt default loop" : "DenoEventImpl";
  console.log(`${SIZE / MiB} MiB download, best and median of ${RUNS} runs (${loopName})`);
  for (const [name, run] of Object.entries(paths)) {
    const rates: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const t0 = performance.now();
      await run();
      rates.push(SIZE / MiB / ((performance.now() - t0) / 1000));
    }
    rates.sort((a, b) => b - a);
    const best = rates[0].toFixed(0).padStart(6);
    const median = rates[Math.floor(rates.length / 2)].toFixed(0).padStart(6);
    console.log(`${name.padEnd(44)} ${best} MiB/s  (median ${median})`);
  }
} finally {
  vol.delete();
  pool.destroy();
  conn.close();
  await Deno.remove(dir, { recursive: true });
  await loop?.stop();
  await d.stop();
}
