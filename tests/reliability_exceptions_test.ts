// Specifies that exceptions thrown by user code never break the loop or leak a stream: a
// throwing event callback, handle or timer callback, stream callback, recvAll handler, Web
// Stream consumer, event iterator consumer or logger is reported (never swallowed silently),
// the loop keeps dispatching, the stream ends aborted with its registration gone, and later
// operations work. The same with libvirt's default loop runs in a child process.
import { eventLoop } from "./helpers/loop.ts";
import assert from "node:assert/strict";
import { Connection, DomainEventID, Event, eventCallbackCount, setLogger, Stream } from "../mod.ts";
import { liveCallbackCount } from "../event/api.ts";
import { liveStreamCallbacks } from "../stream/callbacks.ts";
import { libc } from "../ffi/libc.ts";
import { resultOf, spawnFixture, until } from "./fixtures/reliability_child.ts";
import { screenshotStream } from "./helpers/stream_transfers.ts";

/** Counts what the module reports as uncaught callback errors (and keeps the output quiet). */
function captureReports(): { count: () => number; restore: () => void } {
  const original = console.error;
  let n = 0;
  console.error = (...args: unknown[]) => {
    if (String(args[0]).includes("uncaught error in")) n++;
    else original(...args);
  };
  return { count: () => n, restore: () => (console.error = original) };
}

let domains = 0;
function cycleDomain(conn: Connection): void {
  const dom = conn.createDomainXML(
    `<domain type='test'><name>throw-${++domains}</name><memory>65536</memory>` +
      `<os><type>hvm</type></os></domain>`,
  );
  dom.destroy();
}

/** The loop still dispatches: a fresh 0 ms timer fires. */
async function loopAlive(): Promise<void> {
  let fired = false;
  const t = Event.addTimeout(0, () => void (fired = true));
  try {
    await until(() => fired, 5000, "a timer after the exception");
  } finally {
    Event.removeTimeout(t);
  }
}

/** The stream is no longer active: aborted, or finished when its end had been read already. */
function assertEnded(st: Stream): void {
  assert.ok(["aborted", "finished"].includes(st.state), `the stream is ${st.state}`);
}

/** A new transfer on the same connection works from start to end. */
async function streamsStillWork(conn: Connection): Promise<void> {
  using st = screenshotStream(conn, Stream.NONBLOCK);
  let bytes = 0;
  await st.recvAll((_s, d) => void (bytes += d.length));
  assert.ok(bytes > 0);
  assert.equal(st.state, "finished");
}

Deno.test({
  name: "exceptions in user code never break the loop or leak a stream",
  sanitizeOps: false,
  fn: async (t) => {
    using conn = Connection.open("test:///default");
    const reports = captureReports();
    try {
      await t.step(
        "a throwing domain event callback keeps receiving, as do the others",
        async () => {
          let thrower = 0;
          let other = 0;
          const a = conn.domainEventRegisterAny(null, DomainEventID.LIFECYCLE, (_c, dom) => {
            thrower++;
            dom.free();
            throw new Error("user bug in an event callback");
          });
          const b = conn.domainEventRegisterAny(null, DomainEventID.LIFECYCLE, (_c, dom) => {
            other++;
            dom.free();
          });
          const before = reports.count();
          cycleDomain(conn);
          cycleDomain(conn);
          await until(() => other >= 4, 5000, "the events");
          conn.domainEventDeregisterAny(a);
          conn.domainEventDeregisterAny(b);
          assert.equal(thrower, 4, "the thrower got every event");
          assert.equal(reports.count() - before, 4, "each exception was reported");
          assert.equal(eventCallbackCount(conn), 0);
          await loopAlive();
        },
      );

      await t.step("throwing handle and timer callbacks keep firing and free cleanly", async () => {
        const fds = new Int32Array(2);
        libc().symbols.pipe(new Uint8Array(fds.buffer));
        let handleCalls = 0;
        let timerCalls = 0;
        const w = Event.addHandle(fds[0], Event.HANDLE_READABLE, () => {
          handleCalls++;
          throw new Error("user bug in a handle callback");
        });
        const tm = Event.addTimeout(1, () => {
          timerCalls++;
          throw new TypeError("user bug in a timer callback");
        });
        libc().symbols.write(fds[1], new Uint8Array([1]), 1n);
        await until(() => handleCalls >= 3 && timerCalls >= 3, 5000, "repeated firing");
        Event.removeHandle(w);
        Event.removeTimeout(tm);
        await until(() => eventLoop.pendingFrees === 0, 5000, "the free callbacks");
        assert.deepEqual(liveCallbackCount(), { handles: 0, timeouts: 0 });
        libc().symbols.close(fds[0]);
        libc().symbols.close(fds[1]);
        await loopAlive();
      });

      await t.step(
        "a throwing stream callback is reported; abort drops its registration",
        async () => {
          const st = screenshotStream(conn, Stream.NONBLOCK);
          let calls = 0;
          const before = reports.count();
          st.addCallback(Stream.EVENT_READABLE, () => {
            calls++;
            throw new Error("user bug in a stream callback");
          });
          await until(() => calls >= 2, 5000, "the stream callback");
          assert.ok(reports.count() - before >= 2);
          st.abort();
          st.free();
          assert.equal(liveStreamCallbacks(), 0);
          await streamsStillWork(conn);
        },
      );

      await t.step(
        "a throwing recvAll handler aborts the stream and rejects with its error",
        async () => {
          const st = screenshotStream(conn, Stream.NONBLOCK);
          const bug = new Error("user bug in a recvAll handler");
          await assert.rejects(
            st.recvAll(() => {
              throw bug;
            }),
            (e) => e === bug,
          );
          assert.equal(st.state, "aborted");
          st.free();
          assert.equal(liveStreamCallbacks(), 0);
          await streamsStillWork(conn);
        },
      );

      await t.step("a Web Stream consumer that throws cancels the readable: it ends", async () => {
        const st = screenshotStream(conn, Stream.NONBLOCK);
        await assert.rejects(
          st.readable.pipeTo(
            new WritableStream({
              write() {
                throw new Error("user bug in a WritableStream sink");
              },
            }),
          ),
          /user bug in a WritableStream sink/,
        );
        // Cancelled (aborted), or finished if the read-ahead had reached the end already.
        assertEnded(st);
        st.free();
        assert.equal(liveStreamCallbacks(), 0);
        await streamsStillWork(conn);
      });

      await t.step("throwing inside for-await over a stream aborts it", async () => {
        const st = screenshotStream(conn, Stream.NONBLOCK);
        await assert.rejects(async () => {
          for await (const _chunk of st) throw new Error("user bug in a for-await body");
        }, /for-await body/);
        assertEnded(st);
        st.free();
        assert.equal(liveStreamCallbacks(), 0);
        await streamsStillWork(conn);
      });

      await t.step("throwing inside for-await over events closes the iterator", async () => {
        const events = conn.domainEvents({ id: DomainEventID.LIFECYCLE });
        cycleDomain(conn);
        await assert.rejects(async () => {
          for await (const e of events) {
            e.domain.free();
            throw new Error("user bug in an event loop body");
          }
        }, /event loop body/);
        assert.equal(events.done, true);
        assert.equal(eventCallbackCount(conn), 0);
        await loopAlive();
      });

      await t.step("a throwing logger does not break anything", async () => {
        const boom = () => {
          throw new Error("user bug in a logger");
        };
        setLogger({ debug: boom, info: boom, warn: boom, error: boom });
        try {
          cycleDomain(conn);
          await streamsStillWork(conn);
          await loopAlive();
        } finally {
          setLogger(null);
        }
      });
    } finally {
      reports.restore();
    }
  },
});

Deno.test("the same with libvirt's default loop, in a process of its own", async () => {
  const child = spawnFixture("reliability_exceptions_default.ts");
  const exit = await child.exit(60_000);
  assert.equal(exit.signal, null, `crashed (${exit.signal}):\n${exit.output}`);
  assert.equal(exit.code, 0, exit.output);
  const r = resultOf<Record<string, number | string>>(exit.output);
  console.log(`  ${JSON.stringify(r)}`);
  assert.ok((r.eventCalls as number) >= 4 && (r.timerCalls as number) >= 3);
  assert.equal(r.streamState, "aborted");
  assert.equal(r.streamCallbacks, 0);
  assert.ok((r.afterBytes as number) > 0, "a later stream worked");
  // 4 event callbacks, and the throwing timer once (its repeats are summarized: event/report.ts).
  assert.ok((r.reports as number) >= 5, "the exceptions were reported");
});
