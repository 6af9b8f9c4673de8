// Transfer helpers shared by the stream tests (local and over each remote transport): a stream
// bound to the test driver's screenshot, random data and sparse files, a sink that collects a
// download, its SHA-256, and the non-blocking transfers driven by stream event callbacks, as
// libvirt's C examples do.
import { type Connection, Stream } from "../../mod.ts";

/** A stream (blocking unless `flags` says otherwise) carrying the test domain's screenshot. */
export function screenshotStream(conn: Connection, flags = 0): Stream {
  const st = new Stream(conn, flags);
  conn.lookupDomainByName("test").screenshot(st, 0);
  return st;
}

/** The packet size the callback transfers send and receive. */
export const CHUNK = 256 * 1024;

/** `n` random bytes (getRandomValues fills at most 64 KiB per call). */
export function randomBytes(n: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i += 65536) crypto.getRandomValues(out.subarray(i, i + 65536));
  return out;
}

/**
 * Makes the file at `path` `size` bytes long: random data at each `[offset, length)` of
 * `islands`, holes everywhere else (the filesystem allocates only the islands).
 */
export async function writeSparseFile(
  path: string,
  size: number,
  islands: [number, number][],
): Promise<void> {
  await Deno.truncate(path, size);
  using f = await Deno.open(path, { write: true });
  for (const [off, len] of islands) {
    const data = randomBytes(len);
    await f.seek(off, Deno.SeekMode.Start);
    for (let done = 0; done < len;) done += await f.write(data.subarray(done));
  }
}

/** The SHA-256 of `data` in hex. */
export async function sha256(data: Uint8Array<ArrayBuffer>): Promise<string> {
  const d = new Uint8Array(await crypto.subtle.digest("SHA-256", data));
  return Array.from(d, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Collects a download into one buffer of the expected size. */
export class Sink {
  readonly bytes: Uint8Array<ArrayBuffer>;
  length = 0;
  constructor(size: number) {
    this.bytes = new Uint8Array(size);
  }
  /** Appends `data`; returns how many bytes it took (all), as a recvAll handler does. */
  push(data: Uint8Array): number {
    this.bytes.set(data, this.length);
    this.length += data.length;
    return data.length;
  }
}

/** A non-blocking upload driven by a WRITABLE callback: sends until -2, then waits again. */
export function callbackUpload(st: Stream, data: Uint8Array): Promise<void> {
  const done = Promise.withResolvers<void>();
  let off = 0;
  st.addCallback(Stream.EVENT_WRITABLE, (s) => {
    try {
      for (let n; off < data.length && (n = s.send(data.subarray(off, off + CHUNK))) !== -2;) {
        off += n;
      }
      if (off === data.length) {
        s.removeCallback();
        s.finish();
        done.resolve();
      }
    } catch (e) {
      done.reject(e);
    }
  });
  return done.promise;
}

/** A non-blocking download driven by a READABLE callback: receives until -2 or the end. */
export function callbackDownload(st: Stream, sink: Sink): Promise<void> {
  const done = Promise.withResolvers<void>();
  const buf = new Uint8Array(CHUNK);
  st.addCallback(Stream.EVENT_READABLE, (s) => {
    try {
      for (let n; (n = s.recv(buf)) !== -2;) {
        if (n === 0) {
          s.removeCallback();
          s.finish();
          return done.resolve();
        }
        sink.push(buf.subarray(0, n));
      }
    } catch (e) {
      done.reject(e);
    }
  });
  return done.promise;
}
