// Saves a screenshot of a domain's screen to a file named after the image type libvirt returns.
//   deno run --allow-ffi --allow-write examples/screenshot.ts [URI] [DOMAIN] [FILE] [--screen=N]
// Defaults: test:///default, its domain "test", and DOMAIN.<png|ppm|...> in the current folder.
import { parseArgs } from "node:util";
import { Connection, DenoEventImpl, Event, Stream } from "../mod.ts";

const { values: opts, positionals } = parseArgs({
  args: Deno.args,
  allowPositionals: true,
  options: { screen: { type: "string", default: "0" } },
});
const [uri = "test:///default", domName = "test", file] = positionals;

// A non-blocking stream on Deno's loop: the image is read through stream.readable.
Event.register(new DenoEventImpl());

const EXTENSIONS: Record<string, string> = {
  "image/png": "png",
  "image/x-portable-pixmap": "ppm",
  "image/jpeg": "jpg",
};

using conn = Connection.open(uri);
using dom = conn.lookupDomainByName(domName);
await using st = new Stream(conn, Stream.NONBLOCK);
const mime = dom.screenshot(st, Number(opts.screen));
const path = file ?? `${domName}.${EXTENSIONS[mime] ?? "img"}`;
const out = await Deno.open(path, { write: true, create: true, truncate: true });
// The end of the image finishes the stream and closes the file; a failure aborts the stream
// (and `await using` frees it either way).
// Bytes are counted on the way: stat-ing the file afterwards would need --allow-read.
let size = 0;
const count = new TransformStream<Uint8Array, Uint8Array>({
  transform(chunk, ctl) {
    size += chunk.length;
    ctl.enqueue(chunk);
  },
});
await st.readable.pipeThrough(count).pipeTo(out.writable);
console.log(`${path}: ${mime}, ${size} bytes`);
