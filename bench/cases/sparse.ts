// Case 7: sparse volume transfers — a 4 GiB volume that is 90 % holes, downloaded into and
// uploaded from a sparse file by virsh --sparse, libvirt-python's sparseRecvAll/sparseSendAll
// and this module's downloadToFile/uploadFromFile({ sparse: true }) at several buffer sizes.
import { Connection, uploadFromFile } from "../../mod.ts";
import type { BenchContext } from "../lib/context.ts";
import { denoScript, peerScript, runJson } from "../lib/proc.ts";
import type { CaseSpec, Contender, Kind, Metric } from "../lib/runner.ts";
import { virshTransfer } from "../lib/transfer.ts";

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;
/** The volume's size; its data is about a tenth of it. */
export const SPARSE_SIZE = 4 * GiB;
const VOL = "sparse.raw";

const METRICS: Metric[] = [
  { key: "mibps", label: "throughput", unit: "MiB/s of the 4 GiB", better: "higher" },
  { key: "cpu", label: "client CPU", unit: "s per transfer", better: "lower" },
];

// Data extents of mixed sizes, each followed by a hole nine times its size: 10 % data, in
// runs short and long enough that the receive buffer's size matters (a recv stops at a hole).
const EXTENTS = [64 * KiB, MiB, 8 * MiB, 256 * KiB, 4 * MiB];

/** The data extents of the source file, [offset, length]. */
export function sparseLayout(size = SPARSE_SIZE): [number, number][] {
  const out: [number, number][] = [];
  for (let off = 0, i = 0; off < size; i++) {
    const len = Math.min(EXTENTS[i % EXTENTS.length], size - off);
    out.push([off, len]);
    off += len * 10;
  }
  return out;
}

interface Transfer {
  seconds: number;
  bytes: number;
  cpu: number;
}

// Writes the sparse source (random data in the extents, holes elsewhere) and the volume, once.
let prepared: Promise<void> | null = null;
function prepare(ctx: BenchContext, source: string): Promise<void> {
  return prepared ??= (async () => {
    using f = await Deno.open(source, { write: true, create: true, truncate: true });
    const block = new Uint8Array(MiB);
    for (const [off, len] of sparseLayout()) {
      await f.seek(off, Deno.SeekMode.Start);
      for (let done = 0; done < len;) {
        const n = Math.min(block.length, len - done);
        for (let i = 0; i < n; i += 65536) {
          crypto.getRandomValues(block.subarray(i, Math.min(n, i + 65536)));
        }
        for (let w = 0; w < n;) w += await f.write(block.subarray(w, n));
        done += n;
      }
    }
    await f.truncate(SPARSE_SIZE);
    using conn = Connection.open(ctx.qemuUri);
    const pool = conn.lookupStoragePoolByName(ctx.pool);
    const vol = pool.createVolumeXML(
      `<volume><name>${VOL}</name><capacity>${SPARSE_SIZE}</capacity>` +
        `<target><format type='raw'/></target></volume>`,
    );
    await uploadFromFile(vol, source, { sparse: true });
    vol.free();
    pool.free();
  })();
}

async function checkSparse(path: string): Promise<void> {
  const st = await Deno.stat(path);
  if (st.size !== SPARSE_SIZE) throw new Error(`${path}: ${st.size} bytes, not ${SPARSE_SIZE}`);
  // 10 % data: anything near the full size means the holes were written as zeros.
  if ((st.blocks ?? 0) * 512 > SPARSE_SIZE / 4) {
    throw new Error(`${path} is not sparse (${st.blocks} blocks)`);
  }
}

/** Buffer sizes our download tries (the default was 256 KiB, now 4 MiB; Python uses 262,120). */
export const SPARSE_BUFFERS = [256 * KiB, 64 * KiB, MiB, 4 * MiB];

function contenders(ctx: BenchContext, op: "download" | "upload"): Contender[] {
  const source = `${ctx.dir}/sparse-source.raw`;
  const common = ["--uri", ctx.qemuUri, "--pool", ctx.pool, "--vol", VOL, "--op", op];
  let n = 0;
  const wrap = (name: string, kind: Kind, go: (file: string) => Promise<Transfer>): Contender => ({
    name,
    kind,
    run: async () => {
      await prepare(ctx, source);
      const file = op === "download" ? `${ctx.dir}/sparse-sink-${n++}.raw` : source;
      try {
        const t = await go(file);
        if (op === "download") await checkSparse(file);
        if (t.bytes !== SPARSE_SIZE) throw new Error(`moved ${t.bytes} bytes, not ${SPARSE_SIZE}`);
        return { mibps: SPARSE_SIZE / MiB / t.seconds, cpu: t.cpu };
      } finally {
        if (op === "download") await Deno.remove(file).catch(() => {});
      }
    },
  });
  const ours = (loop: string, chunk?: number) => (file: string) =>
    runJson<Transfer>(denoScript("stream.ts", [
      ...common,
      "--path",
      "sparse",
      "--loop",
      loop,
      "--file",
      file,
      ...(chunk ? ["--chunk", String(chunk)] : []),
    ]));
  const size = (b: number) => (b >= MiB ? `${b / MiB} MiB` : `${b / KiB} KiB`);
  const fn = op === "download" ? "downloadToFile" : "uploadFromFile";
  const list: Contender[] = [
    wrap(
      `virsh vol-${op} --sparse`,
      "virsh",
      (f) =>
        virshTransfer(ctx, ctx.qemuUri, op, f, { name: VOL, bytes: SPARSE_SIZE, sparse: true }),
    ),
    wrap(
      `Python ${op === "download" ? "sparseRecvAll" : "sparseSendAll"}`,
      "python",
      (f) => runJson<Transfer>(peerScript("libvirt_sparse.py", ["sparse", ...common, "--file", f])),
    ),
    wrap(`ours: ${fn}({ sparse }) (blocking)`, "ours", ours("none")),
    wrap(`ours: ${fn}({ sparse }) (DenoEventImpl)`, "ours", ours("deno")),
  ];
  {
    // Uploads: beside the 1 MiB default, libvirt's packet and the 4 MiB they had before.
    for (const b of op === "download" ? SPARSE_BUFFERS : [256 * KiB, 4 * MiB]) {
      list.push(
        wrap(`ours: ${fn}({ sparse, chunkSize: ${size(b)} }) (blocking)`, "ours", ours("none", b)),
      );
    }
  }
  return list;
}

/** The sparse download and upload cases. */
export function sparseCases(ctx: BenchContext): CaseSpec[] {
  const notes = [
    "A raw volume of 4 GiB in the dir pool: random data in extents of 64 KiB, 256 KiB, 1 MiB, " +
    "4 MiB and 8 MiB, each followed by a hole nine times its size (10 % data, about 410 MiB).",
    "Throughput counts the volume's 4 GiB; client CPU is the client's utime+stime for the " +
    "transfer (virsh: /usr/bin/time, which includes connecting).",
    "Python uses the handlers of libvirt-python's documentation (write / lseek + ftruncate; " +
    "read / SEEK_DATA + SEEK_HOLE) and its 262,120-byte buffer.",
  ];
  return [
    {
      id: "sparse-download",
      title: "Sparse volume download into a sparse file, 4 GiB with 90 % holes",
      metrics: METRICS,
      contenders: contenders(ctx, "download"),
      baseline: "virsh vol-download --sparse",
      notes: [...notes, "Every download is checked: 4 GiB apparent size, at most 1 GiB allocated."],
    },
    {
      id: "sparse-upload",
      title: "Sparse volume upload from a sparse file, 4 GiB with 90 % holes",
      metrics: METRICS,
      contenders: contenders(ctx, "upload"),
      baseline: "virsh vol-upload --sparse",
      notes,
    },
  ];
}
