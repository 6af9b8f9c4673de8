// Decides, for each C function, whether it wraps mechanically and how: the TypeScript parameters,
// the conversion of each argument, the result, and whether it gets an Async form.
import type { CArg, CFunction } from "./api_xml.ts";
import { type Kind, kindOf, methodName, verbPhrase } from "./gen_naming.ts";

/** One TypeScript parameter and the expression that turns it into the C argument. */
export interface Param {
  /** The TypeScript parameter as declared (`name: string | null`, `flags = 0`). */
  decl: string;
  /** The expression passed to the FFI call. */
  expr: string;
  /** The C argument it comes from. */
  arg: CArg;
}

/** How the C result becomes the method's result. */
export type Result =
  | { kind: "void" } // int: 0 or -1
  | { kind: "number" } // int: a count or value
  | { kind: "boolean" } // int: 1 or 0
  | { kind: "string" } // char *, freed
  | { kind: "conststring" } // const char *, libvirt keeps it
  | { kind: "object"; of: Kind } // a new reference of another kind
  | { kind: "uuid" } // (obj, unsigned char *uuid)
  | { kind: "uuidstring" } // (obj, char *buf)
  | { kind: "outint"; bool: boolean }; // (obj, int *value)

/** A function the generator writes as a method. */
export interface Plan {
  /** The C function. */
  fn: CFunction;
  /** The class it belongs to. */
  owner: Kind;
  /** The method's name. */
  method: string;
  /** The parameters after the object itself. */
  params: Param[];
  /** How the result is returned. */
  result: Result;
  /** Whether it also gets an `…Async` form (it may wait on a daemon or guest). */
  async: boolean;
  /** The words used in "Cannot …: this X was freed". */
  verb: string;
}

// Process-local getters: they read the wrapper's own fields, never the daemon (naming rule 4).
const LOCAL =
  /(GetName|GetUUID|GetUUIDString|GetID|GetConnect|GetKey|GetUsageType|GetUsageID|Ref|Free)$/;

// Arguments libvirt documents as accepting NULL though their description does not say so.
const NULLABLE = new Set(["virNodeNumOfDevices cap", "virConnectGetMaxVcpus type"]);

function isOptional(fn: string, a: CArg): boolean {
  if (NULLABLE.has(`${fn} ${a.name}`)) return true;
  return /optional|or NULL|NULL for|NULL to|NULL if|NULL means|ignored|may be NULL/i.test(a.info);
}

// C names written as one word that read as two in lowerCamel.
const RENAMED: Record<string, string> = {
  xmldesc: "xmlDesc",
  uuidstr: "uuidString",
  macstr: "macString",
  portdev: "portDev",
};

/** A C parameter name as a TypeScript one: lowerCamel (iothread_id → iothreadId). */
function identifier(name: string): string {
  const camel = RENAMED[name] ?? name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
  const reserved = new Set(["type", "function", "delete", "default", "new", "class", "in"]);
  return reserved.has(camel) ? `${camel}_` : camel;
}

/** Whether a method of `owner` may wrap a new reference of `of` in its class. */
function canWrap(owner: Kind, of: Kind): boolean {
  // Only downwards: a generated base imports the final classes of its children, never of its
  // parents, so the generated modules form no import cycle (see tools/gen_classes.ts).
  if (of.cls === "Stream" || of.cls === "Connection") return false;
  if (owner.cls === "Connection") return of.parent === "Connection";
  if (of.parent === owner.cls) return true;
  return owner.cls === "StoragePool" && of.cls === "StorageVol"; // a pool's volumes
}

/** The plan for `fn`, or the reason it needs a hand-written override. */
export function plan(fn: CFunction): Plan | string {
  const first = fn.args[0];
  const owner = first ? kindOf(first.type) : undefined;
  if (!owner) return "no object argument (a module function)";
  const method = methodName(fn.name, owner);
  const rest = fn.args.slice(1);
  const verb = verbPhrase(method);
  // Special shapes that are still mechanical.
  if (rest.length === 1 && fn.ret === "int") {
    const a = rest[0];
    if (a.type === "unsigned char *" && /UUID$/.test(fn.name)) {
      return { fn, owner, method, params: [], result: { kind: "uuid" }, async: false, verb };
    }
    if (a.type === "char *" && /UUIDString$/.test(fn.name)) {
      return { fn, owner, method, params: [], result: { kind: "uuidstring" }, async: false, verb };
    }
    if (a.type === "int *" && /Get/.test(fn.name)) {
      const bool = /autostart/i.test(a.name);
      return {
        fn,
        owner,
        method,
        params: [],
        result: { kind: "outint", bool },
        async: !LOCAL.test(fn.name),
        verb,
      };
    }
  }
  const params: Param[] = [];
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    const last = i === rest.length - 1;
    const id = identifier(a.name);
    // Error messages name the parameter as the caller wrote it.
    const what = JSON.stringify(id.replace(/_$/, ""));
    const other = kindOf(a.type);
    if (other) {
      if (other.cls === "Connection" && owner.cls === "Connection") {
        return "takes a second connection";
      }
      params.push({
        decl: `${id}: ${other.cls}`,
        expr: `objectArg(${id}, ${JSON.stringify(other.cls)})`,
        arg: a,
      });
    } else if (a.type === "const char *") {
      if (/uuid/i.test(a.name) && /UUIDString$/.test(fn.name)) {
        params.push({ decl: `${id}: string`, expr: `uuidCString(${id})`, arg: a });
      } else if (isOptional(fn.name, a)) {
        params.push({
          decl: `${id}: string | null = null`,
          expr: `optionalStringArg(${id}, ${what})`,
          arg: a,
        });
      } else {
        params.push({ decl: `${id}: string`, expr: `stringArg(${id}, ${what})`, arg: a });
      }
    } else if (a.type === "const unsigned char *" && /uuid/i.test(a.name)) {
      params.push({ decl: `${id}: Uint8Array`, expr: `uuidBytesArg(${id})`, arg: a });
    } else if (a.type === "unsigned int" && a.name === "flags" && last) {
      params.push({ decl: "flags = 0", expr: "flagsArg(flags)", arg: a });
    } else if (a.type === "unsigned int") {
      params.push({ decl: `${id}: number`, expr: `uintArg(${id}, ${what})`, arg: a });
    } else if (a.type === "int" && a.name === "autostart") {
      params.push({ decl: `${id}: boolean`, expr: `boolArg(${id}, ${what})`, arg: a });
    } else if (a.type === "int") {
      params.push({ decl: `${id}: number`, expr: `intArg(${id}, ${what})`, arg: a });
    } else if (a.type === "unsigned long") {
      params.push({ decl: `${id}: number | bigint`, expr: `u64Arg(${id}, ${what})`, arg: a });
    } else if (a.type === "unsigned long long") {
      params.push({ decl: `${id}: number | bigint`, expr: `u64Arg(${id}, ${what})`, arg: a });
    } else if (a.type === "long long") {
      params.push({ decl: `${id}: number | bigint`, expr: `i64Arg(${id}, ${what})`, arg: a });
    } else if (a.type === "double") {
      params.push({ decl: `${id}: number`, expr: `doubleArg(${id}, ${what})`, arg: a });
    } else {
      return `argument ${a.name} is ${a.type}`;
    }
  }
  let result: Result;
  const ret = fn.ret;
  if (ret === "int") {
    if (/^(is|has)[A-Z]/.test(method) || /(Is|Has)[A-Z]/.test(method)) result = { kind: "boolean" };
    else if (/^(get|numOf|num|compare)[A-Z]|Num$|Num[A-Z]|Count|FD$/.test(method)) {
      result = { kind: "number" }; // a count, a value, a CPUCompareResult or a file descriptor
    } else result = { kind: "void" };
  } else if (ret === "char *") result = { kind: "string" };
  else if (ret === "const char *") result = { kind: "conststring" };
  else if (kindOf(ret)) {
    const of = kindOf(ret)!;
    if (!canWrap(owner, of)) return `returns a ${of.cls} of a parent or another connection`;
    result = { kind: "object", of };
  } else return `returns ${ret}`;
  return { fn, owner, method, params, result, async: !LOCAL.test(fn.name), verb };
}
