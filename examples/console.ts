// An interactive console on a domain's serial console or a named device, like `virsh console`.
//   deno run --allow-ffi examples/console.ts URI DOMAIN [DEVNAME] [--force] [--safe]
// Type Ctrl-] to leave. The terminal is put in raw mode while connected.
import { parseArgs } from "node:util";
import { Connection, DenoEventImpl, DomainConsoleFlags, Event, Stream } from "../mod.ts";

const { values: opts, positionals } = parseArgs({
  args: Deno.args,
  allowPositionals: true,
  options: {
    force: { type: "boolean", default: false },
    safe: { type: "boolean", default: false },
  },
});
if (positionals.length < 2) {
  console.error("usage: console.ts URI DOMAIN [DEVNAME] [--force] [--safe]");
  Deno.exit(2);
}
const [uri, domName, devName = null] = positionals;
const ESCAPE = 0x1d; // Ctrl-]

// The console stream is non-blocking and driven by libvirt's loop on Deno's: output and
// keystrokes flow at the same time on the JS thread.
Event.register(new DenoEventImpl());

const conn = Connection.open(uri);
const dom = conn.lookupDomainByName(domName);
const st = new Stream(conn, Stream.NONBLOCK);
const flags = (opts.force ? DomainConsoleFlags.FORCE : 0) |
  (opts.safe ? DomainConsoleFlags.SAFE : 0);
try {
  dom.openConsole(devName, st, flags);
} catch (e) {
  console.error(`Cannot open a console on ${domName}: ${(e as Error).message}`);
  conn.close();
  Deno.exit(1);
}
console.error(`Connected to domain ${dom.getName()}\nEscape character is ^] (Ctrl + ])`);

// Guest output to stdout until the console closes (the guest stopped, or another client
// took it with --force).
const output = st.readable.pipeTo(Deno.stdout.writable, { preventClose: true })
  .then(() => "the console closed", (e) => `the console failed: ${e.message ?? e}`);

// Keystrokes to the guest until Ctrl-].
const raw = Deno.stdin.isTerminal();
if (raw) Deno.stdin.setRaw(true);
const input = (async () => {
  const writer = st.writable.getWriter();
  for await (const chunk of Deno.stdin.readable) {
    const esc = chunk.indexOf(ESCAPE);
    if (esc >= 0) {
      if (esc > 0) await writer.write(chunk.subarray(0, esc));
      return "detached";
    }
    await writer.write(chunk);
  }
  return "end of input";
})().catch((e) => `input failed: ${e.message ?? e}`);

const why = await Promise.race([output, input]);
if (raw) Deno.stdin.setRaw(false);
// Like virsh: a console is aborted, not finished, when the user leaves.
st.abort();
conn.close();
console.error(`\n${why}`);
// stdin still has a read pending, which would keep the process alive.
Deno.exit(0);
