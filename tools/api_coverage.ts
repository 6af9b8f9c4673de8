// Counts which of libvirt's C functions the API tests call (`deno task api-coverage`): runs each
// test file with LIBVIRT_DENO_API_TRACE (ffi/library.ts appends each function's name when it
// binds it, right before its first call) and prints "called N of M" and what was not called.
//
//   deno run -A tools/api_coverage.ts [test files...] [--suite] [--list]
//
// Without files: every tests/api_*_test.ts, the tests written for the generated API (13 s).
// --suite: every test file but the two soaks (about 6 min):
// the guest, stream, event and remote tests call what test:///default cannot answer.
import { parseApi } from "./api_xml.ts";
import { overrides } from "./overrides.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const API = "/usr/share/libvirt/api";
const list = Deno.args.includes("--list");
const suite = Deno.args.includes("--suite");
let files = Deno.args.filter((a) => !a.startsWith("--"));
if (files.length === 0) {
  // The soaks are left out: they repeat, for a set time, calls that other files test.
  const wanted = (n: string) =>
    suite ? n.endsWith("_test.ts") && !n.endsWith("_soak_test.ts") : /^api_.*_test\.ts$/.test(n);
  files = [...Deno.readDirSync(`${ROOT}tests`)]
    .map((e) => e.name)
    .filter(wanted)
    .sort()
    .map((n) => `tests/${n}`);
}

const all = [
  ...parseApi(Deno.readTextFileSync(`${API}/libvirt-api.xml`), "libvirt").functions,
  ...parseApi(Deno.readTextFileSync(`${API}/libvirt-qemu-api.xml`), "qemu").functions,
  ...parseApi(Deno.readTextFileSync(`${API}/libvirt-lxc-api.xml`), "lxc").functions,
].map((f) => f.name);

// A test file that hangs must not stall the count: each gets this long, then SIGTERM.
const FILE_TIMEOUT_MS = 10 * 60_000;

const trace = await Deno.makeTempFile({ prefix: "api_trace_" });
let failed = 0;
const t0 = performance.now();
for (const f of files) {
  const started = performance.now();
  const r = await new Deno.Command(Deno.execPath(), {
    args: ["test", "-A", f],
    cwd: ROOT,
    env: { LIBVIRT_DENO_API_TRACE: trace },
    stdout: "null",
    stderr: "null",
    signal: AbortSignal.timeout(FILE_TIMEOUT_MS),
  }).output();
  const secs = ((performance.now() - started) / 1000).toFixed(0);
  console.error(`${r.success ? "ok    " : "FAILED"} ${f} (${secs} s)`);
  if (!r.success) failed++;
}
console.error(`${files.length} files in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
const called = new Set(Deno.readTextFileSync(trace).split("\n").filter((n) => n));
await Deno.remove(trace);
const hit = all.filter((n) => called.has(n));
const pct = ((100 * hit.length) / all.length).toFixed(1);
console.log(`called ${hit.length} of ${all.length} C functions (${pct}%) in ${files.length} files`);
const excluded = all.filter((n) => {
  const o = overrides[n];
  return o !== undefined && "exclude" in o;
});
const reachable = all.filter((n) => !excluded.includes(n));
const hitR = reachable.filter((n) => called.has(n)).length;
console.log(
  `reachable ${reachable.length} of ${all.length} (${excluded.length} excluded with a reason); ` +
    `called ${hitR} of the reachable (${((100 * hitR) / reachable.length).toFixed(1)}%)`,
);
if (list) {
  for (const n of reachable.filter((n) => !called.has(n))) console.log(`  not called: ${n}`);
  // An excluded function that is called after all: its exclusion reason is out of date.
  for (const n of excluded.filter((n) => called.has(n))) console.log(`  excluded but called: ${n}`);
}
if (failed) Deno.exit(1);
