// The naming rule of the object API: which class a C function belongs to and its method name.
//
// 1. A function is a method of the object of its first argument (virDomainPtr → Domain).
// 2. The method name is the C name without `vir` and without the object's own name, lowerCamel.
// 3. A connection function named after another object puts that object after its leading verb:
//    virDomainLookupByName → conn.lookupDomainByName(), virNodeGetInfo → conn.getNodeInfo().

/** One libvirt object kind and where its classes live. */
export interface Kind {
  /** The class name (`DomainSnapshot`). */
  cls: string;
  /** The C pointer type of its first argument (`virDomainSnapshotPtr`). */
  ctype: string;
  /** The C name part (`DomainSnapshot`): `vir` + this starts the kind's functions. */
  cname: string;
  /** The hand-written final class's module, relative to the repository. */
  module: string;
  /** The generated base's module, relative to the repository. */
  generated: string;
  /** The kind whose wrapper a new wrapper of this kind is attached to. */
  parent: "Connection" | "Domain" | "Network" | null;
}

function kind(
  cls: string,
  file: string,
  parent: Kind["parent"],
  cname = cls,
  module = `api/${file}.ts`,
): Kind {
  return {
    cls,
    ctype: `vir${cname}Ptr`,
    cname,
    module,
    generated: `api/generated/${file}.ts`,
    parent,
  };
}

/** Every object kind, the longest C names first (so NodeDevice wins over Node). */
export const KINDS: Kind[] = [
  kind("Connection", "connection", null, "Connect"),
  kind("DomainSnapshot", "domain_snapshot", "Domain"),
  kind("DomainCheckpoint", "domain_checkpoint", "Domain"),
  kind("Domain", "domain", "Connection"),
  kind("StoragePool", "storage_pool", "Connection"),
  kind("StorageVol", "storage_vol", "Connection"),
  kind("NetworkPort", "network_port", "Network"),
  kind("Network", "network", "Connection"),
  kind("Interface", "interface", "Connection"),
  kind("NWFilterBinding", "nwfilter_binding", "Connection"),
  kind("NWFilter", "nwfilter", "Connection"),
  kind("NodeDevice", "node_device", "Connection"),
  kind("Secret", "secret", "Connection"),
  kind("Stream", "stream", "Connection", "Stream", "stream/stream.ts"),
];

/** The kind whose pointer type is `ctype`, if any. */
export function kindOf(ctype: string): Kind | undefined {
  return KINDS.find((k) => k.ctype === ctype);
}

// Leading verbs of connection functions named after another object (one verb each).
const VERBS = [
  "LookupBy",
  "Lookup",
  "CreateXML",
  "Create",
  "DefineXML",
  "Define",
  "ListAll",
  "List",
  "NumOf",
  "Get",
  "Set",
  "Restore",
  "Find",
  "Alloc",
  "Suspend",
];
// Names that are not object kinds but read as one in C names (`virNodeGetInfo`).
const PSEUDO = ["NodeDevice", "Node"];

function lower(s: string): string {
  // Leading acronyms go lower as a whole: XMLDesc → xmlDesc, UUIDString → uuidString.
  const m = /^([A-Z]+)(?=[A-Z][a-z]|$)/.exec(s);
  if (m && m[1].length > 1) return m[1].toLowerCase() + s.slice(m[1].length);
  return s[0].toLowerCase() + s.slice(1);
}

/** The method name of `cname` on an object of kind `owner` (rules 2 and 3). */
export function methodName(cname: string, owner: Kind): string {
  const rest = cname.slice(3); // without "vir"
  if (rest.startsWith(owner.cname)) return lower(rest.slice(owner.cname.length));
  if (owner.cls !== "Connection") return lower(rest);
  // A connection function named after another object: verb first, then the object.
  const objects = [...KINDS.filter((k) => k.cls !== "Connection").map((k) => k.cname), ...PSEUDO]
    .sort((a, b) => b.length - a.length);
  const obj = objects.find((o) => rest.startsWith(o));
  if (obj === undefined) return lower(rest);
  const after = rest.slice(obj.length);
  const verb = VERBS.find((v) => after.startsWith(v));
  if (verb === undefined) return lower(rest);
  if (verb === "LookupBy") return "lookup" + obj + after.slice("Lookup".length);
  if (verb.endsWith("XML")) {
    const v = verb.slice(0, -3);
    return lower(v) + obj + after.slice(v.length);
  }
  return lower(verb) + obj + after.slice(verb.length);
}

/** The words of a method name, for "Cannot get hostname: …" messages. */
export function verbPhrase(method: string): string {
  return method.replace(/([a-z0-9])([A-Z])/g, "$1 $2").replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
    .toLowerCase();
}
