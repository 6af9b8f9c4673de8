// Specifies that an upload on a non-blocking stream never freezes the JS thread while the daemon
// stops reading: libvirt's remote client sends stream data synchronously, so the module waits
// for room in the connection's socket off the JS thread first (stream/room.ts). The daemon is
// stopped (SIGSTOP) in the middle of each upload; a 5 ms interval must keep ticking meanwhile,
// and every byte must arrive once the daemon runs again. The same for `finishAsync()` and
// `abortAsync()`, whose answers come only once the daemon runs again.
import "./helpers/loop.ts";
import assert from "node:assert/strict";
import { Connection, Stream } from "../mod.ts";
import { socketOf } from "../api/conn/socket.ts";
import { liveStreamCallbacks } from "../stream/callbacks.ts";
import { roomWaitCount } from "../stream/room.ts";
import { type Daemon, requireDaemon } from "./helpers/daemon.ts";
import { randomBytes, sha256 } from "./helpers/stream_transfers.ts";

const MiB = 1024 * 1024;
const SIZE = 48 * MiB;
/** Bytes taken from the source before the daemon is stopped. */
const STOP_AT = 8 * MiB;
const STOP_MS = 600;

/**
 * Stops the daemon for STOP_MS and counts a 5 ms interval's ticks meanwhile. A separate process
 * continues the daemon after 5 s whatever happens here: a frozen JS thread (the bug this guards
 * against) could not, and the test must fail, not hang.
 */
async function stallDaemon(d: Daemon): Promise<number> {
  const rescue = new Deno.Command("sh", {
    args: ["-c", `sleep 5; kill -CONT ${d.pid} 2>/dev/null`],
    stdout: "null",
    stderr: "null",
  }).spawn();
  let ticks = 0;
  const interval = setInterval(() => ticks++, 5);
  d.signal("SIGSTOP");
  try {
    await new Promise((r) => setTimeout(r, STOP_MS));
  } finally {
    d.signal("SIGCONT");
    clearInterval(interval);
    rescue.kill();
    await rescue.status;
  }
  return ticks;
}

/** A source of `data` in 64 KiB chunks that calls `atStop` once STOP_AT bytes were taken. */
function source(data: Uint8Array, atStop: () => void): ReadableStream<Uint8Array> {
  let off = 0;
  return new ReadableStream<Uint8Array>({
    pull(c) {
      if (off >= data.length) return c.close();
      if (off === STOP_AT) atStop();
      c.enqueue(data.slice(off, off += 65536));
    },
  });
}

Deno.test("uploads wait for the daemon off the JS thread", async (t) => {
  const d = await requireDaemon("stream_stalled_daemon_test.ts");
  if (!d) return;
  using conn = Connection.open(d.qemuUri);
  assert.ok(socketOf(conn) >= 0, "the connection's socket was found at open");
  const dir = await Deno.makeTempDir({ prefix: "deno-libvirt-stall-" });
  const pool = conn.createStoragePoolXML(
    `<pool type='dir'><name>stall-${crypto.randomUUID().slice(0, 8)}</name>` +
      `<target><path>${dir}</path></target></pool>`,
  );
  const vol = pool.createVolumeXML(
    `<volume><name>v.raw</name><capacity>${SIZE}</capacity><allocation>0</allocation>` +
      `<target><format type='raw'/></target></volume>`,
  );
  const data = randomBytes(SIZE);
  const expected = await sha256(data);
  try {
    await t.step("a Web Streams upload (pipeTo a non-blocking stream's writable)", async () => {
      using st = new Stream(conn, Stream.NONBLOCK);
      vol.upload(st, 0, 0);
      const waits = roomWaitCount();
      let stalled: Promise<number> | null = null;
      await source(data, () => void (stalled = stallDaemon(d))).pipeTo(st.writable);
      const ticks = await stalled!;
      // 120 at best; a JS thread blocked in virStreamSend ticks once or not at all.
      assert.ok(ticks >= 20, `the interval ticked ${ticks} times in ${STOP_MS} ms`);
      assert.ok(roomWaitCount() > waits, "the writable waited for room");
      assert.equal(await sha256(await new Response(vol.download()).bytes()), expected);
    });

    await t.step("sendAll on a non-blocking stream", async () => {
      using st = new Stream(conn, Stream.NONBLOCK);
      vol.upload(st, 0, 0);
      const waits = roomWaitCount();
      let off = 0;
      let stalled: Promise<number> | null = null;
      await st.sendAll((_st, buf) => {
        if (off === STOP_AT) stalled = stallDaemon(d);
        const n = Math.min(buf.length, data.length - off, 65536);
        buf.set(data.subarray(off, off + n));
        off += n;
        return n;
      });
      const ticks = await stalled!;
      assert.ok(ticks >= 20, `the interval ticked ${ticks} times in ${STOP_MS} ms`);
      assert.ok(roomWaitCount() > waits, "sendAll waited for room");
      assert.equal(await sha256(await new Response(vol.download()).bytes()), expected);
      assert.equal(liveStreamCallbacks(), 0);
    });

    await t.step("finishAsync waits for the daemon's answer off the JS thread", async () => {
      using st = new Stream(conn);
      vol.upload(st, 0, 0);
      for (let off = 0; off < SIZE; off += MiB) st.send(data.subarray(off, off + MiB));
      // The daemon stops before the finish message reaches it: libvirt's answer waits for
      // SIGCONT, on a pool thread.
      const stalled = stallDaemon(d);
      const t0 = performance.now();
      await st.finishAsync();
      const took = performance.now() - t0;
      const ticks = await stalled;
      assert.ok(took >= STOP_MS * 0.8, `the finish waited for the daemon (${took.toFixed(0)} ms)`);
      assert.ok(ticks >= 20, `the interval ticked ${ticks} times in ${STOP_MS} ms`);
      assert.equal(st.state, "finished");
      assert.equal(await sha256(await new Response(vol.download()).bytes()), expected);
    });

    await t.step("abortAsync waits for the daemon's answer off the JS thread", async () => {
      const st = new Stream(conn);
      vol.upload(st, 0, 0);
      st.send(data.subarray(0, MiB));
      const stalled = stallDaemon(d);
      const t0 = performance.now();
      const aborting = st.abortAsync();
      assert.equal(st.state, "aborted", "the stream counts as aborted at once");
      assert.throws(() => st.send(data.subarray(0, 16)), /this Stream was aborted/);
      st.free(); // waits for libvirt's answer
      await aborting;
      const took = performance.now() - t0;
      const ticks = await stalled;
      assert.ok(took >= STOP_MS * 0.8, `the abort waited for the daemon (${took.toFixed(0)} ms)`);
      assert.ok(ticks >= 20, `the interval ticked ${ticks} times in ${STOP_MS} ms`);
      assert.equal(st.state, "freed");
    });
  } finally {
    for (const v of pool.listAllVolumes()) v.delete();
    pool.destroy();
    await Deno.remove(dir, { recursive: true });
  }
});
