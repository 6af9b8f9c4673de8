// Specifies consoles on a real QEMU guest (the boot-sector guest echoes COM1): blocking and
// non-blocking round trips, Web Streams, FORCE takeover, and a guest destroyed under a console.
import { eventLoop } from "./helpers/loop.ts";
import assert from "node:assert/strict";
import {
  Connection,
  DomainConsoleFlags,
  DomainEventID,
  ErrorNumber,
  LibvirtError,
  Stream,
} from "../mod.ts";
import { QUIET_MS } from "../event/hold.ts";
import { runGenerator } from "./helpers/event_generator.ts";
import { waitFor } from "./helpers/wait.ts";
import { GUEST_BANNER } from "./fixtures/bootsector.ts";
import { requireGuestHost, startGuest } from "./helpers/guest.ts";
import { type ConsoleEnd, GuestConsole } from "./helpers/guest_console.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

/** `p`, or a rejection after `ms`: a step fails instead of hanging. */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: nothing after ${ms} ms`)), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

function describeEnd(end: ConsoleEnd | "hang"): string {
  if (end === "hang") return "hung";
  return end.how === "end" ? "ended" : `failed: ${end.error.message}`;
}

/** Letters only: the guest acts on some control bytes. */
function letters(n: number, seed = 7): string {
  let s = "";
  for (let i = 0; i < n; i++) s += String.fromCharCode(97 + (i * seed + (i >> 5)) % 26);
  return s;
}

Deno.test("consoles on a real QEMU guest", async (t) => {
  const host = await requireGuestHost("guest_console_test.ts");
  if (!host) return;
  using conn = Connection.open(host.uri);
  // Started paused, so the banner cannot be printed before a console listens.
  const g = startGuest(conn, { paused: true });
  try {
    await t.step("non-blocking: the banner, then every byte written comes back", async () => {
      const con = GuestConsole.open(g.dom);
      try {
        g.dom.resume();
        const afterBanner = await con.waitFor(GUEST_BANNER);
        await con.write("hello, guest");
        await con.waitFor("hello, guest", 10_000, afterBanner);
      } finally {
        await con.close();
      }
    });

    await t.step("blocking: send() then recv() until the echo is complete", () => {
      using st = new Stream(conn);
      g.dom.openConsole(null, st);
      const msg = enc.encode("blocking round trip");
      let sent = 0;
      while (sent < msg.length) sent += st.send(msg.subarray(sent));
      const buf = new Uint8Array(256);
      let got = "";
      while (!got.includes("blocking round trip")) {
        const n = st.recv(buf);
        assert.ok(n > 0, `recv returned ${n} before the echo was complete`);
        got += dec.decode(buf.subarray(0, n));
      }
      st.abort();
    });

    await t.step("Web Streams over openConsoleAsync: 32 KiB piped in come back", async () => {
      using st = new Stream(conn, Stream.NONBLOCK);
      await g.dom.openConsoleAsync(null, st);
      const data = letters(32 * 1024);
      const chunks = data.match(/.{1,1000}/gs)!.map((c) => enc.encode(c));
      const source = ReadableStream.from(chunks);
      const piping = source.pipeTo(st.writable, { preventClose: true });
      let got = "";
      const reader = st.readable.getReader();
      while (got.length < data.length) {
        const { value, done } = await within(reader.read(), 10_000, `after ${got.length} bytes`);
        assert.ok(!done, `the console ended after ${got.length} bytes`);
        got += dec.decode(value);
      }
      await within(piping, 10_000, "the pipe");
      assert.equal(got, data);
      await reader.cancel(); // aborts the stream
      assert.equal(st.state, "aborted");
    });

    await t.step("a second console without FORCE is refused while one is open", async () => {
      const first = GuestConsole.open(g.dom);
      try {
        using st = new Stream(conn, Stream.NONBLOCK);
        assert.throws(() => g.dom.openConsole(null, st), LibvirtError);
      } finally {
        await first.close();
      }
    });

    await t.step("FORCE takes the console over: the first client's stream ends", async () => {
      const first = GuestConsole.open(g.dom);
      await first.write("one");
      await first.waitFor("one");
      const second = GuestConsole.open(g.dom, DomainConsoleFlags.FORCE);
      try {
        const end = await Promise.race([
          first.ended,
          new Promise<"hang">((r) => setTimeout(() => r("hang"), 10_000)),
        ]);
        assert.notEqual(end, "hang", "the first console neither ended nor failed");
        if (end !== "hang" && end.how === "error") {
          assert.match(end.error.message, /\S/, "the error says something");
        }
        await second.write("two");
        await second.waitFor("two");
        assert.ok(!first.text.includes("two"), "the first client no longer receives");
        console.log(`  the first console ${describeEnd(end)}`);
      } finally {
        await second.close();
        await first.close();
      }
    });

    await t.step("an event flood beside an open, quiet console is batched", async () => {
      // A console stays open for as long as its guest runs, its reader waiting for output. That
      // must not cost the loop its batching of events on other connections (event/hold.ts).
      const con = GuestConsole.open(g.dom);
      using events = Connection.open(host.daemon.testUri);
      let got = 0;
      const id = events.domainEventRegisterAny(null, DomainEventID.LIFECYCLE, (_c, dom) => {
        got++;
        dom.free();
      });
      try {
        await con.write("before");
        await con.waitFor("before");
        await new Promise((r) => setTimeout(r, QUIET_MS));
        const gathered = eventLoop.coalescedWaits;
        const drained = eventLoop.drainedPasses;
        const report = await runGenerator({
          uri: host.daemon.testUri,
          domain: "gen-con",
          cycles: 300,
        });
        await waitFor(() => got >= 2 * report.cycles + 4, 15_000, "every lifecycle event");
        const c = eventLoop.coalescedWaits - gathered;
        const d = eventLoop.drainedPasses - drained;
        console.log(`  ${got} events beside the console: ${c} batches gathered, ${d} extra passes`);
        assert.equal(got, 2 * report.cycles + 4);
        assert.ok(c > 0 && d > 0, `the flood was batched (${c} gathered, ${d} drained)`);
        // And the console still answers at once.
        await con.write("after");
        await con.waitFor("after");
      } finally {
        events.domainEventDeregisterAny(id);
        await con.close();
      }
    });

    await t.step("destroying the guest under an open console ends the stream", async () => {
      const con = GuestConsole.open(g.dom);
      await con.write("bye");
      await con.waitFor("bye");
      g.dom.destroy();
      const end = await Promise.race([
        con.ended,
        new Promise<"hang">((r) => setTimeout(() => r("hang"), 10_000)),
      ]);
      assert.notEqual(end, "hang", "the console neither ended nor failed");
      await con.close();
      // The loop goes on: timers fire and libvirt answers.
      await new Promise((r) => setTimeout(r, 20));
      // A transient guest is gone once destroyed.
      assert.throws(
        () => g.dom.isActive(),
        (e) => e instanceof LibvirtError && e.code === ErrorNumber.NO_DOMAIN,
      );
      assert.ok(conn.isAlive());
      console.log(`  the console ${describeEnd(end)}`);
    });
  } finally {
    g.remove(conn);
  }
});
