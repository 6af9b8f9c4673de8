// Domain events over test:///default in this process, dispatched by the DenoEventImpl: typed
// payloads, filters, deregistration, the legacy API, ownership of the wrapped domain, close.
import "./helpers/loop.ts";
import assert from "node:assert/strict";
import {
  Connection,
  Domain,
  type DomainEventCallback,
  DomainEventDefinedDetailType,
  DomainEventID,
  DomainEventResumedDetailType,
  DomainEventStartedDetailType,
  DomainEventStoppedDetailType,
  DomainEventSuspendedDetailType,
  DomainEventType,
  DomainEventUndefinedDetailType,
  type DomainLifecycleEvent,
  DomainMetadataType,
  eventCallbackCount,
  LibvirtError,
} from "../mod.ts";
import { channelCount } from "../api/events/tracking.ts";
import { registrations } from "../api/events/dispatch.ts";
import { waitFor } from "./helpers/wait.ts";

const domainXML = (name: string) =>
  `<domain type="test"><name>${name}</name><memory unit="MiB">8</memory>` +
  `<os><type>hvm</type></os></domain>`;

/** Lets the loop dispatch whatever is queued (test driver events go out on a 0 ms timer). */
const settle = () => new Promise((r) => setTimeout(r, 50));

type Seen = { name: string; ev: DomainLifecycleEvent };

Deno.test("domain events on test:///default", async (t) => {
  using conn = Connection.open("test:///default");

  await t.step("lifecycle events carry DomainEventType and the matching detail enum", async () => {
    const seen: Seen[] = [];
    const id = conn.domainEventRegisterAny(null, DomainEventID.LIFECYCLE, (c, dom, ev) => {
      assert.equal(c, conn);
      seen.push({ name: dom.getName(), ev });
      dom.free();
    });
    const dom = conn.defineDomainXML(domainXML("ev-life"));
    dom.create();
    dom.suspend();
    dom.resume();
    dom.destroy();
    dom.undefine();
    await waitFor(() => seen.length >= 6);
    conn.domainEventDeregisterAny(id);
    assert.deepEqual(seen, [
      {
        name: "ev-life",
        ev: { event: DomainEventType.DEFINED, detail: DomainEventDefinedDetailType.ADDED },
      },
      {
        name: "ev-life",
        ev: { event: DomainEventType.STARTED, detail: DomainEventStartedDetailType.BOOTED },
      },
      {
        name: "ev-life",
        ev: { event: DomainEventType.SUSPENDED, detail: DomainEventSuspendedDetailType.PAUSED },
      },
      {
        name: "ev-life",
        ev: { event: DomainEventType.RESUMED, detail: DomainEventResumedDetailType.UNPAUSED },
      },
      {
        name: "ev-life",
        ev: { event: DomainEventType.STOPPED, detail: DomainEventStoppedDetailType.DESTROYED },
      },
      {
        name: "ev-life",
        ev: { event: DomainEventType.UNDEFINED, detail: DomainEventUndefinedDetailType.REMOVED },
      },
    ]);
  });

  await t.step("metadata change carries the metadata type and namespace URI", async () => {
    const seen: { type: number; nsuri: string | null }[] = [];
    const id = conn.domainEventRegisterAny(null, DomainEventID.METADATA_CHANGE, (_c, dom, ev) => {
      assert.equal(dom.getName(), "test");
      seen.push(ev);
    });
    const dom = conn.lookupDomainByName("test");
    dom.setMetadata(DomainMetadataType.DESCRIPTION, "described");
    dom.setMetadata(DomainMetadataType.TITLE, "titled");
    dom.setMetadata(DomainMetadataType.ELEMENT, "<x/>", "app", "http://example.org/app");
    await waitFor(() => seen.length >= 3);
    conn.domainEventDeregisterAny(id);
    assert.deepEqual(seen, [
      { type: DomainMetadataType.DESCRIPTION, nsuri: null },
      { type: DomainMetadataType.TITLE, nsuri: null },
      { type: DomainMetadataType.ELEMENT, nsuri: "http://example.org/app" },
    ]);
  });

  await t.step("a domain filter delivers only that domain's events", async () => {
    const other = conn.defineDomainXML(domainXML("ev-other"));
    const test = conn.lookupDomainByName("test");
    const names: string[] = [];
    const id = conn.domainEventRegisterAny(test, DomainEventID.LIFECYCLE, (_c, dom) => {
      names.push(dom.getName());
    });
    other.create();
    other.destroy();
    test.suspend();
    test.resume();
    await waitFor(() => names.length >= 2);
    await settle();
    conn.domainEventDeregisterAny(id);
    other.undefine();
    assert.deepEqual(names, ["test", "test"]);
  });

  await t.step("deregistering stops delivery, even of events already queued", async () => {
    let calls = 0;
    const id = conn.domainEventRegisterAny(null, DomainEventID.LIFECYCLE, () => calls++);
    const dom = conn.lookupDomainByName("test");
    dom.suspend();
    // Queued by the test driver but not yet dispatched (its timer has not run).
    conn.domainEventDeregisterAny(id);
    dom.resume();
    await settle();
    assert.equal(calls, 0);
    assert.equal(eventCallbackCount(conn, "domain"), 0);
  });

  await t.step("every DomainEventID 0..26 registers and deregisters", () => {
    const ids = Object.values(DomainEventID).sort((a, b) => a - b);
    assert.deepEqual(ids, Array.from({ length: 27 }, (_, i) => i));
    const callbackIDs = ids.map((id) => conn.domainEventRegisterAny(null, id, () => {}));
    assert.equal(new Set(callbackIDs).size, 27);
    assert.equal(eventCallbackCount(conn, "domain"), 27);
    for (const cid of callbackIDs) conn.domainEventDeregisterAny(cid);
    assert.equal(eventCallbackCount(conn, "domain"), 0);
  });

  await t.step(
    "several handlers for one ID and filter share one libvirt registration",
    async () => {
      const a: number[] = [];
      const b: number[] = [];
      const test = conn.lookupDomainByName("test");
      const again = conn.lookupDomainByName("test"); // another wrapper, same UUID
      const ia = conn.domainEventRegisterAny(
        test,
        DomainEventID.LIFECYCLE,
        (_c, _d, e) => a.push(e.event),
      );
      const ib = conn.domainEventRegisterAny(
        again,
        DomainEventID.LIFECYCLE,
        (_c, _d, e) => b.push(e.event),
      );
      assert.notEqual(ia, ib);
      assert.equal(channelCount(conn), 1);
      test.suspend();
      await waitFor(() => a.length === 1 && b.length === 1);
      conn.domainEventDeregisterAny(ia);
      assert.equal(channelCount(conn), 1);
      test.resume();
      await waitFor(() => b.length === 2);
      await settle();
      assert.deepEqual(a, [DomainEventType.SUSPENDED]);
      assert.deepEqual(b, [DomainEventType.SUSPENDED, DomainEventType.RESUMED]);
      conn.domainEventDeregisterAny(ib);
      assert.equal(channelCount(conn), 0);
      assert.throws(() => conn.domainEventDeregisterAny(ib), /No domain event callback/);
    },
  );

  await t.step("the domain given to a handler is the caller's to keep", async () => {
    let kept: Domain | null = null;
    const id = conn.domainEventRegisterAny(null, DomainEventID.LIFECYCLE, (_c, dom) => {
      kept ??= dom;
    });
    const dom = conn.lookupDomainByName("test");
    dom.suspend();
    dom.resume();
    await waitFor(() => kept !== null);
    conn.domainEventDeregisterAny(id);
    await settle();
    const k = kept as Domain | null;
    assert.ok(k instanceof Domain);
    assert.equal(k.getName(), "test"); // still valid after libvirt dropped its own reference
    k.free();
    assert.throws(() => k.getName(), /freed/);
  });

  await t.step("the legacy lifecycle API fans out to several handlers", async () => {
    const a: DomainLifecycleEvent[] = [];
    const b: DomainLifecycleEvent[] = [];
    const ha = (_c: Connection, _d: Domain, ev: DomainLifecycleEvent) => a.push(ev);
    const hb = (_c: Connection, _d: Domain, ev: DomainLifecycleEvent) => b.push(ev);
    conn.domainEventRegister(ha);
    conn.domainEventRegister(hb);
    assert.throws(() => conn.domainEventRegister(ha), /already registered/);
    const dom = conn.lookupDomainByName("test");
    dom.suspend();
    await waitFor(() => a.length === 1 && b.length === 1);
    conn.domainEventDeregister(ha);
    dom.resume();
    await waitFor(() => b.length === 2);
    await settle();
    assert.equal(a.length, 1);
    assert.deepEqual(b.map((e) => e.event), [DomainEventType.SUSPENDED, DomainEventType.RESUMED]);
    conn.domainEventDeregister(hb);
    assert.throws(() => conn.domainEventDeregister(hb), /not registered/);
    dom.suspend();
    dom.resume();
    await settle();
    assert.equal(b.length, 2);
  });

  await t.step("a throwing handler is reported and does not stop later events", async () => {
    let calls = 0;
    const errors: unknown[][] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => void errors.push(args);
    try {
      const id = conn.domainEventRegisterAny(null, DomainEventID.LIFECYCLE, () => {
        calls++;
        throw new Error("handler failed");
      });
      const dom = conn.lookupDomainByName("test");
      dom.suspend();
      dom.resume();
      await waitFor(() => calls === 2);
      conn.domainEventDeregisterAny(id);
    } finally {
      console.error = original;
    }
    assert.equal(errors.length, 2);
    assert.match(String(errors[0][0]), /domain event callback/);
  });

  await t.step("bad arguments throw before reaching libvirt", () => {
    const cb: DomainEventCallback<0> = () => {};
    assert.throws(() => conn.domainEventRegisterAny(null, 27 as 0, cb), TypeError);
    assert.throws(() => conn.domainEventRegisterAny(null, -1 as 0, cb), TypeError);
    assert.throws(() => conn.domainEventRegisterAny({} as Domain, 0, cb), TypeError);
    assert.throws(() => conn.domainEventRegisterAny(null, 0, "x" as never), TypeError);
    assert.throws(() => conn.domainEventDeregisterAny(12345), /No domain event callback/);
    assert.throws(() => conn.domainEventDeregisterAny(-1), TypeError);
    assert.equal(eventCallbackCount(conn), 0);
  });

  await t.step("a filter domain from another connection is refused by libvirt", () => {
    using other = Connection.open("test:///default");
    const dom = other.lookupDomainByName("test");
    assert.throws(
      () => conn.domainEventRegisterAny(dom, DomainEventID.LIFECYCLE, () => {}),
      LibvirtError,
    );
    assert.equal(eventCallbackCount(conn), 0);
  });

  await t.step("closing a connection deregisters its callbacks first", async () => {
    const victim = Connection.open("test:///default");
    const before = registrations.size;
    let calls = 0;
    victim.domainEventRegisterAny(null, DomainEventID.LIFECYCLE, () => calls++);
    victim.domainEventRegisterAny(null, DomainEventID.METADATA_CHANGE, () => calls++);
    victim.domainEventRegister(() => calls++);
    assert.equal(eventCallbackCount(victim), 2);
    assert.equal(registrations.size, before + 3);
    victim.close();
    assert.equal(eventCallbackCount(victim), 0);
    // Retired by the close itself: libvirt is given no free function to do it (dispatch.ts).
    assert.equal(registrations.size, before);
    assert.throws(() => victim.domainEventRegisterAny(null, 0, () => {}), /closed/);
    const dom = conn.lookupDomainByName("test");
    dom.suspend();
    dom.resume();
    await settle();
    assert.equal(calls, 0);
  });

  await t.step("a handler may close its own connection", async () => {
    const own = Connection.open("test:///default");
    let calls = 0;
    own.domainEventRegisterAny(null, DomainEventID.LIFECYCLE, (c) => {
      calls++;
      c.close();
    });
    const dom = conn.lookupDomainByName("test");
    dom.suspend();
    dom.resume();
    await waitFor(() => own.freed);
    await settle();
    assert.equal(calls, 1);
  });
});
