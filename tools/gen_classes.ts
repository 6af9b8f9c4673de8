// Writes api/generated/<kind>.ts: per libvirt object kind, the `<Kind>Generated` class with every
// function that wraps mechanically and its Async form: one row per method that api/gen_support.ts
// installs at import time; and api/generated/<kind>_methods.ts, the methods' types and docs.
//
// Import rule (why the generated modules never form a cycle that breaks `extends`): a generated
// base imports, as values, only the final classes of the kinds it creates (its children); the
// final classes import their own generated base first. Parents are type-only imports.
import type { Kind } from "./gen_naming.ts";
import type { Param, Plan } from "./gen_plan.ts";
import {
  example,
  headline,
  paramName,
  plainParamDoc,
  returnsDoc,
  wrap as wrapText,
} from "./gen_sentences.ts";

/** The link to libvirt's reference for a function. */
export function referenceUrl(file: string, name: string): string {
  return `https://libvirt.org/html/libvirt-${file}.html#${name}`;
}

function enumHint(info: string, enums: Set<string>): string {
  const names = [...info.matchAll(/vir([A-Z][A-Za-z]+)/g)].map((m) => m[1])
    .filter((n) => enums.has(n));
  return names.length ? ` (${[...new Set(names)].map((n) => `\`${n}\``).join(", ")})` : "";
}

// A parameter's doc: what it is, in our words, with the enum that holds its values.
function paramDoc(x: Param, enums: Set<string>, fnName: string): string {
  let hint = enumHint(x.arg.info, enums);
  // No enum named in the description: the one named after the function, if libvirt has it.
  const base = fnName.replace(/^vir/, "").replace(/Flags$/, "");
  const named = [`${base}Flags`, `${base.replace(/XML$/, "")}Flags`].find((n) => enums.has(n));
  if (!hint && x.decl.startsWith("flags") && named) hint = ` (\`${named}\`)`;
  const name = paramName(x.decl);
  const nullable = x.decl.includes("| null") && !plainParamDoc(x.arg.name, "").includes("null")
    ? " (null: libvirt's default)"
    : "";
  if (name === "flags" && x.decl.startsWith("flags")) {
    return hint
      ? `bitwise OR of${hint.slice(2, -1).replace(/^/, " ")} values (0, the default: none)`
      : "flags for this call (0, the default: none; libvirt's reference lists them)";
  }
  const type = /^\w+: (\w+)/.exec(x.decl)?.[1];
  if (type && /^[A-Z]/.test(type) && type !== "Uint8Array") {
    return `a \`${type}\` of the same connection`;
  }
  const values = hint ? `, one of${hint.slice(2, -1).replace(/^/, " ")}` : "";
  return `${plainParamDoc(x.arg.name, x.arg.type)}${values}${nullable}`;
}

function resultType(p: Plan): string {
  const r = p.result;
  switch (r.kind) {
    case "void":
      return "void";
    case "number":
      return "number";
    case "boolean":
      return "boolean";
    case "string":
    case "conststring":
    case "uuidstring":
      return "string";
    case "uuid":
      return "Uint8Array";
    case "object":
      return r.of.cls;
    case "outint":
      return r.bool ? "boolean" : "number";
  }
}

// The wrap function of a row whose method returns a new handle: which parent it gets.
function wrapper(p: Plan): string {
  if (p.result.kind !== "object") return "";
  const of = p.result.of;
  const self = `s: ${p.owner.cls}Generated, p: Deno.PointerObject`;
  if (of.parent === "Connection") {
    const conn = p.owner.cls === "Connection" ? "s as unknown as Connection" : "s.getConnect()";
    return `(${self}) => ${of.cls}.fromPointer(${conn}, p)`;
  }
  return `(${self}) => ${of.cls}.fromPointer(s as unknown as ${p.owner.cls}, p)`;
}

// The parameter code of gen_support.ts for a parameter's check expression.
const CODES: Record<string, string> = {
  stringArg: "s",
  optionalStringArg: "o",
  uuidCString: "u",
  uuidBytesArg: "b",
  flagsArg: "f",
  intArg: "i",
  uintArg: "U",
  u64Arg: "L",
  i64Arg: "l",
  doubleArg: "d",
  boolArg: "B",
  objectArg: "O",
};

function paramCode(expr: string): string {
  const m = /^(\w+)\((\w+)(?:, "([^"]*)")?\)$/.exec(expr);
  if (!m) throw new Error(`unknown check ${expr}`);
  const code = CODES[m[1]];
  if (code === undefined) throw new Error(`unknown check ${m[1]}`);
  return m[3] === undefined ? code : `${code}:${m[3]}`;
}

function resultCode(p: Plan): string {
  const r = p.result;
  switch (r.kind) {
    case "void":
      return "v";
    case "number":
      return "n";
    case "boolean":
      return "b";
    case "string":
      return "s";
    case "conststring":
      return "c";
    case "object":
      return "w";
    case "uuid":
      return "uuid";
    case "uuidstring":
      return "uuids";
    case "outint":
      return r.bool ? "ob" : "oi";
  }
}

// An interface parameter: defaults become optional parameters (the checks supply them).
function interfaceParam(decl: string): string {
  const m = /^(\w+)(?:: ([^=]+?))?(?: = (.+))?$/.exec(decl)!;
  const type = m[2] ?? "number";
  return m[3] === undefined ? `${m[1]}: ${type}` : `${m[1]}?: ${type}`;
}

interface Emitted {
  members: string[];
  rows: string[];
  valueKinds: Set<string>;
  typeKinds: Set<string>;
}

function emitMethod(p: Plan, enums: Set<string>, e: Emitted): void {
  const type = resultType(p);
  // Optional only when every later parameter is: `x: string | null` takes null otherwise.
  const decls = p.params.map((x, i) => {
    const tail = p.params.slice(i).every((y) => y.decl.includes(" = "));
    return tail ? interfaceParam(x.decl) : interfaceParam(x.decl.replace(/ = .+$/, ""));
  }).join(", ");
  for (const x of p.params) {
    const k = /^objectArg\(\w+, "(\w+)"\)/.exec(x.expr);
    if (k) e.typeKinds.add(k[1]);
  }
  if (p.result.kind === "object") e.valueKinds.add(p.result.of.cls);
  const what = headline(p);
  const returns = returnsDoc(p);
  const tags = (isAsync: boolean) => [
    ...p.params.flatMap((x) =>
      wrapText(`@param ${paramName(x.decl)} ${paramDoc(x, enums, p.fn.name)}`, "   * ").map((
        l,
        i,
      ) => i ? l.replace("   * ", "   *   ") : l)
    ),
    ...(isAsync
      ? wrapText(
        `@returns a Promise of ${returns ?? "nothing"}; libvirt's failures reject it`,
        "   * ",
      )
      : returns
      ? wrapText(`@returns ${returns}`, "   * ")
      : []),
    ...(isAsync ? [] : ["   * @throws {LibvirtError} when libvirt reports a failure"]),
    `   * @see ${referenceUrl(p.fn.file, p.fn.name)}`,
    "   * @example",
    ...example(p, isAsync).map((l) => `   * ${l}`),
    "   */",
  ];
  if (e.members.length) e.members.push("");
  e.members.push(
    "  /**",
    ...wrapText(what, "   * "),
    "   *",
    ...tags(false),
    `  ${p.method}(${decls}): ${type};`,
  );
  const hasAsync = p.async && p.fn.lib === "libvirt";
  if (hasAsync) {
    e.members.push(
      "",
      "  /**",
      ...wrapText(
        `\`${p.method}\` off the JS thread: ${what[0].toLowerCase()}${what.slice(1)} A wrong ` +
          "argument or a freed object throws at the call, before any Promise exists.",
        "   * ",
      ),
      "   *",
      ...tags(true),
      `  ${p.method}Async(${decls}): Promise<${type}>;`,
    );
  }
  const cells = [
    JSON.stringify(p.method),
    JSON.stringify(p.fn.name),
    JSON.stringify(p.verb),
    `[${p.params.map((x) => JSON.stringify(paramCode(x.expr))).join(", ")}]`,
    JSON.stringify(resultCode(p)),
    hasAsync ? "1" : "0",
  ];
  const wrap = wrapper(p);
  if (p.fn.lib !== "libvirt") cells.push(JSON.stringify(p.fn.lib));
  else if (wrap) cells.push("undefined");
  if (wrap) cells.push(wrap);
  e.rows.push(`  [${cells.join(", ")}],`);
}

// A module path as imported from api/generated/.
function rel(module: string): string {
  return module.startsWith("api/") ? "../" + module.slice(4) : "../../" + module;
}

/** Where the types and docs of `kind`'s generated methods go (see `classFiles`). */
export function methodsModule(kind: Kind): string {
  return kind.generated.replace(/\.ts$/, "_methods.ts");
}

/**
 * The texts of api/generated/<kind>.ts and api/generated/<kind>_methods.ts for `kind` and its
 * plans. The methods' declarations and docs (most of the text) go to the second module, which
 * holds types only: nothing imports it as a value, so Deno never loads it when a program runs,
 * and an import of the module pays only for the rows (issue 16: start-up grows with the bytes
 * of source loaded, comments included).
 */
export function classFiles(
  kind: Kind,
  plans: Plan[],
  enums: Set<string>,
): { runtime: string; methods: string } {
  const e: Emitted = { members: [], rows: [], valueKinds: new Set(), typeKinds: new Set() };
  for (const p of plans) emitMethod(p, enums, e);
  const sorted = (s: Set<string>) => [...s].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const kindModule = (cls: string) => (cls === kind.cls ? kind.module : KIND_MODULES.get(cls)!);
  const methodsName = `${kind.cls}Methods`;
  const methodsFile = methodsModule(kind).slice("api/generated/".length);
  const out = [
    "// Generated by tools/gen_api.ts (`deno task gen`) from libvirt's API description: do not edit.",
    `// ${kind.cls}Generated: the ${kind.cls} methods whose arguments and results wrap mechanically,`,
    `// installed from one row each by api/gen_support.ts (types and docs: ${methodsFile}).`,
    `import { install } from "../gen_support.ts";`,
  ];
  // Snapshots and checkpoints share a hand-written base (getDomain, getConnect, getParent,
  // listAllChildren), generic in the final class; every other kind extends LibvirtObject and
  // declares getConnect, which its final class implements.
  const child = kind.parent === "Domain";
  const base = child ? `DomainChild<${kind.cls}>` : "LibvirtObject";
  out.push(
    child
      ? `import { DomainChild } from "../domain_child.ts";`
      : `import { LibvirtObject } from "../object.ts";`,
  );
  const types = new Set<string>();
  if (child) types.add(kind.cls);
  else if (kind.cls !== "Connection") types.add("Connection"); // getConnect()
  const rowText = e.rows.join("\n");
  for (const k of KIND_MODULES.keys()) if (rowText.includes(`as unknown as ${k}`)) types.add(k);
  for (const cls of sorted(e.valueKinds)) {
    out.push(`import { ${cls} } from "${rel(kindModule(cls))}";`);
    types.delete(cls);
  }
  for (const cls of sorted(types)) {
    out.push(`import type { ${cls} } from "${rel(kindModule(cls))}";`);
  }
  out.push(`import type { ${methodsName} } from "./${methodsFile}";`);
  const classDoc = [
    "/**",
    ` * The generated half of \`${kind.cls}\`: every \`${kind.ctype}\` function whose arguments are`,
    " * object handles, strings, numbers and flags, and whose result is a number, a string or a",
    " * handle. The hand-written class extends it; use that class, never this one.",
    ...instanceExample(kind.cls),
  ];
  out.push(
    "",
    ...classDoc,
    `export interface ${kind.cls}Generated extends ${methodsName} {}`,
  );
  out.push("", ...classDoc, `export abstract class ${kind.cls}Generated extends ${base} {`);
  if (kind.cls !== "Connection" && !child) {
    out.push(
      "  /** The connection the object belongs to. */",
      "  abstract getConnect(): Connection;",
    );
  }
  out.push("}", "");
  out.push(`install(${kind.cls}Generated, [`, ...e.rows, "]);", "");

  const methods = [
    "// Generated by tools/gen_api.ts (`deno task gen`) from libvirt's API description: do not edit.",
    `// ${methodsName}: the types and docs of the methods of ${kind.cls}Generated, whose rows are`,
    `// in ${kind.generated}; a module of types only, never loaded when a program runs.`,
  ];
  const memberTypes = new Set<string>([...e.typeKinds, ...e.valueKinds]);
  for (const cls of sorted(memberTypes)) {
    methods.push(`import type { ${cls} } from "${rel(kindModule(cls))}";`);
  }
  methods.push(
    "",
    "/**",
    ` * The methods \`${kind.cls}\` gets from its generated half, \`${kind.cls}Generated\`, with their`,
    " * types and docs. Use `" + kind.cls + "`, never this interface.",
    ...instanceExample(kind.cls),
    `export interface ${methodsName} {`,
    ...e.members,
    "}",
    "",
  );
  return { runtime: out.join("\n"), methods: methods.join("\n") };
}

// The end of the two doc comments of a generated kind (its class and its methods' interface):
// an example that an object of the final class has the methods, and the comment's close.
function instanceExample(cls: string): string[] {
  const article = /^[AEIOU]/.test(cls) ? "an" : "a";
  return [
    " *",
    " * @example",
    " * ```ts",
    ` * import { ${cls} } from "./mod.ts";`,
    ` * declare const obj: ${cls};`,
    ` * console.log(obj instanceof ${cls}); // ${article} ${cls} has every method below`,
    " * ```",
    " */",
  ];
}

/** Final class modules by class name, filled by the generator from KINDS. */
export const KIND_MODULES: Map<string, string> = new Map();
