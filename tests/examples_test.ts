// Specifies that every example runs with exactly the permission flags its header documents:
// the header's `deno run` (or `deno compile`) line is parsed, and the example is run with those
// flags against what it needs (libvirt's test driver, the private libvirtd, or a real guest).
// No prompt can hang a run: stdin is closed, so a missing permission fails as NotCapable.
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { Connection } from "../mod.ts";
import { requireDaemon } from "./helpers/daemon.ts";
import { randomBytes } from "./helpers/stream_transfers.ts";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const EXAMPLES = `${ROOT}examples/`;
// Examples that drive a real guest's console: they run only where H-guest's harness exists.
const GUEST_HARNESS = `${ROOT}tests/helpers/guest.ts`;

/** What an example's header says: the deno subcommand, its flags, and the script's path. */
interface Header {
  command: "run" | "compile";
  flags: string[];
  script: string;
  line: string;
}

/**
 * Reads the first `deno run`/`deno compile` line of the leading comment block (a line ending in
 * `\` continues on the next comment line). Flags are the `--` tokens before the script path.
 */
function parseHeader(source: string): Header | null {
  const comments: string[] = [];
  for (const l of source.split("\n")) {
    if (!l.startsWith("//")) break;
    comments.push(l.replace(/^\/\/\s?/, ""));
  }
  for (let i = 0; i < comments.length; i++) {
    const m = /(?:^|\s|Run:\s*)deno (run|compile) (.*)$/.exec(comments[i]);
    if (!m) continue;
    let rest = m[2];
    while (rest.trimEnd().endsWith("\\") && i + 1 < comments.length) {
      rest = rest.trimEnd().slice(0, -1) + " " + comments[++i].trim();
    }
    const tokens = rest.split(/\s+/).filter(Boolean);
    const at = tokens.findIndex((t) => t.endsWith(".ts"));
    if (at < 0) return null;
    // Permission flags only: `deno compile`'s `-o NAME` is not one.
    const flags = tokens.slice(0, at).filter((t) => t.startsWith("--"));
    return { command: m[1] as "run" | "compile", flags, script: tokens[at], line: m[0].trim() };
  }
  return null;
}

interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs an example as its header says. `deno compile` bakes its flags into the binary, which
 * cannot be built here (its runtime is downloaded): the same flags under `deno run` grant the
 * same permissions.
 */
async function runExample(
  h: Header,
  args: string[],
  cwd: string,
  timeoutMs = 60_000,
): Promise<RunResult> {
  const script = `${ROOT}${h.script}`;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", ...h.flags, script, ...args],
    cwd,
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  try {
    const out = await child.output();
    const dec = new TextDecoder();
    return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
  } finally {
    clearTimeout(timer);
  }
}

function assertRanClean(name: string, h: Header, r: RunResult): void {
  const where = `${name} (${h.line}):\n${r.stdout}\n${r.stderr}`;
  assert.doesNotMatch(r.stderr, /NotCapable|PermissionDenied|Requires \w+ access/, where);
  assert.equal(r.code, 0, where);
}

function headerOf(file: string): Header {
  const h = parseHeader(Deno.readTextFileSync(`${EXAMPLES}${file}`));
  assert.ok(h, `${file} has no "deno run" line in its header`);
  assert.equal(h.script, `examples/${file}`, `${file}: its header names another path`);
  return h;
}

const examples = [...Deno.readDirSync(EXAMPLES)]
  .filter((e) => e.isFile && e.name.endsWith(".ts"))
  .map((e) => e.name)
  .sort();

// Every file is an example with a header, or a helper module another example imports.
const HELPERS = new Set(["progress.ts"]);
// Which examples this test covers, and where: a new example must be added here.
const COVERED = new Set([
  "compiled.ts",
  "console.ts",
  "demo.ts",
  "events.ts",
  "guest-console.ts",
  "screenshot.ts",
  "vol-download.ts",
  "vol-upload.ts",
]);

Deno.test("every example has a header with its command line, and is covered here", () => {
  for (const name of examples) {
    if (HELPERS.has(name)) {
      const users = examples.filter((e) =>
        Deno.readTextFileSync(`${EXAMPLES}${e}`).includes(`"./${name}"`)
      );
      assert.ok(users.length > 0, `${name} is neither an example nor imported by one`);
      continue;
    }
    headerOf(name);
    assert.ok(COVERED.has(name), `${name} is not run by tests/examples_test.ts: add it`);
  }
});

Deno.test("the examples on libvirt's test driver", async (t) => {
  const cwd = await Deno.makeTempDir({ prefix: "deno-libvirt-examples-" });
  try {
    await t.step("demo.ts", async () => {
      const h = headerOf("demo.ts");
      const r = await runExample(h, [], cwd);
      assertRanClean("demo.ts", h, r);
      assert.match(r.stdout, /Domains \(1\):/);
      assert.match(r.stdout, /test\s+running/);
      assert.match(r.stdout, /event: test STOPPED/i);
      assert.match(r.stdout, /Done\./);
    });

    await t.step("compiled.ts (its `deno compile` flags, under deno run)", async () => {
      const h = headerOf("compiled.ts");
      assert.equal(h.command, "compile");
      const r = await runExample(h, ["test:///default"], cwd);
      assertRanClean("compiled.ts", h, r);
      assert.match(r.stdout, /^test\s+running$/m);
    });

    for (const loop of ["deno", "default"]) {
      await t.step(`events.ts --loop ${loop} --demo`, async () => {
        const h = headerOf("events.ts");
        const r = await runExample(
          h,
          ["test:///default", "--loop", loop, "--timeout", "2", "--demo"],
          cwd,
        );
        assertRanClean("events.ts", h, r);
        assert.match(r.stdout, /domain test: LIFECYCLE SUSPENDED/);
        assert.match(r.stdout, /domain test: LIFECYCLE RESUMED/);
      });
    }

    await t.step("screenshot.ts writes the image it names", async () => {
      const h = headerOf("screenshot.ts");
      const r = await runExample(h, [], cwd);
      assertRanClean("screenshot.ts", h, r);
      const png = Deno.readFileSync("/usr/share/libvirt/test-screenshot.png");
      assert.match(r.stdout, new RegExp(`test\\.png: image/png, ${png.length} bytes`));
      assert.deepEqual(Deno.readFileSync(`${cwd}/test.png`), png);
    });

    await t.step("console.ts with its flags: a clear libvirt error, not a permission", async () => {
      // The test driver has no consoles; the real run needs a guest (below).
      const h = headerOf("console.ts");
      const r = await runExample(h, ["test:///default", "test"], cwd, 20_000);
      assert.doesNotMatch(r.stderr, /NotCapable|PermissionDenied|Requires \w+ access/, r.stderr);
      assert.notEqual(r.code, 0);
    });
  } finally {
    await Deno.remove(cwd, { recursive: true });
  }
});

Deno.test("the volume examples on the private libvirtd", async (t) => {
  const d = await requireDaemon("the volume examples");
  if (!d) return;
  const dir = await Deno.makeTempDir({ prefix: "deno-libvirt-examples-pool-" });
  const cwd = await Deno.makeTempDir({ prefix: "deno-libvirt-examples-" });
  const conn = Connection.open(d.qemuUri);
  const poolName = `examples-${crypto.randomUUID().slice(0, 8)}`;
  const pool = conn.createStoragePoolXML(
    `<pool type='dir'><name>${poolName}</name><target><path>${dir}</path></target></pool>`,
  );
  try {
    const size = 3 * 1024 * 1024;
    pool.createVolumeXML(
      `<volume><name>v.raw</name><capacity>${size}</capacity><allocation>0</allocation>` +
        `<target><format type='raw'/></target></volume>`,
    );
    const data = randomBytes(size);
    // Sparse: a data block, a hole, a data block.
    data.fill(0, 1024 * 1024, 2 * 1024 * 1024);
    Deno.writeFileSync(`${cwd}/in.raw`, data);

    for (const sparse of [[], ["--sparse"]]) {
      await t.step(`vol-upload.ts then vol-download.ts ${sparse.join(" ")}`, async () => {
        const up = headerOf("vol-upload.ts");
        const ru = await runExample(up, [d.qemuUri, poolName, "v.raw", "in.raw", ...sparse], cwd);
        assertRanClean("vol-upload.ts", up, ru);
        const down = headerOf("vol-download.ts");
        const rd = await runExample(
          down,
          [d.qemuUri, poolName, "v.raw", "out.raw", ...sparse],
          cwd,
        );
        assertRanClean("vol-download.ts", down, rd);
        assert.match(rd.stderr, new RegExp(`out\\.raw: ${size} bytes`));
        assert.deepEqual(Deno.readFileSync(`${cwd}/out.raw`), data);
        Deno.removeSync(`${cwd}/out.raw`);
      });
    }
  } finally {
    for (const v of pool.listAllVolumes()) v.delete();
    pool.destroy();
    conn.close();
    await d.stop();
    await Deno.remove(dir, { recursive: true });
    await Deno.remove(cwd, { recursive: true });
  }
});

/** What this test uses of H-guest's harness (tests/helpers/guest.ts), checked at run time. */
interface GuestHarness {
  requireGuestHost(
    what?: string,
  ): Promise<{ uri: string; daemon: { stop(): Promise<void> } } | null>;
  startGuest(conn: Connection): { name: string; remove(conn: Connection): void };
}

/**
 * Runs a console example as a user would: keystrokes on stdin, the guest's output on stdout.
 * The boot-sector guest echoes what it receives on its serial port: a marker typed in must come
 * back, then Ctrl-] detaches and the example ends by itself with code 0.
 */
async function runConsole(h: Header, args: string[], cwd: string): Promise<RunResult> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", ...h.flags, `${ROOT}${h.script}`, ...args],
    cwd,
    env: { NO_COLOR: "1" },
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const kill = setTimeout(() => child.kill("SIGKILL"), 60_000);
  const dec = new TextDecoder();
  let stdout = "";
  const echoed = Promise.withResolvers<void>();
  const marker = `deno-libvirt-${crypto.randomUUID().slice(0, 8)}`;
  const reading = (async () => {
    for await (const chunk of child.stdout) {
      stdout += dec.decode(chunk, { stream: true });
      if (stdout.includes(marker)) echoed.resolve();
    }
  })();
  const stderrText = new Response(child.stderr).text();
  const writer = child.stdin.getWriter();
  try {
    // Typed until the guest echoes it (it may still be booting when the first bytes arrive).
    for (let i = 0; i < 20; i++) {
      await writer.write(new TextEncoder().encode(marker));
      const got = await Promise.race([
        echoed.promise.then(() => true),
        new Promise<boolean>((r) => setTimeout(() => r(false), 1000)),
      ]);
      if (got) break;
    }
    await writer.write(new Uint8Array([0x1d])); // Ctrl-]
    await writer.close().catch(() => {});
    const status = await child.status;
    await reading;
    const stderr = await stderrText;
    assert.ok(stdout.includes(marker), `the guest never echoed ${marker}:\n${stdout}\n${stderr}`);
    return { code: status.code, stdout, stderr };
  } finally {
    clearTimeout(kill);
  }
}

Deno.test("the console examples on a real guest", async (t) => {
  const guestExamples = ["console.ts", "guest-console.ts"].filter((f) => examples.includes(f));
  let harness: Partial<GuestHarness> = {};
  try {
    Deno.statSync(GUEST_HARNESS);
    harness = await import(GUEST_HARNESS) as Partial<GuestHarness>;
  } catch {
    // No harness in this tree: reported below.
  }
  const { requireGuestHost, startGuest } = harness;
  if (typeof requireGuestHost !== "function" || typeof startGuest !== "function") {
    console.error(
      `SKIPPED ${guestExamples.join(", ")} on a real guest: the guest harness ` +
        `(tests/helpers/guest.ts with requireGuestHost and startGuest) is not in this tree`,
    );
    return;
  }
  const host = await requireGuestHost("the console examples on a real guest");
  if (!host) return;
  const conn = Connection.open(host.uri);
  const guest = startGuest(conn);
  const cwd = await Deno.makeTempDir({ prefix: "deno-libvirt-examples-" });
  try {
    for (const file of guestExamples) {
      await t.step(file, async () => {
        const h = headerOf(file);
        // The header's positionals: a URI (a placeholder or an example such as
        // qemu:///system) becomes the private daemon's, DOMAIN the harness's guest; anything
        // else required (a bare word not in brackets) is not known here and is reported.
        const usage = h.line.slice(h.line.indexOf(h.script) + h.script.length).trim();
        const words = usage.split(/\s+/).filter((w) => w && !w.startsWith("["));
        const isUri = (w: string) => w === "URI" || /^[a-z+]+:\/\//.test(w);
        const unknown = words.filter((w) => !isUri(w) && w !== "DOMAIN");
        if (unknown.length > 0) {
          console.error(`SKIPPED ${file}: its header asks for ${unknown.join(" ")}`);
          return;
        }
        const args = words.map((w) => (isUri(w) ? host.uri : guest.name));
        if (words.includes("DOMAIN")) {
          // Attaches to the harness's running guest, interactively.
          const r = await runConsole(h, args, cwd);
          assertRanClean(file, h, r);
          assert.match(r.stderr, /detached/);
        } else {
          // Boots a guest of its own: `--batch` sends one line and leaves once it came back.
          const r = await runExample(h, [...args, "--batch"], cwd, 300_000);
          assertRanClean(file, h, r);
          assert.match(r.stdout, /deno-libvirt guest ready/);
          assert.match(r.stdout, /hello from Deno/);
        }
      });
    }
  } finally {
    guest.remove(conn);
    conn.close();
    await host.daemon.stop();
    await Deno.remove(cwd, { recursive: true });
  }
});
