// Proves the module is ready for `deno compile`: a static, local module graph and no files read
// relative to the module at run time (a compiled binary has no source folder beside it).
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";

const root = new URL("../", import.meta.url);

interface InfoModule {
  specifier: string;
  kind?: string;
  error?: string;
  dependencies?: {
    specifier: string;
    isDynamic?: boolean;
    code?: { specifier?: string };
    type?: { specifier?: string };
  }[];
}

async function moduleGraph(): Promise<InfoModule[]> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", "mod.ts"],
    cwd: fileURLToPath(root),
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  return (JSON.parse(new TextDecoder().decode(out.stdout)) as { modules: InfoModule[] }).modules;
}

Deno.test("compile readiness", async (t) => {
  const modules = await moduleGraph();

  // Deno's built-in node: modules ship inside the runtime, so a compiled binary has them.
  const own = modules.filter((m) => !m.specifier.startsWith("node:"));

  await t.step("the graph holds the module's own files and Deno's built-ins only", () => {
    assert.ok(own.length > 5);
    for (const m of own) {
      assert.ok(m.specifier.startsWith(root.href), `outside the module: ${m.specifier}`);
      assert.equal(m.error, undefined, `${m.specifier}: ${m.error}`);
    }
  });

  await t.step("no import is dynamic or remote", () => {
    for (const m of own) {
      for (const d of m.dependencies ?? []) {
        assert.notEqual(d.isDynamic, true, `dynamic import of ${d.specifier} in ${m.specifier}`);
        const target = d.code?.specifier ?? d.type?.specifier ?? d.specifier;
        assert.match(target, /^(file:|node:)/, `remote import ${target} in ${m.specifier}`);
      }
    }
  });

  await t.step("no module reads files relative to import.meta.url at run time", async () => {
    for (const m of own) {
      const text = await Deno.readTextFile(new URL(m.specifier));
      assert.doesNotMatch(text, /import\.meta\.(url|dirname|filename|resolve)/, m.specifier);
      assert.doesNotMatch(text, /\bimport\s*\(/, `dynamic import() in ${m.specifier}`);
    }
  });
});
