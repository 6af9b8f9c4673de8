// Reads the API description files and places every function: a generated method (with its
// plan), a hand-written one or an exclusion (tools/overrides.ts), or not yet reachable.
import { type CEnumValue, type CFunction, parseApi } from "./api_xml.ts";
import { kindOf, KINDS, methodName, verbPhrase } from "./gen_naming.ts";
import { type Plan, plan } from "./gen_plan.ts";
import { KIND_MODULES } from "./gen_classes.ts";
import type { Placement } from "./gen_docs.ts";
import { overrides } from "./overrides.ts";

/** Everything the writers need. */
export interface Collected {
  /** libvirt.so's functions. */
  main: CFunction[];
  /** libvirt-qemu.so's functions. */
  qemu: CFunction[];
  /** libvirt-lxc.so's functions. */
  lxc: CFunction[];
  /** Every enum value of the three files. */
  enums: CEnumValue[];
  /** Where each function went. */
  placements: Map<CFunction, Placement>;
  /** The generated methods by class name. */
  byKind: Map<string, Plan[]>;
}

/** Reads `apiDir`'s description files and places every function. */
export function collect(apiDir: string): Collected {
  const read = (f: string) => Deno.readTextFileSync(`${apiDir}/${f}`);
  const main = parseApi(read("libvirt-api.xml"), "libvirt");
  const qemu = parseApi(read("libvirt-qemu-api.xml"), "qemu");
  const lxc = parseApi(read("libvirt-lxc-api.xml"), "lxc");
  const all: CFunction[] = [...main.functions, ...qemu.functions, ...lxc.functions];
  for (const k of KINDS) KIND_MODULES.set(k.cls, k.module);
  const placements = new Map<CFunction, Placement>();
  const byKind = new Map<string, Plan[]>();
  const add = (p: Plan) => {
    placements.set(p.fn, { kind: "generated", plan: p });
    if (!byKind.has(p.owner.cls)) byKind.set(p.owner.cls, []);
    byKind.get(p.owner.cls)!.push(p);
  };
  for (const fn of all) {
    const o = overrides[fn.name];
    const p = plan(fn);
    if (o && "rename" in o && typeof p !== "string") {
      add({ ...p, method: o.rename, verb: verbPhrase(o.rename) });
    } else if (o && !("rename" in o)) {
      const owner = fn.args[0] ? kindOf(fn.args[0].type) : undefined;
      const method = owner ? `${owner.cls}.${methodName(fn.name, owner)}` : fn.name;
      placements.set(fn, { kind: "override", override: o, method });
    } else if (typeof p === "string") {
      placements.set(fn, { kind: "missing", reason: p });
    } else {
      add(p);
    }
  }
  for (const name of Object.keys(overrides)) {
    if (!all.some((f) => f.name === name)) throw new Error(`tools/overrides.ts: unknown ${name}`);
  }
  for (const plans of byKind.values()) {
    plans.sort((a, b) => (a.method < b.method ? -1 : a.method > b.method ? 1 : 0));
  }
  return {
    main: main.functions,
    qemu: qemu.functions,
    lxc: lxc.functions,
    enums: [...main.enums, ...qemu.enums, ...lxc.enums],
    placements,
    byKind,
  };
}
