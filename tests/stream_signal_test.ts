// Specifies that an AbortSignal stops the whole-stream transfers (recvAll and its family): the
// stream is aborted, the Promise rejects with the signal's reason, and a signal that already
// fired refuses the transfer without touching the stream.
import assert from "node:assert/strict";
import { Connection } from "../mod.ts";
import { screenshotStream } from "./helpers/stream_transfers.ts";

Deno.test("an AbortSignal stops recvAll", async (t) => {
  using conn = Connection.open("test:///default");

  await t.step("a signal fired while the handler waits aborts the stream", async () => {
    using st = screenshotStream(conn);
    const controller = new AbortController();
    const reason = new Error("stopped by the test");
    let chunks = 0;
    const run = st.recvAll(
      async () => {
        chunks++;
        controller.abort(reason);
        await new Promise((r) => setTimeout(r, 1));
      },
      { signal: controller.signal, chunkSize: 1024 },
    );
    await assert.rejects(run, (e) => e === reason);
    assert.equal(chunks, 1, "no chunk after the signal fired");
    assert.equal(st.state, "aborted");
  });

  await t.step("a signal that already fired refuses the transfer untouched", async () => {
    using st = screenshotStream(conn);
    const reason = new Error("too late");
    await assert.rejects(
      st.recvAll(() => undefined, { signal: AbortSignal.abort(reason) }),
      (e) => e === reason,
    );
    assert.equal(st.state, "active");
    // The stream still carries its transfer: a later recvAll reads it to the end.
    let bytes = 0;
    await st.recvAll((_st, data) => void (bytes += data.length));
    assert.ok(bytes > 0);
    assert.equal(st.state, "finished");
  });

  await t.step("a signal that never fires changes nothing", async () => {
    using st = screenshotStream(conn);
    const controller = new AbortController();
    let bytes = 0;
    await st.recvAll((_st, data) => void (bytes += data.length), { signal: controller.signal });
    controller.abort(); // after the end: no effect, no unhandled rejection
    assert.ok(bytes > 0);
    assert.equal(st.state, "finished");
  });

  await t.step("a wrong last argument is refused without touching the stream", async () => {
    using st = screenshotStream(conn);
    await assert.rejects(
      st.recvAll(() => undefined, "big" as unknown as number),
      TypeError,
    );
    await assert.rejects(
      st.recvAll(() => undefined, { signal: "soon" as unknown as AbortSignal }),
      /options\.signal must be an AbortSignal/,
    );
    assert.equal(st.state, "active");
    st.abort();
  });
});
