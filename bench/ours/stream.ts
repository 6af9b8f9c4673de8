// One timed volume transfer through one of this module's stream paths, in a process of its own
// (one event loop per process); prints {"seconds", "bytes", "cpu", "faults", "roomWaits"} as its
// last line.
//   deno run -A bench/ours/stream.ts --uri U --pool P --vol V --op download|upload
//     --path blocking|all|callbacks|pipe|volupload|readable|file|sparse --file F
//     [--loop none|deno|default] [--chunk N]
//     [--send-buffer N] (OpenOptions.sendBuffer; the module's default if not given)
// --path file|sparse: downloadToFile / uploadFromFile, plain or with { sparse: true } (and
// chunkSize N if given);
// "bytes" is then the file's apparent size.
import { parseArgs } from "node:util";
import {
  Connection,
  DefaultEventLoop,
  DenoEventImpl,
  downloadToFile,
  Event,
  Stream,
  uploadFromFile,
} from "../../mod.ts";
import { cpuSeconds } from "../lib/proc.ts";
import { roomWaitCount } from "../../stream/room.ts";

const { values: a } = parseArgs({
  args: Deno.args,
  options: {
    uri: { type: "string" },
    pool: { type: "string" },
    vol: { type: "string" },
    op: { type: "string", default: "download" },
    path: { type: "string", default: "blocking" },
    file: { type: "string" },
    loop: { type: "string", default: "none" },
    chunk: { type: "string" },
    "send-buffer": { type: "string" },
  },
});
if (!a.uri || !a.pool || !a.vol || !a.file) throw new Error("--uri, --pool, --vol, --file needed");
const CHUNK = 256 * 1024;
const chunk = a.chunk ?? Deno.env.get("BENCH_CHUNK");
const chunkSize = chunk ? Number(chunk) : undefined;

let loop: DefaultEventLoop | null = null;
if (a.loop === "deno") Event.register(new DenoEventImpl());
else if (a.loop === "default") (loop = new DefaultEventLoop()).start();

const sendBuffer = a["send-buffer"];
const conn = Connection.open(a.uri, sendBuffer ? { sendBuffer: Number(sendBuffer) } : {});
const vol = conn.lookupStoragePoolByName(a.pool).lookupVolumeByName(a.vol);

// Each download path writes every chunk to the sink with one write(2), as the peers do.
const downloads: Record<string, (file: Deno.FsFile) => Promise<number>> = {
  blocking(file) {
    using st = new Stream(conn);
    vol.download(st, 0, 0);
    const buf = new Uint8Array(CHUNK);
    let total = 0;
    for (let n; (n = st.recv(buf)) > 0;) total += writeAll(file, buf.subarray(0, n));
    st.finish();
    return Promise.resolve(total);
  },
  async all(file) {
    using st = new Stream(conn);
    vol.download(st, 0, 0);
    let total = 0;
    await st.recvAll((_s, data) => {
      total += data.length;
      return file.writeSync(data);
    });
    return total;
  },
  async callbacks(file) {
    using st = new Stream(conn, Stream.NONBLOCK);
    vol.download(st, 0, 0);
    const buf = new Uint8Array(CHUNK);
    let total = 0;
    const done = Promise.withResolvers<void>();
    st.addCallback(Stream.EVENT_READABLE, (s) => {
      try {
        for (let n; (n = s.recv(buf)) !== -2;) {
          if (n === 0) return (s.removeCallback(), s.finish(), done.resolve());
          total += writeAll(file, buf.subarray(0, n));
        }
      } catch (e) {
        done.reject(e);
      }
    });
    await done.promise;
    return total;
  },
  // Exactly what the row says: no counting stage in between (a TransformStream costs a few
  // percent); the file's size afterwards says what arrived.
  async pipe(file) {
    const ahead = Deno.env.get("BENCH_READ_AHEAD");
    const opts = {
      ...(ahead ? { readAhead: Number(ahead) } : {}),
      ...(chunkSize ? { chunkSize } : {}),
    };
    await vol.download(opts).pipeTo(file.writable);
    return (await Deno.stat(a.file!)).size;
  },
};

// Each upload path reads the source with one read(2) per chunk.
const uploads: Record<string, (file: Deno.FsFile) => Promise<number>> = {
  blocking(file) {
    using st = new Stream(conn);
    vol.upload(st, 0, 0);
    const buf = new Uint8Array(CHUNK);
    let total = 0;
    for (let n; (n = file.readSync(buf) ?? 0) > 0;) {
      for (let off = 0; off < n;) off += st.send(buf.subarray(off, n));
      total += n;
    }
    st.finish();
    return Promise.resolve(total);
  },
  async all(file) {
    using st = new Stream(conn);
    vol.upload(st, 0, 0);
    let total = 0;
    await st.sendAll((_s, buf) => {
      const n = file.readSync(buf) ?? 0;
      total += n;
      return n;
    });
    return total;
  },
  async callbacks(file) {
    using st = new Stream(conn, Stream.NONBLOCK);
    vol.upload(st, 0, 0);
    const buf = new Uint8Array(CHUNK);
    let off = 0;
    let len = 0;
    let total = 0;
    const done = Promise.withResolvers<void>();
    st.addCallback(Stream.EVENT_WRITABLE, (s) => {
      try {
        for (;;) {
          if (off === len) {
            len = file.readSync(buf) ?? 0;
            off = 0;
            if (len === 0) return (s.removeCallback(), s.finish(), done.resolve());
            total += len;
          }
          const n = s.send(buf.subarray(off, len));
          if (n === -2) return;
          off += n;
        }
      } catch (e) {
        done.reject(e);
      }
    });
    await done.promise;
    return total;
  },
  // The stream finishes only once libvirt confirmed all of it: the file's size was sent.
  async pipe(file) {
    const st = new Stream(conn, Stream.NONBLOCK);
    vol.upload(st, 0, 0);
    const size = (await file.stat()).size;
    await file.readable.pipeTo(st.writable);
    st.free();
    return size;
  },
  // The stream-less form with the same source: StorageVol.upload reads a byte stream through a
  // BYOB reader, a packet at a time (stream/byob_pipe.ts).
  async volupload(file) {
    const size = (await file.stat()).size;
    await vol.upload(file.readable);
    return size;
  },
  // Not an upload: the floor under the row above, Deno's FsFile.readable piped into a sink that
  // drops every chunk, with no libvirt stream at all.
  async readable(file) {
    let total = 0;
    await file.readable.pipeTo(new WritableStream({ write: (c) => void (total += c.length) }));
    return total;
  },
};

function writeAll(file: Deno.FsFile, data: Uint8Array): number {
  for (let off = 0; off < data.length;) off += file.writeSync(data.subarray(off));
  return data.length;
}

// The file helpers open the file themselves (they do the whole job); --path file is their
// plain form, --path sparse the sparse one.
async function toFile(path: string, sparse: boolean): Promise<number> {
  if (a.op === "upload") await uploadFromFile(vol, path, { sparse, chunkSize });
  else await downloadToFile(vol, path, { sparse, chunkSize });
  return (await Deno.stat(path)).size;
}

const table = a.op === "upload" ? uploads : downloads;
const run = table[a.path];
if (!run && a.path !== "sparse" && a.path !== "file") {
  throw new Error(`unknown --path ${a.path} (${Object.keys(table).join(", ")}, file, sparse)`);
}
// Timed from opening the file to the finished stream, as the peers time themselves; the
// connection and the lookups are outside (virsh's own --timing leaves its connection out too).
const cpu0 = cpuSeconds("self");
const faults0 = minorFaults();
const t0 = performance.now();
let bytes: number;
if (!run) {
  bytes = await toFile(a.file, a.path === "sparse");
} else {
  const file = a.op === "upload"
    ? await Deno.open(a.file, { read: true })
    : await Deno.open(a.file, { write: true, create: true, truncate: true });
  bytes = await run(file);
  try {
    file.close(); // pipeTo(file.writable) closed it already
  } catch { /* closed */ }
}
const seconds = (performance.now() - t0) / 1000;
const cpu = cpuSeconds("self") - cpu0;
const faults = minorFaults() - faults0;
conn.close();
await loop?.stop();
// roomWaits: sends that found the socket without room and waited on the pool (stream/room.ts).
console.log(JSON.stringify({ seconds, bytes, cpu, faults, roomWaits: roomWaitCount() }));

// The process's minor page faults so far (fresh memory touched: a cost of fresh chunk buffers).
function minorFaults(): number {
  const stat = Deno.readTextFileSync("/proc/self/stat");
  return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[7]); // field 10 of stat(5)
}
