// One timed volume transfer through the sparse-stream path (`downloadToFile`/`uploadFromFile`
// with `{ sparse: true }`), in a process of its own; prints {"seconds", "bytes", "cpu"} last.
//   deno run -A bench/ours/sparse_stream.ts --uri U --pool P --vol V --op download|upload --file F
// The bench volume is random data without holes, so this measures the sparse machinery's cost
// per data packet (recvFlags/sendHole bookkeeping, the file helpers), not hole skipping.
import { parseArgs } from "node:util";
import { Connection, DenoEventImpl, downloadToFile, Event, uploadFromFile } from "../../mod.ts";
import { cpuSeconds } from "../lib/proc.ts";

const { values: a } = parseArgs({
  args: Deno.args,
  options: {
    uri: { type: "string" },
    pool: { type: "string" },
    vol: { type: "string" },
    op: { type: "string", default: "download" },
    file: { type: "string" },
  },
});
if (!a.uri || !a.pool || !a.vol || !a.file) throw new Error("--uri, --pool, --vol, --file needed");

Event.register(new DenoEventImpl());
const conn = Connection.open(a.uri);
const vol = conn.lookupStoragePoolByName(a.pool).lookupVolumeByName(a.vol);
let bytes = 0;
const onProgress = (done: number) => (bytes = done);

const cpu0 = cpuSeconds("self");
const t0 = performance.now();
if (a.op === "upload") await uploadFromFile(vol, a.file, { sparse: true, onProgress });
else await downloadToFile(vol, a.file, { sparse: true, onProgress });
const seconds = (performance.now() - t0) / 1000;
const cpu = cpuSeconds("self") - cpu0;
conn.close();
console.log(JSON.stringify({ seconds, bytes, cpu }));
