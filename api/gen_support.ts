// The runtime half of the generated classes (api/generated/): installs each generated method
// from its one-line description, so those modules are mostly data and cheap to import.
//
// A row: [method, C function, verb for "Cannot <verb>: …", parameter codes, result code,
// has an Async form (1/0), library ("qemu"/"lxc"; libvirt when absent), wrap (object results)].
// Parameter codes ("code:what"): s string, o string or null, u UUID string, b raw UUID bytes,
// f flags (optional, 0), i int, U unsigned int, L unsigned 64-bit, l signed 64-bit, d double,
// B boolean as int, O an object of the kind named after the colon.
// Result codes: v void (0 or -1), n a number, b a boolean (1 or 0), s a string libvirt allocates,
// c a string libvirt keeps, w a new object handle (made by the row's wrap), uuid raw UUID bytes,
// uuids a UUID string, oi / ob the int (or boolean) an `int *` out-parameter receives.
import { callConstString, callInt, callPtr, callString } from "../ffi/call.ts";
import { callIntAsync, callPtrAsync, callStringAsync } from "../ffi/call_async.ts";
import {
  callConstStringExtra,
  callIntExtra,
  callPtrExtra,
  callStringExtra,
} from "../ffi/call_extra.ts";
import {
  decodeCString,
  flagsArg,
  intArg,
  readCString,
  stringArg,
  u64Arg,
  UUID_BUFLEN,
  UUID_STRING_BUFLEN,
  uuidCString,
} from "../ffi/marshal.ts";
import {
  boolArg,
  doubleArg,
  i64Arg,
  objectArg,
  optionalStringArg,
  uintArg,
  uuidBytesArg,
} from "../ffi/args.ts";
import type { LibvirtObject } from "./object.ts";

/** Makes the handle of an object a method returned, attached to the right parent. */
export type Wrap = (self: never, ptr: Deno.PointerObject) => unknown;

/** One generated method (see the file's first comment). */
export type Row = readonly [
  method: string,
  cName: string,
  verb: string,
  params: readonly string[],
  result: string,
  async: 0 | 1,
  lib?: "qemu" | "lxc",
  wrap?: Wrap,
];

type Check = (v: unknown) => unknown;
const CHECKS: Record<string, (what: string) => Check> = {
  s: (w) => (v) => stringArg(v as string, w),
  o: (w) => (v) => optionalStringArg(v as string | null, w),
  u: () => (v) => uuidCString(v as string),
  b: () => (v) => uuidBytesArg(v as Uint8Array),
  f: () => (v) => flagsArg(v as number | undefined),
  i: (w) => (v) => intArg(v as number, w),
  U: (w) => (v) => uintArg(v as number, w),
  L: (w) => (v) => u64Arg(v as number | bigint, w),
  l: (w) => (v) => i64Arg(v as number | bigint, w),
  d: (w) => (v) => doubleArg(v as number, w),
  B: (w) => (v) => boolArg(v as boolean, w),
  O: (kind) => (v) => objectArg(v as { unsafePointer: Deno.PointerObject }, kind),
};

type Sync = (name: string, ...args: unknown[]) => unknown;
type Async = (owner: LibvirtObject, name: string, ...args: unknown[]) => Promise<unknown>;
const SYNC: Record<string, Sync> = {
  int: callInt as unknown as Sync,
  ptr: callPtr as unknown as Sync,
  string: callString as unknown as Sync,
  const: callConstString as unknown as Sync,
};
const EXTRA: Record<string, (lib: "qemu" | "lxc", name: string, ...a: unknown[]) => unknown> = {
  int: callIntExtra,
  ptr: callPtrExtra,
  string: callStringExtra,
  const: callConstStringExtra,
};
const ASYNC: Record<string, Async> = {
  int: callIntAsync as unknown as Async,
  ptr: callPtrAsync as unknown as Async,
  string: callStringAsync as unknown as Async,
};
// Which call helper each result kind uses, and the out-buffer it passes last, if any.
const KIND: Record<string, string> = {
  v: "int",
  n: "int",
  b: "int",
  s: "string",
  c: "const",
  w: "ptr",
  uuid: "int",
  uuids: "int",
  oi: "int",
  ob: "int",
};

function outBuffer(result: string): Uint8Array | Int32Array | null {
  if (result === "uuid") return new Uint8Array(UUID_BUFLEN);
  if (result === "uuids") return new Uint8Array(UUID_STRING_BUFLEN);
  if (result === "oi" || result === "ob") return new Int32Array(1);
  return null;
}

function finish(result: string, r: unknown, out: Uint8Array | Int32Array | null): unknown {
  switch (result) {
    case "v":
      return undefined;
    case "b":
      return r === 1;
    case "uuid":
      return out;
    case "uuids":
      return decodeCString(out as Uint8Array);
    case "oi":
      return (out as Int32Array)[0];
    case "ob":
      return (out as Int32Array)[0] !== 0;
    default:
      return r;
  }
}

type Self = LibvirtObject;
// LibvirtObject.ptr() is protected: the installed methods are the class's own, so they may use it.
const ptrOf = (self: Self, verb: string): Deno.PointerObject =>
  (self as unknown as { ptr(verb: string): Deno.PointerObject }).ptr(verb);

/**
 * Adds the methods of `rows` (and their Async forms) between `cls`'s prototype and its parent's.
 *
 * Why not on `cls.prototype` itself: V8 keeps a class prototype's properties in a fast layout it
 * copies on each addition, so adding hundreds of methods one by one costs quadratic time (30 ms
 * for 960, measured). A plain object takes them in constant time each; it then becomes the
 * prototype's prototype. `super()`, `instanceof` and subclass overrides are unchanged.
 *
 * Why a stub per method: import pays for the stubs only (a tenth of building every method,
 * measured); a method is built from its row on its first call, then replaces its stub.
 */
export function install(cls: { prototype: object }, rows: readonly Row[]): void {
  // Plain assignment (enumerable, unlike class methods): defineProperty costs 10x more per method.
  const methods: Record<string, unknown> = Object.create(Object.getPrototypeOf(cls.prototype));
  for (const row of rows) {
    methods[row[0]] = stub(methods, row, null);
    if (row[5] && !row[6]) {
      const asyncName = `${row[0]}Async`;
      methods[asyncName] = stub(methods, row, asyncName);
    }
  }
  Object.setPrototypeOf(cls.prototype, methods);
}

type Method = (this: Self, ...given: unknown[]) => unknown;

// A stand-in that builds the method on its first call and puts it in its own place. One closure
// per method, no more: a script's start-up makes about 480 of them, and their heap counts toward
// the first garbage collection (see tools/build_bundle.ts).
function stub(methods: Record<string, unknown>, row: Row, asyncName: string | null): Method {
  let built: Method | null = null;
  return function (this: Self, ...given: unknown[]): unknown {
    if (built === null) {
      built = asyncName === null ? syncMethod(row) : asyncMethod(row, asyncName);
      methods[asyncName ?? row[0]] = built;
    }
    return built.apply(this, given);
  };
}

// The object's pointer first (a freed object says so before any argument is looked at), then
// each argument's check, all before the call.
function argsOf(row: Row): (self: Self, given: unknown[]) => unknown[] {
  const [, , verb, params] = row;
  const checks = params.map((p) => {
    const [code, what = ""] = p.split(":");
    return CHECKS[code](what);
  });
  return (self, given) => {
    const a: unknown[] = [ptrOf(self, verb)];
    for (let i = 0; i < checks.length; i++) a.push(checks[i](given[i]));
    return a;
  };
}

function syncMethod(row: Row): Method {
  const [method, cName, , , result, , lib, wrap] = row;
  const args = argsOf(row);
  const kind = KIND[result];
  // Computed keys name the functions (stack traces show the method) at no cost.
  return {
    [method](this: Self, ...given: unknown[]): unknown {
      const a = args(this, given);
      const out = outBuffer(result);
      if (out) a.push(out);
      const r = lib ? EXTRA[kind](lib, cName, ...a) : SYNC[kind](cName, ...a);
      return result === "w"
        ? (wrap as (s: Self, p: unknown) => unknown)(this, r)
        : finish(result, r, out);
    },
  }[method];
}

function asyncMethod(row: Row, asyncName: string): Method {
  const [, cName, , , result, , , wrap] = row;
  const args = argsOf(row);
  const kind = KIND[result];
  const asyncKind = kind === "const" ? "ptr" : kind;
  return {
    [asyncName](this: Self, ...given: unknown[]): Promise<unknown> {
      const a = args(this, given);
      const out = outBuffer(result);
      if (out) a.push(out);
      return ASYNC[asyncKind](this, cName, ...a).then((r) => {
        if (kind === "const") return readCString(r as Deno.PointerObject);
        return result === "w"
          ? (wrap as (s: Self, p: unknown) => unknown)(this, r)
          : finish(result, r, out);
      });
    },
  }[asyncName];
}
