// Events through the private libvirtd, made by a second process: every one arrives, typed,
// through the remote driver and this process's DenoEventImpl.
import "./helpers/loop.ts";
import assert from "node:assert/strict";
import {
  Connection,
  DomainEventID,
  DomainEventType,
  eventCallbackCount,
  StoragePoolEventID,
} from "../mod.ts";
import { requireDaemon } from "./helpers/daemon.ts";
import { runGenerator } from "./helpers/event_generator.ts";

async function waitFor(done: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!done() && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
}

Deno.test("remote events from another process", async (t) => {
  const d = await requireDaemon("events_remote_test.ts");
  if (!d) return;
  using conn = Connection.open(d.testUri);

  await t.step("every lifecycle and refresh event made by another process arrives", async () => {
    const counts = new Map<number, number>();
    let other = 0;
    let refreshes = 0;
    const life = conn.domainEventRegisterAny(null, DomainEventID.LIFECYCLE, (_c, dom, ev) => {
      if (dom.getName() === "gen-remote") counts.set(ev.event, (counts.get(ev.event) ?? 0) + 1);
      else other++;
      dom.free();
    });
    const refresh = conn.storagePoolEventRegisterAny(null, StoragePoolEventID.REFRESH, () => {
      refreshes++;
    });
    const report = await runGenerator({
      uri: d.testUri,
      domain: "gen-remote",
      cycles: 500,
      refreshEvery: 5,
    });
    assert.equal(report.cycles, 500);
    const expected = 2 * report.cycles + 4; // + defined, first start, last stop, undefined
    const total = () => [...counts.values()].reduce((a, b) => a + b, 0);
    await waitFor(() => total() >= expected && refreshes >= report.refreshes, 15_000);
    conn.domainEventDeregisterAny(life);
    conn.storagePoolEventDeregisterAny(refresh);
    assert.equal(total(), expected, `lifecycle events: ${JSON.stringify([...counts])}`);
    assert.equal(counts.get(DomainEventType.STARTED), report.cycles + 1);
    assert.equal(counts.get(DomainEventType.STOPPED), report.cycles + 1);
    assert.equal(counts.get(DomainEventType.DEFINED), 1);
    assert.equal(counts.get(DomainEventType.UNDEFINED), 1);
    assert.equal(refreshes, report.refreshes);
    assert.equal(other, 0);
    console.log(
      `  ${expected + refreshes} remote events in ${report.elapsedMs.toFixed(0)} ms of generating`,
    );
  });

  await t.step("an iterator over a remote connection sees the other process's events", async () => {
    const ac = new AbortController();
    const events = conn.domainEvents({ id: DomainEventID.LIFECYCLE, signal: ac.signal });
    const done = runGenerator({ uri: d.testUri, domain: "gen-iter", cycles: 50 });
    let n = 0;
    const timer = setTimeout(() => ac.abort(), 15_000);
    for await (const rec of events) {
      if (rec.domain.getName() === "gen-iter") n++;
      rec.domain.free();
      if (n === 2 * 50 + 4) break;
    }
    clearTimeout(timer);
    await done;
    assert.equal(n, 104);
    assert.equal(eventCallbackCount(conn), 0);
  });

  await t.step(
    "closing the remote connection while events arrive deregisters cleanly",
    async () => {
      const victim = Connection.open(d.testUri);
      let n = 0;
      victim.domainEventRegisterAny(null, DomainEventID.LIFECYCLE, (_c, dom) => {
        n++;
        dom.free();
      });
      const done = runGenerator({ uri: d.testUri, domain: "gen-close", cycles: 300 });
      await waitFor(() => n >= 20, 10_000);
      victim.close();
      const seen = n;
      await done;
      await new Promise((r) => setTimeout(r, 100));
      assert.ok(seen >= 20);
      assert.equal(n, seen, "no event after close");
      assert.equal(eventCallbackCount(victim), 0);
    },
  );
});
