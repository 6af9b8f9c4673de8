// Specifies the async forms on local connections (test:///default, no event loop): each failure
// reaches its own Promise as its own LibvirtError, calls on a connection run in the order made,
// free()/close() during a call waits for it, and AbortSignal handling of the long jobs.
import assert from "node:assert/strict";
import { Connection, DomainState, ErrorNumber, LibvirtError } from "../mod.ts";
import { asyncCallsInFlight } from "../ffi/inflight.ts";
import { abortable } from "../ffi/abort.ts";
import { resultOf, spawnFixture } from "./fixtures/reliability_child.ts";

const URI = "test:///default";

function code(e: unknown): number {
  assert.ok(e instanceof LibvirtError, `expected a LibvirtError, got ${e}`);
  return e.code;
}

Deno.test("async errors: each Promise gets its own call's LibvirtError", async (t) => {
  await t.step("a failing call rejects with libvirt's code and message", async () => {
    using conn = Connection.open(URI);
    const e = await conn.lookupStoragePoolByNameAsync("no-such-pool").catch((e) => e);
    assert.equal(code(e), ErrorNumber.NO_STORAGE_POOL);
    assert.match(e.message, /no-such-pool/);
  });

  await t.step("concurrent failing and succeeding calls on several connections", async () => {
    const conns = Array.from({ length: 4 }, () => Connection.open(URI));
    const sync = Connection.open(URI);
    try {
      const rounds = 50;
      const work: Promise<void>[] = [];
      for (let i = 0; i < rounds; i++) {
        const [a, b, c, d] = conns;
        work.push(
          a.lookupStoragePoolByNameAsync(`missing-a-${i}`).then(
            () => assert.fail("should fail"),
            (e) => {
              assert.equal(code(e), ErrorNumber.NO_STORAGE_POOL);
              assert.match(e.message, new RegExp(`'missing-a-${i}'`));
            },
          ),
        );
        const xml = `<domain type='test'><name>x${i}</name><memory>bad${i}</memory>` +
          `<os><type>hvm</type></os></domain>`;
        work.push(
          b.defineDomainXMLAsync(xml).then(
            () => assert.fail("should fail"),
            (e) => {
              assert.equal(code(e), ErrorNumber.XML_ERROR);
              assert.match(e.message, new RegExp(`'bad${i}'`));
            },
          ),
        );
        work.push(
          c.lookupDomainByNameAsync("test").then((dom) => dom.getInfoAsync()).then(
            (info) => assert.ok(info.nrVirtCpu > 0),
          ),
        );
        work.push(
          d.lookupNetworkByNameAsync(`missing-net-${i}`).then(
            () => assert.fail("should fail"),
            (e) => {
              assert.equal(code(e), ErrorNumber.NO_NETWORK);
              assert.match(e.message, new RegExp(`'missing-net-${i}'`));
            },
          ),
        );
        // A sync failure on the JS thread in between is its own, and steals nothing.
        assert.throws(
          () => sync.lookupStorageVolByPath(`/sync/miss-${i}`),
          (e: unknown) =>
            code(e) === ErrorNumber.NO_STORAGE_VOL && String(e).includes(`'/sync/miss-${i}'`),
        );
      }
      await Promise.all(work);
      assert.equal(asyncCallsInFlight(), 0);
    } finally {
      for (const c of conns) c.close();
      sync.close();
    }
  });

  await t.step("an async open that fails rejects with the open's error", async () => {
    const e = await Connection.openAsync("test:///no/such/file.xml").catch((e) => e);
    assert.ok(e instanceof LibvirtError);
    assert.match(e.message, /file\.xml|No such file/);
    // Several at once, interleaved with successful ones: each gets its own outcome.
    const outcomes = await Promise.allSettled([
      Connection.openAsync(URI),
      Connection.openAsync("test:///nope-1.xml"),
      Connection.openReadOnlyAsync(URI),
      Connection.openAsync("test:///nope-2.xml"),
    ]);
    assert.equal(outcomes[0].status, "fulfilled");
    assert.equal(outcomes[2].status, "fulfilled");
    for (const [i, n] of [[1, 1], [3, 2]]) {
      const o = outcomes[i];
      assert.equal(o.status, "rejected");
      assert.match(String((o as PromiseRejectedResult).reason), new RegExp(`nope-${n}`));
    }
    for (const o of outcomes) if (o.status === "fulfilled") o.value.close();
  });
});

Deno.test("async order: calls on one connection run one at a time, in order", async (t) => {
  await t.step("suspendAsync then resumeAsync, not awaited in between", async () => {
    using conn = Connection.open(URI);
    using dom = conn.lookupDomainByName("test");
    const all: Promise<void>[] = [];
    for (let i = 0; i < 100; i++) all.push(dom.suspendAsync(), dom.resumeAsync());
    await Promise.all(all); // any reordering would fail ("not running" / "not paused")
    assert.equal(dom.getState().state, DomainState.RUNNING);
  });

  await t.step("a sync call between async ones sees the state they left", async () => {
    using conn = Connection.open(URI);
    using dom = conn.lookupDomainByName("test");
    await dom.suspendAsync();
    assert.equal(dom.getState().state, DomainState.PAUSED);
    await dom.resumeAsync();
    assert.equal((await dom.getStateAsync()).state, DomainState.RUNNING);
  });
});

Deno.test("async lifetimes: free and close while calls are in flight", async (t) => {
  await t.step("free() releases the wrapper at once; the call still completes", async () => {
    using conn = Connection.open(URI);
    const dom = conn.lookupDomainByName("test");
    const info = dom.getInfoAsync();
    dom.free();
    assert.equal(dom.freed, true);
    assert.throws(() => dom.getName(), /freed/);
    assert.ok((await info).nrVirtCpu > 0);
  });

  await t.step("close() during calls on the connection and its children", async () => {
    const conn = Connection.open(URI);
    const dom = conn.lookupDomainByName("test");
    const calls = [
      dom.getInfoAsync(),
      conn.listAllDomainsAsync(),
      dom.suspendAsync(),
      dom.resumeAsync(),
      conn.getCapabilitiesAsync(),
    ];
    assert.equal(conn.close(), 0); // the real close waits for the calls
    assert.equal(conn.freed, true);
    assert.equal(dom.freed, true);
    assert.throws(() => conn.getURI(), /closed/);
    const settled = await Promise.allSettled(calls);
    // Every call ran to its end on the pointers it was given; only a result that would be a
    // new child of the closed connection cannot be wrapped (its pointers are dropped).
    assert.deepEqual(settled.map((s) => s.status), [
      "fulfilled",
      "rejected",
      "fulfilled",
      "fulfilled",
      "fulfilled",
    ]);
    assert.match(String((settled[1] as PromiseRejectedResult).reason), /Connection was closed/);
    assert.equal(asyncCallsInFlight(), 0);
  });

  await t.step("a call on a released object throws at once, never reaches libvirt", () => {
    const conn = Connection.open(URI);
    conn.close();
    assert.throws(() => conn.listAllDomainsAsync(), /closed/); // at once, like the sync form
  });
});

Deno.test("async jobs: AbortSignal", async (t) => {
  await t.step("an already aborted signal rejects before anything starts", async () => {
    using conn = Connection.open(URI);
    using dom = conn.lookupDomainByName("test");
    const ctl = new AbortController();
    ctl.abort(new Error("stop it"));
    await assert.rejects(() => dom.saveAsync("/tmp/never.save", { signal: ctl.signal }), /stop it/);
    assert.equal(dom.getState().state, DomainState.RUNNING);
  });

  await t.step("a job that finishes before the abort resolves", async () => {
    using conn = Connection.open(URI);
    using dom = conn.lookupDomainByName("test");
    const path = await Deno.makeTempFile();
    const ctl = new AbortController();
    await dom.saveAsync(path, { signal: ctl.signal });
    ctl.abort();
    assert.equal(dom.getState().state, DomainState.SHUTOFF);
    await dom.createAsync();
    await Deno.remove(path);
  });

  await t.step("a job abort skips the queue and gets its own outcome", async () => {
    using conn = Connection.open(URI);
    using dom = conn.lookupDomainByName("test");
    const queued: Promise<void>[] = [];
    for (let i = 0; i < 20; i++) queued.push(dom.suspendAsync(), dom.resumeAsync());
    // The test driver has no job to abort: the abort fails with its own error, the queued
    // calls (which were made first and are still running) all succeed.
    const abort = await dom.abortJobAsync().then(() => null, (e) => e);
    assert.ok(abort instanceof LibvirtError, `abort: ${abort}`);
    await Promise.all(queued);
    assert.equal(dom.getState().state, DomainState.RUNNING);
  });

  await t.step(
    "abort is retried while the job is pending, and the job rejects with the reason",
    async () => {
      let aborts = 0;
      let fail: (e: Error) => void = () => {};
      const job = new Promise<number>((_, reject) => (fail = reject));
      const ctl = new AbortController();
      const p = abortable(() => job, ctl.signal, () => {
        // Refused twice (the job "has not started"), then accepted: the job then fails.
        if (++aborts < 3) return Promise.reject(new Error("no job"));
        fail(new Error("job aborted by libvirt"));
        return Promise.resolve();
      });
      ctl.abort(new DOMException("user gave up", "AbortError"));
      await assert.rejects(() => p, /user gave up/);
      assert.equal(aborts, 3);
    },
  );
});

Deno.test("async calls refuse a TypeScript EventImpl other than DenoEventImpl", async () => {
  // It would run a busy connection's callbacks on the JS thread: a deadlock, so an Error.
  const exit = await spawnFixture("async_custom_loop.ts", [], { echo: false }).exit(60_000);
  assert.equal(exit.code, 0, exit.output);
  const o = resultOf<
    {
      call: string;
      open: string;
      sync: number;
      finish: string;
      abort: string;
      streamState: string;
      aborted: string;
    }
  >(exit.output);
  assert.match(o.call, /Cannot call virConnectListAllDomains asynchronously/);
  assert.match(o.open, /Cannot call virConnectOpen asynchronously/);
  assert.equal(o.sync, 1); // the sync forms work as before
  // Misuse of a stream's own method throws at once, before the stream changes.
  assert.match(o.finish, /^threw: .*Cannot call virStreamFinish asynchronously/);
  assert.match(o.abort, /^threw: .*Cannot call virStreamAbort asynchronously/);
  assert.equal(o.streamState, "active", "the refused calls left the stream as it was");
  assert.equal(o.aborted, "aborted");
});
