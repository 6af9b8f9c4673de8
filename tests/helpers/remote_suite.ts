// The steps the qemu+ssh and qemu+tls test files share: events made by another process arrive
// over the transport, keepalive closes a connection whose daemon stopped, and volume transfers
// through every stream path (blocking, recvAll/sendAll, non-blocking + callback, Web Streams,
// sparse files) round-trip their bytes with equal SHA-256, and a download cut off by the far end.
import assert from "node:assert/strict";
import {
  type CloseReason,
  ConnectCloseReason,
  Connection,
  DomainEventID,
  DomainEventType,
  downloadToFile,
  LibvirtError,
  NetworkEventID,
  NetworkEventLifecycleType,
  type StoragePool,
  StoragePoolEventID,
  type StorageVol,
  Stream,
  uploadFromFile,
} from "../../mod.ts";
import { liveStreamCallbacks } from "../../stream/callbacks.ts";
import { socketOf } from "../../api/conn/socket.ts";
import type { Daemon } from "./daemon.ts";
import { runGenerator } from "./event_generator.ts";
import {
  callbackDownload,
  callbackUpload,
  CHUNK,
  randomBytes,
  sha256,
  Sink,
} from "./stream_transfers.ts";
import { grantedSendBuffer, socketsMadeBy } from "./socket_buffers.ts";

/** What a transport's test file hands to the shared steps. */
export interface Transport {
  /** "ssh" or "tls", for messages and names. */
  name: string;
  /** The private libvirtd behind the transport (its unix socket serves the test's own setup). */
  daemon: Daemon;
  /** The daemon's driver reached through the transport. */
  uri(driver: "qemu" | "test"): string;
}

const MiB = 1024 * 1024;
/** The transfers' size: enough for many packets, small enough for a busy machine. */
export const SIZE = 32 * MiB;

/** Polls `done` every 10 ms until it holds or `ms` passed. */
export async function waitFor(done: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!done()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Lifecycle + pool refresh events from a generator process, network events from this one. */
export async function eventsArrive(t: Transport): Promise<void> {
  using conn = Connection.open(t.uri("test"));
  using admin = Connection.open(t.daemon.testUri); // the generator's side, over the unix socket
  const domain = `gen-${t.name}`;
  const counts = new Map<number, number>();
  let refreshes = 0;
  const nets: number[] = [];
  const life = conn.domainEventRegisterAny(null, DomainEventID.LIFECYCLE, (_c, dom, ev) => {
    if (dom.getName() === domain) counts.set(ev.event, (counts.get(ev.event) ?? 0) + 1);
    dom.free();
  });
  const refresh = conn.storagePoolEventRegisterAny(null, StoragePoolEventID.REFRESH, (_c, p) => {
    refreshes++;
    p.free();
  });
  const netId = conn.networkEventRegisterAny(null, NetworkEventID.LIFECYCLE, (_c, net, ev) => {
    if (net.getName() === `net-${t.name}`) nets.push(ev.event);
    net.free();
  });
  try {
    const generating = runGenerator({
      uri: t.daemon.testUri,
      domain,
      cycles: 200,
      refreshEvery: 4,
    });
    for (let i = 0; i < 10; i++) {
      const net = admin.createNetworkXML(
        `<network><name>net-${t.name}</name><bridge name='virbr${40 + i}'/></network>`,
      );
      net.destroy();
      net.free();
    }
    const report = await generating;
    const expected = 2 * report.cycles + 4; // + defined, first start, last stop, undefined
    const total = () => [...counts.values()].reduce((a, b) => a + b, 0);
    await waitFor(
      () => total() >= expected && refreshes >= report.refreshes && nets.length >= 20,
      20_000,
      `${expected} lifecycle, ${report.refreshes} refresh and 20 network events over ${t.name}`,
    );
    assert.equal(total(), expected, `lifecycle events: ${JSON.stringify([...counts])}`);
    assert.equal(counts.get(DomainEventType.STARTED), report.cycles + 1);
    assert.equal(counts.get(DomainEventType.STOPPED), report.cycles + 1);
    assert.equal(refreshes, report.refreshes);
    assert.deepEqual(
      nets,
      Array.from(
        { length: 20 },
        (_, i) =>
          i % 2 === 0 ? NetworkEventLifecycleType.STARTED : NetworkEventLifecycleType.STOPPED,
      ),
    );
    console.log(`  ${expected + refreshes + nets.length} events over ${t.name}`);
  } finally {
    conn.domainEventDeregisterAny(life);
    conn.storagePoolEventDeregisterAny(refresh);
    conn.networkEventDeregisterAny(netId);
  }
}

/** SIGSTOP the daemon: keepalive closes the connection and the close callback says KEEPALIVE. */
export async function keepaliveCloses(t: Transport): Promise<void> {
  using conn = Connection.open(t.uri("test"));
  conn.setKeepAlive(1, 2);
  const reasons: CloseReason[] = [];
  conn.registerCloseCallback((_c, r) => void reasons.push(r));
  const stoppedAt = performance.now();
  t.daemon.signal("SIGSTOP");
  try {
    await waitFor(() => reasons.length > 0, 15_000, "the close callback");
  } finally {
    t.daemon.signal("SIGCONT");
  }
  console.log(
    `  keepalive closed the ${t.name} connection after ${(performance.now() - stoppedAt) | 0} ms`,
  );
  assert.deepEqual(reasons, [ConnectCloseReason.KEEPALIVE]);
  assert.equal(conn.isAlive(), false);
  assert.throws(() => conn.getHostname(), /client socket is closed/);
  // The daemon serves new connections over the transport again.
  using fresh = Connection.open(t.uri("test"));
  assert.equal(fresh.isAlive(), true);
}

/** One way to upload `data` into a volume, and one way to download it again. */
interface StreamPath {
  name: string;
  upload(conn: Connection, vol: StorageVol, data: Uint8Array): Promise<void>;
  download(conn: Connection, vol: StorageVol, sink: Sink): Promise<void>;
}

/** Every stream path of the module, each in both directions. */
export const STREAM_PATHS: StreamPath[] = [
  {
    name: "blocking send/recv loop",
    upload(conn, vol, data) {
      using st = new Stream(conn);
      vol.upload(st, 0, 0);
      for (let off = 0; off < data.length;) off += st.send(data.subarray(off, off + CHUNK));
      st.finish();
      return Promise.resolve();
    },
    download(conn, vol, sink) {
      using st = new Stream(conn);
      vol.download(st, 0, 0);
      const buf = new Uint8Array(CHUNK);
      for (let n; (n = st.recv(buf)) > 0;) sink.push(buf.subarray(0, n));
      st.finish();
      return Promise.resolve();
    },
  },
  {
    name: "sendAll/recvAll",
    async upload(conn, vol, data) {
      using st = new Stream(conn);
      vol.upload(st, 0, 0);
      let off = 0;
      await st.sendAll((_s, buf) => {
        const n = Math.min(buf.length, data.length - off);
        buf.set(data.subarray(off, off + n));
        off += n;
        return n;
      });
    },
    async download(conn, vol, sink) {
      using st = new Stream(conn);
      vol.download(st, 0, 0);
      await st.recvAll((_s, data) => sink.push(data));
    },
  },
  {
    name: "non-blocking + stream callbacks",
    async upload(conn, vol, data) {
      using st = new Stream(conn, Stream.NONBLOCK);
      vol.upload(st, 0, 0);
      await callbackUpload(st, data);
    },
    async download(conn, vol, sink) {
      using st = new Stream(conn, Stream.NONBLOCK);
      vol.download(st, 0, 0);
      await callbackDownload(st, sink);
    },
  },
  {
    name: "Web Streams (vol.upload(readable), vol.download())",
    async upload(_conn, vol, data) {
      const chunks = Array.from(
        { length: Math.ceil(data.length / CHUNK) },
        (_, i) => data.subarray(i * CHUNK, (i + 1) * CHUNK),
      );
      await vol.upload(ReadableStream.from(chunks));
    },
    async download(_conn, vol, sink) {
      for await (const chunk of vol.download()) sink.push(chunk);
    },
  },
];

/** A transient dir pool in a temp folder, made over the unix socket and removed afterwards. */
export async function withPool(
  t: Transport,
  fn: (pool: StoragePool, dir: string) => Promise<void>,
): Promise<void> {
  using admin = Connection.open(t.daemon.qemuUri);
  const dir = await Deno.makeTempDir({ prefix: `deno-libvirt-${t.name}-pool-` });
  const pool = admin.createStoragePoolXML(
    `<pool type='dir'><name>${t.name}-${crypto.randomUUID().slice(0, 8)}</name>` +
      `<target><path>${dir}</path></target></pool>`,
  );
  try {
    await fn(pool, dir);
  } finally {
    for (const v of pool.listAllVolumes()) v.delete();
    pool.destroy();
    await Deno.remove(dir, { recursive: true });
  }
}

function createVol(pool: StoragePool, name: string, size = SIZE): void {
  pool.createVolumeXML(
    `<volume><name>${name}</name><capacity>${size}</capacity><allocation>0</allocation>` +
      `<target><format type='raw'/></target></volume>`,
  ).free();
}

/** Uploads random bytes through `path` over the transport, downloads them back, compares. */
export async function roundTrip(t: Transport, pool: StoragePool, path: StreamPath): Promise<void> {
  const name = `rt-${STREAM_PATHS.indexOf(path)}.raw`;
  createVol(pool, name);
  using conn = Connection.open(t.uri("qemu"));
  using vol = conn.lookupStoragePoolByName(pool.getName()).lookupVolumeByName(name);
  const data = randomBytes(SIZE);
  const t0 = performance.now();
  await path.upload(conn, vol, data);
  const t1 = performance.now();
  const sink = new Sink(SIZE);
  await path.download(conn, vol, sink);
  const t2 = performance.now();
  assert.equal(sink.length, SIZE);
  assert.equal(await sha256(sink.bytes), await sha256(data));
  assert.equal(liveStreamCallbacks(), 0);
  const rate = (ms: number) => (SIZE / MiB / (ms / 1000)).toFixed(0);
  console.log(
    `  ${path.name} over ${t.name}: up ${rate(t1 - t0)} MiB/s, down ${rate(t2 - t1)} MiB/s`,
  );
}

/** A sparse file (data, a hole, data, a hole at the end) goes up and down keeping its holes. */
export async function sparseRoundTrip(t: Transport, pool: StoragePool, dir: string): Promise<void> {
  createVol(pool, "sparse.raw");
  using conn = Connection.open(t.uri("qemu"));
  using vol = conn.lookupStoragePoolByName(pool.getName()).lookupVolumeByName("sparse.raw");
  const src = `${dir}/sparse-src.raw`;
  const back = `${dir}/sparse-back.raw`;
  const a = randomBytes(4 * MiB);
  const b = randomBytes(4 * MiB);
  {
    using f = await Deno.open(src, { write: true, create: true, truncate: true });
    await f.truncate(SIZE);
    await f.seek(0, Deno.SeekMode.Start);
    await f.write(a);
    await f.seek(16 * MiB, Deno.SeekMode.Start);
    await f.write(b);
  }
  try {
    await uploadFromFile(vol, src, { sparse: true });
    await downloadToFile(vol, back, { sparse: true });
    const [x, y] = [await Deno.readFile(src), await Deno.readFile(back)];
    assert.equal(y.length, SIZE);
    assert.equal(await sha256(y), await sha256(x));
    // The holes stayed holes: only the 8 MiB of data take space (st_blocks are 512 bytes).
    const blocks = (await Deno.stat(back)).blocks ?? 0;
    assert.ok(blocks * 512 < 12 * MiB, `the download takes ${blocks * 512} bytes`);
    assert.equal(liveStreamCallbacks(), 0);
  } finally {
    await Deno.remove(src).catch(() => {});
    await Deno.remove(back).catch(() => {});
  }
}

/**
 * The Async forms over the transport: `Connection.openAsync` (the ssh/TLS handshake on Deno's
 * thread pool while the JS thread keeps running timers) and a volume's life through Async calls.
 */
export async function asyncForms(t: Transport, pool: StoragePool): Promise<void> {
  let ticks = 0;
  const timer = setInterval(() => ticks++, 10);
  const t0 = performance.now();
  let conn: Connection;
  try {
    conn = await Connection.openAsync(t.uri("qemu"));
  } finally {
    clearInterval(timer);
  }
  const openMs = performance.now() - t0;
  try {
    console.log(`  openAsync over ${t.name}: ${openMs | 0} ms, ${ticks} timer ticks meanwhile`);
    // A handshake this long would have frozen the loop in a synchronous open.
    if (openMs > 100) assert.ok(ticks > 0, `no timer ran during a ${openMs | 0} ms open`);
    assert.equal(await conn.getHostnameAsync(), Deno.hostname());
    const p = await conn.lookupStoragePoolByNameAsync(pool.getName());
    const vol = await p.createVolumeXMLAsync(
      `<volume><name>async.raw</name><capacity>${MiB}</capacity>` +
        `<target><format type='raw'/></target></volume>`,
    );
    assert.equal((await vol.getInfoAsync()).capacity, BigInt(MiB));
    assert.match(await vol.getPathAsync(), /\/async\.raw$/);
    assert.match(await p.getXMLDescAsync(), /<name>.*<\/name>/);
    await vol.deleteAsync();
    assert.ok(!(await p.listAllVolumesAsync()).some((v) => v.getName() === "async.raw"));
  } finally {
    conn.close();
  }
}

/** Every stream path's round trip, the sparse one and the Async forms, as steps of `t`. */
export async function transferSteps(ctx: Deno.TestContext, t: Transport): Promise<void> {
  await ctx.step(
    t.name === "ssh"
      ? "the socketpair to ssh gets room for a stream packet"
      : "the TCP socket is left to the kernel's own sizing",
    () => sendBufferOf(t),
  );
  await withPool(t, async (pool, dir) => {
    for (const path of STREAM_PATHS) {
      await ctx.step(path.name, () => roundTrip(t, pool, path));
    }
    await ctx.step(
      "sparse uploadFromFile/downloadToFile keep the holes",
      () => sparseRoundTrip(t, pool, dir),
    );
    await ctx.step(
      "the Async forms: openAsync keeps the loop running, a volume's life",
      () => asyncForms(t, pool),
    );
  });
}

// Connection.open raises the send buffer of a unix socket (ssh's socketpair), never a TCP one.
async function sendBufferOf(t: Transport): Promise<void> {
  // An odd size, which TCP's own sizing (4 MiB on loopback here) would not hit by chance.
  const asked = 3 * (1 << 20) + 8192;
  const made = await socketsMadeBy(() => Connection.open(t.uri("test"), { sendBuffer: asked }));
  using _conn = made.value;
  const unix = made.sockets.filter((s) => s.family === 1);
  const tcp = made.sockets.filter((s) => s.family === 2 || s.family === 10);
  const seen = JSON.stringify(made.sockets);
  if (t.name === "ssh") {
    assert.equal(unix.length, 1, `one new unix socket: ${seen}`);
    assert.equal(unix[0].sendBuffer, grantedSendBuffer(asked));
    assert.equal(socketOf(made.value), unix[0].fd, "the socket uploads wait on");
  } else {
    assert.equal(unix.length, 0, `no unix socket: ${seen}`);
    assert.equal(tcp.length, 1, `one TCP socket: ${seen}`);
    assert.notEqual(tcp[0].sendBuffer, grantedSendBuffer(asked), `TCP's own size: ${seen}`);
    assert.equal(socketOf(made.value), tcp[0].fd, "the socket uploads wait on");
  }
}

/** How a transport's far end is cut while a download runs (interruptedDownload). */
export interface Interruption {
  /** Before the connection opens (e.g. wait for earlier sessions to end). */
  before?: () => Promise<void>;
  /** On the open connection, before the download (e.g. a short keepalive). */
  prepare?: (conn: Connection) => void;
  /** Cuts the far end; called once the first chunk arrived. */
  cut: () => void;
  /** Undoes what `cut` left behind, whatever happened (e.g. SIGCONT). */
  after?: () => void;
  /** The close reasons libvirt may report: one of them, once. */
  reasons: CloseReason[];
}

/**
 * A 1 GiB volume of holes downloaded through Web Streams while `how.cut()` severs the far end:
 * the download must reject with a LibvirtError before its end, the close callback must report one
 * of the expected reasons, and no stream callback may stay registered.
 */
export async function interruptedDownload(t: Transport, how: Interruption): Promise<void> {
  await withPool(t, async (pool) => {
    // Long enough that it is still running when the far end goes.
    createVol(pool, "long.raw", 1024 ** 3);
    await how.before?.();
    using conn = Connection.open(t.uri("qemu"));
    how.prepare?.(conn);
    const reasons: CloseReason[] = [];
    conn.registerCloseCallback((_c, r) => void reasons.push(r));
    using vol = conn.lookupStoragePoolByName(pool.getName()).lookupVolumeByName("long.raw");
    let bytes = 0;
    let failure: unknown = null;
    try {
      for await (const chunk of vol.download()) {
        if (bytes === 0) how.cut();
        bytes += chunk.length;
      }
    } catch (e) {
      failure = e;
    } finally {
      how.after?.();
    }
    if (!(failure instanceof LibvirtError)) throw new Error(`the download ended with ${failure}`);
    assert.ok(bytes < 1024 ** 3, `all ${bytes} bytes arrived`);
    await waitFor(() => reasons.length > 0, 10_000, "the close callback");
    assert.equal(reasons.length, 1, `close reasons ${reasons}`);
    assert.ok(how.reasons.includes(reasons[0]), `close reason ${reasons[0]}`);
    assert.equal(liveStreamCallbacks(), 0);
    console.log(`  ${bytes} bytes arrived, then: ${failure.message}`);
  });
}
