// Runs a sequence of libvirt calls either on the JS thread or off it: each hand-written override
// is one generator of call steps, driven by `runSync` for `x()` and by `runAsync` for `xAsync()`.
//
// Why a generator: most overrides make two calls (ask for a size, then fill a buffer) and free
// what libvirt allocated in between. Written once as a plan, the sync and the async forms cannot
// drift apart, and every buffer a step points into stays referenced by the generator's frame
// until the plan ends, which is what a call running on another thread needs.
import { callInt, callPtr, callRaw, callString } from "../ffi/call.ts";
import { callIntAsync, callPtrAsync, callStringAsync } from "../ffi/call_async.ts";
import type { SymbolFn, SymbolName } from "../ffi/library.ts";
import type { LibvirtObject } from "./object.ts";
import { takeNames } from "../ffi/out_arrays.ts";

/** How a step's result is read: -1 fails (int), NULL fails (ptr), owned `char *` (string), as is (raw). */
type Kind = "int" | "ptr" | "string" | "raw";

/** One libvirt call of a plan. */
export interface Step {
  /** How the result is checked and converted. */
  kind: Kind;
  /** The libvirt function. */
  name: SymbolName;
  /** Its arguments, as the symbol table types them. */
  args: unknown[];
}

/** A plan: yields the calls to make, receives their results, returns the method's value. */
export type Plan<T> = Generator<Step, T, unknown>;

type Params<K extends SymbolName> = Parameters<SymbolFn<K>>;

/** A step whose int result is checked (-1 throws the LibvirtError). */
export function* int<K extends SymbolName>(name: K, ...args: Params<K>): Plan<number> {
  return (yield { kind: "int", name, args }) as number;
}

/** A step whose pointer result is checked (NULL throws the LibvirtError). */
export function* ptr<K extends SymbolName>(name: K, ...args: Params<K>): Plan<Deno.PointerObject> {
  return (yield { kind: "ptr", name, args }) as Deno.PointerObject;
}

/** A step returning a `char *` the caller owns: read, freed, NULL throws. */
export function* str<K extends SymbolName>(name: K, ...args: Params<K>): Plan<string> {
  return (yield { kind: "string", name, args }) as string;
}

/** A step whose result is returned unchecked: the free functions (run on the JS thread). */
export function* raw<K extends SymbolName>(
  name: K,
  ...args: Params<K>
): Plan<ReturnType<SymbolFn<K>>> {
  return (yield { kind: "raw", name, args }) as ReturnType<SymbolFn<K>>;
}

/**
 * A count, then the names into an array of that size (libvirt's `virXxxNumOf…` and
 * `virXxxList…` pairs; at most that many come back, every string is freed).
 */
export function* countedNames(
  count: Plan<number>,
  list: (slots: BigUint64Array, max: number) => Plan<number>,
): Plan<string[]> {
  const max = yield* count;
  if (max <= 0) return [];
  const slots = new BigUint64Array(max);
  return takeNames(slots, yield* list(slots, max));
}

type Caller = (name: SymbolName, ...args: unknown[]) => unknown;
const sync: Record<Kind, Caller> = {
  int: callInt as unknown as Caller,
  ptr: callPtr as unknown as Caller,
  string: callString as unknown as Caller,
  raw: callRaw as unknown as Caller,
};
type AsyncCaller = (owner: LibvirtObject, name: SymbolName, ...args: unknown[]) => Promise<unknown>;
const async: Record<Exclude<Kind, "raw">, AsyncCaller> = {
  int: callIntAsync as unknown as AsyncCaller,
  ptr: callPtrAsync as unknown as AsyncCaller,
  string: callStringAsync as unknown as AsyncCaller,
};

/**
 * Runs a plan on the JS thread. A failing call is thrown into the plan, so its `finally`
 * blocks free what earlier calls allocated, then out of `runSync`.
 */
export function runSync<T>(plan: Plan<T>): T {
  let r = plan.next();
  while (!r.done) {
    const step = r.value;
    let value: unknown;
    try {
      value = sync[step.kind](step.name, ...step.args);
    } catch (e) {
      r = plan.throw(e);
      continue;
    }
    r = plan.next(value);
  }
  return r.value;
}

/**
 * Runs a plan with each call on Deno's blocking pool (ffi/call_async.ts), `owner` being the
 * wrapper whose pointer the calls use (kept alive, and its release deferred, while one runs).
 */
export function runAsync<T>(owner: LibvirtObject, plan: Plan<T>): Promise<T> {
  // The plan's first stretch (its argument checks, up to its first libvirt call) runs now, not
  // in a Promise: a wrong argument throws at the call, as in the sync form.
  return continueAsync(owner, plan, plan.next());
}

async function continueAsync<T>(
  owner: LibvirtObject,
  plan: Plan<T>,
  start: ReturnType<Plan<T>["next"]>,
): Promise<T> {
  let r = start;
  let first = true;
  while (!r.done) {
    const step = r.value;
    let value: unknown;
    try {
      // Between two steps other JS runs, and may free the owner (its release waits only for a
      // call in flight): the pointers this plan holds would then be stale.
      if (step.kind === "raw") {
        // The raw steps free what libvirt returned: local, quick, and needed even when the
        // owner went away, so they run here and now.
        value = sync.raw(step.name, ...step.args);
      } else {
        if (!first && owner.freed) {
          throw new Error(`Cannot finish ${step.name}: the object was freed during the call`);
        }
        first = false;
        value = await async[step.kind](owner, step.name, ...step.args);
      }
    } catch (e) {
      r = plan.throw(e);
      continue;
    }
    r = plan.next(value);
  }
  return r.value;
}
