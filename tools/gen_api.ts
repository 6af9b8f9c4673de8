// Generates the binding of libvirt's whole API from its API description (`deno task gen`):
// ffi/symbols.ts, ffi/symbols_qemu.ts, ffi/enums.ts, api/generated/*.ts and docs/api.md; and,
// through tools/gen_param_names.ts, api/typed_param_names.ts (the typed-parameter names of
// libvirt's headers).
//
//   deno run -A tools/gen_api.ts [--api-dir DIR] [--include-dir DIR] [--out DIR]
//
// --api-dir: where libvirt-api.xml, libvirt-qemu-api.xml and libvirt-lxc-api.xml are (default
// /usr/share/libvirt/api; a newer libvirt's description adds its functions as optional).
// --include-dir: libvirt's headers (default /usr/include/libvirt).
// --out: the repository to write into (default: this one). The files are written to a temporary
// folder, formatted with `deno fmt` there, then copied, so a fresh run equals the committed files.
import { enumsFile, extraSymbolsFile, symbolsFile } from "./gen_tables.ts";
import { KINDS } from "./gen_naming.ts";
import { collect } from "./gen_collect.ts";
import { classFiles, methodsModule } from "./gen_classes.ts";
import { count, docsFile } from "./gen_docs.ts";
import { renderParamNames } from "./gen_param_names.ts";

function option(name: string, fallback: string): string {
  const i = Deno.args.indexOf(name);
  return i >= 0 && Deno.args[i + 1] ? Deno.args[i + 1] : fallback;
}

const started = performance.now();
const apiDir = option("--api-dir", "/usr/share/libvirt/api");
const outDir = option("--out", new URL("..", import.meta.url).pathname).replace(/\/$/, "");
const { main, qemu, lxc, enums, placements, byKind } = collect(apiDir);
const enumsText = enumsFile(enums);
const enumNames = new Set([...enumsText.matchAll(/^export const (\w+)/gm)].map((m) => m[1]));

const files = new Map<string, string>();
files.set("ffi/symbols.ts", symbolsFile(main));
files.set("ffi/symbols_qemu.ts", extraSymbolsFile(qemu, lxc));
files.set("ffi/enums.ts", enumsText);
for (const k of KINDS) {
  const plans = byKind.get(k.cls);
  if (!plans) continue;
  const { runtime, methods } = classFiles(k, plans, enumNames);
  files.set(k.generated, runtime);
  files.set(methodsModule(k), methods);
}
files.set("docs/api.md", docsFile(placements));
files.set(
  "api/typed_param_names.ts",
  renderParamNames(option("--include-dir", "/usr/include/libvirt")).text,
);

// Write, format with the repository's settings, copy.
const tmp = Deno.makeTempDirSync({ prefix: "gen_api_" });
try {
  for (const [path, text] of files) {
    Deno.mkdirSync(`${tmp}/${path.replace(/\/[^/]+$/, "")}`, { recursive: true });
    Deno.writeTextFileSync(`${tmp}/${path}`, text);
  }
  const fmt = new Deno.Command(Deno.execPath(), {
    args: ["fmt", "--no-config", "--line-width=100", "--quiet", tmp],
  }).outputSync();
  if (!fmt.success) throw new Error(`deno fmt failed: ${new TextDecoder().decode(fmt.stderr)}`);
  for (const path of files.keys()) {
    Deno.mkdirSync(`${outDir}/${path.replace(/\/[^/]+$/, "")}`, { recursive: true });
    Deno.writeTextFileSync(`${outDir}/${path}`, Deno.readTextFileSync(`${tmp}/${path}`));
  }
} finally {
  Deno.removeSync(tmp, { recursive: true });
}

const c = count(placements);
const ms = Math.round(performance.now() - started);
console.error(
  `gen_api: ${c.total} functions: ${c.generated} generated, ${c.hand} hand-written, ` +
    `${c.excluded} excluded, ${c.missing} not reachable; ${files.size} files in ${ms} ms`,
);
if (Deno.args.includes("--missing")) {
  for (const [fn, p] of placements) if (p.kind === "missing") console.log(fn.name, "—", p.reason);
}
if (Deno.args.includes("--generated")) {
  for (const [fn, p] of placements) {
    if (p.kind === "generated") console.log(fn.name, p.plan.owner.cls + "." + p.plan.method);
  }
}
