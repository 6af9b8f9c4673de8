// Specifies screenshots of a real QEMU guest (VGA, text mode after the BIOS): a valid image of
// the MIME type libvirt reports, read through each path (blocking recv, recvAll, readable).
import "./helpers/loop.ts";
import assert from "node:assert/strict";
import { Connection, Stream } from "../mod.ts";
import { GUEST_BANNER } from "./fixtures/bootsector.ts";
import { requireGuestHost, startGuest } from "./helpers/guest.ts";
import { GuestConsole } from "./helpers/guest_console.ts";

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) (out.set(p, off), off += p.length);
  return out;
}

/** Checks the image's magic bytes against its MIME type; returns its width and height. */
function checkImage(mime: string, image: Uint8Array): { width: number; height: number } {
  const view = new DataView(image.buffer, image.byteOffset, image.byteLength);
  if (mime === "image/png") {
    assert.deepEqual([...image.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    assert.equal(new TextDecoder().decode(image.subarray(12, 16)), "IHDR");
    const tail = new TextDecoder().decode(image.subarray(image.length - 8, image.length - 4));
    assert.equal(tail, "IEND", "the PNG is complete");
    return { width: view.getUint32(16), height: view.getUint32(20) };
  }
  if (mime === "image/x-portable-pixmap") {
    // "P6\n<width> <height>\n<max>\n" then width*height*3 bytes.
    const head = new TextDecoder().decode(image.subarray(0, 32));
    const m = head.match(/^P6\s+(\d+)\s+(\d+)\s+(\d+)\s/);
    assert.ok(m, `not a binary PPM: ${JSON.stringify(head)}`);
    const [width, height] = [Number(m[1]), Number(m[2])];
    assert.equal(image.length, m[0].length + width * height * 3, "the PPM is complete");
    return { width, height };
  }
  throw new Error(`Unexpected screenshot MIME type ${mime}`);
}

Deno.test("screenshots of a real QEMU guest", async (t) => {
  const host = await requireGuestHost("guest_screenshot_test.ts");
  if (!host) return;
  using conn = Connection.open(host.uri);
  const g = startGuest(conn, { paused: true });
  try {
    // Booted past the BIOS, so the screen holds the BIOS's text.
    const con = GuestConsole.open(g.dom);
    g.dom.resume();
    await con.waitFor(GUEST_BANNER);
    await con.close();
    // The text-mode cursor blinks, so two screenshots may differ in a few pixels: each one is
    // checked on its own, and all have the first one's size.
    let size = { width: 0, height: 0 };
    let type = "";

    await t.step("blocking recv loop: a complete image of the reported type", () => {
      using st = new Stream(conn);
      type = g.dom.screenshot(st, 0);
      const parts: Uint8Array[] = [];
      const buf = new Uint8Array(64 * 1024);
      for (let n; (n = st.recv(buf)) > 0;) parts.push(buf.slice(0, n));
      st.finish();
      const image = concat(parts);
      size = checkImage(type, image);
      console.log(`  ${type}, ${size.width}x${size.height}, ${image.length} bytes`);
      // VGA text mode 80x25 with 9x16 cells (720x400), or 640x480 graphics.
      assert.ok(size.width >= 640 && size.height >= 400, `${size.width}x${size.height}`);
    });

    await t.step("recvAll on a non-blocking stream: the same image", async () => {
      using st = new Stream(conn, Stream.NONBLOCK);
      assert.equal(g.dom.screenshot(st, 0), type);
      const parts: Uint8Array[] = [];
      await st.recvAll((_s, data) => void parts.push(data.slice()));
      assert.equal(st.state, "finished");
      assert.deepEqual(checkImage(type, concat(parts)), size);
    });

    await t.step("readable (Web Streams): the same image", async () => {
      using st = new Stream(conn, Stream.NONBLOCK);
      assert.equal(g.dom.screenshot(st, 0), type);
      const image = await new Response(st.readable).bytes();
      assert.deepEqual(checkImage(type, image), size);
    });

    await t.step(
      "screen 1 does not exist: a LibvirtError",
      () => {
        using st = new Stream(conn);
        assert.throws(() => g.dom.screenshot(st, 1), /screen|invalid|not/i);
      },
    );
  } finally {
    g.remove(conn);
  }
});
