// The generated methods' doc text, in our own words: a sentence composed from the method's name
// (verb, object, qualifiers) and its owner, with a short hand-written table for the verbs whose
// plain reading would mislead; plus one typed @example per method. libvirt's descriptions are
// not copied: the generator may look at them to decide (an enum hint), never quote them.
import type { Plan } from "./gen_plan.ts";

/** What each kind is called in a sentence. */
const NOUNS: Record<string, string> = {
  Connection: "connection",
  Domain: "domain",
  DomainSnapshot: "snapshot",
  DomainCheckpoint: "checkpoint",
  StoragePool: "storage pool",
  StorageVol: "storage volume",
  Network: "network",
  NetworkPort: "network port",
  Interface: "host interface",
  NWFilter: "network filter",
  NWFilterBinding: "network filter binding",
  NodeDevice: "node device",
  Secret: "secret",
  Stream: "stream",
};

/** The variable the examples use for each kind. */
const VARS: Record<string, string> = {
  Connection: "conn",
  Domain: "dom",
  DomainSnapshot: "snapshot",
  DomainCheckpoint: "checkpoint",
  StoragePool: "pool",
  StorageVol: "vol",
  Network: "net",
  NetworkPort: "port",
  Interface: "iface",
  NWFilter: "filter",
  NWFilterBinding: "binding",
  NodeDevice: "dev",
  Secret: "secret",
  Stream: "st",
};

// Words as written in prose.
const WORDS: Record<string, string> = {
  xml: "XML",
  uuid: "UUID",
  uri: "URI",
  os: "OS",
  id: "ID",
  fd: "file descriptor",
  cpu: "CPU",
  mac: "MAC",
  nmi: "NMI",
  pm: "power-management",
  scsi: "SCSI",
  wwn: "WWN",
  io: "I/O",
  desc: "description",
  nw: "network",
  vcpus: "vCPUs",
  vcpu: "vCPU",
  caps: "capabilities",
  del: "delete",
  fs: "file system",
  num: "number",
  usage: "usage",
  sysinfo: "host system information",
  hostname: "host name",
  max: "maximum",
  vol: "volume",
  dev: "device",
};

// Whole method names (any owner) whose sentence is written out; {n} is the owner's noun.
const SPECIAL: Record<string, string> = {
  "NodeDevice.destroy": "Removes the virtual node device (a vHBA, a mediated device)",
  "NodeDevice.reset": "Resets the node device (a PCI device reset) while the host holds it",
  getAutostart: "Tells whether the {n} is started when libvirt starts",
  setAutostart: "Chooses whether the {n} is started when libvirt starts",
  create: "Starts the defined {n}",
  destroy: "Stops the {n} at once (a transient one is then gone; a persistent one stays defined)",
  undefine: "Removes the {n}'s persistent definition",
  delete: "Deletes the {n}",
  suspend: "Pauses the {n}'s virtual CPUs",
  resume: "Resumes the {n}'s virtual CPUs after a pause",
  reboot: "Asks the {n}'s guest to reboot",
  reset: "Resets the {n} at once, like a hardware reset button",
  revert: "Reverts the domain to this snapshot",
  refresh: "Rescans the storage pool for volumes",
  build: "Builds the storage pool's underlying storage (a folder, a file system, a volume group)",
  wipe: "Wipes the storage volume's data",
  wipePattern: "Wipes the storage volume's data with the chosen algorithm",
  resize: "Changes the storage volume's capacity",
  rename: "Renames the inactive domain",
  save: "Saves the running domain's memory to a file and stops it",
  saveFlags: "Saves the running domain's memory to a file and stops it",
  managedSave: "Saves the running domain's memory to a file libvirt manages, and stops it",
  managedSaveRemove: "Removes the domain's managed save image",
  coreDump: "Writes the domain's memory to a core dump file",
  coreDumpWithFormat: "Writes the domain's memory to a core dump file in the chosen format",
  injectNMI: "Sends a non-maskable interrupt to the domain",
  reAttach: "Gives the node device back to the host after it was detached for guests",
  detachFlags: "Detaches the node device from the host so guests can be given it",
  update: "Changes part of the network's definition (a section, added, changed or removed)",
  fsTrim: "Asks the guest agent to trim the guest's file systems",
  pmWakeup: "Wakes the domain up from a power-management suspend",
  pmSuspendForDuration: "Suspends the domain through its guest agent (to memory, disk or both)",
  qemuAgentCommand: "Sends a raw command to the domain's QEMU guest agent",
  domainQemuAttach: "Attaches libvirt to a QEMU process started outside libvirt",
  interfaceChangeBegin: "Saves the host interface configuration, to commit or roll back later",
  interfaceChangeCommit: "Keeps the host interface changes made since interfaceChangeBegin",
  interfaceChangeRollback:
    "Restores the host interface configuration saved by interfaceChangeBegin",
  isAlive: "Tells whether the connection still reaches its driver",
  isEncrypted: "Tells whether the connection's transport is encrypted",
  isSecure: "Tells whether the connection's transport is safe from eavesdropping",
  isUpdated: "Tells whether the domain's persistent definition differs from its running one",
  isCurrent: "Tells whether this is the domain's current snapshot",
  hasMetadata: "Tells whether libvirt keeps metadata for this snapshot",
  migrateStartPostCopy: "Switches the domain's running migration to post-copy",
  startDirtyRateCalc: "Starts measuring the rate at which the domain's memory is written",
  suspendNodeForDuration: "Suspends the host for a time (to memory, disk or both)",
  compareCPU: "Compares a CPU description with the host's CPU",
  compareHypervisorCPU: "Compares a CPU description with the CPU the hypervisor can provide",
  findStoragePoolSources: "Probes the host for the sources a storage pool of a type could use",
  domainXMLFromNative: "Converts a native hypervisor configuration into domain XML",
  domainXMLToNative: "Converts domain XML into a native hypervisor configuration",
  sendProcessSignal: "Sends a signal to a process inside the domain's guest",
  agentSetResponseTimeout: "Sets how long libvirt waits for the domain's guest agent",
  openGraphics: "Connects a file descriptor to the domain's graphics server",
  openGraphicsFD: "Opens a file descriptor connected to the domain's graphics server",
  backupBegin: "Starts a backup job of the domain's disks",
  blockCommit: "Merges a disk's backing-chain layers down into a lower one (a block job)",
  blockPull: "Copies backing-chain data up into the disk's active layer (a block job)",
  blockRebase: "Rebases or copies a disk onto a new backing chain (a block job)",
  blockResize: "Changes a disk's size as the domain sees it",
  blockJobAbort: "Stops a disk's running block job",
  blockJobSetSpeed: "Limits the speed of a disk's running block job",
  snapshotCurrent: "Returns the domain's current snapshot",
  migrateToURI: "Migrates the domain to another host given by URI",
  migrateToURI2: "Migrates the domain to another host given by URI, with a new XML definition",
  restoreDomain: "Restores (starts) a domain from a file written by save",
  restoreDomainFlags: "Restores (starts) a domain from a file written by save",
  createDomainLinux: "Creates and starts a transient domain from XML (the old name of createXML)",
  createDomainXML: "Creates and starts a transient domain from XML",
  managedSaveDefineXML: "Replaces the domain XML kept in the domain's managed save image",
  managedSaveGetXMLDesc: "Reads the domain XML kept in the domain's managed save image",
  domainSaveImageDefineXML: "Replaces the domain XML kept in a save image file",
  domainSaveImageGetXMLDesc: "Reads the domain XML kept in a save image file",
  backupGetXMLDesc: "Reads the XML description of the domain's running backup job",
  addIOThread: "Adds an I/O thread to the domain",
  delIOThread: "Removes an I/O thread from the domain",
  updateDevice: "Changes a device of the domain, described in XML",
  setVcpu: "Switches individual vCPUs of the domain on or off",
};

// Leading verbs and how a sentence starts with them.
const VERB: Record<string, string> = {
  get: "Reads",
  set: "Sets",
  lookup: "Looks up",
  numOf: "Counts",
  num: "Counts",
  define: "Defines",
  create: "Creates",
  attach: "Attaches",
  detach: "Detaches",
  abort: "Aborts",
  add: "Adds",
  del: "Deletes",
  migrate: "Sets, for the domain's migration,",
  managed: "Manages",
  update: "Updates",
  open: "Opens",
};

function split(name: string): string[] {
  return name.replace(/([a-z0-9])([A-Z])/g, "$1 $2").replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
    .toLowerCase().split(" ");
}

function prose(words: string[]): string {
  return words.map((w) => WORDS[w] ?? w).join(" ");
}

function article(phrase: string): string {
  return /^[aeiou]/i.test(phrase) && !/^(uuid|uri|usage)/i.test(phrase) ? "an" : "a";
}

/** The first sentence of a generated method's doc (no final period). */
export function sentence(p: Plan): string {
  const owner = p.owner.cls;
  const n = NOUNS[owner] ?? owner.toLowerCase();
  const of = owner === "Connection" ? "the connection's" : `the ${n}'s`;
  const special = SPECIAL[`${owner}.${p.method}`] ?? SPECIAL[p.method] ??
    SPECIAL[p.method.replace(/Flags$/, "")];
  if (special) return special.replaceAll("{n}", n);
  let words = split(p.method);
  if (words.at(-1) === "flags" && words.length > 1) words = words.slice(0, -1);
  // Object-first names (snapshotCreateXML, portLookupByUUID): the verb leads the sentence.
  const leads = (w: string) => w in VERB || w === "is" || w === "has";
  if (!leads(words[0]) && VERB[words[1]] && words[1] !== "get") {
    words = [words[1], words[0], ...words.slice(2)];
  }
  if (words[0] === "num" && words[1] === "of") words = ["numOf", ...words.slice(2)];
  const [verb, ...rest] = words;
  const what = prose(rest);
  switch (verb) {
    case "get":
      return `Reads ${of} ${what}`;
    case "set":
      return `Sets ${of} ${what}`;
    case "is":
      return `Tells whether the ${n} is ${what}`;
    case "has":
      return `Tells whether the ${n} has ${article(what)} ${what}`;
    case "lookup": {
      const by = rest.indexOf("by");
      const obj = prose(rest.slice(0, by < 0 ? rest.length : by));
      const key = by < 0 ? "" : ` by its ${prose(rest.slice(by + 1))}`;
      return `Looks up ${article(obj)} ${obj}${key}`;
    }
    case "numOf":
    case "num":
      return `Counts the ${what ? what.replace(/([^sn])$/, "$1s") : "children"} of the ${n}`;
    case "create":
    case "define": {
      const obj = prose(rest.filter((w) => w !== "xml" && w !== "from"));
      const from = rest.includes("from") ? ", cloning another volume's data" : "";
      const starts = /^(domain|network|storage pool|node device)$/.test(obj);
      const how = verb === "define" ? "Defines" : starts ? "Creates and starts" : "Creates";
      const kind = verb === "define" ? "persistent " : "";
      return `${how} ${article(kind + obj)} ${kind}${obj} from an XML description${from}`;
    }
    case "migrate":
      return `Sets the ${prose(rest.filter((w) => w !== "set"))} of the domain's migrations`;
    case "attach":
      return `Attaches a device, described in XML, to the ${n}`;
    case "detach":
      return rest.includes("alias")
        ? `Detaches the device with the given alias from the ${n}`
        : `Detaches a device, described in XML, from the ${n}`;
    default: {
      const v = VERB[verb] ??
        `${verb[0].toUpperCase()}${verb.slice(1)}${/(s|sh|ch|x)$/.test(verb) ? "es" : "s"}`;
      return what ? `${v} ${of} ${what}` : `${v} the ${n}`;
    }
  }
}

/** The doc's first line: the sentence and the C function it calls. */
export function headline(p: Plan): string {
  const what = sentence(p);
  const c = `\`${p.fn.name}\``;
  // "(a block job)" + the C name reads better as one parenthesis.
  return what.endsWith(")") ? `${what.slice(0, -1)}; ${c}).` : `${what} (${c}).`;
}

/** Wraps prose into doc-comment lines of at most `width` characters (after `indent`). */
export function wrap(text: string, indent: string, width = 100): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line && indent.length + line.length + 1 + word.length > width) {
      lines.push(indent + line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(indent + line);
  return lines;
}

// What common parameters are, by their C name; others are described by their C declaration.
const PARAMS: Record<string, string> = {
  xml: "the XML description",
  xmlDesc: "the XML description",
  xmldesc: "the XML description",
  xmlCPU: "the CPU's XML description",
  dxml: "a replacement domain XML (null: keep the current one)",
  name: "the name",
  uuid: "the UUID's 16 raw bytes",
  uuidstr: "the UUID in its string form",
  macstr: "the MAC address (`52:54:00:…`)",
  disk: "the disk, by its target (`vda`) or its source path",
  path: "the path",
  to: "the file to write",
  from: "the file to read",
  key: "the volume's key",
  nvcpus: "the number of virtual CPUs",
  memory: "the memory size in KiB",
  dname: "the domain's new name on the destination (null: keep it)",
  duri: "the destination host's URI",
  bandwidth: "the bandwidth limit in MiB/s (0: none)",
  autostart: "true to start it when libvirt starts",
  portdev: "the port's device name (`vnet0`)",
};

/** The doc of a parameter that is not an object, flags or enum: from its C name. */
export function plainParamDoc(cName: string, cType: string): string {
  return PARAMS[cName] ? `${PARAMS[cName]} (C \`${cType}\`)` : `C \`${cType} ${cName}\``;
}

/** The `@returns` text for a plan's result. */
export function returnsDoc(p: Plan): string | null {
  const r = p.result;
  switch (r.kind) {
    case "void":
      return null;
    case "number":
      return "the number libvirt answers (a count, a value or a file descriptor)";
    case "boolean":
      return "true or false";
    case "string":
      return "the text libvirt returns";
    case "conststring":
      return "the text libvirt keeps with the object (read, not copied on each call)";
    case "uuid":
      return "the UUID as its 16 raw bytes";
    case "uuidstring":
      return "the UUID in its string form";
    case "object":
      return `a new \`${r.of.cls}\` (its reference is released with \`free()\` or with its connection)`;
    case "outint":
      return r.bool ? "whether it is set" : "the value";
  }
}

/** The TypeScript name of a parameter from its declaration. */
export function paramName(decl: string): string {
  return decl.split(/[:=]/)[0].trim();
}

// A sample value for an example, by the parameter's type and name.
function sample(decl: string, declares: Map<string, string>): string {
  const name = paramName(decl);
  const type = /:\s*([^=]+?)(\s*=.*)?$/.exec(decl)?.[1]?.trim() ?? "number";
  if (/^[A-Z]\w*$/.test(type) && type !== "Uint8Array") {
    const v = VARS[type] ?? type.toLowerCase();
    declares.set(v, type);
    return v;
  }
  if (type === "Uint8Array") return "new Uint8Array(16)";
  if (type === "boolean") return "true";
  if (type.startsWith("string")) {
    if (/xml|desc/i.test(name)) {
      declares.set(name, "string");
      return name;
    }
    if (/uuid/i.test(name)) return `"00000000-0000-0000-0000-000000000001"`;
    if (/mac/i.test(name)) return `"52:54:00:00:00:01"`;
    if (/^(disk|path)$/.test(name)) return name === "disk" ? `"vda"` : `"/var/lib/libvirt/x"`;
    if (/^(to|from|file)$/.test(name)) return `"/tmp/file"`;
    if (/uri/i.test(name)) return `"qemu+ssh://host/system"`;
    return name === "name" ? `"test"` : `"${name}"`;
  }
  if (type.includes("bigint")) return "1024n";
  return "1";
}

/** A short typed example of calling `p.method` (or its Async form). */
export function example(p: Plan, isAsync: boolean): string[] {
  const owner = p.owner.cls;
  const self = VARS[owner] ?? "obj";
  const declares = new Map<string, string>([[self, owner]]);
  // Required parameters only: the optional tail (flags, nullable strings) keeps its default.
  const required = p.params.filter((_x, i) =>
    !p.params.slice(i).every((y) => y.decl.includes(" = "))
  );
  const args = required.map((x) => sample(x.decl, declares)).join(", ");
  const call = `${isAsync ? "await " : ""}${self}.${p.method}${isAsync ? "Async" : ""}(${args})`;
  // A connection and a domain come from the test driver; other objects are declared.
  const opened = owner === "Connection" || owner === "Domain";
  const values = opened ? ["Connection"] : [];
  if (owner === "Domain" && declares.get("dom") === "Domain") declares.delete("dom");
  if (opened) declares.delete("conn");
  const types = [...new Set([...declares.values()])]
    .filter((t) => t !== "string" && !values.includes(t)).sort();
  const lines: string[] = [];
  if (values.length) lines.push(`import { ${values.join(", ")} } from "./mod.ts";`);
  if (types.length) lines.push(`import type { ${types.join(", ")} } from "./mod.ts";`);
  if (opened) lines.push(`using conn = Connection.open("test:///default");`);
  if (owner === "Domain") lines.push(`const dom = conn.lookupDomainByName("test");`);
  for (const [v, t] of declares) lines.push(`declare const ${v}: ${t};`);
  lines.push(p.result.kind === "void" ? `${call};` : `console.log(${call});`);
  return ["```ts", ...lines, "```"];
}
