// A tiny NBD server on a UNIX socket whose disk is full: reads return the image, every write
// fails with ENOSPC. A guest booted from it gets a real I/O error from QEMU's block layer when it
// writes (IO_ERROR, IO_ERROR_REASON "enospc"), which no file on a healthy host disk can give.
//
// It runs in a Worker: QEMU connects to it while libvirt starts the domain, and the test's JS
// thread is blocked in that (synchronous) libvirt call then; a server on that thread would never
// answer, and the start would hang.
//
// Protocol (https://github.com/NetworkBlockDevice/nbd/blob/master/doc/proto.md): fixed newstyle
// handshake; options answered: GO (the export's size and flags), everything else "unsupported"
// (so QEMU uses simple replies); then requests READ, WRITE (refused), FLUSH, DISC.

const NBDMAGIC = 0x4e42444d41474943n;
const IHAVEOPT = 0x49484156454f5054n;
const REPLY_MAGIC = 0x3e889045565a9n;
const OPT_GO = 7;
const OPT_ABORT = 2;
const REP_ACK = 1;
const REP_INFO = 3;
const REP_ERR_UNSUP = 0x80000001;
const REQUEST_MAGIC = 0x25609513;
const SIMPLE_REPLY_MAGIC = 0x67446698;
const ENOSPC = 28;
const EINVAL = 22;

/** A running NBD server. */
export interface NbdServer {
  /** The socket path (for `<host transport='unix' socket='…'/>`). */
  readonly socket: string;
  /** How many writes it refused so far. */
  refusedWrites(): Promise<number>;
  /** Stops listening, closes every client and ends the worker. */
  close(): Promise<void>;
}

/** Messages between the test and the server's worker. */
type ToWorker = { start: { path: string; image: Uint8Array } } | { count: true } | {
  close: true;
};
type FromWorker = { listening: true } | { refused: number } | { closed: true } | {
  error: string;
};

class Conn {
  #buf = new Uint8Array(0);
  constructor(readonly c: Deno.Conn) {}

  async read(n: number): Promise<Uint8Array> {
    while (this.#buf.length < n) {
      const chunk = new Uint8Array(64 * 1024);
      const got = await this.c.read(chunk);
      if (got === null) throw new Error("client gone");
      const all = new Uint8Array(this.#buf.length + got);
      all.set(this.#buf);
      all.set(chunk.subarray(0, got), this.#buf.length);
      this.#buf = all;
    }
    const out = this.#buf.slice(0, n);
    this.#buf = this.#buf.slice(n);
    return out;
  }

  async write(...parts: Uint8Array[]): Promise<void> {
    for (const p of parts) {
      let off = 0;
      while (off < p.length) off += await this.c.write(p.subarray(off));
    }
  }
}

function be(size: number, fill: (v: DataView) => void): Uint8Array {
  const b = new Uint8Array(size);
  fill(new DataView(b.buffer));
  return b;
}

function optionReply(
  option: number,
  type: number,
  data: Uint8Array = new Uint8Array(0),
): Uint8Array {
  const head = be(20, (v) => {
    v.setBigUint64(0, REPLY_MAGIC);
    v.setUint32(8, option);
    v.setUint32(12, type);
    v.setUint32(16, data.length);
  });
  const out = new Uint8Array(20 + data.length);
  out.set(head);
  out.set(data, 20);
  return out;
}

/**
 * Serves `image` (read-only, writes fail with ENOSPC) on a UNIX socket at `path`, which QEMU
 * (another user) may connect to, from a Worker of its own.
 *
 * @example
 * ```ts
 * import { serveFullDisk } from "./guest_nbd.ts";
 * const nbd = await serveFullDisk("/tmp/x/nbd.sock", new Uint8Array(1 << 20));
 * await nbd.close();
 * ```
 */
export async function serveFullDisk(path: string, image: Uint8Array): Promise<NbdServer> {
  const worker = new Worker(import.meta.url, { type: "module" });
  const replies: ((m: FromWorker) => void)[] = [];
  let failure: Error | null = null;
  worker.onmessage = (e: MessageEvent<FromWorker>) => {
    if ("error" in e.data) failure = new Error(`The NBD server failed: ${e.data.error}`);
    replies.shift()?.(e.data);
  };
  worker.onerror = (e) => {
    e.preventDefault();
    failure = new Error(`The NBD server's worker failed: ${e.message}`);
    for (const r of replies.splice(0)) r({ error: e.message });
  };
  const ask = (m: ToWorker): Promise<FromWorker> => {
    const { promise, resolve } = Promise.withResolvers<FromWorker>();
    replies.push(resolve);
    worker.postMessage(m);
    return promise;
  };
  const started = await ask({ start: { path, image } });
  if ("error" in started) {
    worker.terminate();
    throw failure ?? new Error(started.error);
  }
  return {
    socket: path,
    async refusedWrites() {
      const r = await ask({ count: true });
      if ("refused" in r) return r.refused;
      throw failure ?? new Error("The NBD server did not answer");
    },
    async close() {
      try {
        await ask({ close: true });
      } finally {
        worker.terminate();
      }
    },
  };
}

// The worker's side: one server per worker.
interface WorkerScope {
  postMessage(m: FromWorker): void;
  onmessage: ((e: MessageEvent<ToWorker>) => void) | null;
}
if ("WorkerGlobalScope" in globalThis) {
  const scope = globalThis as unknown as WorkerScope;
  let server: LocalServer | null = null;
  const post = (m: FromWorker) => scope.postMessage(m);
  scope.onmessage = async (e: MessageEvent<ToWorker>) => {
    try {
      if ("start" in e.data) {
        server = listenFullDisk(e.data.start.path, e.data.start.image);
        post({ listening: true });
      } else if ("count" in e.data) {
        post({ refused: server?.refused() ?? 0 });
      } else {
        await server?.close();
        post({ closed: true });
      }
    } catch (err) {
      post({ error: (err as Error).message });
    }
  };
}

interface LocalServer {
  refused(): number;
  close(): Promise<void>;
}

function listenFullDisk(path: string, image: Uint8Array): LocalServer {
  const listener = Deno.listen({ transport: "unix", path });
  Deno.chmodSync(path, 0o777);
  const clients = new Set<Deno.Conn>();
  let refused = 0;

  async function session(raw: Deno.Conn): Promise<void> {
    const c = new Conn(raw);
    await c.write(be(18, (v) => {
      v.setBigUint64(0, NBDMAGIC);
      v.setBigUint64(8, IHAVEOPT);
      v.setUint16(16, 1 | 2); // FIXED_NEWSTYLE | NO_ZEROES
    }));
    await c.read(4); // the client's flags
    for (;;) {
      const head = new DataView((await c.read(16)).buffer);
      if (head.getBigUint64(0) !== IHAVEOPT) throw new Error("bad option magic");
      const option = head.getUint32(8);
      const data = await c.read(head.getUint32(12));
      if (option === OPT_ABORT) return;
      if (option !== OPT_GO) {
        await c.write(optionReply(option, REP_ERR_UNSUP));
        continue;
      }
      void data; // the export name and info requests: there is one export
      const info = be(12, (v) => {
        v.setUint16(0, 0); // NBD_INFO_EXPORT
        v.setBigUint64(2, BigInt(image.length));
        v.setUint16(10, 1 | 4); // HAS_FLAGS | SEND_FLUSH
      });
      await c.write(optionReply(option, REP_INFO, info), optionReply(option, REP_ACK));
      break;
    }
    for (;;) {
      const req = new DataView((await c.read(28)).buffer);
      if (req.getUint32(0) !== REQUEST_MAGIC) throw new Error("bad request magic");
      const type = req.getUint16(6);
      const handle = req.getBigUint64(8);
      const offset = Number(req.getBigUint64(16));
      const length = req.getUint32(24);
      const reply = (error: number) =>
        be(16, (v) => {
          v.setUint32(0, SIMPLE_REPLY_MAGIC);
          v.setUint32(4, error);
          v.setBigUint64(8, handle);
        });
      if (type === 0) { // READ
        const ok = offset + length <= image.length;
        await c.write(
          reply(ok ? 0 : EINVAL),
          ok ? image.subarray(offset, offset + length) : new Uint8Array(0),
        );
      } else if (type === 1) { // WRITE: the disk is full
        await c.read(length);
        refused++;
        await c.write(reply(ENOSPC));
      } else if (type === 2) { // DISC
        return;
      } else {
        await c.write(reply(type === 3 ? 0 : EINVAL)); // FLUSH succeeds; nothing else is offered
      }
    }
  }

  const accepting = (async () => {
    for await (const raw of listener) {
      clients.add(raw);
      session(raw).catch(() => {}).finally(() => {
        clients.delete(raw);
        try {
          raw.close();
        } catch { /* closed */ }
      });
    }
  })().catch(() => {});

  return {
    refused: () => refused,
    async close() {
      listener.close();
      for (const c of clients) {
        try {
          c.close();
        } catch { /* closed */ }
      }
      await accepting;
    },
  };
}
