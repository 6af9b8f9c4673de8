// Specifies Stream.finishAsync() and Stream.abortAsync(): finish() and abort() on Deno's thread
// pool, in process on test:///default (the test domain's screenshot). A finish that libvirt
// refuses is in newcomer_remote_test.ts, the waits for a stopped daemon in
// stream_stalled_daemon_test.ts.
import "./helpers/loop.ts";
import assert from "node:assert/strict";
import { Connection, Stream } from "../mod.ts";

const PNG = Deno.readFileSync("/usr/share/libvirt/test-screenshot.png");

function screenshot(conn: Connection): Stream {
  const st = new Stream(conn);
  assert.equal(conn.lookupDomainByName("test").screenshot(st, 0), "image/png");
  return st;
}

// Reads the screenshot to its end; returns how many bytes came.
function drain(st: Stream): number {
  const buf = new Uint8Array(4096);
  let total = 0;
  for (let n; (n = st.recv(buf)) > 0;) total += n;
  return total;
}

Deno.test("finishAsync ends a transfer by the rules of finish()", async (t) => {
  using conn = Connection.open("test:///default");

  await t.step("after the last recv it finishes the stream; again is a no-op", async () => {
    using st = screenshot(conn);
    assert.equal(drain(st), PNG.length);
    const first = st.finishAsync();
    assert.equal(st.finishAsync(), first, "a second call while it runs returns the same promise");
    await first;
    assert.equal(st.state, "finished");
    await st.finishAsync();
    st.finish(); // still a no-op
    assert.equal(st.state, "finished");
  });

  await t.step("while it runs, data calls and abort() are refused with a clear Error", async () => {
    using st = screenshot(conn);
    drain(st);
    const finishing = st.finishAsync();
    const inFlight = /finishAsync\(\) is in flight on this Stream/;
    assert.throws(() => st.recv(new Uint8Array(16)), inFlight);
    assert.throws(() => st.send(new Uint8Array(16)), inFlight);
    assert.throws(() => st.abort(), inFlight);
    await finishing;
    assert.equal(st.state, "finished");
    st.abort(); // a no-op once finished
  });

  await t.step("a new stream or an aborted one is refused as finish() refuses it (at once)", () => {
    using fresh = new Stream(conn);
    assert.throws(() => fresh.finishAsync(), /this Stream is new, not yet bound to a transfer/);
    using st = screenshot(conn);
    st.abort();
    assert.throws(() => st.finishAsync(), /Cannot finish: this Stream was aborted/);
  });

  await t.step("refused at once while recvAll owns the stream", async () => {
    using st = screenshot(conn);
    const all = st.recvAll(() => 0);
    assert.throws(() => st.finishAsync(), /recvAll/);
    await all.catch(() => {});
  });

  await t.step("free() while it runs waits for the answer", async () => {
    const st = screenshot(conn);
    drain(st);
    const finishing = st.finishAsync();
    st.free();
    await finishing;
    assert.equal(st.state, "freed");
    st.free(); // twice is fine
  });
});

Deno.test("abortAsync ends a transfer at once and lets libvirt answer on the pool", async (t) => {
  using conn = Connection.open("test:///default");

  await t.step("the stream counts as aborted before libvirt answered", async () => {
    using st = screenshot(conn);
    st.recv(new Uint8Array(16));
    const aborting = st.abortAsync();
    assert.equal(st.state, "aborted");
    assert.equal(st.abortAsync(), aborting, "a second call while it runs returns the same promise");
    assert.throws(() => st.recv(new Uint8Array(16)), /Cannot recv: this Stream was aborted/);
    await aborting;
    await st.abortAsync(); // a no-op now
    st.abort();
    assert.throws(() => st.finishAsync(), /this Stream was aborted/);
  });

  await t.step("refused while finishAsync runs; a no-op once finished", async () => {
    using st = screenshot(conn);
    drain(st);
    const finishing = st.finishAsync();
    assert.throws(() => st.abortAsync(), /finishAsync\(\) is in flight on this Stream/);
    await finishing;
    await st.abortAsync();
    assert.equal(st.state, "finished");
  });

  await t.step("stops a running recvAll, which rejects", async () => {
    using st = screenshot(conn);
    let chunks = 0;
    const all = st.recvAll(() => (chunks++, 0));
    await st.abortAsync();
    await assert.rejects(all);
    assert.equal(st.state, "aborted");
  });
});
