// Specifies event registration on a connection that also carries `…Async` calls, with
// DenoEventImpl (a server's event feed beside its other requests): the iterators and the Async
// forms of the registrations wait for a moment when the connection has nothing in flight
// (ffi/turn.ts) instead of failing on the guard that keeps plain calls off a busy connection;
// misuse still throws at the call; every registration is gone at the end.
import "./helpers/loop.ts";
import assert from "node:assert/strict";
import {
  Connection,
  DomainEventID,
  DomainEventType,
  LibvirtError,
  NetworkEventID,
  StoragePoolEventID,
} from "../mod.ts";
import { eventCallbackCount } from "../api/events/mod.ts";
import { asyncCallsInFlight } from "../ffi/inflight.ts";
import { requireDaemon } from "./helpers/daemon.ts";
import { besideBusyCaller, busyCaller } from "./helpers/busy_caller.ts";
import { waitFor } from "./helpers/wait.ts";

/** Waits until `check` holds, at most 5 s. */
const until = (check: () => boolean, what: string) => waitFor(check, 5000, what);

Deno.test("event registration shares its connection with async calls", async (t) => {
  const d = await requireDaemon("the busy-connection event tests");
  if (!d) return;
  using conn = Connection.open(d.testUri);
  using dom = conn.lookupDomainByName("test");
  // Each step runs beside a caller, which must still be busy when the step registers.
  const beside = async (body: () => Promise<void>) => {
    await besideBusyCaller(conn, "the registration", body);
    await until(() => eventCallbackCount(conn) === 0, "every registration to be gone");
    assert.equal(asyncCallsInFlight(), 0);
    conn.getLibVersion(); // plain calls work again at once
  };

  try {
    await t.step("an iterator made while an async call is in flight gets its events", async () => {
      await beside(async () => {
        const ac = new AbortController();
        const it = conn.domainEvents({ id: DomainEventID.LIFECYCLE, signal: ac.signal });
        await until(() => eventCallbackCount(conn) === 1, "the iterator's registration");
        await dom.destroyAsync();
        await dom.createAsync();
        const seen: number[] = [];
        for await (const e of it) {
          seen.push(e.event.event);
          if (seen.length === 2) break; // leaving the loop deregisters
        }
        assert.deepEqual(seen, [DomainEventType.STOPPED, DomainEventType.STARTED]);
      });
    });

    await t.step("the Async forms register, deliver and deregister", async () => {
      await beside(async () => {
        const got: string[] = [];
        const id = await conn.domainEventRegisterAnyAsync(
          dom,
          DomainEventID.LIFECYCLE,
          (_c, d2, ev) => got.push(`${d2.getName()}:${ev.event}`),
        );
        const legacy: number[] = [];
        const cb = (_c: Connection, _d: unknown, ev: { event: number }) => legacy.push(ev.event);
        await conn.domainEventRegisterAsync(cb);
        await dom.suspendAsync();
        await dom.resumeAsync();
        await until(() => got.length === 2 && legacy.length === 2, "the suspend and resume");
        assert.deepEqual(got, [
          `test:${DomainEventType.SUSPENDED}`,
          `test:${DomainEventType.RESUMED}`,
        ]);
        assert.deepEqual(legacy, [DomainEventType.SUSPENDED, DomainEventType.RESUMED]);
        await conn.domainEventDeregisterAnyAsync(id);
        await conn.domainEventDeregisterAsync(cb);
      });
    });

    // Regression: a registration with a filter lost its connection (the filter's reference was
    // a sync call in between), so libvirt's event timer was run on the JS thread while a pool
    // thread held the event state's lock: a hang within a few rounds, every run.
    await t.step(
      "plain registrations with a filter, then async calls that raise events",
      async () => {
        const got: number[] = [];
        const id = conn.domainEventRegisterAny(dom, DomainEventID.LIFECYCLE, (_c, _d, ev) => {
          got.push(ev.event);
        });
        const legacy = () => got.push(-1);
        conn.domainEventRegister(legacy);
        const c = busyCaller(conn);
        try {
          for (let i = 0; i < 10; i++) {
            await dom.suspendAsync();
            await dom.resumeAsync();
          }
          await until(() => got.length === 40, "40 events (20 each way)");
        } finally {
          await c.stop();
          conn.domainEventDeregisterAny(id);
          conn.domainEventDeregister(legacy);
        }
        assert.equal(eventCallbackCount(conn), 0);
      },
    );

    await t.step("network and storage pool registrations, Async", async () => {
      await beside(async () => {
        const refreshed: string[] = [];
        const p = await conn.storagePoolEventRegisterAnyAsync(
          null,
          StoragePoolEventID.REFRESH,
          (_c, pool) => refreshed.push(pool.getName()),
        );
        const n = await conn.networkEventRegisterAnyAsync(null, NetworkEventID.LIFECYCLE, () => {});
        const dev = await conn.nodeDeviceEventRegisterAnyAsync(null, 0, () => {});
        try {
          // The test driver has no secret events: libvirt's own refusal, as a rejection.
          await assert.rejects(conn.secretEventRegisterAnyAsync(null, 0, () => {}), LibvirtError);
          using pool = await conn.lookupStoragePoolByNameAsync("default-pool");
          await pool.refreshAsync();
          await until(() => refreshed.length === 1, "the pool's refresh event");
          assert.deepEqual(refreshed, ["default-pool"]);
        } finally {
          await conn.storagePoolEventDeregisterAnyAsync(p);
          await conn.networkEventDeregisterAnyAsync(n);
          await conn.nodeDeviceEventDeregisterAnyAsync(dev);
        }
      });
    });

    await t.step("an iterator ended before its registration never registers", async () => {
      await beside(async () => {
        const ac = new AbortController();
        const it = conn.domainEvents({ signal: ac.signal });
        ac.abort();
        assert.equal((await it.next()).done, true);
        await new Promise((r) => setTimeout(r, 20));
        assert.equal(eventCallbackCount(conn), 0);
      });
    });

    await t.step(
      "a deferred registration that fails ends its iterator with the error",
      async () => {
        await beside(async () => {
          const filter = await conn.lookupDomainByNameAsync("test");
          const it = conn.domainEvents({ domain: filter });
          filter.free(); // before the registration was made
          await assert.rejects(async () => {
            for await (const _ of it) break;
          }, /freed/);
        });
      },
    );

    await t.step("misuse throws at the call, busy or not", async () => {
      const c = busyCaller(conn);
      try {
        const bad = 99 as unknown as typeof DomainEventID.LIFECYCLE;
        assert.throws(() => conn.domainEventRegisterAnyAsync(null, bad, () => {}), TypeError);
        assert.throws(
          () => conn.domainEventRegisterAnyAsync(null, 0, "no" as unknown as () => void),
          TypeError,
        );
        assert.throws(() => conn.domainEventDeregisterAnyAsync(12345678), /No domain event/);
        assert.throws(() => conn.networkEventDeregisterAnyAsync(-1), TypeError);
        assert.throws(
          () => conn.storagePoolEventRegisterAnyAsync(dom as never, 0, () => {}),
          TypeError,
        );
        assert.throws(() => conn.domainEventDeregisterAsync(() => {}), /not registered/);
        assert.throws(
          () => conn.domainQemuMonitorEventRegisterAsync(null, null, 5 as never),
          TypeError,
        );
        assert.throws(() => conn.domainQemuMonitorEventDeregisterAsync(-2), TypeError);
        assert.throws(() => conn.domainEvents({ signal: 5 as never }), TypeError);
      } finally {
        await c.stop();
      }
    });

    await t.step("QEMU monitor events: the Async forms on the QEMU driver", async () => {
      using qemu = Connection.open(d.qemuUri);
      const c = busyCaller(qemu);
      try {
        const id = await qemu.domainQemuMonitorEventRegisterAsync(null, "STOP", () => {});
        await qemu.domainQemuMonitorEventDeregisterAsync(id);
        await assert.rejects(qemu.domainQemuMonitorEventDeregisterAsync(id), LibvirtError);
      } finally {
        await c.stop();
      }
    });
  } finally {
    await d.stop();
  }
});
