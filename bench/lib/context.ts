// What every case runs against: the private libvirtd (the tests' harness), a transient `dir`
// pool in a temp folder holding the benchmark volume, and a source file of random data —
// and taking all of it down again, whatever happened.
import { Connection, StoragePoolCreateFlags, type StorageVol, Stream } from "../../mod.ts";
import { daemon, type DaemonOptions } from "../../tests/helpers/daemon.ts";

/** The benchmark's options. */
export interface BenchOptions {
  runs: number;
  quick: boolean;
  /** Size of the stream cases' volume, in MiB. */
  sizeMiB: number;
  /** Case ids to run (empty: all). */
  only: string[];
  /** Where downloads write: a file in the temp folder, or /dev/null. */
  sink: "file" | "null";
  /** Extras for the daemon (the remote cases' TLS listener). */
  daemon?: DaemonOptions;
}

/** What the cases need. */
export interface BenchContext {
  opts: BenchOptions;
  /** `qemu+unix://…`: the daemon's storage driver lives behind it. */
  qemuUri: string;
  /** `test+unix://…`: the daemon's test driver, for events. */
  testUri: string;
  /** The temp folder (pool target, source and sink files). */
  dir: string;
  pool: string;
  vol: string;
  /** A file of `sizeMiB` MiB of random data: the uploads' source. */
  source: string;
  /** Bytes in the volume and the source. */
  bytes: number;
  /** A fresh sink path for one download (removed again by `dropSink`). */
  sink(name: string): string;
  /** Removes a download's sink file (unlinking drops its dirty pages before any writeback). */
  dropSink(path: string): Promise<void>;
}

const MiB = 1024 * 1024;

/** How far setup got: an interrupt before the daemon runs can just remove the folder and exit. */
export const setupState: { dir: string | null; daemonStarted: boolean } = {
  dir: null,
  daemonStarted: false,
};

/**
 * Starts the daemon, makes the pool, the volume and the source file, and runs `body`; stops the
 * daemon and removes the folder afterwards, also when `body` throws.
 */
export async function withBench<T>(
  opts: BenchOptions,
  body: (ctx: BenchContext) => Promise<T>,
): Promise<T> {
  const dir = await Deno.makeTempDir({ prefix: "deno-libvirt-bench-" });
  setupState.dir = dir;
  let stopDaemon: (() => Promise<void>) | null = null;
  let conn: Connection | null = null;
  try {
    const d = await daemon(opts.daemon);
    setupState.daemonStarted = true;
    stopDaemon = () => d.stop();
    conn = Connection.open(d.qemuUri);
    const pool = `bench-${crypto.randomUUID().slice(0, 8)}`;
    // Transient: it disappears with the daemon, and the daemon's folder goes with d.stop().
    const p = conn.createStoragePoolXML(
      `<pool type='dir'><name>${pool}</name><target><path>${dir}/pool</path></target></pool>`,
      StoragePoolCreateFlags.WITH_BUILD, // makes the target folder
    );
    const bytes = opts.sizeMiB * MiB;
    const vol = "bench.raw";
    const source = `${dir}/source.raw`;
    await writeRandomFile(source, bytes);
    const v = p.createVolumeXML(
      `<volume><name>${vol}</name><capacity>${bytes}</capacity>` +
        `<target><format type='raw'/></target></volume>`,
    );
    // Fill the volume, so no download profits from holes.
    await fillVolume(conn, v, source);
    v.free();
    p.free();
    conn.close();
    conn = null;
    const ctx: BenchContext = {
      opts,
      qemuUri: d.qemuUri,
      testUri: d.testUri,
      dir,
      pool,
      vol,
      source,
      bytes,
      sink: (name) => opts.sink === "null" ? "/dev/null" : `${dir}/sink-${name}.raw`,
      dropSink: async (path) => {
        if (path !== "/dev/null") await Deno.remove(path).catch(() => {});
      },
    };
    return await body(ctx);
  } finally {
    try {
      conn?.close();
    } catch { /* the daemon may be gone */ }
    if (stopDaemon) await stopDaemon();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

async function writeRandomFile(path: string, bytes: number): Promise<void> {
  using f = await Deno.open(path, { write: true, create: true, truncate: true });
  const chunk = new Uint8Array(4 * MiB);
  for (let done = 0; done < bytes;) {
    const n = Math.min(chunk.length, bytes - done);
    for (let i = 0; i < n; i += 65536) crypto.getRandomValues(chunk.subarray(i, i + 65536));
    let off = 0;
    while (off < n) off += await f.write(chunk.subarray(off, n));
    done += n;
  }
}

async function fillVolume(
  conn: Connection,
  vol: StorageVol,
  source: string,
): Promise<void> {
  using st = new Stream(conn);
  vol.upload(st, 0, 0);
  using f = await Deno.open(source, { read: true });
  await st.sendAll((_s, buf) => f.readSync(buf) ?? 0);
}
