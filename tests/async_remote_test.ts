// Specifies the async forms on remote connections (the private libvirtd's test driver), once with
// DenoEventImpl and once with libvirt's default loop, each in a child process bounded in time:
// the sync-call guard, errors of concurrent calls, order, events of our own async changes, close
// during calls, failing async opens, and a loop that lets the process end afterwards.
import assert from "node:assert/strict";
import { remoteTarget } from "./helpers/daemon_or_socket.ts";
import { resultOf, spawnFixture } from "./fixtures/reliability_child.ts";

interface Outcome {
  loop: string;
  syncWhileInFlight: string;
  localGetterWhileInFlight: string;
  syncAfterSettled: boolean;
  otherConnectionWhileInFlight: boolean;
  errors: { failures: number; successes: number; wrong: string[] };
  orderedCalls: number;
  orderedCallsMade: number;
  ownEvents: { seen: number; want: number };
  closeDuringFlight: { closedAtOnce: boolean; settled: string[]; inFlight: number };
  openFailures: string[];
  openedWhileBusy: { syncCalls: number; cycles: number; events: number; want: number };
  loopStopped?: boolean;
  inFlightAtEnd: number;
}

for (const loop of ["deno", "default"]) {
  Deno.test({
    name: `async calls on remote connections (${loop} loop)`,
    sanitizeResources: false,
    fn: async (t) => {
      const d = await remoteTarget("async_remote_test.ts");
      if (!d) return;
      let o: Outcome;
      try {
        const child = spawnFixture("async_remote.ts", [loop, d.testUri], { echo: false });
        const exit = await child.exit(120_000);
        assert.equal(exit.signal, null, `the child crashed (${exit.signal}):\n${exit.output}`);
        assert.equal(exit.code, 0, `the child failed:\n${exit.output}`);
        o = resultOf<Outcome>(exit.output);
      } finally {
        await d.stop();
      }
      await t.step("a sync call on a connection with an async call in flight", () => {
        if (loop === "deno") {
          // It could deadlock with a TypeScript loop: a clear Error instead.
          assert.match(o.syncWhileInFlight, /async call is in flight on this connection/);
        } else {
          assert.equal(o.syncWhileInFlight, "allowed"); // libvirt's loop never waits for JS
        }
        assert.equal(o.localGetterWhileInFlight, "test"); // process-local getters always work
        assert.equal(o.syncAfterSettled, true);
        assert.equal(o.otherConnectionWhileInFlight, true);
      });
      await t.step("concurrent calls on four connections each get their own outcome", () => {
        assert.deepEqual(o.errors, { failures: 120, successes: 40, wrong: [] });
      });
      await t.step("calls on one connection run in the order made, events arrive", () => {
        assert.equal(o.orderedCalls, o.orderedCallsMade);
        assert.equal(o.ownEvents.seen, o.ownEvents.want);
      });
      await t.step("close() during calls: released at once, the calls complete", () => {
        assert.deepEqual(o.closeDuringFlight, {
          closedAtOnce: true,
          settled: ["fulfilled", "fulfilled", "fulfilled", "fulfilled"],
          inFlight: 0,
        });
      });
      await t.step("failing async opens reject with their own error", () => {
        assert.equal(o.openFailures[1], "opened");
        for (const i of [0, 2]) assert.match(o.openFailures[i], /LibvirtError: .*async-sock/);
      });
      await t.step("a connection opened async while another is busy takes sync calls", () => {
        const w = o.openedWhileBusy;
        assert.ok(w.syncCalls > 0 && w.cycles > 0, JSON.stringify(w));
        assert.equal(w.events, w.want, "its listener lost or duplicated events");
      });
      await t.step("nothing is left in flight; the loop stops by itself", () => {
        assert.equal(o.inFlightAtEnd, 0);
        if (loop === "deno") assert.equal(o.loopStopped, true);
      });
    },
  });
}
