// A second process that makes events on a libvirt URI (domain create/destroy cycles, pool
// refreshes) and reports how many it made, for the remote event tests to count against.

/** What the generator did. */
export interface GeneratorReport {
  /** destroy+create cycles of the domain: each makes one STOPPED and one STARTED event. */
  cycles: number;
  /** Refreshes of the pool: each makes one REFRESH event. */
  refreshes: number;
  /** How long the generating took. */
  elapsedMs: number;
}

/** What to generate. */
export interface GeneratorOptions {
  /** The URI to connect to (the private daemon's test driver). */
  uri: string;
  /** A domain name the generator defines, cycles and undefines (so counts are its own). */
  domain: string;
  /** Stop after this many cycles… */
  cycles?: number;
  /** …or after this many seconds, whichever comes first. */
  seconds?: number;
  /** Refresh "default-pool" once every this many cycles (0: never). */
  refreshEvery?: number;
}

const MOD = new URL("../../mod.ts", import.meta.url).href;

/** Starts the generator; resolves with its report once it has exited. */
export async function runGenerator(o: GeneratorOptions): Promise<GeneratorReport> {
  const config = JSON.stringify({
    uri: o.uri,
    domain: o.domain,
    cycles: o.cycles ?? Number.MAX_SAFE_INTEGER,
    seconds: o.seconds ?? 3600,
    refreshEvery: o.refreshEvery ?? 0,
  });
  // No event loop in the generator: it only makes synchronous calls.
  const script = `
    import { Connection } from ${JSON.stringify(MOD)};
    const c = ${config};
    const conn = Connection.open(c.uri);
    const dom = conn.defineDomainXML(
      '<domain type="test"><name>' + c.domain + '</name><memory unit="MiB">8</memory>' +
      '<os><type>hvm</type></os></domain>');
    const pool = conn.lookupStoragePoolByName("default-pool");
    dom.create();
    const start = performance.now();
    const end = Date.now() + c.seconds * 1000;
    let cycles = 0, refreshes = 0;
    while (cycles < c.cycles && Date.now() < end) {
      dom.destroy();
      dom.create();
      cycles++;
      if (c.refreshEvery > 0 && cycles % c.refreshEvery === 0) { pool.refresh(); refreshes++; }
    }
    const elapsedMs = performance.now() - start;
    dom.destroy();
    dom.undefine();
    conn.close();
    console.log(JSON.stringify({ cycles, refreshes, elapsedMs }));
  `;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", script],
    // The event module marks the process's loop in a C environment variable, which children
    // inherit; the generator registers no loop, so it must not see this process's marker.
    clearEnv: true,
    env: Object.fromEntries(
      Object.entries(Deno.env.toObject()).filter(([k]) => k !== "LIBVIRT_DENO_EVENT_LOOP"),
    ),
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = new TextDecoder().decode(out.stdout).trim();
  if (!out.success) {
    throw new Error(
      `event generator failed (${out.code}): ${new TextDecoder().decode(out.stderr)}`,
    );
  }
  return JSON.parse(stdout.split("\n").at(-1)!) as GeneratorReport;
}
