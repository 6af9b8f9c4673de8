// Specifies volume transfers against the private libvirtd (qemu+unix, a transient dir pool):
// 64 MiB round trips through every path, sparse files, offsets, aborts and errors.
import "./helpers/loop.ts";
import assert from "node:assert/strict";
import {
  Connection,
  downloadToFile,
  LibvirtError,
  type StoragePool,
  type StorageVol,
  StorageVolDownloadFlags,
  StorageVolUploadFlags,
  Stream,
  uploadFromFile,
} from "../mod.ts";
import { liveStreamCallbacks } from "../stream/callbacks.ts";
import { requireDaemon } from "./helpers/daemon.ts";
import {
  callbackDownload,
  callbackUpload,
  CHUNK,
  randomBytes,
  sha256,
  Sink,
  writeSparseFile,
} from "./helpers/stream_transfers.ts";

const MiB = 1024 * 1024;
const SIZE = 64 * MiB;

// Sends `data` with plain send() calls, as the C example in libvirt's docs does.
function sendBlocking(st: Stream, data: Uint8Array): void {
  for (let off = 0; off < data.length;) off += st.send(data.subarray(off, off + CHUNK));
}

async function withPool(
  fn: (conn: Connection, pool: StoragePool, dir: string) => Promise<void>,
): Promise<void> {
  const d = await requireDaemon("the stream volume tests");
  if (!d) return;
  using conn = Connection.open(d.qemuUri);
  const dir = await Deno.makeTempDir({ prefix: "deno-libvirt-stream-" });
  const name = `stream-test-${crypto.randomUUID().slice(0, 8)}`;
  const pool = conn.createStoragePoolXML(
    `<pool type='dir'><name>${name}</name><target><path>${dir}</path></target></pool>`,
  );
  try {
    await fn(conn, pool, dir);
  } finally {
    for (const v of pool.listAllVolumes()) v.delete();
    pool.destroy();
    await Deno.remove(dir, { recursive: true });
  }
}

function createVol(pool: StoragePool, name: string, size = SIZE): StorageVol {
  return pool.createVolumeXML(
    `<volume><name>${name}</name><capacity>${size}</capacity><allocation>0</allocation>` +
      `<target><format type='raw'/></target></volume>`,
  );
}

Deno.test("a 64 MiB volume round-trips through every transfer path", async (t) => {
  await withPool(async (conn, pool) => {
    const vol = createVol(pool, "data.raw");
    // Each path uploads fresh random data, so a download can only match its own upload.
    const paths: Record<string, (data: Uint8Array) => Promise<Uint8Array<ArrayBuffer>>> = {
      "blocking send / recv": (data) => {
        const up = new Stream(conn);
        vol.upload(up, 0, 0);
        sendBlocking(up, data);
        up.finish();
        const down = new Stream(conn);
        vol.download(down, 0, 0);
        const sink = new Sink(SIZE);
        const buf = new Uint8Array(CHUNK);
        for (let n; (n = down.recv(buf)) > 0;) sink.push(buf.subarray(0, n));
        down.finish();
        return Promise.resolve(sink.bytes);
      },
      "sendAll / recvAll (blocking)": async (data) => {
        using up = new Stream(conn);
        vol.upload(up, 0, 0);
        let off = 0;
        await up.sendAll((_st, buf) => {
          const n = Math.min(buf.length, data.length - off);
          buf.set(data.subarray(off, off + n));
          off += n;
          return n;
        });
        using down = new Stream(conn);
        vol.download(down, 0, 0);
        const sink = new Sink(SIZE);
        await down.recvAll((_st, d) => sink.push(d));
        return sink.bytes;
      },
      "sendAll / recvAll (non-blocking, async handlers)": async (data) => {
        using up = new Stream(conn, Stream.NONBLOCK);
        vol.upload(up, 0, 0);
        let off = 0;
        await up.sendAll(async (_st, buf) => {
          await Promise.resolve();
          const n = Math.min(buf.length, data.length - off);
          buf.set(data.subarray(off, off + n));
          off += n;
          return n;
        });
        using down = new Stream(conn, Stream.NONBLOCK);
        vol.download(down, 0, 0);
        const sink = new Sink(SIZE);
        await down.recvAll(async (_st, d) => void (await Promise.resolve(), sink.push(d)));
        return sink.bytes;
      },
      "non-blocking with addCallback": async (data) => {
        using up = new Stream(conn, Stream.NONBLOCK);
        vol.upload(up, 0, 0);
        await callbackUpload(up, data);
        using down = new Stream(conn, Stream.NONBLOCK);
        vol.download(down, 0, 0);
        const sink = new Sink(SIZE);
        await callbackDownload(down, sink);
        return sink.bytes;
      },
      "Web Streams (vol.upload(readable), vol.download())": async (data) => {
        await vol.upload(
          ReadableStream.from([data.subarray(0, SIZE / 2), data.subarray(SIZE / 2)]),
        );
        return await new Response(vol.download()).bytes();
      },
      "vol.upload(file.readable): a byte stream, read through a BYOB reader": async (data) => {
        const path = await Deno.makeTempFile();
        try {
          await Deno.writeFile(path, data);
          const file = await Deno.open(path);
          await vol.upload(file.readable); // closes the file at its end
          return await new Response(vol.download()).bytes();
        } finally {
          await Deno.remove(path);
        }
      },
      "vol.upload(byte stream): each read asks for a whole packet": async (data) => {
        const asked: number[] = [];
        let off = 0;
        const source = new ReadableStream({
          type: "bytes",
          pull(c) {
            const view = c.byobRequest!.view!;
            asked.push(view.byteLength);
            const n = Math.min(view.byteLength, data.length - off);
            if (n === 0) return (c.close(), c.byobRequest!.respond(0));
            new Uint8Array(view.buffer, view.byteOffset, n).set(data.subarray(off, off + n));
            off += n;
            c.byobRequest!.respond(n);
          },
        });
        await vol.upload(source);
        // Packets of libvirt's largest payload: no 64 KiB chunks to gather, no fresh buffers.
        assert.deepEqual(new Set(asked), new Set([262_120]));
        assert.equal(asked.length, Math.ceil(SIZE / 262_120) + 1);
        return await new Response(vol.download()).bytes();
      },
      "Web Streams over blocking streams": async (data) => {
        await vol.upload([data], { nonBlocking: false });
        return await new Response(vol.download({ nonBlocking: false })).bytes();
      },
      "Stream.writable / Stream.readable with pipeTo": async (data) => {
        using up = new Stream(conn, Stream.NONBLOCK);
        vol.upload(up, 0, 0);
        await ReadableStream.from([data]).pipeTo(up.writable);
        assert.equal(up.state, "finished");
        using down = new Stream(conn, Stream.NONBLOCK);
        vol.download(down, 0, 0);
        const sink = new Sink(SIZE);
        await down.readable.pipeTo(new WritableStream({ write: (c) => void sink.push(c) }));
        assert.equal(down.state, "finished");
        return sink.bytes;
      },
    };
    for (const [name, roundTrip] of Object.entries(paths)) {
      await t.step(name, async () => {
        const data = randomBytes(SIZE);
        const back = await roundTrip(data);
        assert.equal(back.length, SIZE);
        assert.equal(await sha256(back), await sha256(data));
        assert.equal(liveStreamCallbacks(), 0);
      });
    }

    await t.step("files: uploadFromFile and downloadToFile report progress", async () => {
      const src = await Deno.makeTempFile();
      const dst = await Deno.makeTempFile();
      try {
        const data = randomBytes(SIZE);
        await Deno.writeFile(src, data);
        const up: number[] = [];
        await uploadFromFile(vol, src, { onProgress: (done, total) => up.push(done, total) });
        assert.deepEqual(up.slice(-2), [SIZE, SIZE]);
        let last = 0;
        await downloadToFile(vol, dst, { onProgress: (done) => void (last = done) });
        assert.equal(last, SIZE);
        assert.equal(await sha256(await Deno.readFile(dst)), await sha256(data));
        // A blocking stream takes the other path (a pipe that yields between chunks).
        await Deno.truncate(dst, 0);
        await downloadToFile(vol, dst, { nonBlocking: false });
        assert.equal(await sha256(await Deno.readFile(dst)), await sha256(data));
      } finally {
        await Deno.remove(src);
        await Deno.remove(dst);
      }
    });
  });
});

Deno.test("offsets and lengths are honoured both ways", async (t) => {
  await withPool(async (conn, pool) => {
    const size = 8 * MiB;
    const vol = createVol(pool, "window.raw", size);
    const base = randomBytes(size);
    await vol.upload([base]);

    await t.step("download of a window returns exactly that window", async () => {
      const got = await new Response(vol.download({ offset: 3 * MiB + 7, length: MiB + 5 }))
        .bytes();
      assert.deepEqual(got, base.subarray(3 * MiB + 7, 4 * MiB + 12));
    });

    await t.step("download with a stream and bigint offset", async () => {
      using st = new Stream(conn);
      vol.download(st, BigInt(size - 100), 0n);
      const sink = new Sink(100);
      await st.recvAll((_s, d) => sink.push(d));
      assert.deepEqual(sink.bytes, base.subarray(size - 100));
    });

    await t.step("upload at an offset changes only that range", async () => {
      const patch = randomBytes(300_000);
      using st = new Stream(conn);
      vol.upload(st, 5 * MiB, patch.length);
      sendBlocking(st, patch);
      st.finish();
      const expected = base.slice();
      expected.set(patch, 5 * MiB);
      assert.equal(
        await sha256(await new Response(vol.download()).bytes()),
        await sha256(expected),
      );
    });
  });
});

Deno.test("a sparse file round-trips with its holes", async (t) => {
  await withPool(async (_conn, pool, dir) => {
    const vol = createVol(pool, "sparse.raw");
    const src = await Deno.makeTempFile();
    const dst = await Deno.makeTempFile();
    const flat = await Deno.makeTempFile();
    try {
      // Three 1 MiB islands of data in 64 MiB of holes, the last one unaligned.
      await writeSparseFile(src, SIZE, [[0, MiB], [20 * MiB, MiB], [40 * MiB + 4096, MiB]]);
      const srcBlocks = (await Deno.stat(src)).blocks!;
      assert.ok(srcBlocks * 512 < 4 * MiB, `the source is sparse (${srcBlocks} blocks)`);

      await t.step(
        "uploadFromFile({ sparse }) leaves the holes unallocated in the volume",
        async () => {
          let last = 0;
          await uploadFromFile(vol, src, { sparse: true, onProgress: (d) => void (last = d) });
          assert.equal(last, SIZE);
          const volBlocks = (await Deno.stat(`${dir}/sparse.raw`)).blocks!;
          assert.ok(volBlocks <= srcBlocks + 64, `volume blocks ${volBlocks} vs ${srcBlocks}`);
        },
      );

      await t.step("downloadToFile({ sparse }) recreates the holes", async () => {
        await downloadToFile(vol, dst, { sparse: true });
        const st = await Deno.stat(dst);
        assert.equal(st.size, SIZE);
        assert.ok(st.blocks! <= srcBlocks + 64, `downloaded blocks ${st.blocks} vs ${srcBlocks}`);
        assert.equal(
          await sha256(await Deno.readFile(dst)),
          await sha256(await Deno.readFile(src)),
        );
      });

      await t.step(
        "uploadFromFile({ sparse }) in small, odd buffers sends the same bytes",
        async () => {
          // Each island takes many buffers, the last one of each shorter than the others.
          const other = createVol(pool, "sparse-odd.raw");
          await uploadFromFile(other, src, { sparse: true, chunkSize: 64 * 1024 + 1 });
          assert.equal(
            await sha256(await new Response(other.download()).bytes()),
            await sha256(await Deno.readFile(src)),
          );
          other.delete();
        },
      );

      await t.step("a plain download of a sparse stream gets the holes as zeros", async () => {
        await downloadToFile(vol, flat, { sparse: false });
        assert.equal(
          await sha256(await Deno.readFile(flat)),
          await sha256(await Deno.readFile(src)),
        );
      });

      await t.step("recvFlags stops at holes and recvHole measures them", async () => {
        const conn = vol.getConnect();
        using st = new Stream(conn);
        vol.download(st, 0, 0, StorageVolDownloadFlags.STREAM);
        const holes: number[] = [];
        let data = 0;
        await st.sparseRecvAll(
          (_s, d) => void (data += d.length),
          (_s, len) => void holes.push(len),
        );
        assert.equal(data, 3 * MiB);
        assert.equal(holes.reduce((a, b) => a + b, 0), SIZE - 3 * MiB);
        assert.ok(holes.length >= 3);
      });

      await t.step("sparseSendAll with hand-written handlers sends holes as lengths", async () => {
        const conn = vol.getConnect();
        // A hole skips over the target, so a fresh (all-zero) volume shows it as zeros.
        const fresh = createVol(pool, "hand.raw");
        // 1 MiB of data, a 62 MiB hole, 1 MiB of data.
        const sections = [[true, MiB], [false, 62 * MiB], [true, MiB]] as [boolean, number][];
        const payload = randomBytes(2 * MiB);
        let i = 0, left = MiB, sent = 0;
        using st = new Stream(conn);
        fresh.upload(st, 0, 0, StorageVolUploadFlags.STREAM);
        await st.sparseSendAll(
          (_s, buf, max) => {
            const n = Math.min(max, payload.length - sent);
            buf.set(payload.subarray(sent, sent + n));
            sent += n;
            left -= n;
            if (left === 0) (i++, left = sections[i]?.[1] ?? 0);
            return n;
          },
          () => i < sections.length ? [sections[i][0], left] : { inData: false, length: 0 },
          () => void (i++, left = sections[i]?.[1] ?? 0),
        );
        const back = await new Response(fresh.download()).bytes();
        assert.deepEqual(back.subarray(0, MiB), payload.subarray(0, MiB));
        assert.deepEqual(back.subarray(SIZE - MiB), payload.subarray(MiB));
        assert.ok(back.subarray(MiB, SIZE - MiB).every((b) => b === 0));
      });
    } finally {
      for (const p of [src, dst, flat]) await Deno.remove(p);
    }
  });
});

Deno.test("aborts and errors leave the connection usable", async (t) => {
  await withPool(async (conn, pool) => {
    const vol = createVol(pool, "abort.raw", 16 * MiB);
    const data = randomBytes(16 * MiB);
    await vol.upload([data]);
    const check = async () => {
      assert.ok(conn.isAlive());
      assert.equal(pool.lookupVolumeByName("abort.raw").getName(), "abort.raw");
      assert.equal(await sha256(await new Response(vol.download()).bytes()), await sha256(data));
    };

    await t.step("abort in the middle of a blocking download", async () => {
      using st = new Stream(conn);
      vol.download(st, 0, 0);
      assert.ok(st.recv(new Uint8Array(CHUNK)) > 0);
      st.abort();
      assert.equal(st.state, "aborted");
      await check();
    });

    await t.step("cancel in the middle of a Web Streams download", async () => {
      const reader = vol.download().getReader();
      assert.equal((await reader.read()).done, false);
      await reader.cancel();
      assert.equal(liveStreamCallbacks(), 0);
      await check();
    });

    await t.step(
      "a throwing onProgress aborts downloadToFile and rejects with its error",
      async () => {
        const dst = await Deno.makeTempFile();
        try {
          await assert.rejects(
            downloadToFile(vol, dst, {
              onProgress: () => {
                throw new Error("progress bar broke");
              },
            }),
            /progress bar broke/,
          );
          assert.equal(liveStreamCallbacks(), 0);
          await check();
        } finally {
          await Deno.remove(dst);
        }
      },
    );

    await t.step("downloadToFile into a missing folder rejects before any transfer", async () => {
      await assert.rejects(downloadToFile(vol, "/nonexistent-dir/x.raw"), Deno.errors.NotFound);
      assert.equal(liveStreamCallbacks(), 0);
      await check();
    });

    await t.step("abort in the middle of an upload", async () => {
      using st = new Stream(conn);
      vol.upload(st, 0, 0);
      st.send(new Uint8Array(CHUNK));
      st.abort();
      // The volume now starts with zeros; put the data back for the next checks.
      await vol.upload([data]);
      await check();
    });

    await t.step("a failing source aborts vol.upload(readable) and rejects", async () => {
      const source = new ReadableStream<Uint8Array>({
        pull(c) {
          c.error(new Error("source broke"));
        },
      });
      await assert.rejects(vol.upload(source), /source broke/);
      await vol.upload([data]);
      await check();
    });

    await t.step("a locked source is refused before any transfer", async () => {
      const source = new ReadableStream<Uint8Array>({ type: "bytes" });
      const reader = source.getReader();
      await assert.rejects(vol.upload(source), TypeError);
      reader.releaseLock();
      assert.equal(liveStreamCallbacks(), 0);
      await check();
    });

    await t.step("a byte stream that fails aborts vol.upload(readable) and rejects", async () => {
      let sent = 0;
      const source = new ReadableStream({
        type: "bytes",
        pull(c) {
          const view = c.byobRequest!.view!;
          if (sent >= 4 * MiB) return c.error(new Error("byte source broke"));
          sent += view.byteLength;
          c.byobRequest!.respond(view.byteLength);
        },
      });
      await assert.rejects(vol.upload(source), /byte source broke/);
      assert.equal(liveStreamCallbacks(), 0);
      await vol.upload([data]);
      await check();
    });

    await t.step("an upload that fails cancels its byte stream with the error", async () => {
      let cancelled: unknown = null;
      const source = new ReadableStream({
        type: "bytes",
        pull(c) {
          const view = c.byobRequest!.view!;
          c.byobRequest!.respond(view.byteLength);
        },
        cancel(reason) {
          cancelled = reason;
        },
      });
      await assert.rejects(
        vol.upload(source, {
          onProgress: () => {
            throw new Error("progress bar broke");
          },
        }),
        /progress bar broke/,
      );
      assert.match(String(cancelled), /progress bar broke/);
      assert.equal(liveStreamCallbacks(), 0);
      await vol.upload([data]);
      await check();
    });

    await t.step("a throwing sendAll handler aborts and rejects with its error", async () => {
      using st = new Stream(conn);
      vol.upload(st, 0, 0);
      await assert.rejects(
        st.sendAll(() => {
          throw new Error("read failed");
        }),
        /read failed/,
      );
      assert.equal(st.state, "aborted");
      await vol.upload([data]);
      await check();
    });

    await t.step("send on a download stream fails with a LibvirtError", async () => {
      using st = new Stream(conn);
      vol.download(st, 0, 0);
      // libvirt reports stream errors late: the send itself, a later recv, or finish.
      const err = (() => {
        try {
          st.send(new Uint8Array(100));
          const buf = new Uint8Array(CHUNK);
          while (st.recv(buf) > 0);
          st.finish();
        } catch (e) {
          return e;
        }
      })();
      assert.ok(err instanceof LibvirtError, `expected a LibvirtError, got ${err}`);
      st.abort();
      await check();
    });

    await t.step("a transfer libvirt refuses leaves the stream new", async () => {
      using ro = Connection.open(`${conn.getURI()}`, { readOnly: true });
      const v = ro.lookupStorageVolByPath(vol.getPath());
      using st = new Stream(ro);
      assert.throws(() => v.upload(st, 0, 0), LibvirtError);
      assert.equal(st.state, "new");
      await check();
    });

    await t.step("closing the connection mid-transfer frees the stream", () => {
      const c = Connection.open(conn.getURI());
      const v = c.lookupStorageVolByPath(vol.getPath());
      const st = new Stream(c);
      v.download(st, 0, 0);
      st.recv(new Uint8Array(CHUNK));
      c.close();
      assert.equal(st.state, "freed");
      assert.throws(() => st.recv(new Uint8Array(CHUNK)), /Cannot recv: this Stream was freed/);
      assert.throws(() => v.download(), /this StorageVol was freed/);
    });
  });
});
