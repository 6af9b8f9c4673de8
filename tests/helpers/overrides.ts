// Helpers of the override tests: call a method and its Async form with the same arguments and
// check both, expect libvirt's error code from both, and record which methods were called.
import assert from "node:assert/strict";
import { ErrorNumber, LibvirtError } from "../../mod.ts";

type Fn = (...args: unknown[]) => unknown;

/** The names of the methods that a test called, sync and async. */
export const called = new Set<string>();

/** Records methods (and their Async forms) a test called directly. */
export function mark(...names: string[]): void {
  for (const n of names) called.add(n).add(`${n}Async`);
}

function method(obj: object, name: string): Fn {
  const f = (obj as Record<string, unknown>)[name];
  assert.equal(typeof f, "function", `${name} is not a method`);
  called.add(name);
  return (f as Fn).bind(obj);
}

/** Calls `name(...args)` then `nameAsync(...args)`; `check` sees each result. */
export async function both<T>(
  obj: object,
  name: string,
  args: unknown[],
  check: (value: T, form: "sync" | "async") => void,
): Promise<void> {
  check(method(obj, name)(...args) as T, "sync");
  check(await (method(obj, `${name}Async`)(...args) as Promise<T>), "async");
}

function isCode(e: unknown, code: number, what: string): true {
  assert.ok(e instanceof LibvirtError, `${what}: expected a LibvirtError, got ${e}`);
  assert.equal(e.code, code, `${what}: libvirt code ${e.code}: ${e.message}`);
  return true;
}

/** Both forms fail with libvirt's error `code` (which proves the arguments reached libvirt). */
export async function bothFail(
  obj: object,
  name: string,
  args: unknown[],
  code: number = ErrorNumber.NO_SUPPORT,
): Promise<void> {
  assert.throws(() => method(obj, name)(...args), (e) => isCode(e, code, name));
  await assert.rejects(
    async () => await method(obj, `${name}Async`)(...args),
    (e) => isCode(e, code, `${name}Async`),
  );
}

/** The methods a class defines itself (not inherited), without the constructor. */
export function ownMethods(proto: object): string[] {
  return Object.getOwnPropertyNames(proto).filter((n) => n !== "constructor");
}
