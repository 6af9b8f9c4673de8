// Specifies the FinalizationRegistry backstops: connections and streams dropped in the middle of
// their use (close and event callbacks registered, an iterator waiting, streams with ready(),
// recvAll, readable or addCallback in progress) are collected, and with them go libvirt's
// registrations and the fds (sockets to the daemon, fd streams' pipes). Runs the fixture under
// `--v8-flags=--expose-gc` in child processes, on test:///default and the private libvirtd, on
// DenoEventImpl and libvirt's default loop.
import assert from "node:assert/strict";
import { requireDaemon } from "./helpers/daemon.ts";
import { resultOf, spawnFixture } from "./fixtures/reliability_child.ts";

interface Row {
  name: string;
  fdsBefore: number;
  fdsDuring: number;
  fdsAfter: number;
  fdsNew: string[];
  created: number;
  collected: number;
  liveStreamCallbacks: number;
  liveCloseWatches: number;
  eventRegistrations: number;
  openWebStreams: number;
}

// A process opens a few fds of libvirt's for good the first time some paths run (a socket pair
// was seen once per process, at varying points); a leak grows with the objects dropped (10 per
// scenario, 20 fds for 10 screenshot streams).
const ONE_TIME_FDS = 2;

async function dropAndCollect(uri: string, loop: "deno" | "default"): Promise<Row[]> {
  const child = spawnFixture("reliability_gc.ts", [uri, loop], {
    denoFlags: ["--v8-flags=--expose-gc"],
  });
  const exit = await child.exit(120_000);
  assert.equal(exit.signal, null, `the child died of ${exit.signal}:\n${exit.output}`);
  assert.equal(exit.code, 0, `the child failed:\n${exit.output}`);
  const rows = resultOf<Row[]>(exit.output);
  let grown = 0;
  for (const r of rows) {
    console.log(
      `  ${loop}: ${r.name}: fds ${r.fdsBefore} → ${r.fdsDuring} → ${r.fdsAfter}, ` +
        `wrappers collected ${r.collected}/${r.created}`,
    );
    const what = `${uri} ${loop}: ${r.name}`;
    assert.equal(r.collected, r.created, `${what}: every dropped wrapper is collected`);
    assert.equal(r.liveStreamCallbacks, 0, `${what}: no stream callback left`);
    assert.equal(r.liveCloseWatches, 0, `${what}: no close callback left`);
    assert.equal(r.eventRegistrations, rows[0].eventRegistrations, `${what}: no event left`);
    // A Web stream dropped before its end no longer keeps DenoEventImpl from holding.
    assert.equal(r.openWebStreams, 0, `${what}: no Web stream counted open`);
    grown += Math.max(0, r.fdsAfter - r.fdsBefore);
    assert.ok(grown <= ONE_TIME_FDS, `${what}: fds back at the baseline (${r.fdsNew})`);
  }
  return rows;
}

Deno.test({
  name: "dropped connections and streams are collected with their registrations and fds",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async (t) => {
    for (const loop of ["deno", "default"] as const) {
      await t.step(`test:///default, ${loop} loop`, async () => {
        await dropAndCollect("test:///default", loop);
      });
    }
    const d = await requireDaemon("reliability_gc_test.ts (remote part)");
    if (!d) return;
    try {
      for (const loop of ["deno", "default"] as const) {
        await t.step(`the private libvirtd (a socket per connection), ${loop} loop`, async () => {
          await dropAndCollect(d.testUri, loop);
        });
      }
    } finally {
      await d.stop();
    }
  },
});
