// The start-up benchmark's child (bench/cases/startup.ts): the script of the case, timed from
// inside: the import of the module, the first Connection.open (which loads libvirt.so and its
// libraries and binds the functions it calls), then the list of domain names.
//   deno run --allow-ffi --allow-read bench/ours/startup.ts ENTRY
// ENTRY is the module file to import: a checkout's published entry (dist/libvirt.js, one
// JavaScript module) or its TypeScript sources (mod.ts), of this checkout or a clean clone of an
// older commit. The whole-process figures use static imports instead (see the case).
const [entry] = Deno.args;
const t0 = performance.now();
const mod = await import(entry);
const t1 = performance.now();
const conn = mod.Connection.open("test:///default");
const t2 = performance.now();
const names = conn.listAllDomains().map((d: { getName(): string }) => d.getName());
const t3 = performance.now();
conn.close();
console.log(JSON.stringify({
  sinceStartMs: t0,
  importMs: t1 - t0,
  openMs: t2 - t1,
  listMs: t3 - t2,
  domains: names.length,
}));
