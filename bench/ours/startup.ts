// The start-up benchmark's child (bench/cases/startup.ts), in two modes:
//   list ROOT    a script's whole job: open test:///default and print the domain names
//   inside ROOT  the same, timed from inside: import of mod.ts, libvirt's load, the first open
// ROOT is the checkout whose mod.ts is measured (this one, or a clean clone of an older commit).
const [mode, root = new URL("../..", import.meta.url).pathname] = Deno.args;
const t0 = performance.now();
const mod = await import(`${root}/mod.ts`);
const t1 = performance.now();
if (mode === "list") {
  using conn = mod.Connection.open("test:///default");
  for (const d of conn.listAllDomains()) console.log(d.getName());
} else {
  const lib = await import(`${root}/ffi/library.ts`);
  const t2 = performance.now();
  lib.hasSymbol("virConnectOpen"); // loads libvirt.so (and its libraries), binds one function
  const t3 = performance.now();
  const conn = mod.Connection.open("test:///default");
  const t4 = performance.now();
  const names = conn.listAllDomains().map((d: { getName(): string }) => d.getName());
  const t5 = performance.now();
  conn.close();
  console.log(JSON.stringify({
    importMs: t1 - t0,
    loadMs: t3 - t2,
    openMs: t4 - t3,
    listMs: t5 - t4,
    bound: lib.boundSymbolCount(),
    domains: names.length,
  }));
}
