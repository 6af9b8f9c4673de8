// Events as async iterators over test:///default: typed records, and the three ways they end
// (abort, connection close, leaving the loop), each of which deregisters their callbacks.
import "./helpers/loop.ts";
import assert from "node:assert/strict";
import {
  Connection,
  DomainEventID,
  type DomainEventRecord,
  DomainEventType,
  DomainMetadataType,
  eventCallbackCount,
  EventIterator,
  StoragePoolEventID,
} from "../mod.ts";
import { channelCount } from "../api/events/tracking.ts";

const tick = () => new Promise((r) => setTimeout(r, 20));

Deno.test("event iterators on test:///default", async (t) => {
  using conn = Connection.open("test:///default");
  const dom = conn.lookupDomainByName("test");

  await t.step("yields typed records and ends when its signal aborts", async () => {
    const ac = new AbortController();
    const events = conn.domainEvents({ id: DomainEventID.LIFECYCLE, signal: ac.signal });
    assert.ok(events instanceof EventIterator);
    assert.equal(eventCallbackCount(conn), 1);
    dom.suspend();
    dom.resume();
    const got: number[] = [];
    for await (const rec of events) {
      assert.equal(rec.id, DomainEventID.LIFECYCLE);
      assert.equal(rec.domain.getName(), "test");
      got.push(rec.event.event);
      if (got.length === 2) setTimeout(() => ac.abort(), 10);
    }
    assert.deepEqual(got, [DomainEventType.SUSPENDED, DomainEventType.RESUMED]);
    assert.equal(events.done, true);
    assert.equal(eventCallbackCount(conn), 0);
  });

  await t.step("without an id it registers every domain event ID", async () => {
    await using events = conn.domainEvents();
    assert.equal(eventCallbackCount(conn, "domain"), 27);
    dom.setMetadata(DomainMetadataType.DESCRIPTION, "iterated");
    dom.suspend();
    const a = await events.next();
    const b = await events.next();
    const recs = [a.value, b.value] as DomainEventRecord[];
    assert.deepEqual(recs.map((r) => r.id), [
      DomainEventID.METADATA_CHANGE,
      DomainEventID.LIFECYCLE,
    ]);
    const life = recs[1];
    if (life.id === DomainEventID.LIFECYCLE) {
      assert.equal(life.event.event, DomainEventType.SUSPENDED);
    }
    dom.resume();
  });

  await t.step("leaving a for-await loop deregisters", async () => {
    assert.equal(eventCallbackCount(conn), 0);
    const events = conn.domainEvents({ id: [DomainEventID.LIFECYCLE, DomainEventID.REBOOT] });
    assert.equal(eventCallbackCount(conn), 2);
    dom.suspend();
    for await (const rec of events) {
      assert.equal(rec.id, DomainEventID.LIFECYCLE);
      break;
    }
    assert.equal(events.done, true);
    assert.equal(eventCallbackCount(conn), 0);
    assert.equal(channelCount(conn), 0);
    dom.resume();
    await tick();
  });

  await t.step("closing the connection ends the iterator and deregisters", async () => {
    const other = Connection.open("test:///default");
    const events = other.domainEvents({ id: DomainEventID.LIFECYCLE });
    const pending = events.next();
    setTimeout(() => other.close(), 20);
    assert.deepEqual(await pending, { done: true, value: undefined });
    assert.equal(eventCallbackCount(other), 0);
    assert.deepEqual(await events.next(), { done: true, value: undefined });
  });

  await t.step(
    "an already aborted signal gives an ended iterator and registers nothing",
    async () => {
      const events = conn.domainEvents({ signal: AbortSignal.abort() });
      assert.equal(events.done, true);
      assert.equal(eventCallbackCount(conn), 0);
      assert.deepEqual(await events.next(), { done: true, value: undefined });
    },
  );

  await t.step("the domain filter applies to the iterator", async () => {
    const other = conn.defineDomainXML(
      `<domain type="test"><name>it-other</name><memory unit="MiB">8</memory>` +
        `<os><type>hvm</type></os></domain>`,
    );
    await using events = conn.domainEvents({ id: DomainEventID.LIFECYCLE, domain: dom });
    other.create();
    other.destroy();
    other.undefine();
    dom.suspend();
    const first = await events.next();
    assert.equal(first.done, false);
    assert.equal(first.value?.domain.getName(), "test");
    assert.equal(events.pending, 0);
    dom.resume();
  });

  await t.step("two iterators on one connection both get every event", async () => {
    await using a = conn.domainEvents({ id: DomainEventID.LIFECYCLE });
    await using b = conn.domainEvents({ id: DomainEventID.LIFECYCLE });
    dom.suspend();
    const [ra, rb] = await Promise.all([a.next(), b.next()]);
    assert.equal(ra.value?.event.event, DomainEventType.SUSPENDED);
    assert.equal(rb.value?.event.event, DomainEventType.SUSPENDED);
    assert.notEqual(ra.value?.domain, rb.value?.domain); // each its own wrapper
    dom.resume();
  });

  await t.step("storage pool and network iterators yield their records", async () => {
    const ac = new AbortController();
    const pools = conn.storagePoolEvents({ signal: ac.signal });
    const nets = conn.networkEvents({ signal: ac.signal });
    const pool = conn.lookupStoragePoolByName("default-pool");
    pool.refresh();
    const net = conn.lookupNetworkByName("default");
    net.destroy();
    net.create();
    const p = await pools.next();
    assert.equal(p.value?.id, StoragePoolEventID.REFRESH);
    assert.equal(p.value?.pool.getName(), "default-pool");
    const n1 = await nets.next();
    const n2 = await nets.next();
    assert.deepEqual([n1.value?.event.event, n2.value?.event.event], [3, 2]);
    assert.equal(n1.value?.network.getName(), "default");
    ac.abort();
    assert.equal(pools.done && nets.done, true);
    assert.equal(eventCallbackCount(conn), 0);
  });

  await t.step("bad options throw before registering", () => {
    assert.throws(() => conn.domainEvents({ id: 99 as 0 }), TypeError);
    assert.throws(() => conn.domainEvents({ id: [] }), TypeError);
    assert.throws(() => conn.domainEvents({ signal: "no" as never }), TypeError);
    assert.throws(() => conn.networkEvents({ id: 5 as 0 }), TypeError);
    assert.equal(eventCallbackCount(conn), 0);
  });
});
