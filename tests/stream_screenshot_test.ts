// Specifies Stream over test:///default in process: the test domain's screenshot read through
// every path (blocking recv, recvAll, event callbacks, Web Streams), lifecycle and misuse.
import "./helpers/loop.ts";
import assert from "node:assert/strict";
import { Connection, LibvirtError, Stream } from "../mod.ts";
import { liveStreamCallbacks } from "../stream/callbacks.ts";

const PNG = Deno.readFileSync("/usr/share/libvirt/test-screenshot.png");

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) (out.set(p, off), off += p.length);
  return out;
}

function screenshot(conn: Connection, flags = 0): Stream {
  const st = new Stream(conn, flags);
  assert.equal(conn.lookupDomainByName("test").screenshot(st, 0), "image/png");
  return st;
}

Deno.test("a screenshot of the test domain reads the same bytes through every path", async (t) => {
  using conn = Connection.open("test:///default");

  await t.step("blocking recv loop, then finish", () => {
    using st = screenshot(conn);
    assert.equal(st.state, "active");
    const buf = new Uint8Array(4096);
    const parts: Uint8Array[] = [];
    for (let n; (n = st.recv(buf)) > 0;) parts.push(buf.slice(0, n));
    st.finish();
    assert.equal(st.state, "finished");
    assert.deepEqual(concat(parts), PNG);
  });

  await t.step("recv honours nbytes and fills the caller's buffer in place", () => {
    using st = screenshot(conn);
    const buf = new Uint8Array(64);
    assert.equal(st.recv(buf.subarray(8), 8), 8);
    assert.deepEqual(buf.subarray(8, 16), PNG.subarray(0, 8));
    assert.deepEqual(buf.subarray(0, 8), new Uint8Array(8));
    st.abort();
  });

  await t.step("recvAll hands every byte to the handler and finishes", async () => {
    using st = screenshot(conn);
    const parts: Uint8Array[] = [];
    await st.recvAll((_st, data) => void parts.push(data.slice()));
    assert.equal(st.state, "finished");
    assert.deepEqual(concat(parts), PNG);
  });

  await t.step("recvAll re-calls a handler that took part of the data", async () => {
    using st = screenshot(conn);
    const parts: Uint8Array[] = [];
    await st.recvAll((_st, data) => {
      const n = Math.min(100, data.length);
      parts.push(data.slice(0, n));
      return n;
    });
    assert.deepEqual(concat(parts), PNG);
  });

  await t.step("an async recvAll handler is awaited", async () => {
    using st = screenshot(conn);
    const parts: Uint8Array[] = [];
    await st.recvAll(async (_st, data) => {
      await new Promise((r) => setTimeout(r, 1));
      parts.push(data.slice());
      return data.length;
    }, 1000);
    assert.deepEqual(concat(parts), PNG);
  });

  await t.step("non-blocking with addCallback: recv until -2, finish at 0", async () => {
    using st = screenshot(conn, Stream.NONBLOCK);
    assert.ok(st.nonBlocking);
    const parts: Uint8Array[] = [];
    const buf = new Uint8Array(8192);
    const done = Promise.withResolvers<void>();
    st.addCallback(Stream.EVENT_READABLE, (s, events) => {
      assert.ok(events & Stream.EVENT_READABLE);
      for (let n; (n = s.recv(buf)) !== -2;) {
        if (n === 0) {
          s.removeCallback();
          s.finish();
          return done.resolve();
        }
        parts.push(buf.slice(0, n));
      }
    });
    await done.promise;
    assert.deepEqual(concat(parts), PNG);
    assert.equal(liveStreamCallbacks(), 0);
  });

  await t.step("non-blocking recvAll waits on events", async () => {
    using st = screenshot(conn, Stream.NONBLOCK);
    const parts: Uint8Array[] = [];
    await st.recvAll((_st, data) => void parts.push(data.slice()));
    assert.deepEqual(concat(parts), PNG);
    assert.equal(liveStreamCallbacks(), 0);
  });

  for (const flags of [0, Stream.NONBLOCK]) {
    const kind = flags ? "non-blocking" : "blocking";
    await t.step(`readable (${kind}) yields the image and finishes the stream`, async () => {
      using st = screenshot(conn, flags);
      assert.equal(st.readable, st.readable);
      assert.deepEqual(await new Response(st.readable).bytes(), PNG);
      assert.equal(st.state, "finished");
    });

    await t.step(`a BYOB reader (${kind}) receives into its own buffers`, async () => {
      using st = screenshot(conn, flags);
      const reader = st.readable.getReader({ mode: "byob" });
      const parts: Uint8Array[] = [];
      for (;;) {
        const { value, done } = await reader.read(new Uint8Array(1000));
        if (done) break;
        assert.ok(value.length <= 1000);
        parts.push(value);
      }
      assert.deepEqual(concat(parts), PNG);
    });

    await t.step(`for await (${kind}) iterates over the chunks`, async () => {
      using st = screenshot(conn, flags);
      const parts: Uint8Array[] = [];
      for await (const chunk of st) parts.push(chunk);
      assert.deepEqual(concat(parts), PNG);
      assert.equal(st.state, "finished");
    });
  }

  await t.step("cancelling the readable aborts the stream", async () => {
    using st = screenshot(conn, Stream.NONBLOCK);
    const reader = st.readable.getReader();
    assert.equal((await reader.read()).done, false);
    await reader.cancel();
    assert.equal(st.state, "aborted");
    assert.equal(liveStreamCallbacks(), 0);
  });

  await t.step("ready() resolves with the events seen", async () => {
    using st = screenshot(conn, Stream.NONBLOCK);
    const events = await st.ready(Stream.EVENT_READABLE);
    assert.ok(events & Stream.EVENT_READABLE);
    assert.ok(st.recv(new Uint8Array(16)) > 0);
    st.abort();
    assert.equal(liveStreamCallbacks(), 0);
  });
});

Deno.test("a stream's life: new, active, ended, freed — and clear errors after", async (t) => {
  using conn = Connection.open("test:///default");
  const buf = new Uint8Array(16);

  await t.step("a new stream is unattached and its flags are kept", () => {
    using st = new Stream(conn, Stream.NONBLOCK);
    assert.equal(st.state, "new");
    assert.ok(st.nonBlocking);
    assert.equal(st.connection, conn);
  });

  await t.step("recv after finish throws and names the state", () => {
    using st = screenshot(conn);
    while (st.recv(new Uint8Array(65536)) > 0);
    st.finish();
    assert.throws(() => st.recv(buf), /Cannot recv: this Stream was finished/);
    assert.throws(() => st.send(buf), /Cannot send: this Stream was finished/);
    assert.throws(() => st.addCallback(1, () => {}), /this Stream was finished/);
    st.finish(); // a second finish is a no-op
    st.abort(); // so is abort after the end
    assert.equal(st.state, "finished");
  });

  await t.step("recv after abort throws; finish after abort throws", () => {
    using st = screenshot(conn);
    st.abort();
    assert.throws(() => st.recv(buf), /Cannot recv: this Stream was aborted/);
    assert.throws(() => st.finish(), /Cannot finish: this Stream was aborted/);
  });

  await t.step("a freed stream throws on every call but abort and free", async () => {
    const st = screenshot(conn);
    st.free();
    st.free();
    st.abort(); // freeing aborted it already
    assert.equal(st.state, "freed");
    assert.throws(() => st.recv(buf), /Cannot recv: this Stream was freed/);
    assert.throws(() => st.finish(), /Cannot finish: this Stream was freed/);
    assert.throws(() => st.sendHole(1), /Cannot send a hole: this Stream was freed/);
    await assert.rejects(st.ready(), /this Stream was freed/);
  });

  await t.step("a stream carries one transfer: a used one is refused", () => {
    using st = screenshot(conn);
    const dom = conn.lookupDomainByName("test");
    assert.throws(() => dom.screenshot(st, 0), /already carries a transfer/);
    st.abort();
    assert.throws(() => dom.screenshot(st, 0), /this Stream was aborted/);
  });

  await t.step("a failed libvirt call leaves the stream new and reusable", () => {
    using st = new Stream(conn);
    const dom = conn.lookupDomainByName("test");
    // The test driver has no consoles.
    assert.throws(() => dom.openConsole(null, st), LibvirtError);
    assert.equal(st.state, "new");
    assert.equal(dom.screenshot(st, 0), "image/png");
    st.abort();
  });

  await t.step("closing the connection aborts and frees its streams", () => {
    const c = Connection.open("test:///default");
    const st = screenshot(c);
    c.close();
    assert.equal(st.state, "freed");
    assert.throws(() => st.recv(buf), /this Stream was freed/);
    assert.throws(() => new Stream(c), /Cannot create a stream: this Connection was closed/);
  });

  await t.step(
    "a recvAll handler that throws aborts the stream and rejects with its error",
    async () => {
      using st = screenshot(conn);
      await assert.rejects(
        st.recvAll(() => {
          throw new Error("disk full");
        }),
        /disk full/,
      );
      assert.equal(st.state, "aborted");
    },
  );

  await t.step("a recvAll handler returning -1 aborts the stream", async () => {
    using st = screenshot(conn);
    await assert.rejects(st.recvAll(() => -1), /recvAll handler returned -1/);
    assert.equal(st.state, "aborted");
  });

  await t.step(
    "one callback per stream: user callbacks and ready() exclude each other",
    async () => {
      using st = screenshot(conn, Stream.NONBLOCK);
      st.addCallback(Stream.EVENT_READABLE, () => {});
      assert.throws(() => st.addCallback(1, () => {}), /used by addCallback/);
      await assert.rejects(st.ready(), /used by addCallback/);
      st.updateCallback(0);
      st.removeCallback();
      assert.throws(() => st.removeCallback(), /none was added/);
      st.abort();
      assert.equal(liveStreamCallbacks(), 0);
    },
  );

  await t.step("arguments are checked before libvirt sees them", () => {
    using st = screenshot(conn);
    assert.throws(() => st.recv(new Uint8Array(0)), RangeError);
    assert.throws(() => st.recv(buf, 17), TypeError);
    assert.throws(() => st.recv(buf, 0), TypeError);
    assert.throws(() => st.recv("x" as unknown as Uint8Array), TypeError);
    assert.throws(() => st.addCallback(16, () => {}), TypeError);
    assert.throws(() => st.sendHole(-1), TypeError);
    assert.throws(() => new Stream(conn, -1), TypeError);
    assert.throws(() => new Stream({} as Connection), TypeError);
    assert.throws(() => conn.lookupDomainByName("test").screenshot({} as Stream, 0), TypeError);
    st.abort();
  });

  await t.step("await using aborts an active stream", async () => {
    let outer: Stream;
    {
      await using st = screenshot(conn);
      outer = st;
      assert.equal(st.state, "active");
    }
    assert.equal(outer.state, "freed");
  });
});
