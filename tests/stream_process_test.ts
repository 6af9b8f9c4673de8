// Specifies what needs a process of its own: non-blocking streams on libvirt's default loop
// (registered once per process), and the backstop that aborts and frees dropped streams (gc()).
// The parent test runs this same file in child processes, selected by STREAM_CHILD.
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { Connection, DefaultEventLoop, Event, Stream } from "../mod.ts";
import { liveStreamCallbacks } from "../stream/callbacks.ts";

const role = Deno.env.get("STREAM_CHILD");
const PNG = Deno.readFileSync("/usr/share/libvirt/test-screenshot.png");

async function runChild(childRole: string, v8Flags: string[] = []): Promise<void> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["test", "--allow-all", ...v8Flags, fileURLToPath(import.meta.url)],
    env: { STREAM_CHILD: childRole, NO_COLOR: "1" },
    stdin: "null",
  }).output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  assert.ok(out.success, `child "${childRole}" failed:\n${text}`);
  assert.match(text, /ok \| \d+ passed/);
}

if (role === undefined) {
  Deno.test("stream behaviours that need a process of their own", async (t) => {
    await t.step("non-blocking streams work on libvirt's default event loop", async () => {
      await runChild("default-loop");
    });
    await t.step("a dropped active stream is aborted and freed by the backstop", async () => {
      await runChild("gc", ["--v8-flags=--expose-gc"]);
    });
  });
}

if (role === "default-loop") {
  Deno.test("on the default loop (run on Deno's thread pool)", async (t) => {
    Event.registerDefaultImpl();
    await using loop = new DefaultEventLoop();
    loop.start();
    using conn = Connection.open("test:///default");
    const dom = conn.lookupDomainByName("test");

    await t.step("a non-blocking readable receives the screenshot", async () => {
      using st = new Stream(conn, Stream.NONBLOCK);
      dom.screenshot(st, 0);
      assert.deepEqual(await new Response(st.readable).bytes(), PNG);
    });

    await t.step("addCallback runs on the JS thread and may recv there", async () => {
      using st = new Stream(conn, Stream.NONBLOCK);
      dom.screenshot(st, 0);
      const buf = new Uint8Array(4096);
      let total = 0;
      const done = Promise.withResolvers<void>();
      st.addCallback(Stream.EVENT_READABLE, (s) => {
        for (let n; (n = s.recv(buf)) !== -2;) {
          if (n === 0) return (s.removeCallback(), s.finish(), done.resolve());
          total += n;
        }
      });
      await done.promise;
      assert.equal(total, PNG.length);
      assert.equal(liveStreamCallbacks(), 0);
    });

    await t.step("a remote 16 MiB round trip through Web Streams", async () => {
      const { requireDaemon } = await import("./helpers/daemon.ts");
      const d = await requireDaemon("the default-loop remote stream test");
      if (!d) return;
      using remote = Connection.open(d.qemuUri);
      const dir = await Deno.makeTempDir({ prefix: "deno-libvirt-stream-" });
      const pool = remote.createStoragePoolXML(
        `<pool type='dir'><name>stream-dl-${crypto.randomUUID().slice(0, 8)}</name>` +
          `<target><path>${dir}</path></target></pool>`,
      );
      try {
        const size = 16 * 1024 * 1024;
        const vol = pool.createVolumeXML(
          `<volume><name>v.raw</name><capacity>${size}</capacity><allocation>0</allocation>` +
            `<target><format type='raw'/></target></volume>`,
        );
        const data = new Uint8Array(size);
        for (let i = 0; i < size; i += 65536) crypto.getRandomValues(data.subarray(i, i + 65536));
        await vol.upload([data]);
        const back = await new Response(vol.download()).bytes();
        assert.equal(back.length, size);
        assert.ok(back.every((b, i) => b === data[i]));
        vol.delete();
      } finally {
        pool.destroy();
        await Deno.remove(dir, { recursive: true });
        await d.stop();
      }
    });
  });
}

if (role === "gc") {
  Deno.test("the backstop of dropped streams", async (t) => {
    const gc = (globalThis as { gc?: () => void }).gc;
    assert.ok(gc, "run with --v8-flags=--expose-gc");
    const collect = async () => {
      for (let i = 0; i < 5; i++) {
        gc();
        // Finalizers run as tasks after the collection.
        await new Promise((r) => setTimeout(r, 10));
      }
    };

    await t.step(
      "an active stream dropped without finish/abort releases its connection",
      async () => {
        const conn = Connection.open("test:///default");
        const ref = (() => {
          const st = new Stream(conn);
          conn.lookupDomainByName("test").screenshot(st, 0);
          st.recv(new Uint8Array(100));
          return new WeakRef(st);
        })();
        await collect();
        assert.equal(ref.deref(), undefined, "the stream was collected");
        // The stream held references to the connection; with the wrapper collected, close()
        // has no child left to free, so 0 remaining means the backstops released them.
        assert.equal(conn.close(), 0);
      },
    );

    await t.step("a finished stream dropped without free releases its connection", async () => {
      const conn = Connection.open("test:///default");
      const ref = await (async () => {
        const st = new Stream(conn);
        conn.lookupDomainByName("test").screenshot(st, 0);
        await st.recvAll(() => {});
        return new WeakRef(st);
      })();
      await collect();
      assert.equal(ref.deref(), undefined, "the stream was collected");
      assert.equal(conn.close(), 0);
    });
  });
}
