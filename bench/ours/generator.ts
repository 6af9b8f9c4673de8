// The event flood for the event-delivery case: defines a domain on the daemon's test driver and
// destroys/creates it `--cycles` times as fast as the daemon answers (synchronous calls, no event
// loop), then undefines it. Prints {"events", "lastAt", "seconds"}: lastAt is the wall clock (ms)
// right after the call that made the last event returned.
//   deno run -A bench/ours/generator.ts --uri U --domain NAME --cycles N
import { parseArgs } from "node:util";
import { Connection } from "../../mod.ts";

const { values: a } = parseArgs({
  args: Deno.args,
  options: {
    uri: { type: "string" },
    domain: { type: "string", default: "bench-gen" },
    cycles: { type: "string", default: "5000" },
  },
});
const cycles = Number(a.cycles);

// Lifecycle events the run makes: DEFINED, STARTED, 2 per cycle, STOPPED, UNDEFINED.
const events = 2 * cycles + 4;
{
  const conn = Connection.open(a.uri!);
  const dom = conn.defineDomainXML(
    `<domain type="test"><name>${a.domain}</name><memory unit="MiB">8</memory>` +
      `<os><type>hvm</type></os></domain>`,
  );
  const t0 = performance.now();
  dom.create();
  for (let i = 0; i < cycles; i++) {
    dom.destroy();
    dom.create();
  }
  dom.destroy();
  dom.undefine();
  const lastAt = performance.timeOrigin + performance.now();
  const seconds = (performance.now() - t0) / 1000;
  conn.close();
  console.log(JSON.stringify({ events, lastAt, seconds }));
}
