// Reads libvirt's API description files (libvirt-api.xml and its qemu/lxc siblings) into plain
// records: functions with their arguments and return type, and enum values. The files are
// regular (one element per line, attributes in single quotes), so a few regular expressions do.

/** One argument of a C function. */
export interface CArg {
  /** The parameter's name in libvirt's header. */
  name: string;
  /** Its C type as written in the header (`const char *`, `virDomainPtr`...). */
  type: string;
  /** libvirt's one-line description (used only to spot optional strings). */
  info: string;
}

/** One public C function of libvirt. */
export interface CFunction {
  /** The C name. */
  name: string;
  /** The header it is declared in, without `.h` (`libvirt-domain`). */
  file: string;
  /** The libvirt release that added it (`0.9.4`). */
  version: string;
  /** The C return type. */
  ret: string;
  /** The arguments in order. */
  args: CArg[];
  /** Which shared library exports it. */
  lib: "libvirt" | "qemu" | "lxc";
}

/** One value of a C enum. */
export interface CEnumValue {
  /** The macro name (`VIR_DOMAIN_RUNNING`). */
  name: string;
  /** The enum type (`virDomainState`). */
  type: string;
  /** The header, without `.h`. */
  file: string;
  /** The value as written: a number or the name of another value. */
  value: string;
  /** libvirt's description, if any. */
  info: string;
}

/** What one description file holds. */
export interface ApiDescription {
  /** Every function, in the file's order. */
  functions: CFunction[];
  /** Every enum value, in the file's order. */
  enums: CEnumValue[];
}

function unescape(s: string): string {
  return s.replaceAll("&lt;", "<").replaceAll("&gt;", ">").replaceAll("&quot;", '"')
    .replaceAll("&apos;", "'").replaceAll("&amp;", "&");
}

function attrs(tag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of tag.matchAll(/([a-z_]+)='([^']*)'/g)) out[m[1]] = unescape(m[2]);
  return out;
}

/** Parses one API description file's text. */
export function parseApi(text: string, lib: CFunction["lib"]): ApiDescription {
  const functions: CFunction[] = [];
  const body = text.replace(/<info><!\[CDATA\[[\s\S]*?\]\]><\/info>/g, "");
  for (const m of body.matchAll(/<function ([^>]*)>([\s\S]*?)<\/function>/g)) {
    const a = attrs(m[1]);
    const ret = /<return ([^>]*)\/>/.exec(m[2]);
    const args = [...m[2].matchAll(/<arg ([^>]*)\/>/g)].map((x) => {
      const t = attrs(x[1]);
      return { name: t.name, type: t.type, info: t.info ?? "" };
    });
    functions.push({
      name: a.name,
      file: a.file,
      version: a.version ?? "0.0.0",
      ret: ret ? attrs(ret[1]).type : "void",
      args,
      lib,
    });
  }
  const enums: CEnumValue[] = [];
  for (const m of body.matchAll(/<enum ([^>]*)\/>/g)) {
    const a = attrs(m[1]);
    enums.push({
      name: a.name,
      type: a.type,
      file: a.file,
      value: a.value,
      info: a.info ?? "",
    });
  }
  return { functions, enums };
}

/** Compares two dotted versions: negative, zero or positive. */
export function compareVersions(a: string, b: string): number {
  const x = a.split(".").map(Number);
  const y = b.split(".").map(Number);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
