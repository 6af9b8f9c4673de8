// Uploads a local file into a storage volume, with a progress bar on stderr (when a terminal).
//   deno run --allow-ffi --allow-read examples/vol-upload.ts \
//     URI POOL VOLUME FILE [--sparse] [--offset=BYTES]
// --sparse sends FILE's holes as holes (libvirt's sparse streams), leaving them unallocated.
import { parseArgs } from "node:util";
import { Connection, DenoEventImpl, Event, uploadFromFile } from "../mod.ts";
import { progressBar } from "./progress.ts";

const { values: opts, positionals } = parseArgs({
  args: Deno.args,
  allowPositionals: true,
  options: {
    sparse: { type: "boolean", default: false },
    offset: { type: "string", default: "0" },
  },
});
if (positionals.length !== 4) {
  console.error("usage: vol-upload.ts URI POOL VOLUME FILE [--sparse] [--offset=N]");
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
  const { size } = await Deno.stat(path);
  const capacity = vol.getInfo().capacity;
  const offset = BigInt(opts.offset);
  if (offset + BigInt(size) > capacity) {
    console.error(
      `${path} (${size} bytes) does not fit ${volName} (${capacity} bytes) at ${offset}`,
    );
    Deno.exit(1);
  }
  const bar = progressBar(volName);
  try {
    await uploadFromFile(vol, path, {
      sparse: opts.sparse,
      offset,
      length: size,
      onProgress: bar.update,
    });
  } finally {
    bar.end();
  }
  console.error(`${volName}: ${size} bytes written at offset ${offset}`);
} catch (e) {
  console.error(`vol-upload: ${(e as Error).message}`);
  Deno.exit(1);
}
