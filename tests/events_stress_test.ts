// Stress: another process floods the private libvirtd with lifecycle events for 20+ seconds
// while this process keeps making API calls on the same connection. Nothing hangs, nothing is
// lost (the count matches the generator's), and the rate is reported.
import "./helpers/loop.ts";
import assert from "node:assert/strict";
import { Connection, DomainEventID, eventCallbackCount } from "../mod.ts";
import { requireDaemon } from "./helpers/daemon.ts";
import { runGenerator } from "./helpers/event_generator.ts";

const SECONDS = Number(Deno.env.get("EVENTS_STRESS_SECONDS") ?? 22);

Deno.test({
  name: "event flood from another process during API calls",
  sanitizeOps: false,
  fn: async () => {
    const d = await requireDaemon("events_stress_test.ts");
    if (!d) return;
    using conn = Connection.open(d.testUri);
    let received = 0;
    let firstAt = 0;
    let lastAt = 0;
    const id = conn.domainEventRegisterAny(null, DomainEventID.LIFECYCLE, (_c, dom) => {
      // The name is a round trip to the daemon from inside the callback, on purpose.
      if (dom.getName() === "gen-stress") {
        if (received++ === 0) firstAt = performance.now();
        lastAt = performance.now();
      }
      dom.free();
    });

    const generating = runGenerator({ uri: d.testUri, domain: "gen-stress", seconds: SECONDS });
    let finished = false;
    generating.finally(() => (finished = true));

    // API calls on the JS thread, as a busy application would make, yielding to the loop now
    // and then (events are dispatched only between them).
    let calls = 0;
    const test = conn.lookupDomainByName("test");
    while (!finished) {
      for (let i = 0; i < 20; i++) {
        conn.listAllDomains().forEach((dom) => dom.free());
        test.getInfo();
        test.getXMLDesc();
        conn.getHostname();
        calls += 4;
      }
      await new Promise((r) => setTimeout(r, 0));
    }
    const report = await generating;
    const expected = 2 * report.cycles + 4;
    const deadline = Date.now() + 30_000;
    while (received < expected && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    await new Promise((r) => setTimeout(r, 100)); // anything beyond the count would show now
    conn.domainEventDeregisterAny(id);
    assert.equal(eventCallbackCount(conn), 0);

    const seconds = (lastAt - firstAt) / 1000;
    console.log(
      `  generator: ${report.cycles} cycles in ${(report.elapsedMs / 1000).toFixed(1)} s; ` +
        `received ${received}/${expected} events over ${seconds.toFixed(1)} s ` +
        `(${(received / seconds).toFixed(0)} events/s) while making ${calls} API calls`,
    );
    assert.ok(report.elapsedMs >= (SECONDS - 1) * 1000, "the flood lasted long enough");
    assert.equal(received, expected, "every event arrived, none twice");
  },
});
