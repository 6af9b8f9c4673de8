// Specifies what a newcomer is told when they use the module the wrong way round (issue 15):
// streams in the wrong order, finish() while recvAll runs, events without a loop, `new` on a
// wrapper, a mistyped URI, a timer that keeps throwing, enum names and JSON-printable results.
// No event loop is registered in this process: what needs one runs in a child process.
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import {
  Connection,
  ConnectListAllDomainsFlags,
  Domain,
  DomainState,
  enumName,
  flagNames,
  LibvirtError,
  type Logger,
  Network,
  NodeDevice,
  Secret,
  setLogger,
  StoragePool,
  StorageVol,
  Stream,
} from "../mod.ts";
import * as mod from "../mod.ts";
import { screenshotStream } from "./helpers/stream_transfers.ts";

const PNG_SIZE = Deno.statSync("/usr/share/libvirt/test-screenshot.png").size;

/** Runs a fixture with `deno run` and the given flags; returns its exit code and output. */
async function runFixture(
  name: string,
  flags: string[],
  args: string[] = [],
): Promise<{ code: number; stdout: string; stderr: string }> {
  const path = fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", ...flags, path, ...args],
    env: { NO_COLOR: "1" },
    stdin: "null",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

function resultOf(stdout: string): Record<string, unknown> {
  const line = stdout.split("\n").find((l) => l.startsWith("RESULT "));
  assert.ok(line, `no RESULT line in:\n${stdout}`);
  return JSON.parse(line.slice("RESULT ".length));
}

Deno.test("streams used in the wrong order say what state they are in (item 4)", async (t) => {
  using conn = Connection.open("test:///default");
  const buf = new Uint8Array(4096);

  await t.step("every transfer call on a new stream names the state and what to call", () => {
    using st = new Stream(conn);
    const calls: Record<string, () => unknown> = {
      recv: () => st.recv(buf),
      send: () => st.send(buf),
      finish: () => st.finish(),
      addCallback: () => st.addCallback(Stream.EVENT_READABLE, () => {}),
      sendHole: () => st.sendHole(10),
    };
    for (const [verb, call] of Object.entries(calls)) {
      assert.throws(call, (e: Error) => {
        assert.ok(!(e instanceof LibvirtError), `${verb}: libvirt's words leaked: ${e.message}`);
        assert.match(e.message, /this Stream is new, not yet bound to a transfer/, verb);
        assert.match(e.message, /dom\.screenshot\(st, screen\)/, verb);
        return true;
      });
      assert.equal(st.state, "new", `${verb} changed the state`);
    }
  });

  await t.step("ready() on a new stream rejects with the same words", async () => {
    using st = new Stream(conn, Stream.NONBLOCK);
    await assert.rejects(st.ready(), /this Stream is new, not yet bound to a transfer/);
    assert.equal(st.state, "new");
  });

  await t.step("recvAll/sendAll on a new stream reject without aborting it", async () => {
    using st = new Stream(conn);
    await assert.rejects(st.recvAll(() => {}), /Cannot recvAll: this Stream is new/);
    await assert.rejects(st.sendAll(() => 0), /Cannot sendAll: this Stream is new/);
    assert.equal(st.state, "new");
    // Still usable: the transfer starts on it now.
    conn.lookupDomainByName("test").screenshot(st, 0);
    let bytes = 0;
    await st.recvAll((_s, d) => void (bytes += d.length));
    assert.equal(bytes, PNG_SIZE);
    assert.equal(st.state, "finished");
  });

  await t.step("recv after it returned 0 says the stream ended, and finish() still works", () => {
    using st = screenshotStream(conn);
    while (st.recv(buf) > 0);
    assert.throws(
      () => st.recv(buf),
      /Cannot recv: this Stream already reached its end \(recv returned 0\); call finish\(\)/,
    );
    assert.equal(st.state, "active");
    st.finish();
    assert.equal(st.state, "finished");
  });

  await t.step("calls on a finished stream say it was finished", () => {
    using st = screenshotStream(conn);
    while (st.recv(buf) > 0);
    st.finish();
    assert.throws(() => st.recv(buf), /Cannot recv: this Stream was finished/);
    st.finish(); // a no-op, as documented
    assert.equal(st.state, "finished");
  });
});

Deno.test("finish()/abort() while recvAll runs (item 5)", async (t) => {
  using conn = Connection.open("test:///default");

  await t.step("finish() is refused and recvAll still receives everything", async () => {
    using st = screenshotStream(conn);
    let bytes = 0;
    const running = st.recvAll((_s, d) => void (bytes += d.length));
    assert.throws(
      () => st.finish(),
      /Cannot finish: recvAll\(\) is still running on this Stream and ends it itself.*await st\.recvAll/,
    );
    assert.equal(st.state, "active");
    await running;
    assert.equal(bytes, PNG_SIZE);
    assert.equal(st.state, "finished");
  });

  await t.step("free() stops it; recvAll rejects saying so", async () => {
    const st = screenshotStream(conn);
    const running = st.recvAll(() => {});
    st.free();
    await assert.rejects(running, /recvAll\(\) stopped: the Stream was freed while it ran/);
  });

  await t.step("a second recvAll is refused while the first runs", async () => {
    using st = screenshotStream(conn);
    const first = st.recvAll(() => {});
    await assert.rejects(st.recvAll(() => {}), /recvAll\(\) is still running/);
    await first;
    assert.equal(st.state, "finished");
  });

  await t.step("abort() stops it; recvAll rejects saying so", async () => {
    using st = screenshotStream(conn);
    const running = st.recvAll(() => {});
    st.abort();
    assert.equal(st.state, "aborted");
    await assert.rejects(running, /recvAll\(\) stopped: abort\(\) was called on the Stream/);
  });

  for (const loop of ["blocking", "nonblocking"]) {
    await t.step(
      `the habit without await, ${loop}: a clear error, all bytes, no crash`,
      async () => {
        const r = await runFixture("newcomer_unawaited.ts", ["--allow-ffi"], ["finish", loop]);
        assert.equal(r.code, 0, r.stderr);
        const res = resultOf(r.stdout);
        assert.match(String(res.message), /recvAll\(\) is still running/);
        assert.equal(res.stateAfterCall, "active");
        assert.equal(res.bytes, PNG_SIZE);
        assert.equal(res.state, "finished");
      },
    );
    for (const [how, state] of [["abort", "aborted"], ["free", "freed"]]) {
      await t.step(
        `${how}() without awaiting recvAll, ${loop}: no unhandled rejection`,
        async () => {
          const r = await runFixture("newcomer_unawaited.ts", ["--allow-ffi"], [how, loop]);
          assert.equal(r.code, 0, `the process died:\n${r.stderr}`);
          assert.doesNotMatch(r.stderr, /Uncaught/);
          assert.equal(resultOf(r.stdout).state, state);
        },
      );
    }
  }
});

Deno.test("event registrations without a loop say how to register one (item 6)", async () => {
  const r = await runFixture("newcomer_no_loop.ts", ["--allow-ffi"]);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split("\n").map((l) => l.split("\t"));
  assert.equal(lines.length, 5, r.stdout);
  for (const [name, message] of lines) {
    assert.match(message, /no event loop is registered/, name);
    assert.match(message, /Event\.register\(new DenoEventImpl\(\)\)/, name);
    assert.match(message, /before Connection\.open\(\)/, name);
  }
  assert.equal(r.stderr, "");
});

Deno.test("`new` on a wrapper class points to where it comes from (item 7)", () => {
  using conn = Connection.open("test:///default");
  // The constructors are private in TypeScript; JavaScript (or a cast) still reaches them.
  type AnyCtor = new (...args: unknown[]) => unknown;
  const cases: [string, AnyCtor, unknown[], RegExp][] = [
    ["Connection", Connection as unknown as AnyCtor, ["test:///default"], /Connection\.open\(/],
    ["Domain", Domain as unknown as AnyCtor, [conn, "test"], /conn\.lookupDomainByName\(/],
    ["StoragePool", StoragePool as unknown as AnyCtor, [conn, "x"], /lookupStoragePoolByName/],
    ["StorageVol", StorageVol as unknown as AnyCtor, [conn, "x"], /lookupVolumeByName/],
    ["Network", Network as unknown as AnyCtor, [conn, "x"], /lookupNetworkByName/],
    ["NodeDevice", NodeDevice as unknown as AnyCtor, [conn, "x"], /lookupNodeDeviceByName/],
    ["Secret", Secret as unknown as AnyCtor, [conn, "x"], /lookupSecretByUUIDString/],
  ];
  for (const [name, Ctor, args, hint] of cases) {
    assert.throws(() => new Ctor(...args), (e: Error) => {
      assert.ok(e instanceof TypeError, `${name}: ${e}`);
      assert.match(e.message, new RegExp(`A ${name} cannot be made with \`new ${name}\\(`));
      assert.match(e.message, hint, name);
      assert.doesNotMatch(e.message, /Invalid FFI pointer/);
      return true;
    });
  }
  // A Stream is made with `new`, on a connection.
  new Stream(conn).free();
});

Deno.test("nothing on stderr (item 8)", async (t) => {
  await t.step("a mistyped test:///defualt: libvirt's error, and stderr stays empty", async () => {
    const r = await runFixture("newcomer_typo_uri.ts", ["--allow-ffi"]);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^LibvirtError: .*\/defualt/);
    assert.equal(r.stderr, "", "libxml2 printed on stderr");
  });

  await t.step("a timer that throws on every firing: one trace, then a count", async () => {
    const r = await runFixture("newcomer_repeating_timer.ts", ["--allow-ffi"]);
    assert.equal(r.code, 0, r.stderr);
    const fired = Number(/FIRED (\d+)/.exec(r.stdout)?.[1]);
    assert.ok(fired >= 5, `the timer fired ${fired} times`);
    const reports = r.stderr.split("\n").filter((l) => l.includes("uncaught error in"));
    const traces = r.stderr.split("\n").filter((l) => /^\s+at /.test(l));
    assert.ok(reports.length >= 2 && reports.length <= 3, r.stderr); // first + summaries
    assert.match(reports[0], /Event\.addTimeout callback \(timer \d+\)/);
    assert.ok(r.stderr.indexOf("the same bug every time") >= 0);
    const repeated = reports.slice(1).map((l) => Number(/repeated (\d+) more times/.exec(l)?.[1]));
    assert.equal(repeated.reduce((a, b) => a + b, 0), fired - 1, r.stderr);
    // One stack trace: the first report's, however often the timer fired.
    assert.ok(traces.length > 0 && traces.length < 20, `${traces.length} trace lines`);
  });

  await t.step("a lookup that finds nothing is a debug record, not an error", () => {
    const records: { level: string; message: string }[] = [];
    const at = (level: string) => (message: string) => void records.push({ level, message });
    const logger: Logger = {
      debug: at("debug"),
      info: at("info"),
      warn: at("warn"),
      error: at("error"),
    };
    setLogger(logger, "debug");
    try {
      using conn = Connection.open("test:///default");
      assert.throws(() => conn.lookupDomainByName("no-such-domain"), LibvirtError);
      assert.throws(() => conn.lookupNetworkByName("no-such-network"), LibvirtError);
      assert.throws(() => conn.createDomainXML("<domain/>"), LibvirtError);
    } finally {
      setLogger(null);
    }
    const lookups = records.filter((r) => /Lookup/.test(r.message));
    assert.equal(lookups.length, 2, JSON.stringify(records));
    assert.ok(lookups.every((r) => r.level === "debug"), JSON.stringify(lookups));
    // A real failure still is an error record.
    assert.ok(records.some((r) => r.level === "error" && /virDomainCreateXML/.test(r.message)));
  });
});

Deno.test("small comforts (item 9)", async (t) => {
  await t.step("enumName works on every enum object the module exports", () => {
    let enums = 0;
    for (const [name, value] of Object.entries(mod)) {
      if (typeof value !== "object" || value === null || Array.isArray(value)) continue;
      // Names to numbers (a TypeScript `enum` also maps its numbers back: skip those keys).
      const entries = Object.entries(value).filter(([k]) => !/^-?\d+$/.test(k));
      if (entries.length === 0 || !entries.every(([, v]) => typeof v === "number")) continue;
      enums++;
      const e = value as Record<string, number>;
      for (const [key, v] of entries) {
        const got = enumName(e, v);
        assert.ok(got !== undefined && e[got] === v, `${name}.${key}`);
      }
      assert.equal(enumName(e, 0x7fffffff), undefined, name);
    }
    assert.ok(enums > 100, `only ${enums} enum objects found`);
    using conn = Connection.open("test:///default");
    const { state } = conn.lookupDomainByName("test").getState();
    assert.equal(enumName(DomainState, state), "RUNNING");
  });

  await t.step("flagNames names the bits of a mask, unknown bits included", () => {
    const f = ConnectListAllDomainsFlags;
    assert.deepEqual(flagNames(f, f.ACTIVE | f.INACTIVE), ["ACTIVE", "INACTIVE"]);
    assert.deepEqual(flagNames(f, 0), []);
    assert.deepEqual(flagNames(f, f.ACTIVE | 0x80000000), ["ACTIVE", "0x80000000"]);
  });

  await t.step("getInfo() results print with JSON.stringify", () => {
    using conn = Connection.open("test:///default");
    const info = conn.lookupDomainByName("test").getInfo();
    assert.equal(typeof info.cpuTime, "bigint");
    const text = JSON.stringify(info);
    // The exact digits, even past 2^53 (the test driver reports wall-clock nanoseconds).
    assert.match(text, new RegExp(`"cpuTime":${info.cpuTime}[,}]`));
    const json = JSON.parse(text);
    assert.equal(json.state, info.state);
    assert.deepEqual(Object.keys(json), Object.keys(info));
    const pool = conn.lookupStoragePoolByName("default-pool");
    const pj = JSON.parse(JSON.stringify(pool.getInfo()));
    assert.equal(pj.capacity, Number(pool.getInfo().capacity)); // below 2^53: exact
    const vol = pool.createVolumeXML(
      "<volume><name>json.img</name><capacity>1048576</capacity></volume>",
    );
    try {
      assert.equal(JSON.parse(JSON.stringify(vol.getInfo())).capacity, 1048576);
    } finally {
      vol.delete();
    }
    assert.doesNotThrow(() => JSON.stringify(conn.getNodeInfo()));
  });

  await t.step("a 64-bit counter past 2^53 prints with its exact digits", () => {
    const text = JSON.stringify(mod.withBigIntJSON({ n: 2n ** 64n - 1n, s: "x" }));
    assert.equal(text, '{"n":18446744073709551615,"s":"x"}');
  });
});
