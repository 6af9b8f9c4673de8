// A byte stream piped into a writable through a BYOB reader, in reused buffers of one packet.
//
// Why: `pipeTo` reads with a default reader, and a byte stream then allocates each chunk itself:
// `FsFile.readable` makes one 64 KiB async read per chunk, into fresh memory. Read here into
// buffers of 262,120 bytes (libvirt's packet), a 512 MiB file cost 0.32–0.40 s of CPU per GiB
// instead of 0.96–3.04, at 1,900–3,400 MiB/s instead of 330–1,070 (five pairs of runs;
// bench/findings.md, twentieth pass), and each full buffer goes to libvirt as one packet, with no
// copy into a packet buffer.

/**
 * The BYOB reader of `readable`, or null when it is not a byte stream (`pipeTo` then does the
 * job).
 */
export function byobReader(readable: ReadableStream<Uint8Array>): ReadableStreamBYOBReader | null {
  try {
    return readable.getReader({ mode: "byob" });
  } catch {
    return null;
  }
}

/**
 * Reads `reader` into two buffers of `size` bytes in turn and writes each filled part to
 * `writable`: the next read (on Deno's thread pool, for a file) runs while the last part is
 * written. A part is written only once the write before it resolved, and a buffer is read into
 * again only once its write resolved (`streamWritable` has then sent or copied it). Ends as
 * `pipeTo` does: the source's end closes the writable; a source that fails aborts it, a write
 * that fails cancels the source, and the promise rejects with that error.
 */
export async function pipeBytes(
  reader: ReadableStreamBYOBReader,
  writable: WritableStream<Uint8Array>,
  size: number,
): Promise<void> {
  const writer = writable.getWriter();
  let readFailed = false;
  const read = (into: Uint8Array) => {
    const p = reader.read(into);
    // Settled later, maybe after a write failed: never an unhandled rejection.
    p.catch(() => (readFailed = true));
    return p;
  };
  try {
    let spare = new Uint8Array(size);
    let pending = read(new Uint8Array(size));
    for (;;) {
      const { value, done } = await pending;
      if (done || value === undefined) break;
      pending = read(spare);
      await writer.write(value);
      // A BYOB read hands back the ArrayBuffer it was given, transferred: never a shared one.
      spare = new Uint8Array(value.buffer as ArrayBuffer);
    }
    await writer.close();
  } catch (e) {
    // The source failed (its read rejected), or a write did (the writable is then errored).
    if (readFailed) await writer.abort(e).catch(() => {});
    else await reader.cancel(e).catch(() => {});
    throw e;
  } finally {
    writer.releaseLock();
    reader.releaseLock();
  }
}
