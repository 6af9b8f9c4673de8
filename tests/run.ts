// Runs every tests/*_test.ts file in a `deno test` process of its own, then prints one summary.
//
// Why one process per file: libvirt's event loop registration and the C callbacks handed to
// libvirt are process-wide, while `deno test` gives each test file its own JS isolate inside one
// process. A file's callbacks die with its isolate; the next file must not inherit a libvirt that
// points at them. A separate process per file also turns a crash into one failed file.
//   deno run -A tests/run.ts [filter...]   (a filter keeps files whose name contains it)
import { fileURLToPath } from "node:url";

const testsDir = fileURLToPath(new URL(".", import.meta.url));
const filters = Deno.args.filter((a) => !a.startsWith("-"));
const files = [...Deno.readDirSync(testsDir)]
  .filter((e) => e.isFile && e.name.endsWith("_test.ts"))
  .map((e) => e.name)
  .filter((n) => filters.length === 0 || filters.some((f) => n.includes(f)))
  .sort();

interface Counts {
  passed: number;
  passedSteps: number;
  failed: number;
  failedSteps: number;
  ignored: number;
}
const total: Counts = { passed: 0, passedSteps: 0, failed: 0, failedSteps: 0, ignored: 0 };
const failedFiles: string[] = [];
const started = performance.now();

// "ok | 12 passed (40 steps) | 0 failed (3s)", "FAILED | 1 passed | 1 failed (2 steps) | 1 ignored"
function parseSummary(text: string): Counts | null {
  const line = text.split("\n").reverse().find((l) => /^(ok|FAILED) \| \d+ passed/.test(l));
  if (!line) return null;
  const num = (re: RegExp) => Number(line.match(re)?.[1] ?? 0);
  return {
    passed: num(/(\d+) passed/),
    passedSteps: num(/passed \((\d+) steps?\)/),
    failed: num(/(\d+) failed/),
    failedSteps: num(/failed \((\d+) steps?\)/),
    ignored: num(/(\d+) ignored/),
  };
}

for (const file of files) {
  console.log(`\n=== tests/${file}`);
  const child = new Deno.Command(Deno.execPath(), {
    args: ["test", "--allow-all", `tests/${file}`],
    cwd: fileURLToPath(new URL("..", import.meta.url)),
    stdout: "piped",
    stderr: "inherit",
    env: { NO_COLOR: "1" },
  }).spawn();
  let text = "";
  const decoder = new TextDecoder();
  for await (const chunk of child.stdout) {
    await Deno.stdout.write(chunk);
    text += decoder.decode(chunk, { stream: true });
  }
  const status = await child.status;
  const counts = parseSummary(text);
  // A process killed by a signal failed even when every test passed and the summary printed:
  // the exit-time crash (docs/exit-crash.md) happens after that line. Deno reports a signal
  // either in status.signal or as an exit code of 128 + the signal number.
  const died = status.signal !== null || status.code >= 128;
  if (counts === null || !status.success) failedFiles.push(file);
  if (died) {
    console.log(
      `=== tests/${file}: died by signal ${status.signal ?? status.code - 128} ` +
        `(exit ${status.code})${counts === null ? "" : " after its summary"}`,
    );
    total.failed++;
    if (counts === null) continue;
  } else if (counts === null) {
    console.log(`=== tests/${file}: no summary (exit ${status.code}, signal ${status.signal})`);
    total.failed++;
    continue;
  } else if (!status.success && counts.failed === 0) {
    console.log(`=== tests/${file}: exit ${status.code} although no test failed`);
    total.failed++;
  }
  for (const k of Object.keys(total) as (keyof Counts)[]) total[k] += counts[k];
}

const seconds = Math.round((performance.now() - started) / 1000);
console.log(`\n${files.length} test files, ${failedFiles.length} failed`);
for (const f of failedFiles) console.log(`  failed: tests/${f}`);
const ok = failedFiles.length === 0 && total.failed === 0;
console.log(
  `${ok ? "ok" : "FAILED"} | ${total.passed} passed (${total.passedSteps} steps) | ` +
    `${total.failed} failed (${total.failedSteps} steps)` +
    (total.ignored ? ` | ${total.ignored} ignored` : "") + ` (${seconds}s)`,
);
if (!ok) Deno.exitCode = 1;
