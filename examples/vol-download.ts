// Downloads a storage volume into a local file, with a progress bar on stderr (when a terminal).
//   deno run --allow-ffi --allow-read --allow-write examples/vol-download.ts \
//     URI POOL VOLUME FILE [--sparse] [--offset=BYTES] [--length=BYTES]
// --sparse keeps the volume's holes as holes in FILE (libvirt's sparse streams).
import { parseArgs } from "node:util";
import { Connection, DenoEventImpl, downloadToFile, Event } from "../mod.ts";

const { values: opts, positionals } = parseArgs({
  args: Deno.args,
  allowPositionals: true,
  options: {
    sparse: { type: "boolean", default: false },
    offset: { type: "string", default: "0" },
    length: { type: "string", default: "0" },
  },
});
if (positionals.length !== 4) {
  console.error("usage: vol-download.ts URI POOL VOLUME FILE [--sparse] [--offset=N] [--length=N]");
  Deno.exit(2);
}
const [uri, poolName, volName, path] = positionals;

// libvirt's loop on Deno's: the stream is non-blocking, so the progress bar keeps drawing.
// It must be registered before the first connection.
Event.register(new DenoEventImpl());

/** A one-line progress bar on stderr, redrawn at most ten times a second; silent if piped. */
function progressBar(label: string): { update(done: number, total: number): void; end(): void } {
  const tty = Deno.stderr.isTerminal();
  const started = performance.now();
  const enc = new TextEncoder();
  let last = 0;
  let line = "";
  const draw = (done: number, total: number) => {
    const pct = total > 0 ? Math.min(1, done / total) : 0;
    const width = 30;
    const filled = Math.round(pct * width);
    const secs = (performance.now() - started) / 1000;
    const mib = (n: number) => (n / 1048576).toFixed(1);
    line = `${label} [${"#".repeat(filled)}${".".repeat(width - filled)}] ` +
      `${(pct * 100).toFixed(0).padStart(3)}% ${mib(done)}/${mib(total)} MiB ` +
      `${secs > 0 ? (done / 1048576 / secs).toFixed(0) : "-"} MiB/s`;
    Deno.stderr.writeSync(enc.encode(`\r${line}`));
  };
  return {
    update(done, total) {
      if (!tty) return;
      const now = performance.now();
      if (now - last < 100 && done < total) return;
      last = now;
      draw(done, total);
    },
    end() {
      if (tty && line) Deno.stderr.writeSync(enc.encode("\n"));
    },
  };
}

try {
  using conn = Connection.open(uri);
  using pool = conn.lookupStoragePoolByName(poolName);
  using vol = pool.lookupVolumeByName(volName);
  const bar = progressBar(volName);
  try {
    await downloadToFile(vol, path, {
      sparse: opts.sparse,
      offset: BigInt(opts.offset),
      length: BigInt(opts.length),
      onProgress: bar.update,
    });
  } finally {
    bar.end();
  }
  const { size } = await Deno.stat(path);
  console.error(`${path}: ${size} bytes`);
} catch (e) {
  console.error(`vol-download: ${(e as Error).message}`);
  Deno.exit(1);
}
