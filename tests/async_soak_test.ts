// Specifies that async calls hold up under load on both event loops: eight async callers on
// remote connections (lookups, lifecycle changes, volume work) with keepalive, event listeners
// counting against two generator processes and the callers' own cycles, sync volume transfers
// beside them — every Promise settles, nothing hangs, no event is lost or duplicated.
// 60 s per loop with SOAK=1, 15 s in CI (CI=true), 8 s otherwise (SOAK_SECONDS overrides). Each
// loop runs in a child process bounded in time, so a deadlock fails instead of hanging.
import assert from "node:assert/strict";
import { inCI } from "./helpers/daemon.ts";
import { remoteTarget } from "./helpers/daemon_or_socket.ts";
import { resultOf, spawnFixture } from "./fixtures/reliability_child.ts";

const SECONDS = Number(
  Deno.env.get("SOAK_SECONDS") ?? (Deno.env.get("SOAK") === "1" ? 60 : inCI ? 15 : 8),
);

interface Outcome {
  loop: string;
  seconds: number;
  started: number;
  settled: number;
  failedAsExpected: number;
  inFlightAtEnd: number;
  cycles: number[];
  volOps: number;
  syncCalls: number;
  generatorCycles: number[];
  expected: Record<string, number>;
  perListener: Record<string, number>[];
  eventsSeen: number;
  eventsWanted: number;
  rounds: number;
  mismatches: number;
  unexpected: string[];
  unexpectedCount: number;
  maxGapMs: number;
}

for (const loop of ["deno", "default"]) {
  Deno.test({
    name: `async soak (${loop} loop): ${SECONDS} s of async callers, events and transfers`,
    sanitizeResources: false,
    fn: async () => {
      const d = await remoteTarget("async_soak_test.ts");
      if (!d) return;
      try {
        const child = spawnFixture(
          "async_soak.ts",
          [loop, String(SECONDS), d.testUri, d.qemuUri],
          { echo: true },
        );
        const exit = await child.exit(SECONDS * 1000 + 90_000);
        assert.equal(exit.signal, null, `the soak crashed (${exit.signal})`);
        assert.equal(exit.code, 0, "the soak failed");
        const o = resultOf<Outcome>(exit.output);
        console.log(
          `  ${loop} loop, ${o.seconds} s: ${o.settled}/${o.started} async calls settled ` +
            `(${o.failedAsExpected} failed as planned), ${o.cycles.reduce((a, b) => a + b, 0)} ` +
            `lifecycle cycles, ${o.volOps} volume ops, ${o.syncCalls} sync calls beside them, ${o.eventsSeen}/${o.eventsWanted} events ` +
            `over 3 listeners (generators ${o.generatorCycles.join("+")} cycles), ${o.rounds} ` +
            `sync transfers, worst 2 ms tick gap ${o.maxGapMs} ms`,
        );
        assert.equal(o.settled, o.started, "a Promise never settled");
        assert.equal(o.inFlightAtEnd, 0);
        assert.deepEqual(o.unexpected, [], `${o.unexpectedCount} unexpected outcomes`);
        for (const [i, seen] of o.perListener.entries()) {
          assert.deepEqual(seen, o.expected, `listener ${i} lost or duplicated events`);
        }
        assert.equal(o.mismatches, 0, "bytes changed on the way");
        assert.ok(o.cycles.filter((_, i) => i % 2 === 0).every((c) => c > 0), "callers cycled");
        assert.ok(o.volOps > 0 && o.rounds > 0, "volume work and transfers happened");
        assert.ok(o.syncCalls > 0, "sync calls were made beside the async ones");
        assert.ok(o.generatorCycles.every((c) => c > 0), "the generators made events");
      } finally {
        await d.stop();
      }
    },
  });
}
