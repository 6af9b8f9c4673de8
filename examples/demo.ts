// The README demo: connects to libvirt's in-process test driver, shows its domains, storage
// pools and networks, watches the lifecycle events of a stop and start, and closes.
// No daemon needed. Run:
//   deno run --allow-ffi --allow-env examples/demo.ts
import {
  Connection,
  DenoEventImpl,
  domainEventDetailName,
  DomainEventID,
  domainEventTypeName,
  DomainState,
  enumName,
  type EnumObject,
  Event,
  StoragePoolState,
} from "../mod.ts";

// libvirt delivers events through an event loop registered before the first connection; this
// one runs on Deno's own loop.
Event.register(new DenoEventImpl());

const URI = "test:///default";

/** The lower-case name of an enum value ("running"), for display. */
function nameOf(values: EnumObject, value: number): string {
  return enumName(values, value)?.toLowerCase() ?? `unknown (${value})`;
}

/** Bytes as a short human figure: 1.5 GiB. */
function bytes(n: number | bigint): string {
  let v = Number(n);
  for (const unit of ["B", "KiB", "MiB", "GiB", "TiB"]) {
    if (v < 1024 || unit === "TiB") return unit === "B" ? `${v} B` : `${v.toFixed(1)} ${unit}`;
    v /= 1024;
  }
  return `${v}`;
}

/** Prints rows as aligned columns under a header. */
function table(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    "  " + cells.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd();
  console.log(line(header));
  for (const row of rows) console.log(line(row));
  if (rows.length === 0) console.log("  (none)");
}

console.log(`Connecting to ${URI}…`);
const conn = Connection.open(URI);
try {
  const version = conn.getLibVersion();
  console.log(
    `Connected: driver ${conn.getType()}, libvirt ${version.major}.${version.minor}.` +
      `${version.release}, host ${conn.getHostname()}\n`,
  );

  const domains = conn.listAllDomains();
  console.log(`Domains (${domains.length}):`);
  table(
    ["NAME", "STATE", "MEMORY", "VCPUS"],
    domains.map((dom) => {
      const info = dom.getInfo();
      return [
        dom.getName(),
        nameOf(DomainState, dom.getState().state),
        bytes(info.memory * 1024),
        String(info.nrVirtCpu),
      ];
    }),
  );

  const pools = conn.listAllStoragePools();
  console.log(`\nStorage pools (${pools.length}):`);
  table(
    ["NAME", "STATE", "CAPACITY", "ALLOCATED", "AVAILABLE"],
    pools.map((pool) => {
      const info = pool.getInfo();
      return [
        pool.getName(),
        nameOf(StoragePoolState, info.state),
        bytes(info.capacity),
        bytes(info.allocation),
        bytes(info.available),
      ];
    }),
  );

  const networks = conn.listAllNetworks();
  console.log(`\nNetworks (${networks.length}):`);
  table(
    ["NAME", "ACTIVE", "BRIDGE"],
    networks.map((net) => [
      net.getName(),
      net.isActive() ? "yes" : "no",
      net.getBridgeName(),
    ]),
  );

  console.log('\nWatching lifecycle events while the domain "test" is stopped and started:');
  const seen = Promise.withResolvers<void>();
  let count = 0;
  const id = conn.domainEventRegisterAny(null, DomainEventID.LIFECYCLE, (_c, dom, ev) => {
    console.log(
      `  event: ${dom.getName()} ${domainEventTypeName(ev.event)} ` +
        `(${domainEventDetailName(ev.event, ev.detail)})`,
    );
    if (++count === 2) seen.resolve();
  });
  const test = conn.lookupDomainByName("test");
  console.log("  destroying test…");
  test.destroy();
  console.log("  starting test…");
  test.create();
  await seen.promise;
  conn.domainEventDeregisterAny(id);
} finally {
  // Closing frees every domain, pool and network obtained above.
  console.log("\nClosing the connection…");
  conn.close();
}
console.log("Done.");
