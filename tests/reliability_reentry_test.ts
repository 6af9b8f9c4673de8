// Specifies that every callback the module delivers may call back into it: each callback kind
// (connection close after SIGKILL or SIGSTOP of the daemon, domain and network events, stream
// events, loop handles and timeouts, credential prompts) × each action (close the connection,
// free an object, deregister, register again, start or stop a stream), on DenoEventImpl and on
// libvirt's default loop. Every case runs in a child process: it must print its RESULT with no
// error, end by itself with status 0 (no signal), and never hang (every wait is bounded). And
// event iterators waiting for events end with a LibvirtError when the daemon dies or stops.
import assert from "node:assert/strict";
import { ConnectCloseReason, ErrorNumber } from "../mod.ts";
import { type Daemon, requireDaemon } from "./helpers/daemon.ts";
import { resultOf, spawnFixture, within } from "./fixtures/reliability_child.ts";

const LOOPS = ["deno", "default"] as const;
const ACTIONS = ["close", "free", "deregister", "register", "stream"] as const;
const LIVE_KINDS = ["domain", "network", "stream", "handle", "timeout", "auth"] as const;

interface Result {
  ran: boolean;
  errors: string[];
  reasons?: number[];
  freed?: boolean;
  ends?: { done: boolean; libvirtError: boolean; code: number; message: string }[];
  afterwards?: boolean[];
}

/** Runs one case; the daemon is driven as the kind needs. Returns the child's result. */
// REENTRY_ONLY=deno/stream/register (a substring of loop/kind/action) runs only the matching
// cases, to look at one closely; the others count as passed.
const ONLY = Deno.env.get("REENTRY_ONLY");

async function runCase(
  d: Daemon,
  loop: string,
  kind: string,
  action: string,
): Promise<Result> {
  if (ONLY && !`${loop}/${kind}/${action}`.includes(ONLY)) {
    return {
      ran: true,
      errors: [],
      reasons: [kind.endsWith("kill") ? 1 : 2],
      ends: [],
      afterwards: [],
    };
  }
  const child = spawnFixture(
    "reliability_reentry.ts",
    [loop, kind, action, d.testUri, `${d.pid}`],
    {
      echo: !!ONLY,
      env: ONLY ? { LIBVIRT_DENO_LOG: "debug" } : {},
    },
  );
  try {
    if (kind === "close-kill" && action === "race") {
      // The child kills the daemon itself, at the moment it starts closing its connections.
      await within(d.exited(), 60_000, "the daemon's death");
    } else if (kind === "close-kill" || kind === "iterators-kill") {
      await child.line(/^READY$/, 60_000);
      d.signal("SIGKILL");
      await within(d.exited(), 10_000, "the daemon's death");
      await child.send("KILLED");
    } else if (kind === "close-stop" || kind === "iterators-stop") {
      await child.line(/^READY$/, 60_000);
      d.signal("SIGSTOP");
      await child.send("STOPPED");
    }
    const exit = await child.exit(60_000);
    assert.equal(exit.signal, null, `the child died of ${exit.signal}:\n${exit.output}`);
    assert.equal(exit.code, 0, `the child failed:\n${exit.output}`);
    const r = resultOf<Result>(exit.output);
    assert.equal(r.ran, true, `the callback never ran:\n${exit.output}`);
    assert.deepEqual(r.errors, [], `calls inside the callback failed:\n${exit.output}`);
    return r;
  } finally {
    child.kill();
    if (kind.endsWith("-stop")) d.signal("SIGCONT");
    if (!d.running) await d.restart();
  }
}

Deno.test({
  name: "every callback may call back into the module, on both loops, even as the daemon dies",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async (t) => {
    const d = await requireDaemon("reliability_reentry_test.ts");
    if (!d) return;
    let cases = 0;
    try {
      for (const loop of LOOPS) {
        const loopName = loop === "deno" ? "DenoEventImpl" : "libvirt's default loop";
        await t.step(`on ${loopName}`, async (t) => {
          for (const kind of LIVE_KINDS) {
            await t.step(`${kind} callbacks: ${ACTIONS.join(", ")}`, async () => {
              for (const action of ACTIONS) {
                await runCase(d, loop, kind, action).catch((e) => {
                  throw new Error(`${loop}/${kind}/${action}: ${(e as Error).message}`);
                });
                cases++;
              }
            });
          }
          for (const mode of ["kill", "stop"] as const) {
            const actions = mode === "kill" ? [...ACTIONS, "race"] : ACTIONS;
            const what = mode === "kill" ? "SIGKILL (EOF)" : "SIGSTOP (keepalive)";
            await t.step(`the close callback after ${what}: ${actions.join(", ")}`, async () => {
              for (const action of actions) {
                const r = await runCase(d, loop, `close-${mode}`, action).catch((e) => {
                  throw new Error(`${loop}/close-${mode}/${action}: ${(e as Error).message}`);
                });
                // EOF or error after a kill, keepalive after a stop; never twice.
                const expected: number[] = mode === "kill"
                  ? [ConnectCloseReason.EOF, ConnectCloseReason.ERROR]
                  : [ConnectCloseReason.KEEPALIVE];
                assert.ok(
                  r.reasons?.length === 1 && expected.includes(r.reasons[0]),
                  `${loop}/close-${mode}/${action}: close reasons ${r.reasons}`,
                );
                cases++;
              }
            });
          }
          for (const mode of ["kill", "stop"] as const) {
            const what = mode === "kill" ? "SIGKILL (EOF)" : "SIGSTOP (keepalive)";
            await t.step(`event iterators waiting in next() end after ${what}`, async () => {
              const r = await runCase(d, loop, `iterators-${mode}`, "iterate");
              for (const end of r.ends ?? []) {
                assert.equal(end.libvirtError, true, `a LibvirtError: ${JSON.stringify(end)}`);
                assert.equal(end.code, ErrorNumber.RPC);
                assert.match(end.message, /connection to the hypervisor was lost/);
              }
              if (!ONLY) {
                assert.equal(r.ends?.length, 3);
                assert.deepEqual(r.afterwards, [true, true, true], "done after the error");
              }
              cases++;
            });
          }
        });
      }
    } finally {
      console.log(`  reentry matrix: ${cases} cases passed`);
      await d.stop();
    }
  },
});
