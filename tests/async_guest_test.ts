// Specifies AbortSignal on real long jobs: a core dump and a save of a running QEMU guest (2 GiB
// of guest memory, so each lasts long enough to be caught running) are aborted through their
// signal — libvirt's virDomainAbortJob — while job queries skip the connection's queue to watch.
// A block job wait (blockJobWaitAsync) resolves when the copy is ready and aborts the job on its signal.
import assert from "node:assert/strict";
import { Connection, type Domain, DomainBlockCopyFlags, DomainState } from "../mod.ts";
import { Guest, GUEST_PREFIX, requireGuestHost } from "./helpers/guest.ts";
import { bootSectorImage } from "./fixtures/bootsector.ts";

const MiB = 1024 * 1024;

// Job queries skip the connection's queue: they see a job that is itself in flight.
async function abortOnceRunning(dom: Domain, ctl: AbortController, what: string): Promise<void> {
  const start = performance.now();
  let seen = false;
  while (!seen && performance.now() - start < 20_000) {
    seen = (await dom.getJobInfoAsync()).type !== 0;
    if (!seen) await new Promise((r) => setTimeout(r, 5));
  }
  assert.ok(seen, `the ${what} job never showed up`);
  ctl.abort(new Error(`the user cancelled the ${what}`));
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
        const ctl = new AbortController();
        const dump = dom.coreDumpAsync(`${dir}/core.dump`, 0, { signal: ctl.signal });
        await abortOnceRunning(dom, ctl, "dump");
        await assert.rejects(() => dump, /the user cancelled the dump/);
        assert.equal((await dom.getJobInfoAsync()).type, 0); // no job left
      });

      await t.step("the same for a save: the guest is not saved and keeps running", async () => {
        const ctl = new AbortController();
        const save = dom.saveAsync(`${dir}/guest.save`, { signal: ctl.signal });
        await abortOnceRunning(dom, ctl, "save");
        await assert.rejects(() => save, /the user cancelled the save/);
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
