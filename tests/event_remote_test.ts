// DenoEventImpl driving remote connections to the private libvirtd: an event flood without
// deadlock, idle cost with keepalive, and keepalive noticing a daemon that stopped answering.
import { eventLoop } from "./helpers/loop.ts";
import assert from "node:assert/strict";
import process from "node:process";
import { ConnectCloseReason, Connection, DomainEventID, DomainEventType } from "../mod.ts";
import { callInt } from "../ffi/call.ts";
import { permanentCallback } from "../ffi/callbacks.ts";
import { requireDaemon } from "./helpers/daemon.ts";
import { sleep, waitFor } from "./helpers/wait.ts";

const lifecycleEvents: number[] = [];
// virConnectDomainEventCallback: (conn, dom, event, detail, opaque)
const lifecycle = permanentCallback(
  { parameters: ["pointer", "pointer", "i32", "i32", "pointer"], result: "void" } as const,
  (_c, _d, event) => void lifecycleEvents.push(event),
);

const domainXML = (name: string) =>
  `<domain type="test"><name>${name}</name><memory>65536</memory>` +
  `<os><type>hvm</type></os></domain>`;

Deno.test("DenoEventImpl with the private daemon", async (t) => {
  const d = await requireDaemon("the remote event-loop tests");
  if (!d) return;

  await t.step("500 create/destroy cycles deliver every lifecycle event", async () => {
    using conn = Connection.open(d.testUri);
    lifecycleEvents.length = 0;
    const id = callInt(
      "virConnectDomainEventRegisterAny",
      conn.handle("register"),
      null,
      DomainEventID.LIFECYCLE,
      lifecycle.pointer,
      null,
      null,
    );
    const cycles = 500;
    const t0 = performance.now();
    for (let i = 0; i < cycles; i++) {
      const dom = conn.createDomainXML(domainXML(`flood-${i}`));
      dom.destroy();
      dom.free();
      if (i % 50 === 0) await sleep(0); // let the loop read events as they come
    }
    await waitFor(() => lifecycleEvents.length >= 2 * cycles, 20_000, "every event");
    const ms = performance.now() - t0;
    console.log(`${cycles} cycles, ${lifecycleEvents.length} events in ${ms.toFixed(0)} ms`);
    assert.equal(lifecycleEvents.filter((e) => e === DomainEventType.STARTED).length, cycles);
    assert.equal(lifecycleEvents.filter((e) => e === DomainEventType.STOPPED).length, cycles);
    callInt("virConnectDomainEventDeregisterAny", conn.handle("deregister"), id);
  });

  await t.step("an idle connection with keepalive costs next to no CPU (printed)", async () => {
    using conn = Connection.open(d.testUri);
    assert.equal(conn.setKeepAlive(5, 3), 0);
    const iterations = eventLoop.iterations;
    const before = process.cpuUsage();
    const t0 = performance.now();
    await sleep(10_000);
    const used = process.cpuUsage(before);
    const cpuMs = (used.user + used.system) / 1000;
    const wall = performance.now() - t0;
    console.log(
      `idle remote connection (keepalive 5 s): ${cpuMs.toFixed(1)} ms CPU over ` +
        `${(wall / 1000).toFixed(1)} s, ${eventLoop.iterations - iterations} loop iterations`,
    );
    assert.ok(conn.isAlive());
    assert.ok(cpuMs < 1000, `far from a busy loop: ${cpuMs} ms CPU`);
  });

  await t.step("keepalive closes a connection whose daemon stopped answering", async () => {
    const conn = Connection.open(d.testUri);
    const closed = Promise.withResolvers<number>();
    conn.registerCloseCallback((_c, reason) => closed.resolve(reason));
    assert.equal(conn.setKeepAlive(1, 2), 0);
    d.signal("SIGSTOP");
    const t0 = performance.now();
    try {
      const reason = await Promise.race([
        closed.promise,
        sleep(15_000).then(() => -1),
      ]);
      console.log(
        `close callback after ${(performance.now() - t0).toFixed(0)} ms, reason ${reason}`,
      );
      assert.equal(reason, ConnectCloseReason.KEEPALIVE);
      assert.equal(conn.isAlive(), false);
    } finally {
      d.signal("SIGCONT");
      // Connection.close() unregisters the close callback first, which fails on a dead remote
      // connection ("client socket is closed") and would keep close() from freeing it:
      // unregister separately (it forgets the registration even when libvirt refuses).
      try {
        conn.unregisterCloseCallback();
      } catch { /* the connection is dead */ }
      conn.close();
    }
    // The daemon answers again for whoever comes next.
    using again = Connection.open(d.testUri);
    assert.ok(again.getHostname().length > 0);
  });
});
