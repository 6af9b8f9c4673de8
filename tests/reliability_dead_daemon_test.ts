// Specifies what a dead daemon does to a client: SIGKILL the private libvirtd in the middle of
// a volume download, of an upload and while events are listened to. The stream call rejects
// with a LibvirtError, close callbacks report EOF, no call hangs (every wait is bounded), the
// child process that did the transfer ends by itself with status 0, and once the daemon is
// restarted a new connection in this same process works.
import { eventLoop } from "./helpers/loop.ts";
import assert from "node:assert/strict";
import {
  type CloseReason,
  ConnectCloseReason,
  Connection,
  DomainEventID,
  LibvirtError,
} from "../mod.ts";
import { type Daemon, requireDaemon } from "./helpers/daemon.ts";
import { resultOf, spawnFixture, until, within } from "./fixtures/reliability_child.ts";

interface Outcome {
  scenario: string;
  error: { isLibvirtError: boolean; code: number; message: string; name: string } | null;
  reasons: CloseReason[];
  aliveAfter: boolean;
  bytes?: number;
  paused?: boolean;
  streamState?: string;
  later?: string;
  liveStreamCallbacks?: number;
  seen?: number;
  iteratorDone?: boolean;
  iteratorLost?: boolean;
  ms?: number;
  /** How many loop runs the relay's Worker hosted (DefaultEventLoop only). */
  hosted?: number;
}

/** A connection of this process that listens for events while the daemon dies. */
function listen(uri: string) {
  const conn = Connection.open(uri);
  conn.setKeepAlive(5, 3);
  const reasons: CloseReason[] = [];
  conn.registerCloseCallback((_c, r) => void reasons.push(r));
  let events = 0;
  conn.domainEventRegisterAny(null, DomainEventID.LIFECYCLE, (_c, dom) => {
    events++;
    dom.free();
  });
  return { conn, reasons, events: () => events };
}

/**
 * Runs one scenario: the child starts it and prints READY, we SIGKILL the daemon and tell the
 * child, the child checks its side and must exit by itself. Returns what the child saw.
 */
async function killDuring(
  d: Daemon,
  scenario: string,
  uri: string,
  loop: "deno" | "default" = "deno",
): Promise<Outcome> {
  const child = spawnFixture("reliability_dead_daemon.ts", [scenario, uri, loop]);
  try {
    await child.line(/^READY$/, 60_000);
    if (scenario === "waiting") {
      d.signal("SIGSTOP");
      await child.send("STOPPED");
      await child.line(/^WAITING$/, 30_000);
    }
    d.signal("SIGKILL");
    const status = await within(d.exited(), 10_000, "the daemon's death");
    assert.equal(status.signal, "SIGKILL");
    await child.send("KILLED");
    const exit = await child.exit(60_000);
    assert.equal(exit.signal, null, `the child died of ${exit.signal}:\n${exit.output}`);
    assert.equal(exit.code, 0, `the child failed:\n${exit.output}`);
    const outcome = resultOf<Outcome>(exit.output);
    console.log(`  ${scenario}: ${JSON.stringify(outcome)}; child exited after ${exit.ms | 0} ms`);
    return outcome;
  } finally {
    child.kill();
  }
}

/** After the kill: this process's listener was told, its calls fail; restart; reconnect. */
async function checkListenerAndRestart(
  d: Daemon,
  listener: ReturnType<typeof listen>,
): Promise<void> {
  await until(() => listener.reasons.length > 0, 10_000, "this process's close callback");
  assert.deepEqual(listener.reasons, [ConnectCloseReason.EOF]);
  assert.equal(listener.conn.isAlive(), false);
  assert.throws(() => listener.conn.getHostname(), LibvirtError);
  listener.conn.close();
  await d.restart();
  using fresh = Connection.open(d.testUri);
  assert.equal(fresh.isAlive(), true);
  assert.ok(fresh.listAllDomains().length >= 1);
  assert.match(fresh.getHostname(), /\S/);
}

function assertTransferBroke(o: Outcome, what: string): void {
  assert.ok(o.paused, `${what} reached the middle before the kill`);
  assert.ok(o.error, `${what} did not fail`);
  assert.equal(o.error.isLibvirtError, true, `${what} failed with ${o.error.name}`);
  assert.match(
    o.error.message,
    /socket is closed|broken pipe|end of file|connection/i,
    "the message says the connection is gone",
  );
  assert.ok((o.bytes ?? 0) < 2 * 1024 ** 3, `${what} stopped before the end`);
  assert.equal(o.streamState, "aborted");
  assert.match(o.later ?? "", /^Cannot recv: this Stream was aborted$/);
  assert.equal(o.liveStreamCallbacks, 0, "the stream's callback registration is gone");
  // EOF when libvirt read the hangup first, ERROR when a write hit the closed socket first.
  assert.equal(o.reasons.length, 1, `close reasons ${o.reasons}`);
  assert.ok(
    [ConnectCloseReason.EOF, ConnectCloseReason.ERROR].includes(o.reasons[0] as 0 | 1),
    `close reason ${o.reasons}`,
  );
  assert.equal(o.aliveAfter, false);
}

Deno.test({
  name: "a daemon killed with SIGKILL: calls fail, callbacks report it, a restart recovers",
  // The daemon's death leaves libvirt's socket watch to be removed by our loop; not a leak.
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async (t) => {
    const d = await requireDaemon("reliability_dead_daemon_test.ts");
    if (!d) return;
    try {
      // Each step leaves a running daemon behind, whatever failed in it.
      const step = (name: string, fn: () => Promise<void>) =>
        t.step(name, async () => {
          try {
            await fn();
          } finally {
            if (!d.running) await d.restart();
          }
        });

      await step("in the middle of a volume download", async () => {
        const listener = listen(d.testUri);
        const o = await killDuring(d, "download", d.qemuUri);
        assertTransferBroke(o, "the download");
        await checkListenerAndRestart(d, listener);
      });

      await step("in the middle of a download read as a Web ReadableStream", async () => {
        const listener = listen(d.testUri);
        const o = await killDuring(d, "webdownload", d.qemuUri);
        assertTransferBroke(o, "the Web Streams download");
        await checkListenerAndRestart(d, listener);
      });

      await step("while a download waits in ready() for data that never comes", async () => {
        const listener = listen(d.testUri);
        const o = await killDuring(d, "waiting", d.qemuUri);
        assertTransferBroke(o, "the waiting download");
        // The pump notices the dead connection within its 500 ms liveness check.
        assert.ok(o.ms! < 5000, `settled after ${o.ms} ms`);
        await checkListenerAndRestart(d, listener);
      });

      await step("in the middle of a volume upload", async () => {
        const listener = listen(d.testUri);
        const o = await killDuring(d, "upload", d.qemuUri);
        assertTransferBroke(o, "the upload");
        await checkListenerAndRestart(d, listener);
      });

      for (const loop of ["deno", "default"] as const) {
        const where = loop === "deno" ? "" : ", under DefaultEventLoop (on the relay's Worker)";
        await step(`while events are listened to (callbacks and an iterator)${where}`, async () => {
          const listener = listen(d.testUri);
          const o = await killDuring(d, "events", d.testUri, loop);
          if (loop === "default") assert.equal(o.hosted, 1, "the loop ran on the Worker");
          assert.ok((o.seen ?? 0) >= 1, "the listener worked before the kill");
          assert.ok(o.error?.isLibvirtError, `a call on the dead connection: ${o.error?.message}`);
          assert.ok(o.reasons.includes(ConnectCloseReason.EOF), `close reasons ${o.reasons}`);
          assert.equal(o.iteratorDone, true, "the pending iterator ended");
          assert.equal(o.iteratorLost, true, "with a LibvirtError saying the connection was lost");
          await checkListenerAndRestart(d, listener);
        });
      }

      await step("in the middle of a volume download, under DefaultEventLoop", async () => {
        const listener = listen(d.testUri);
        const o = await killDuring(d, "download", d.qemuUri, "default");
        assert.equal(o.hosted, 1, "the loop ran on the Worker");
        assertTransferBroke(o, "the download");
        await checkListenerAndRestart(d, listener);
      });

      await t.step(
        "this process's loop is idle again: nothing of the dead daemon is watched",
        async () => {
          // Every connection to the old daemons is closed: libvirt removed their socket watches
          // and keepalive timers, and every free callback ran.
          await until(() => eventLoop.pendingFrees === 0, 5_000, "the deferred frees");
          await until(() => !eventLoop.running, 5_000, "the loop winding down");
        },
      );
    } finally {
      await d.stop();
    }
  },
});
