// Logging: a plugged-in logger receives the records of a connection's life; off means silence.
import assert from "node:assert/strict";
import { eventLoop } from "./helpers/loop.ts";
import { Connection, DomainEventID, type Logger, setLogger } from "../mod.ts";

interface LogRecord {
  level: string;
  message: string;
  data?: Record<string, unknown>;
}

function recorder(records: LogRecord[]): Logger {
  const at = (level: string) => (message: string, data?: Record<string, unknown>) =>
    void records.push({ level, message, data });
  return { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}

Deno.test("logging", async (t) => {
  await t.step("a test logger receives a connection's life, in order", async () => {
    const records: LogRecord[] = [];
    setLogger(recorder(records), "debug");
    try {
      const conn = Connection.open("test:///default");
      const seen = Promise.withResolvers<void>();
      const id = conn.domainEventRegisterAny(null, DomainEventID.LIFECYCLE, () => seen.resolve());
      conn.lookupDomainByName("test").destroy();
      await seen.promise;
      assert.throws(() => conn.lookupDomainByName("no-such-domain"));
      conn.domainEventDeregisterAny(id);
      conn.close();
    } finally {
      setLogger(null);
    }
    const messages = records.map((r) => `${r.level} ${r.message.replace("[libvirt] ", "")}`);
    const index = (re: RegExp) => messages.findIndex((m) => re.test(m));
    const opened = index(/^info connection opened/);
    const timer = index(/^debug event: addTimeout/);
    const registered = index(/^debug event callback registered/);
    const failed = index(/^debug virDomainLookupByName: Domain not found/);
    const closed = index(/^info connection closed/);
    for (const [name, i] of Object.entries({ opened, timer, registered, failed, closed })) {
      assert.ok(i >= 0, `no "${name}" record in:\n${messages.join("\n")}`);
    }
    assert.ok(opened < registered && registered < failed && failed < closed, messages.join("\n"));
    const add = records[timer];
    assert.equal(typeof add.data?.timer, "number");
    assert.equal(records[opened].data?.uri, "test:///default");
  });

  await t.step("a logger from level warn gets no debug or info records", () => {
    const records: LogRecord[] = [];
    setLogger(recorder(records), "warn");
    try {
      using conn = Connection.open("test:///default");
      conn.listAllDomains();
    } finally {
      setLogger(null);
    }
    assert.deepEqual(records, []);
  });

  await t.step("off by default: a script prints nothing of its own", async () => {
    const script = `
      import { Connection, DenoEventImpl, Event } from ${
      JSON.stringify(import.meta.resolve("../mod.ts"))
    };
      Event.register(new DenoEventImpl());
      const conn = Connection.open("test:///default");
      try { conn.lookupDomainByName("nope"); } catch { /* expected */ }
      conn.close();`;
    const env = Deno.env.toObject();
    delete env.LIBVIRT_DENO_LOG;
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["eval", "--ext=ts", script],
      env,
      clearEnv: true,
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    assert.equal(new TextDecoder().decode(out.stdout), "");
    assert.equal(new TextDecoder().decode(out.stderr), "");
  });

  await t.step("LIBVIRT_DENO_LOG=debug sends records to the console", async () => {
    const script = `
      import { Connection } from ${JSON.stringify(import.meta.resolve("../mod.ts"))};
      Connection.open("test:///default").close();`;
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["eval", "--ext=ts", script],
      env: { LIBVIRT_DENO_LOG: "debug" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 0, text);
    assert.match(text, /\[libvirt\] connection opened/);
    assert.match(text, /\[libvirt\] connection closed/);
  });

  assert.ok(eventLoop);
});
