// Boots a real virtual machine (the tests' 512-byte boot-sector guest) and opens its console.
//   deno run --allow-ffi --allow-read --allow-write examples/guest-console.ts qemu:///system
// Needs QEMU (qemu-system-x86) and a libvirtd with virtlogd (scripts/setup.sh prepares both).
// The guest prints a line, then echoes what you type. Ctrl-] leaves; the VM is then destroyed
// (it is transient: nothing stays defined) and its disk deleted. `--batch` sends one line
// instead of reading the keyboard, and leaves once it came back.
import { parseArgs } from "node:util";
import {
  Connection,
  DenoEventImpl,
  type Domain,
  DomainCreateFlags,
  Event,
  Stream,
} from "../mod.ts";
import { bootSectorImage, GUEST_BANNER } from "../tests/fixtures/bootsector.ts";

const { values: opts, positionals } = parseArgs({
  args: Deno.args,
  allowPositionals: true,
  options: { batch: { type: "boolean", default: false } },
});
if (positionals.length !== 1) {
  console.error("usage: guest-console.ts URI [--batch]   (e.g. qemu:///system)");
  Deno.exit(2);
}
const ESCAPE = 0x1d; // Ctrl-]

// The disk: the boot sector, built from its listing, then zeros up to 1 MiB. The folder must be
// readable by the user QEMU runs as (libvirt relabels the file, not its folder).
const dir = Deno.makeTempDirSync({ prefix: "deno-libvirt-example-" });
Deno.chmodSync(dir, 0o755);
const disk = new Uint8Array(1024 * 1024);
disk.set(bootSectorImage());
Deno.writeFileSync(`${dir}/disk.raw`, disk);

const xml = `<domain type='qemu'>
  <name>deno-libvirt-example-${Deno.pid}</name>
  <memory unit='MiB'>32</memory>
  <os><type arch='x86_64' machine='pc'>hvm</type><boot dev='hd'/></os>
  <features><acpi/></features>
  <devices>
    <disk type='file' device='disk'>
      <driver name='qemu' type='raw'/>
      <source file='${dir}/disk.raw'/>
      <target dev='hda' bus='ide'/>
    </disk>
    <serial type='pty'/>
    <console type='pty'/>
    <graphics type='vnc' autoport='yes' listen='127.0.0.1'/>
    <video><model type='vga'/></video>
  </devices>
</domain>`;

// The console stream is non-blocking, driven by libvirt's loop on Deno's.
Event.register(new DenoEventImpl());
const conn = Connection.open(positionals[0]);
let dom: Domain | null = null;
let why = "";
let code = 0;
const raw = !opts.batch && Deno.stdin.isTerminal();
try {
  // Started paused, so the console is open before the guest prints its first line.
  dom = conn.createDomainXML(xml, DomainCreateFlags.START_PAUSED);
  const st = new Stream(conn, Stream.NONBLOCK);
  dom.openConsole(null, st);
  dom.resume();
  console.error(`Booted ${dom.getName()}. Escape character is ^] (Ctrl + ])`);

  let seen = "";
  const batchLine = "hello from Deno\r\n";
  const echoed = Promise.withResolvers<string>();
  const output = st.readable.pipeTo(
    new WritableStream({
      async write(chunk) {
        await Deno.stdout.write(chunk);
        seen += new TextDecoder().decode(chunk);
        if (seen.includes(GUEST_BANNER) && seen.includes(batchLine)) echoed.resolve("echoed");
      },
    }),
  ).then(() => "the console closed", (e) => `the console failed: ${e.message ?? e}`);

  const writer = st.writable.getWriter();
  const input = opts.batch
    ? writer.write(new TextEncoder().encode(batchLine)).then(() => echoed.promise)
    : (async () => {
      if (raw) Deno.stdin.setRaw(true);
      for await (const chunk of Deno.stdin.readable) {
        const esc = chunk.indexOf(ESCAPE);
        if (esc >= 0) {
          if (esc > 0) await writer.write(chunk.subarray(0, esc));
          return "detached";
        }
        await writer.write(chunk);
      }
      return "end of input";
    })();
  why = await Promise.race([output, input]);
  st.abort();
} catch (e) {
  why = `failed: ${(e as Error).message}`;
  code = 1;
} finally {
  if (raw) Deno.stdin.setRaw(false);
  try {
    if (dom?.isActive()) dom.destroy();
  } catch { /* stopped by itself */ }
  conn.close();
  Deno.removeSync(dir, { recursive: true });
}
console.error(`\n${why}`);
// stdin may still have a read pending, which would keep the process alive.
Deno.exit(code);
