// Specifies volume transfers on a connection that also carries `…Async` calls, with DenoEventImpl
// (a server's requests sharing one connection): the transfers wait for moments when the
// connection has nothing in flight (ffi/turn.ts) instead of failing on the guard that keeps
// plain calls off a busy connection, every byte arrives, and the calls all settle.
import "./helpers/loop.ts";
import assert from "node:assert/strict";
import {
  downloadToFile,
  LibvirtError,
  type StoragePool,
  type StorageVol,
  Stream,
  uploadFromFile,
} from "../mod.ts";
import { Connection as Conn } from "../mod.ts";
import { openWebStreams } from "../event/hold.ts";
import { liveStreamCallbacks } from "../stream/callbacks.ts";
import { asyncCallsInFlight } from "../ffi/inflight.ts";
import { requireDaemon } from "./helpers/daemon.ts";
import { besideBusyCaller } from "./helpers/busy_caller.ts";
import { randomBytes, sha256, writeSparseFile } from "./helpers/stream_transfers.ts";

const MiB = 1024 * 1024;
const SIZE = 16 * MiB;

async function concat(chunks: AsyncIterable<Uint8Array>): Promise<Uint8Array<ArrayBuffer>> {
  const parts: Uint8Array[] = [];
  for await (const c of chunks) parts.push(c);
  const out = new Uint8Array(parts.reduce((n, c) => n + c.length, 0));
  let off = 0;
  for (const c of parts) (out.set(c, off), off += c.length);
  return out;
}

function createVol(pool: StoragePool, name: string, size = SIZE): StorageVol {
  return pool.createVolumeXML(
    `<volume><name>${name}</name><capacity>${size}</capacity><allocation>0</allocation>` +
      `<target><format type='raw'/></target></volume>`,
  );
}

Deno.test("volume transfers share their connection with async calls", async (t) => {
  const d = await requireDaemon("the busy-connection stream tests");
  if (!d) return;
  using conn = Conn.open(d.qemuUri);
  const dir = await Deno.makeTempDir({ prefix: "deno-libvirt-busy-" });
  const pool = conn.createStoragePoolXML(
    `<pool type='dir'><name>busy-${crypto.randomUUID().slice(0, 8)}</name>` +
      `<target><path>${dir}</path></target></pool>`,
  );
  const data = randomBytes(SIZE);
  const want = await sha256(data);
  // Each step runs its transfer beside a caller, and checks that both went through.
  const beside = async (body: () => Promise<void>) => {
    await besideBusyCaller(conn, "the transfer", body);
    assert.equal(asyncCallsInFlight(), 0);
    assert.equal(openWebStreams(), 0);
    assert.equal(liveStreamCallbacks(), 0);
    conn.getLibVersion(); // plain calls work again at once
  };
  try {
    using vol = createVol(pool, "busy.raw");
    await t.step("vol.upload(readable) and vol.download()", async () => {
      const parts = [data.subarray(0, 1000), data.subarray(1000)];
      await beside(() => vol.upload(ReadableStream.from(parts)));
      await beside(async () => assert.equal(await sha256(await concat(vol.download())), want));
    });

    await t.step("vol.download() called while an async call is in flight", async () => {
      const pending = conn.getLibVersionAsync();
      const readable = vol.download({ length: 1 * MiB });
      await pending;
      assert.deepEqual(await concat(readable), data.subarray(0, MiB));
    });

    await t.step("a download cancelled before its deferred start never starts", async () => {
      const pending = conn.getLibVersionAsync();
      const readable = vol.download();
      await readable.cancel();
      await pending;
      await new Promise((r) => setTimeout(r, 10));
      assert.equal(openWebStreams(), 0);
      conn.getLibVersion();
    });

    await t.step("a download whose deferred start fails rejects its first read", async () => {
      using gone = createVol(pool, "gone.raw", MiB);
      gone.delete();
      const pending = conn.getLibVersionAsync();
      const readable = gone.download(); // libvirt is asked once the call settled
      await pending;
      await assert.rejects(concat(readable), LibvirtError);
      assert.equal(openWebStreams(), 0);
    });

    await t.step("Stream.recvAll and sendAll on a stream the user made", async () => {
      await beside(async () => {
        const st = new Stream(conn, Stream.NONBLOCK); // process-local: allowed while busy
        await vol.downloadAsync(st, 0, 0); // queued with the caller's calls
        const parts: Uint8Array[] = [];
        await st.recvAll((_s, chunk) => (parts.push(chunk.slice()), chunk.length));
        st.free();
        assert.equal(await sha256(await concat(ReadableStream.from(parts))), want);
      });
      using back = createVol(pool, "sendall.raw");
      await beside(async () => {
        const st = new Stream(conn, Stream.NONBLOCK);
        await back.uploadAsync(st, 0, 0);
        let off = 0;
        await st.sendAll((_s, buf) => {
          const n = Math.min(buf.length, data.length - off);
          buf.set(data.subarray(off, off + n));
          return (off += n, n);
        });
        st.free();
      });
      assert.equal(await sha256(await concat(back.download())), want);
    });

    await t.step("the Async forms that start a transfer", async () => {
      // One stream, one transfer: a second start while the first is in flight is refused.
      const st = new Stream(conn, Stream.NONBLOCK);
      const started = vol.downloadAsync(st, 0, MiB);
      assert.throws(() => vol.downloadAsync(st, 0, MiB), /already carries a transfer/);
      assert.throws(() => vol.download(st, 0, MiB), /already carries a transfer/);
      await started;
      assert.equal(st.state, "active");
      assert.deepEqual(await concat(st.readable), data.subarray(0, MiB));
      st.free();
      // A failed start leaves the stream new and reusable (the test driver has no console).
      using testConn = Conn.open(d.testUri);
      using dom = testConn.lookupDomainByName("test");
      using st2 = new Stream(testConn, Stream.NONBLOCK);
      await assert.rejects(dom.openConsoleAsync(null, st2), LibvirtError);
      await assert.rejects(dom.openChannelAsync(null, st2), LibvirtError);
      assert.equal(st2.state, "new");
      const mime = await dom.screenshotAsync(st2, 0);
      assert.match(mime, /image/);
      assert.ok((await concat(st2.readable)).length > 0);
      // A stream freed while its start is in flight: released once the call settled.
      const st3 = new Stream(conn, Stream.NONBLOCK);
      const p = vol.downloadAsync(st3, 0, MiB);
      st3.free();
      await p;
      assert.equal(st3.state, "freed"); // and aborted: libvirt forbids freeing an active one
      conn.getLibVersion();
    });

    await t.step("downloadToFile and uploadFromFile, plain and sparse", async () => {
      // Local files outside the pool's folder, which libvirt may scan.
      const files = await Deno.makeTempDir({ prefix: "deno-libvirt-busy-files-" });
      const path = `${files}/copy.raw`;
      await beside(() => downloadToFile(vol, path));
      assert.equal(await sha256(await Deno.readFile(path)), want);
      using back = createVol(pool, "back.raw");
      await beside(() => uploadFromFile(back, path));
      assert.equal(await sha256(await concat(back.download())), want);
      const sparse = `${files}/sparse.raw`;
      await Deno.writeFile(sparse, new Uint8Array(0));
      await writeSparseFile(sparse, SIZE, [[MiB, MiB], [8 * MiB, 256 * 1024]]);
      using holes = createVol(pool, "holes.raw");
      await beside(() => uploadFromFile(holes, sparse, { sparse: true }));
      const out = `${files}/sparse-out.raw`;
      await beside(() => downloadToFile(holes, out, { sparse: true }));
      assert.deepEqual(await Deno.readFile(out), await Deno.readFile(sparse));
      await Deno.remove(files, { recursive: true });
    });

    await t.step("a reader that cancels mid-transfer aborts the stream", async () => {
      await beside(async () => {
        const reader = vol.download().getReader();
        assert.ok(!(await reader.read()).done);
        await reader.cancel();
      });
    });

    await t.step("a pipe aborted by its signal aborts the stream", async () => {
      await beside(async () => {
        const ac = new AbortController();
        let n = 0;
        const sink = new WritableStream<Uint8Array>({
          write(c) {
            if ((n += c.length) >= 2 * MiB) ac.abort(new Error("enough"));
          },
        });
        await assert.rejects(vol.download().pipeTo(sink, { signal: ac.signal }), /enough/);
      });
    });

    await t.step("a download waits out a long async call and resumes", async () => {
      using big = createVol(pool, "wipe.raw", 256 * MiB);
      const reader = vol.download().getReader();
      const first = await reader.read();
      assert.ok(!first.done);
      const wipe = big.wipeAsync();
      const rest = concat({
        async *[Symbol.asyncIterator]() {
          for (;;) {
            const r = await reader.read();
            if (r.done) return;
            yield r.value;
          }
        },
      });
      await wipe;
      const joined = await concat(ReadableStream.from([first.value, await rest]));
      assert.equal(await sha256(joined), want);
    });
  } finally {
    for (const v of pool.listAllVolumes()) (v.delete(), v.free());
    pool.destroy();
    pool.free();
    await Deno.remove(dir, { recursive: true });
    await d.stop();
  }
});
