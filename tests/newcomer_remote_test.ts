// Specifies, against the private libvirtd, what needs a real remote stream (issue 15, item 4):
// a finish() that libvirt refuses leaves the stream as it was ("active") and says what to do,
// and abort() then ends it. finishAsync() reports the same failure the same way.
import assert from "node:assert/strict";
import { Connection, LibvirtError, type StorageVol, Stream } from "../mod.ts";
import { requireDaemon } from "./helpers/daemon.ts";

// libvirt's error, with what to do next appended.
function stillActive(e: Error): boolean {
  assert.ok(e instanceof LibvirtError, String(e));
  assert.match(e.message, /\(the Stream is still active: call abort\(\) to end it\)$/);
  return true;
}

Deno.test("a failed finish does not change the stream's state", async (t) => {
  const d = await requireDaemon("the failed-finish test");
  if (!d) return;
  const dir = await Deno.makeTempDir({ prefix: "deno-libvirt-newcomer-" });
  const conn = Connection.open(d.qemuUri);
  const pool = conn.createStoragePoolXML(
    `<pool type='dir'><name>newcomer-${crypto.randomUUID().slice(0, 8)}</name>` +
      `<target><path>${dir}</path></target></pool>`,
  );
  // An upload declared as 1 KiB that sends more: the daemon's side of the stream fails, and
  // libvirt reports it at a later send or at the finish.
  const failedUpload = (name: string): { vol: StorageVol; st: Stream } => {
    const vol = pool.createVolumeXML(
      `<volume><name>${name}</name><capacity>1048576</capacity>` +
        "<target><format type='raw'/></target></volume>",
    );
    const st = new Stream(conn);
    vol.upload(st, 0, 1024);
    const chunk = new Uint8Array(65536);
    let sendError: unknown = null;
    try {
      for (let i = 0; i < 32; i++) st.send(chunk);
    } catch (e) {
      sendError = e;
    }
    assert.equal(st.state, "active", `a failed send changed the state: ${sendError}`);
    return { vol, st };
  };
  try {
    await t.step("finish() throws it; abort() then ends the stream", () => {
      const { vol, st } = failedUpload("sync.raw");
      assert.throws(() => st.finish(), stillActive);
      assert.equal(st.state, "active");
      st.abort();
      assert.equal(st.state, "aborted");
      st.free();
      vol.delete();
    });
    await t.step("finishAsync() rejects with it the same way", async () => {
      const { vol, st } = failedUpload("async.raw");
      await assert.rejects(st.finishAsync(), stillActive);
      assert.equal(st.state, "active");
      st.abort();
      assert.equal(st.state, "aborted");
      st.free();
      vol.delete();
    });
  } finally {
    pool.destroy();
    conn.close();
    await d.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
