// A sparse file as a source, in this process (no libvirt call): its sections, its data in
// requests of any size, and its end (stream/sparse_file.ts).
import assert from "node:assert/strict";
import { Connection, sparseFileSource, Stream } from "../mod.ts";
import { writeSparseFile } from "./helpers/stream_transfers.ts";
import { openFds } from "./helpers/fds.ts";

const KiB = 1024;
const MiB = 1024 * KiB;

// What sparseSendAll does with a source, buffer by buffer: `sizes` gives each request's size
// in turn (cycled), so requests of odd sizes and requests longer than a section's rest happen.
// The handlers take the stream they serve (`st`), and this source ignores it.
async function drain(
  st: Stream,
  src: Awaited<ReturnType<typeof sparseFileSource>>,
  size: number,
  sizes: number[],
): Promise<{ got: Uint8Array; holes: number; reads: number }> {
  const got = new Uint8Array(size);
  let pos = 0;
  let holes = 0;
  let reads = 0;
  for (;;) {
    const { inData, length } = src.holeHandler(st);
    if (length === 0) break;
    if (!inData) {
      await src.skipHandler(st, length);
      pos += length;
      holes++;
      continue;
    }
    for (let left = length; left > 0;) {
      const want = Math.min(sizes[reads % sizes.length], left);
      const buf = new Uint8Array(want);
      const n = (await src.handler(st, buf, want)) as number;
      assert.ok(n > 0 && n <= want, `read ${n} of ${want}`);
      got.set(buf.subarray(0, n), pos);
      pos += n;
      left -= n;
      reads++;
    }
  }
  assert.equal(pos, size);
  assert.equal(src.position, size);
  return { got, holes, reads };
}

Deno.test("a sparse file source", async (t) => {
  const size = 8 * MiB;
  const path = await Deno.makeTempFile({ prefix: "deno-libvirt-sparse-" });
  const conn = Connection.open("test:///default");
  const st = new Stream(conn);
  try {
    // Islands of data between holes: a large one, an unaligned one, one at the very end.
    await writeSparseFile(path, size, [
      [0, 3 * MiB + 1000],
      [5 * MiB + 4096, 300 * KiB],
      [size - 64 * KiB, 64 * KiB],
    ]);
    const bytes = await Deno.readFile(path);

    await t.step("reads every byte of the data sections and skips the holes", async () => {
      using src = await sparseFileSource(path);
      const r = await drain(st, src, size, [MiB]);
      assert.deepEqual(r.got, bytes);
      assert.ok(r.holes >= 2, `${r.holes} holes`);
    });

    await t.step("requests of changing sizes get the right bytes", async () => {
      // Odd sizes, shorter and longer than a section's rest: each read starts where the last
      // one ended, whatever its size.
      using src = await sparseFileSource(path);
      const r = await drain(st, src, size, [64 * KiB + 1, 7, 256 * KiB, 1000, MiB + 3]);
      assert.deepEqual(r.got, bytes);
      assert.ok(r.reads >= 15, `${r.reads} reads`);
    });

    await t.step("closed: the next read is refused and no fd is left", async () => {
      const src = await sparseFileSource(path);
      const { inData } = src.holeHandler(st);
      assert.ok(inData);
      const buf = new Uint8Array(MiB);
      assert.equal(await src.handler(st, buf, buf.length), MiB);
      assert.deepEqual(buf, bytes.subarray(0, MiB));
      src.close();
      src.close(); // twice is fine
      await assert.rejects(() => Promise.resolve(src.handler(st, buf, buf.length)));
      // Both fds the source opened (Deno's, and the one that finds the holes) are closed.
      assert.equal(openFds().filter((f) => f.target === path).length, 0, "no fd left on the file");
    });
  } finally {
    await Deno.remove(path);
    st.free();
    conn.close();
  }
});
