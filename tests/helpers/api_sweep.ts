// Calls every generated method of a class once, with arguments derived from its C prototype (or
// given per method), and reports what libvirt answered: "ok" or the LibvirtError's code name.
// The api_*_test.ts files compare that against what libvirt 9.0's drivers answer.
import { collect } from "../../tools/gen_collect.ts";
import type { Plan } from "../../tools/gen_plan.ts";
import { ErrorNumber, LibvirtError } from "../../mod.ts";

const plans = collect("/usr/share/libvirt/api").byKind;

/** The generated methods of class `cls`, sorted by name. */
export function generatedPlans(cls: string): Plan[] {
  return plans.get(cls) ?? [];
}

const codeNames = new Map<number, string>(
  Object.entries(ErrorNumber).map(([k, v]) => [v as number, k]),
);

/** What a call gave: "ok", or the code name of its LibvirtError. Anything else is thrown. */
export function outcome(fn: () => unknown): string {
  try {
    fn();
    return "ok";
  } catch (e) {
    if (e instanceof LibvirtError) return codeNames.get(e.code) ?? `code ${e.code}`;
    throw e;
  }
}

/** The same for an async call. */
export async function outcomeAsync(fn: () => Promise<unknown>): Promise<string> {
  try {
    await fn();
    return "ok";
  } catch (e) {
    if (e instanceof LibvirtError) return codeNames.get(e.code) ?? `code ${e.code}`;
    throw e;
  }
}

/** Arguments per parameter for a method that has no explicit ones. */
export interface SweepContext {
  /** A folder for files a call writes (core dumps, saved images). */
  dir: string;
  /** Objects passed where a parameter takes one, by class name. */
  objects: Record<string, unknown>;
}

/** Arguments derived from the C prototype: harmless values libvirt checks and answers. */
export function defaultArgs(p: Plan, ctx: SweepContext): unknown[] {
  return p.params.map((x) => {
    const name = x.arg.name;
    if (x.decl.includes("= null")) return null;
    if (x.decl.startsWith("flags")) return 0;
    if (x.expr.startsWith("objectArg")) {
      const cls = /"(\w+)"/.exec(x.expr)![1];
      if (!(cls in ctx.objects)) throw new Error(`no ${cls} for ${p.fn.name}`);
      return ctx.objects[cls];
    }
    if (x.expr.startsWith("uuidCString")) return "11111111-2222-3333-4444-555555555555";
    if (x.expr.startsWith("uuidBytesArg")) return new Uint8Array(16).fill(0x11);
    if (x.expr.startsWith("boolArg")) return false;
    if (x.decl.includes(": string")) {
      if (/^(to|from|file|path)$/.test(name)) return `${ctx.dir}/${p.method}.img`;
      if (/xml/i.test(name)) return "<bogus/>";
      return "nope";
    }
    return 0; // numbers, bigints
  });
}

/** Calls each method of `plans` on `obj` (in order), returning outcome by method name. */
export function sweep(
  obj: unknown,
  list: readonly Plan[],
  ctx: SweepContext,
  args: Record<string, (ctx: SweepContext) => unknown[]> = {},
  skip: ReadonlySet<string> = new Set(),
): Record<string, string> {
  const out: Record<string, string> = {};
  const target = obj as Record<string, (...a: unknown[]) => unknown>;
  // What removes the object goes last, so the other methods still find it.
  const last = (p: Plan) => /^(delete|undefine|destroy|wipe)/.test(p.method) ? 1 : 0;
  for (const p of [...list].sort((a, b) => last(a) - last(b))) {
    if (skip.has(p.method)) continue;
    const a = args[p.method]?.(ctx) ?? defaultArgs(p, ctx);
    out[p.method] = outcome(() => target[p.method](...a));
  }
  return out;
}

/** Methods whose Async form only reads: safe to call twice and compare with the sync result. */
export function readOnly(p: Plan): boolean {
  return p.async && /^(get|is|has|numOf|num|lookup)[A-Z]/.test(p.method);
}
