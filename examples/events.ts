// Prints every libvirt event of a connection, like libvirt-python's event-test.py.
//
//   deno run --allow-ffi --allow-env examples/events.ts [URI] [--loop deno|default]
//            [--timeout SECONDS] [--demo]
//
// URI defaults to test:///default. --demo makes a few events itself (on the test driver:
// destroy/start/suspend/resume the "test" domain, set its metadata, refresh a pool, restart a
// network) so there is something to see. Runs until Ctrl-C or the timeout, then deregisters
// everything and closes.
import {
  type Connection,
  Connection as Conn,
  DefaultEventLoop,
  DenoEventImpl,
  domainEventDetailName,
  type DomainEventID,
  DomainEventID as ID,
  domainEventTypeName,
  DomainMetadataType,
  Event,
  eventIDName,
  NetworkEventID,
  NodeDeviceEventID,
  objectLifecycleName,
  SecretEventID,
  StoragePoolEventID,
} from "../mod.ts";

interface Options {
  uri: string;
  loop: "deno" | "default";
  timeout: number | null;
  demo: boolean;
}

function parseArgs(args: string[]): Options {
  const o: Options = { uri: "test:///default", loop: "deno", timeout: null, demo: false };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--loop") {
      const v = args[++i];
      if (v !== "deno" && v !== "default") throw new Error("--loop takes deno or default");
      o.loop = v;
    } else if (a === "--timeout") {
      o.timeout = Number(args[++i]);
      if (!(o.timeout > 0)) throw new Error("--timeout takes a number of seconds");
    } else if (a === "--demo") {
      o.demo = true;
    } else if (a === "-h" || a === "--help") {
      console.log("usage: events.ts [URI] [--loop deno|default] [--timeout SECONDS] [--demo]");
      Deno.exit(0);
    } else if (a.startsWith("-")) {
      throw new Error(`unknown option ${a}`);
    } else {
      o.uri = a;
    }
  }
  return o;
}

/** A payload as "key=value" pairs, with bigints and nested values readable. */
function fields(payload: object): string {
  return Object.entries(payload).map(([k, v]) =>
    `${k}=${typeof v === "object" && v !== null ? JSON.stringify(v, bigints) : String(v)}`
  ).join(" ");
}
const bigints = (_k: string, v: unknown) => typeof v === "bigint" ? `${v}` : v;

/** One line per domain event: the lifecycle and metadata ones get their enum names. */
function domainLine(id: DomainEventID, payload: object): string {
  if ("event" in payload && "detail" in payload && id === ID.LIFECYCLE) {
    const { event, detail } = payload as { event: number; detail: number };
    return `${domainEventTypeName(event)} (${domainEventDetailName(event, detail)})`;
  }
  if (id === ID.METADATA_CHANGE) {
    const { type, nsuri } = payload as { type: number; nsuri: string | null };
    const name = Object.entries(DomainMetadataType).find(([, v]) => v === type)?.[0];
    return `${name}${nsuri ? ` ${nsuri}` : ""}`;
  }
  return fields(payload);
}

function registerAll(conn: Connection): (() => void)[] {
  const undo: (() => void)[] = [];
  const stamp = () => new Date().toISOString().slice(11, 23);
  for (const id of Object.values(ID)) {
    const cid = conn.domainEventRegisterAny(null, id, (_c, dom, payload) => {
      console.log(
        `${stamp()} domain ${dom.getName()}: ${eventIDName("domain", id)} ${
          domainLine(id, payload)
        }`,
      );
      dom.free();
    });
    undo.push(() => conn.domainEventDeregisterAny(cid));
  }
  // The other kinds: a driver may lack some of them (the test driver has no secrets).
  const refused = new Set<string>();
  const tryRegister = (what: string, fn: () => () => void) => {
    if (refused.has(what)) return;
    try {
      undo.push(fn());
    } catch (e) {
      refused.add(what);
      console.log(`(no ${what} events here: ${(e as Error).message})`);
    }
  };
  tryRegister("network", () => {
    const cid = conn.networkEventRegisterAny(null, NetworkEventID.LIFECYCLE, (_c, net, ev) => {
      console.log(
        `${stamp()} network ${net.getName()}: ${objectLifecycleName("network", ev.event)}`,
      );
      net.free();
    });
    return () => conn.networkEventDeregisterAny(cid);
  });
  for (const id of Object.values(StoragePoolEventID)) {
    tryRegister("storage pool", () => {
      const cid = conn.storagePoolEventRegisterAny(null, id, (_c, pool, ev) => {
        const what = "event" in ev ? objectLifecycleName("storagePool", ev.event) : "";
        console.log(
          `${stamp()} pool ${pool.getName()}: ${eventIDName("storagePool", id)} ${what}`.trimEnd(),
        );
        pool.free();
      });
      return () => conn.storagePoolEventDeregisterAny(cid);
    });
  }
  for (const id of Object.values(NodeDeviceEventID)) {
    tryRegister("node device", () => {
      const cid = conn.nodeDeviceEventRegisterAny(null, id, (_c, dev, ev) => {
        const what = "event" in ev ? objectLifecycleName("nodeDevice", ev.event) : "";
        console.log(
          `${stamp()} device ${dev.getName()}: ${eventIDName("nodeDevice", id)} ${what}`.trimEnd(),
        );
        dev.free();
      });
      return () => conn.nodeDeviceEventDeregisterAny(cid);
    });
  }
  for (const id of Object.values(SecretEventID)) {
    tryRegister("secret", () => {
      const cid = conn.secretEventRegisterAny(null, id, (_c, secret, ev) => {
        const what = "event" in ev ? objectLifecycleName("secret", ev.event) : "";
        console.log(
          `${stamp()} secret ${secret.getUUIDString()}: ${eventIDName("secret", id)} ${what}`
            .trimEnd(),
        );
        secret.free();
      });
      return () => conn.secretEventDeregisterAny(cid);
    });
  }
  return undo;
}

/** Makes a few events on the test driver, pausing so their lines come out one by one. */
async function demo(conn: Connection, signal: AbortSignal): Promise<void> {
  const pause = () => new Promise((r) => setTimeout(r, 300));
  const steps: [string, () => void][] = [];
  const dom = conn.lookupDomainByName("test");
  const pool = conn.lookupStoragePoolByName("default-pool");
  const net = conn.lookupNetworkByName("default");
  steps.push(
    ["destroy the test domain", () => dom.destroy()],
    ["start it again", () => dom.create()],
    ["suspend it", () => dom.suspend()],
    ["resume it", () => dom.resume()],
    ["set its description", () => dom.setMetadata(DomainMetadataType.DESCRIPTION, "demo")],
    ["refresh default-pool", () => pool.refresh()],
    ["restart the default network", () => (net.destroy(), net.create())],
  );
  for (const [what, act] of steps) {
    if (signal.aborted) break;
    console.log(`-- ${what}`);
    act();
    await pause();
  }
  for (const o of [dom, pool, net]) o.free();
}

const opts = parseArgs(Deno.args);
// The loop comes first: libvirt wants it registered before any connection is opened.
let defaultLoop: DefaultEventLoop | null = null;
if (opts.loop === "deno") {
  Event.register(new DenoEventImpl());
} else {
  defaultLoop = new DefaultEventLoop();
  defaultLoop.start();
}

const conn = Conn.open(opts.uri);
console.log(`Listening on ${conn.getURI()} with the ${opts.loop} event loop (Ctrl-C to stop)`);
conn.registerCloseCallback((_c, reason) => {
  console.log(`connection closed by libvirt (reason ${reason})`);
  stop.abort();
});
const undo = registerAll(conn);

const stop = new AbortController();
const onSigint = () => stop.abort();
Deno.addSignalListener("SIGINT", onSigint);
const timer = opts.timeout === null ? null : setTimeout(() => stop.abort(), opts.timeout * 1000);

if (opts.demo) await demo(conn, stop.signal);
if (!stop.signal.aborted) {
  await new Promise((resolve) => stop.signal.addEventListener("abort", resolve, { once: true }));
}

console.log("Stopping: deregistering callbacks and closing");
if (timer !== null) clearTimeout(timer);
Deno.removeSignalListener("SIGINT", onSigint);
if (!conn.freed) {
  for (const fn of undo) fn();
  conn.close();
}
await defaultLoop?.stop();
