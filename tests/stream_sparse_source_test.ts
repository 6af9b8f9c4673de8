// A sparse file as a source, in this process (no libvirt call): its sections, its data in
// requests of any size, and its end (stream/sparse_file.ts).
import assert from "node:assert/strict";
import { Connection, sparseFileSource, Stream } from "../mod.ts";
import { randomBytes } from "./helpers/stream_transfers.ts";

const KiB = 1024;
const MiB = 1024 * KiB;

// A file of `size` bytes: random data at each [offset, length), holes elsewhere.
async function sparseFile(size: number, islands: [number, number][]): Promise<{
  path: string;
  bytes: Uint8Array;
}> {
  const path = await Deno.makeTempFile({ prefix: "deno-libvirt-sparse-" });
  const bytes = new Uint8Array(size);
  await Deno.truncate(path, size);
  using f = await Deno.open(path, { write: true });
  for (const [off, len] of islands) {
    const data = randomBytes(len);
    bytes.set(data, off);
    f.seekSync(off, Deno.SeekMode.Start);
    for (let done = 0; done < len;) done += f.writeSync(data.subarray(done));
  }
  return { path, bytes };
}

// The handlers take the stream they serve, and this source ignores it.
const conn = Connection.open("test:///default");
const st = new Stream(conn);

// What sparseSendAll does with a source, buffer by buffer: `sizes` gives each request's size
// in turn (cycled), so requests of odd sizes and requests longer than a section's rest happen.
async function drain(
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
  // Islands of data between holes: a large one, an unaligned one, one at the very end.
  const { path, bytes } = await sparseFile(size, [
    [0, 3 * MiB + 1000],
    [5 * MiB + 4096, 300 * KiB],
    [size - 64 * KiB, 64 * KiB],
  ]);
  try {
    await t.step("reads every byte of the data sections and skips the holes", async () => {
      using src = await sparseFileSource(path);
      const r = await drain(src, size, [MiB]);
      assert.deepEqual(r.got, bytes);
      assert.ok(r.holes >= 2, `${r.holes} holes`);
    });

    await t.step("requests of changing sizes get the right bytes", async () => {
      // Odd sizes, shorter and longer than a section's rest: each read starts where the last
      // one ended, whatever its size.
      using src = await sparseFileSource(path);
      const r = await drain(src, size, [64 * KiB + 1, 7, 256 * KiB, 1000, MiB + 3]);
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
      const open = [...Deno.readDirSync("/proc/self/fd")].filter((e) => {
        try {
          return Deno.readLinkSync(`/proc/self/fd/${e.name}`) === path;
        } catch {
          return false;
        }
      });
      assert.equal(open.length, 0, "no fd left on the file");
    });
  } finally {
    await Deno.remove(path);
    st.free();
    conn.close();
  }
});
