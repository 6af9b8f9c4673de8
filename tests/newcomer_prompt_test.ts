// Specifies that the README's samples run in a terminal with `--allow-ffi` alone and Deno never
// prompts (issue 15, item 1): the module reads LIBVIRT_PATH and LIBVIRT_DENO_LOG only when the
// env permission is already granted. Deno prompts only on a terminal, so each sample runs under
// a pseudo-terminal (`script`); no input is given, and a prompt would hang, so the run is killed
// after a while and the prompt's words are looked for in what the terminal showed.
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const TIMEOUT_MS = 60_000;

/** The README's ```ts blocks that run on the test driver (no daemon, no real host). */
function readmeSamples(): string[] {
  const readme = Deno.readTextFileSync(`${ROOT}README.md`);
  const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
  return blocks.filter((b) => b.includes("test:///default") && !b.includes('qemu:///system")'));
}

function shellQuote(s: string): string {
  return `'${s.replaceAll("'", `'\\''`)}'`;
}

/** Runs `deno run --allow-ffi file` on a pseudo-terminal; returns what the terminal showed. */
async function runOnTerminal(file: string): Promise<{ code: number; shown: string }> {
  const command = `${shellQuote(Deno.execPath())} run --allow-ffi ${shellQuote(file)}`;
  const child = new Deno.Command("script", {
    args: ["-qec", command, "/dev/null"],
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let killed = false;
  const timer = setTimeout(() => {
    killed = true;
    child.kill("SIGKILL");
  }, TIMEOUT_MS);
  try {
    const out = await child.output();
    const dec = new TextDecoder();
    // Prompts are drawn with escape sequences even under NO_COLOR on some versions: drop them.
    // deno-lint-ignore no-control-regex
    const shown = (dec.decode(out.stdout) + dec.decode(out.stderr)).replace(/\x1b\[[0-9;]*m/g, "");
    return { code: killed ? -1 : out.code, shown };
  } finally {
    clearTimeout(timer);
  }
}

Deno.test("the README's samples run on a terminal with --allow-ffi and no prompt", async (t) => {
  const samples = readmeSamples();
  assert.ok(samples.length >= 2, `found ${samples.length} runnable samples in the README`);
  const dir = await Deno.makeTempDir({ prefix: "deno-libvirt-prompt-" });
  try {
    for (const [i, sample] of samples.entries()) {
      const first = sample.split("\n").find((l) => l.includes("test:///default"))?.trim();
      await t.step(`sample ${i + 1}: ${first}`, async () => {
        // The samples import "./mod.ts", as from a checkout's root.
        const file = `${dir}/sample${i + 1}.ts`;
        const modUrl = new URL("../mod.ts", import.meta.url).href;
        Deno.writeTextFileSync(file, sample.replaceAll('"./mod.ts"', `"${modUrl}"`));
        const { code, shown } = await runOnTerminal(file);
        assert.doesNotMatch(shown, /requests \w+ access/, `Deno prompted:\n${shown}`);
        assert.notEqual(code, -1, `the sample hung (killed after ${TIMEOUT_MS} ms):\n${shown}`);
        assert.equal(code, 0, shown);
      });
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
