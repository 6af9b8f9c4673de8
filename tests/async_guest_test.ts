// Specifies AbortSignal on real long jobs: a core dump and a save of a running QEMU guest (2 GiB
// of guest memory, so each lasts long enough to be caught running) are aborted through their
// signal — libvirt's virDomainAbortJob — while job queries skip the connection's queue to watch.
// A block job wait (blockJobWaitAsync) resolves when the copy is ready and aborts the job on its signal.
import assert from "node:assert/strict";
import {
  Connection,
  type Domain,
  DomainBlockCopyFlags,
  DomainState,
  ErrorNumber,
  LibvirtError,
} from "../mod.ts";
import { Guest, GUEST_PREFIX, requireGuestHost } from "./helpers/guest.ts";
import { bootSectorImage } from "./fixtures/bootsector.ts";

const MiB = 1024 * 1024;

// Starts a job with a signal, watches for it with job queries (they skip the connection's
// queue, so they see a job that is itself in flight), aborts it through the signal, and returns
// how it ended (null: it resolved). Untouched guest memory goes out as zero pages, so a dump or
// a save can be over before the abort lands (2 runs in 60). libvirt then reports the truth, a
// job that resolved: `redo` puts things back (restores a saved guest) and the job runs again, so
// the abort path is what the test sees.
async function abortWhileRunning(
  dom: Domain,
  what: string,
  start: (signal: AbortSignal) => Promise<unknown>,
  redo: () => Promise<void>,
): Promise<unknown> {
  for (let attempt = 1;; attempt++) {
    const ctl = new AbortController();
    const outcome = start(ctl.signal).then(() => null, (e: unknown) => e);
    let over = false;
    outcome.then(() => over = true);
    const t0 = performance.now();
    let seen = false;
    while (!seen && !over && performance.now() - t0 < 20_000) {
      try {
        seen = (await dom.getJobInfoAsync()).type !== 0;
      } catch (e) {
        // A saved transient guest is gone: the query fails once the save is over.
        if (!(e instanceof LibvirtError && e.code === ErrorNumber.NO_DOMAIN)) throw e;
        await outcome;
      }
      if (!seen) await new Promise((r) => setTimeout(r, 5));
    }
    assert.ok(seen || over, `the ${what} job never showed up`);
    ctl.abort(new Error(`the user cancelled the ${what}`));
    const e = await outcome;
    if (e !== null) return e;
    assert.ok(attempt < 5, `the ${what} finished before its abort in 5 attempts`);
    await redo();
  }
}

// A cancelled block job leaves libvirt's job list a moment after the abort returns.
async function waitNoBlockJob(dom: Domain): Promise<void> {
  const start = performance.now();
  while (await dom.getBlockJobInfoAsync("hda") !== null) {
    assert.ok(performance.now() - start < 20_000, "the block job never went away");
    await new Promise((r) => setTimeout(r, 20));
  }
}

Deno.test({
  name: "async jobs on a real guest: the signal aborts a dump, a save or a block job",
  sanitizeResources: false,
  fn: async (t) => {
    const host = await requireGuestHost("async_guest_test.ts");
    if (!host) return;
    const conn = await Connection.openAsync(host.uri);
    const name = `${GUEST_PREFIX}${Deno.pid}-async`;
    const dir = Deno.makeTempDirSync({ prefix: `${name}-` });
    Deno.chmodSync(dir, 0o755);
    const g = new Guest(dir, name, {});
    try {
      const disk = new Uint8Array(MiB);
      disk.set(bootSectorImage());
      Deno.writeFileSync(g.disk, disk);
      Deno.writeFileSync(g.media, new Uint8Array(MiB));
      const xml = g.xml.replace(
        "<memory unit='MiB'>32</memory>",
        "<memory unit='MiB'>2048</memory>",
      );
      const dom = await conn.createDomainXMLAsync(xml);
      g.dom = dom;

      await t.step("the dump is caught running, aborted, and rejects with the reason", async () => {
        const file = `${dir}/core.dump`;
        const e = await abortWhileRunning(
          dom,
          "dump",
          (signal) => dom.coreDumpAsync(file, 0, { signal }),
          () => Deno.remove(file),
        );
        assert.match(String(e), /the user cancelled the dump/);
        assert.equal((await dom.getJobInfoAsync()).type, 0); // no job left
      });

      await t.step("the same for a save: the guest is not saved and keeps running", async () => {
        const file = `${dir}/guest.save`;
        const e = await abortWhileRunning(
          dom,
          "save",
          (signal) => dom.saveAsync(file, { signal }),
          async () => {
            assert.ok(Deno.statSync(file).size > 0, "a save that resolved wrote the guest's state");
            await conn.restoreDomainAsync(file);
            await Deno.remove(file);
          },
        );
        assert.match(String(e), /the user cancelled the save/);
        assert.equal((await dom.getStateAsync()).state, DomainState.RUNNING);
      });

      await t.step("a block job wait: ready without a signal, aborted with one", async () => {
        const dest = (n: string) =>
          `<disk type='file'><driver type='raw'/><source file='${dir}/${n}.raw'/></disk>`;
        // Unthrottled, the 1 MiB copy is soon ready to pivot; the wait says so, and the job stays.
        dom.blockCopy("hda", dest("fast"), {}, DomainBlockCopyFlags.TRANSIENT_JOB);
        const ready = await dom.blockJobWaitAsync("hda", { intervalMs: 20 });
        assert.ok(ready !== null && ready.end > 0n && ready.cur === ready.end);
        await dom.blockJobAbortAsync("hda"); // cancel the copy, stay on the original disk
        await waitNoBlockJob(dom);
        // Cancelled while waiting (at once: a 1 MiB disk of zeros is copied in a blink), the
        // wait rejects with the reason and the job is aborted, not pivoted.
        dom.blockCopy("hda", dest("slow"), {}, DomainBlockCopyFlags.TRANSIENT_JOB);
        const ctl = new AbortController();
        const wait = dom.blockJobWaitAsync("hda", { signal: ctl.signal, intervalMs: 20 });
        ctl.abort(new Error("the user cancelled the copy"));
        await assert.rejects(() => wait, /the user cancelled the copy/);
        await waitNoBlockJob(dom);
        assert.ok(!dom.getXMLDesc().includes("slow.raw"), "still on the original disk");
      });

      await t.step("the guest keeps running, and a later job is not affected", async () => {
        assert.equal((await dom.getStateAsync()).state, DomainState.RUNNING);
        await dom.suspendAsync();
        await dom.resumeAsync();
        assert.equal(dom.getState().state, DomainState.RUNNING);
      });
    } finally {
      g.remove(conn);
      conn.close();
      await host.daemon.stop();
    }
  },
});
