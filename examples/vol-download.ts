// Downloads a storage volume into a local file, with a progress bar on stderr (when a terminal).
//   deno run --allow-ffi --allow-read --allow-write examples/vol-download.ts \
//     URI POOL VOLUME FILE [--sparse] [--offset=BYTES] [--length=BYTES]
// --sparse keeps the volume's holes as holes in FILE (libvirt's sparse streams).
import { parseArgs } from "node:util";
import { Connection, DenoEventImpl, downloadToFile, Event } from "../mod.ts";
import { progressBar } from "./progress.ts";

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
