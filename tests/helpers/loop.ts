// The test event loop: a DenoEventImpl registered for the importing test module, which runs in a
// process of its own (it re-runs itself there when imported inside a shared `deno test` run).
//
// Why a process of its own: libvirt keeps ONE event impl per process, and `deno test` runs every
// test module in its own isolate inside one process. The impl's callbacks belong to the isolate
// that registered them; once that module is done, libvirt would call into a dead isolate the next
// time any module opens a remote connection or registers an event, and the process segfaults
// (measured: exit 139). So a module that needs a loop must own its process.
//
// How: when `deno test` was given this module alone (as tests/run.ts, `deno task test`, does),
// the helper registers the loop at once. In a shared run (`deno test tests/`), importing it
// registers one test that runs the importing module (Deno.mainModule) with `deno test` in a
// child process, passing its output through, and turns the module's own Deno.test calls into
// no-ops in this isolate (each module has its own isolate, so no other module is affected).
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { DenoEventImpl, Event } from "../../mod.ts";
import { registeredImpl } from "../../event/register.ts";

/** Set in the child to the module it runs, so that module registers the loop itself. */
const OWN_PROCESS_ENV = "LIBVIRT_DENO_TEST_OWN_PROCESS";

/** Whether this process runs no test module but the importing one (read from its command line). */
function aloneInProcess(): boolean {
  try {
    const argv = Deno.readTextFileSync("/proc/self/cmdline").split("\0").filter((a) => a);
    const start = argv.indexOf("test");
    if (start < 0) return false;
    const end = argv.indexOf("--", start);
    const targets = argv.slice(start + 1, end < 0 ? undefined : end)
      .filter((a) => !a.startsWith("-"))
      .flatMap((a) => {
        try {
          return [Deno.realPathSync(a)]; // flag values (a --filter word) are no paths: dropped
        } catch {
          return [];
        }
      });
    return targets.length === 1 && targets[0] === Deno.realPathSync(fileURLToPath(Deno.mainModule));
  } catch {
    return false;
  }
}

/** Whether this module runs in a process of its own (then its tests run here). */
export const inOwnProcess: boolean = Deno.env.get(OWN_PROCESS_ENV) === Deno.mainModule ||
  aloneInProcess();

function registerOnce(): DenoEventImpl {
  const existing = registeredImpl();
  if (existing instanceof DenoEventImpl) return existing;
  const loop = new DenoEventImpl();
  // Throws if a connection was opened before this import or another loop is registered:
  // import this helper first in every test file that needs events.
  Event.register(loop);
  return loop;
}

function runInOwnProcess(): void {
  const realTest = Deno.test;
  const module = Deno.mainModule;
  const file = module.slice(module.lastIndexOf("/") + 1);
  realTest(`${file} in its own process (one event loop per process)`, async () => {
    const { code } = await new Deno.Command(Deno.execPath(), {
      // The parent run type-checked the module already.
      args: ["test", "--allow-all", "--no-check", fileURLToPath(module)],
      env: { [OWN_PROCESS_ENV]: module },
      stdin: "null",
      stdout: "inherit",
      stderr: "inherit",
    }).output();
    assert.equal(code, 0, `${file} failed in its own process (exit code ${code})`);
  });
  const skip = () => {};
  (Deno as { test: unknown }).test = Object.assign(skip, { ignore: skip, only: skip });
}

if (!inOwnProcess) runInOwnProcess();

/**
 * The DenoEventImpl libvirt uses in this test process. (In the shared run, where the module's
 * tests do not run, it is an unregistered instance that nothing uses.)
 */
export const eventLoop: DenoEventImpl = inOwnProcess ? registerOnce() : new DenoEventImpl();
