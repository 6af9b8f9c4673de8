// Specifies that misuse never crashes and always explains itself: the corpus in
// tests/fixtures/reliability_misuse.ts calls every public method of every exported class (found
// by reflection, so new methods are covered without a change here) with wrong types, bad
// numbers and odd strings, on released objects, finished and aborted streams and after
// close(), in wrong contexts and from inside callbacks. It runs in a child process, so a
// segfault or a hang fails this test; tests/misuse_test.ts holds the hand-written object cases.
import assert from "node:assert/strict";
import { requireDaemon } from "./helpers/daemon.ts";
import { resultOf, spawnFixture } from "./fixtures/reliability_child.ts";

interface Counts {
  cases: number;
  failed: number;
  methods: number;
  wrongType: number;
  oddString: number;
  oddStringAccepted: number;
  released: number;
  context: number;
  nested: number;
  byError: Record<string, number>;
  secretCovered: boolean;
}

Deno.test({
  name: "the misuse corpus: every public method, every bad argument, a useful Error each",
  sanitizeResources: false,
  fn: async () => {
    // The private daemon's qemu driver has secrets, which test:///default lacks.
    const d = await requireDaemon("the Secret part of the misuse corpus");
    try {
      const child = spawnFixture("reliability_misuse.ts", d ? [d.qemuUri] : []);
      const exit = await child.exit(300_000);
      const failures = exit.output.split("\n").filter((l) => l.startsWith("FAIL "));
      assert.equal(exit.signal, null, `the corpus crashed (${exit.signal}):\n${exit.output}`);
      const counts = resultOf<Counts>(exit.output);
      console.log(
        `  ${counts.cases} cases over ${counts.methods} methods: ${counts.wrongType} wrong ` +
          `arguments, ${counts.oddString} odd strings (${counts.oddStringAccepted} accepted), ` +
          `${counts.released} calls on released objects, ${counts.context} wrong contexts, ` +
          `${counts.nested} nested scenarios; errors ${JSON.stringify(counts.byError)}; ` +
          `${exit.ms | 0} ms`,
      );
      assert.deepEqual(failures, [], `${failures.length} cases failed`);
      assert.equal(exit.code, 0, exit.output);
      assert.ok(counts.cases > 2000, `only ${counts.cases} cases ran`);
      if (d) assert.equal(counts.secretCovered, true);
    } finally {
      await d?.stop();
    }
  },
});
