// Specifies the AbortSignal of the migration calls: a signal that already fired refuses the
// migration before libvirt is asked, a bad one is a TypeError at the call, and without one the
// call reaches libvirt (whose test driver cannot migrate: its own error comes back).
import assert from "node:assert/strict";
import { Connection, ErrorNumber, LibvirtError } from "../mod.ts";

Deno.test("migration calls take { signal }", async (t) => {
  using src = Connection.open("test:///default");
  using dst = Connection.open("test:///default");
  using dom = src.lookupDomainByName("test");

  await t.step("a signal that already fired rejects with its reason", async () => {
    const reason = new Error("not now");
    await assert.rejects(
      dom.migrate3Async(dst, {}, 0, { signal: AbortSignal.abort(reason) }),
      (e) => e === reason,
    );
    await assert.rejects(
      dom.migrateToURI3Async("test:///default", {}, 0, { signal: AbortSignal.abort(reason) }),
      (e) => e === reason,
    );
    assert.equal(dom.getName(), "test"); // untouched
  });

  await t.step("a wrong options argument is a TypeError at the call", () => {
    assert.throws(
      () => dom.migrate3Async(dst, {}, 0, { signal: 1 as unknown as AbortSignal }),
      TypeError,
    );
    assert.throws(() => dom.migrateToURI3Async(null, {}, 0, 7 as unknown as object), TypeError);
  });

  await t.step("a live signal lets libvirt answer: the test driver cannot migrate", async () => {
    const controller = new AbortController();
    await assert.rejects(
      dom.migrate3Async(dst, {}, 0, { signal: controller.signal }),
      (e) => e instanceof LibvirtError && e.code === ErrorNumber.NO_SUPPORT,
    );
    controller.abort(); // after the call settled: nothing happens
  });

  await t.step("migrateAsync and migrate2Async, the older calls, the same way", async () => {
    const reason = new Error("not now");
    await assert.rejects(
      dom.migrateAsync(dst, 0, null, null, 0, { signal: AbortSignal.abort(reason) }),
      (e) => e === reason,
    );
    const noSupport = (e: unknown) =>
      e instanceof LibvirtError && e.code === ErrorNumber.NO_SUPPORT;
    await assert.rejects(dom.migrateAsync(dst), noSupport);
    await assert.rejects(dom.migrate2Async(dst, null), noSupport);
    assert.throws(() => dom.migrate2Async(dst, 5 as unknown as string), TypeError);
    assert.throws(() => dom.migrateAsync(null as unknown as Connection), TypeError);
  });
});
