// Event-loop behaviour that needs a process of its own: libvirt accepts one event impl per
// process (the default impl and a custom subclass cannot share the test process), registering
// after a connection must fail, and a script must end by itself once nothing is watched.
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { requireDaemon } from "./helpers/daemon.ts";
import { startSshd } from "./helpers/ssh.ts";

const deno = Deno.execPath();
// Children skip type checking: `deno task check` checks the fixtures, and a child's check would
// only repeat it (slowly) for every spawn.
const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

/** Runs a child to completion, echoing its output; returns its status and output. */
async function runChild(
  args: string[],
  env: Record<string, string> = {},
  timeoutMs = 60_000,
): Promise<{ code: number; out: string; ms: number }> {
  const t0 = performance.now();
  const child = new Deno.Command(deno, {
    args,
    env: { NO_COLOR: "1", ...env },
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(timeoutMs),
  });
  const { code, stdout, stderr } = await child.output();
  const out = new TextDecoder().decode(stdout) + new TextDecoder().decode(stderr);
  return { code, out, ms: performance.now() - t0 };
}

function assertPassed(r: { code: number; out: string }, what: string): void {
  console.log(r.out.trimEnd());
  assert.equal(r.code, 0, `${what} exited with ${r.code}`);
}

Deno.test("the default impl passes the contract in its own process", async () => {
  const r = await runChild(["test", "--no-check", "--allow-all", fixture("event_default_impl.ts")]);
  assertPassed(r, "the default-impl suite");
});

Deno.test("a TypeScript EventImpl subclass passes the contract in its own process", async () => {
  const d = await requireDaemon("the recording impl over a remote connection");
  const env: Record<string, string> = d ? { EVENT_TEST_URI: d.testUri } : {};
  const r = await runChild([
    "test",
    "--no-check",
    "--allow-all",
    fixture("event_recording_impl.ts"),
  ], env);
  assertPassed(r, "the recording-impl suite");
  if (d) assert.match(r.out, /a remote connection: .* ok/);
});

Deno.test("object events under DefaultEventLoop go through the event relay", async () => {
  const r = await runChild(["test", "--no-check", "--allow-all", fixture("event_relay.ts")]);
  assertPassed(r, "the event relay suite");
});

Deno.test("the event relay: a script ends by itself, or exits in a flood", async (t) => {
  // 10 of each: the Worker ending at stop(), and an exit while libvirt's loop thread may be
  // inside one of the Worker's callbacks, must hold every time, not most times.
  for (const mode of ["end", "exit"]) {
    await t.step(mode, async () => {
      for (let i = 0; i < 10; i++) {
        const r = await runChild(
          ["run", "--no-check", "--allow-all", fixture("event_relay_exit.ts"), mode],
          {},
          30_000,
        );
        assert.equal(r.code, 0, `run ${i} exited with ${r.code}: ${r.out}`);
        assert.match(r.out, mode === "end" ? /RELAYED 300/ : /RELAYED \d+/, r.out);
      }
    });
  }
});

Deno.test("a test that leaves its DefaultEventLoop running ends with its report", async (t) => {
  // The loop's thread calls into JS by itself (a 1 ms timer, a stream callback) when the test
  // runner ends the file; before event/exit_quiet.ts such children died by SIGSEGV or SIGABRT
  // (this test failed in each of 3 runs). Several runs each: the crash came in some, not all.
  for (const mode of ["pool", "hosted"]) {
    await t.step(mode, async () => {
      for (let i = 0; i < 6; i++) {
        const fail = i > 0;
        const r = await runChild(
          ["test", "--no-check", "--allow-all", fixture("loop_left_running_test.ts")],
          fail ? { MODE: mode, FAIL: "1" } : { MODE: mode },
          30_000,
        );
        const what = `run ${i} (${fail ? "failing" : "passing"})`;
        assert.equal(r.code, fail ? 1 : 0, `${what} exited with ${r.code}: ${r.out}`);
        assert.match(r.out, /CALLBACKS fired/, r.out);
        assert.match(r.out, fail ? /FAILED \| 0 passed \| 1 failed/ : /ok \| 1 passed/, r.out);
      }
    });
  }
});

Deno.test("an uncaught error ends a script with its report and exit 1, not a signal", async (t) => {
  // No `unload` then: Deno drops the runtime as the error leaves its loop. Before the silencing
  // at that event (event/exit_quiet.ts) such children died by SIGSEGV before printing the error,
  // in 14 of 120 runs of this kind and up to 6 of 10 in a set (failing async calls in flight and
  // no loop: 3 of 100). Several runs each for the same reason.
  const script = fixture("loop_uncaught_error.ts");
  for (const mode of ["pool", "hosted", "async"]) {
    for (const how of ["throw", "reject"]) {
      await t.step(`${mode}, ${how}`, async () => {
        for (let i = 0; i < 5; i++) {
          const r = await runChild(["run", "--no-check", "--allow-all", script], {
            MODE: mode,
            HOW: how,
          }, 30_000);
          assert.equal(r.code, 1, `run ${i} exited with ${r.code}: ${r.out}`);
          assert.match(r.out, /CALLBACKS fired/, r.out);
          assert.match(r.out, /error: Uncaught .*died on purpose/, r.out);
        }
      });
    }
  }
  // An app that prevents that end goes on, and its callbacks with it (put back on the next turn).
  for (const how of ["throw", "reject"]) {
    await t.step(`averted by the app (${how})`, async () => {
      const r = await runChild(["run", "--no-check", "--allow-all", script], {
        MODE: "hosted",
        HOW: how,
        PREVENT: "1",
      }, 30_000);
      assertPassed(r, "the averting script");
      const m = r.out.match(/AVERTED 1, then (\d+) timer and (\d+) stream callbacks/);
      assert.ok(m, r.out);
      assert.ok(Number(m[1]) > 0 && Number(m[2]) > 0, r.out);
      // 1.5 s of errors averted every 100 ms: a 300 ms timer whose period started again at each
      // of them never fired; given back what was left, it fires about five times.
      const p = r.out.match(/PERIODIC (\d+) firings of a 300 ms timer across (\d+) averted/);
      assert.ok(p, r.out);
      assert.ok(Number(p[2]) >= 10, r.out);
      assert.ok(Number(p[1]) >= 2, r.out);
    });
    // Async calls that fail while their error function is silenced still get libvirt's error
    // (the connection's copy of it).
    await t.step(`averted by the app, async calls failing (${how})`, async () => {
      const r = await runChild(["run", "--no-check", "--allow-all", script], {
        MODE: "async",
        HOW: how,
        PREVENT: "1",
      }, 30_000);
      assertPassed(r, "the averting script");
      const m = r.out.match(/AVERTED 20, then (\d+) failures, (\d+) other errors/);
      assert.ok(m, r.out);
      assert.ok(Number(m[1]) > 0, r.out);
      assert.equal(Number(m[2]), 0, r.out);
    });
  }
});

Deno.test("a connection lost as a script dies of an uncaught error: exit 1, not a signal", async (t) => {
  // The close callback is the one call from the loop's thread into JS that the silencing at an
  // uncaught error leaves alone (it does not repeat): the child cuts its ssh connection, keeps
  // the JS thread busy for a while (the loop's thread then waits to deliver the close), and dies.
  const d = await requireDaemon("the close-at-death script");
  if (!d) return;
  const sshd = await startSshd(d).catch((e) => {
    console.log(`no sshd, skipped: ${(e as Error).message}`);
    return null;
  });
  if (!sshd) return;
  const script = fixture("close_at_death.ts");
  try {
    for (const hosted of ["0", "1"]) {
      const where = hosted === "1" ? "on the relay's Worker" : "on the pool";
      await t.step(`the loss reaches the close callback (loop ${where})`, async () => {
        const r = await runChild(["run", "--no-check", "--allow-all", script], {
          URI: sshd.uri("test"),
          HOSTED: hosted,
          LIVE: "1",
        }, 30_000);
        assertPassed(r, "the live close script");
        assert.match(r.out, /CLOSED 1/);
      });
      await t.step(`dying meanwhile (loop ${where})`, async () => {
        for (const busy of [0, 3, 30, 300]) {
          const r = await runChild(["run", "--no-check", "--allow-all", script], {
            URI: sshd.uri("test"),
            HOSTED: hosted,
            BUSY: String(busy),
          }, 30_000);
          assert.equal(r.code, 1, `busy ${busy} ms: exited with ${r.code}: ${r.out}`);
          assert.match(r.out, /error: Uncaught .*died on purpose/, r.out);
        }
      });
    }
  } finally {
    await sshd.stop();
  }
});

Deno.test("registering a loop after a connection was opened throws", async () => {
  const r = await runChild([
    "run",
    "--no-check",
    "--allow-all",
    fixture("event_register_after_open.ts"),
  ]);
  assertPassed(r, "the register-after-open script");
  assert.match(r.out, /register-after-open: ok/);
});

Deno.test("process lifetime with DenoEventImpl", async (t) => {
  const script = fixture("event_lifetime.ts");
  await t.step("a script that deregisters and closes test:///default exits by itself", async () => {
    const r = await runChild(
      ["run", "--no-check", "--allow-all", script, "exit", "test:///default"],
      {},
      20_000,
    );
    assertPassed(r, "the lifetime script");
    assert.match(r.out, /event received/);
    console.log(`exited by itself ${r.ms.toFixed(0)} ms after spawn`);
    assert.ok(r.ms < 10_000, `took ${r.ms} ms`);
  });

  await t.step("the same over a remote connection with keepalive exits by itself", async () => {
    const d = await requireDaemon("the remote lifetime script");
    if (!d) return;
    const r = await runChild(
      ["run", "--no-check", "--allow-all", script, "exit", d.testUri],
      {},
      20_000,
    );
    assertPassed(r, "the remote lifetime script");
    assert.match(r.out, /event received/);
    console.log(`exited by itself ${r.ms.toFixed(0)} ms after spawn`);
    assert.ok(r.ms < 10_000, `took ${r.ms} ms`);
  });

  await t.step("an unref'd loop lets a script with a remote listener exit", async () => {
    const d = await requireDaemon("the unref'd listener script");
    if (!d) return;
    const r = await runChild(
      ["run", "--no-check", "--allow-all", script, "unref", d.testUri],
      {},
      20_000,
    );
    assertPassed(r, "the unref'd listener script");
    console.log(`exited by itself ${r.ms.toFixed(0)} ms after spawn`);
  });

  await t.step("a script that keeps a remote listener stays alive", async () => {
    const d = await requireDaemon("the remote listener script");
    if (!d) return;
    await assertStaysAlive(script, d.testUri);
  });
});

/** Spawns the listener script, waits for it to report ready, checks it is still running later. */
async function assertStaysAlive(script: string, uri: string): Promise<void> {
  const child = new Deno.Command(deno, {
    args: ["run", "--no-check", "--allow-all", script, "listen", uri],
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  let exited = false;
  const status = child.status.then((s) => ((exited = true), s));
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let out = "";
  try {
    while (!out.includes("listening")) {
      const { value, done } = await reader.read();
      if (done) break;
      out += value;
    }
    assert.match(out, /listening/, "the listener got ready");
    await new Promise((r) => setTimeout(r, 1500));
    assert.ok(!exited, "a script with a live listener must not exit");
  } finally {
    if (!exited) child.kill("SIGTERM");
    reader.releaseLock();
    await child.stdout.cancel().catch(() => {});
    await status;
  }
}
