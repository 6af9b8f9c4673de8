// Specifies that load does not deadlock or lose anything: several connections to the private
// libvirtd at once, lifecycle events flooded by two generator processes onto three listening
// connections, volumes moved both ways on two more, for 60 s in CI (CI=true) or with SOAK=1
// (`deno task soak`), 10 s otherwise. It runs in a child process bounded in time, so a
// deadlock (the JS thread stuck inside libvirt) fails the test instead of hanging it.
import assert from "node:assert/strict";
import { inCI, requireDaemon } from "./helpers/daemon.ts";
import { resultOf, spawnFixture } from "./fixtures/reliability_child.ts";

const SECONDS = Number(
  Deno.env.get("SOAK_SECONDS") ?? (inCI || Deno.env.get("SOAK") === "1" ? 60 : 10),
);

interface Outcome {
  seconds: number;
  generatorCycles: number[];
  expected: Record<string, number>;
  perListener: Record<string, number>[];
  eventsSeen: number;
  eventsWanted: number;
  apiCalls: number;
  rounds: number;
  MiB: number;
  mismatches: number;
  streamCallbacks: number;
}

Deno.test({
  name: `soak: ${SECONDS} s of events, transfers and calls on several connections`,
  sanitizeResources: false,
  fn: async () => {
    const d = await requireDaemon("reliability_soak_test.ts");
    if (!d) return;
    try {
      const child = spawnFixture(
        "reliability_soak.ts",
        [String(SECONDS), d.testUri, d.qemuUri],
        { echo: true },
      );
      // Generous room for the last events and the teardown, but bounded: a deadlock fails.
      const exit = await child.exit(SECONDS * 1000 + 90_000);
      assert.equal(exit.signal, null, `the soak crashed (${exit.signal})`);
      assert.equal(exit.code, 0, "the soak failed");
      const o = resultOf<Outcome>(exit.output);
      const progress = exit.output.split("\n").filter((l) => l.startsWith("PROGRESS")).length;
      console.log(
        `  ${o.seconds} s: ${o.eventsSeen}/${o.eventsWanted} events over 3 listeners ` +
          `(generators ${o.generatorCycles.join("+")} cycles), ${o.rounds} volume round trips ` +
          `(${o.MiB} MiB), ${o.mismatches} mismatches, ${o.apiCalls} API calls`,
      );
      assert.ok(progress >= Math.floor(SECONDS / 5) - 1, `only ${progress} progress reports`);
      for (const [i, seen] of o.perListener.entries()) {
        assert.deepEqual(seen, o.expected, `listener ${i} lost or duplicated events`);
      }
      assert.equal(o.mismatches, 0, "bytes changed on the way");
      assert.ok(o.rounds >= 2, `only ${o.rounds} round trips`);
      assert.ok(o.generatorCycles.every((c) => c > 0), "the generators made events");
      assert.equal(o.streamCallbacks, 0);
    } finally {
      await d.stop();
    }
  },
});
