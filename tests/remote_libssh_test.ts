// qemu+libssh2:// and qemu+libssh:// (libvirt's in-process ssh clients: no ssh program, the
// session is encrypted inside this process on the thread that dispatches the socket) against the
// private libvirtd through the private sshd on 127.0.0.1: host keys checked against the URI's
// known_hosts file, an unknown key asked about through the open's auth callback (sync and
// Async opens), refused or recorded; what isEncrypted/isSecure say; events; keepalive and the
// close callback when the daemon stops or sshd's session dies; with libssh2 also a download cut
// off by the session's death and volume transfers through every stream path and the Async forms
// (see the note at the end of librarySteps).
import "./helpers/loop.ts";
import assert from "node:assert/strict";
import {
  type AuthOptions,
  type CloseReason,
  ConnectCloseReason,
  ConnectCredentialType,
  Connection,
  type Credential,
  LibvirtError,
} from "../mod.ts";
import type { Daemon } from "./helpers/daemon.ts";
import { type InProcessSsh, type SshServer, withSshd } from "./helpers/ssh.ts";
import {
  eventsArrive,
  interruptedDownload,
  keepaliveCloses,
  transferSteps,
  type Transport,
  waitFor,
} from "./helpers/remote_suite.ts";
import { assertLibvirtError } from "./helpers/libvirt_error.ts";

/** An auth callback that answers libvirt's host-key question with `answer`, and what it was asked. */
function hostKeyAnswer(answer: "y" | "n"): { asked: Credential[]; auth: AuthOptions } {
  const asked: Credential[] = [];
  return {
    asked,
    auth: {
      credTypes: [ConnectCredentialType.ECHOPROMPT],
      callback: (creds) => {
        asked.push(...creds);
        return creds.map((c) => c.type === ConnectCredentialType.ECHOPROMPT ? answer : null);
      },
    },
  };
}

/** The one question libvirt asks about an unknown key: a yes/no prompt naming host and port. */
function assertHostKeyQuestion(asked: Credential[], port: number): void {
  assert.equal(asked.length, 1, `one question, got ${JSON.stringify(asked)}`);
  assert.equal(asked[0].type, ConnectCredentialType.ECHOPROMPT);
  assert.match(asked[0].prompt, new RegExp(`host key .*'127\\.0\\.0\\.1:${port}'.*\\(y/n\\)`));
}

/** The known_hosts line libssh/libssh2 write for the sshd's key (as OpenSSH would). */
function assertRecorded(file: string, port: number): void {
  const recorded = Deno.readTextFileSync(file);
  assert.match(recorded, new RegExp(`^\\[127\\.0\\.0\\.1\\]:${port} ssh-ed25519 `, "m"));
}

function fileMissingOrEmpty(file: string): boolean {
  try {
    return Deno.statSync(file).size === 0;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return true;
    throw e;
  }
}

/** Every step for one in-process ssh library. */
async function librarySteps(
  t: Deno.TestContext,
  daemon: Daemon,
  sshd: SshServer,
  lib: InProcessSsh,
): Promise<void> {
  const transport: Transport = { name: lib, daemon, uri: (driver) => sshd.libsshUri(lib, driver) };
  let fresh = 0;
  const freshFile = () => `${sshd.dir}/known_hosts.${lib}.${++fresh}`;
  // The sshd sessions started since `before` (with +libssh, closed connections leave theirs).
  const newSessions = (before: Set<number>) => sshd.sessions().filter((p) => !before.has(p));

  await t.step("opens with a host key the known_hosts file holds, and closes", async () => {
    const before = new Set(sshd.sessions());
    const t0 = performance.now();
    const conn = Connection.open(sshd.libsshUri(lib, "qemu"));
    console.log(`  open over ${lib} took ${(performance.now() - t0) | 0} ms`);
    assert.equal(conn.getType(), "QEMU");
    assert.equal(conn.getHostname(), Deno.hostname());
    assert.equal(conn.isAlive(), true);
    assert.ok(Array.isArray(conn.listAllStoragePools()));
    const mine = newSessions(before);
    assert.equal(mine.length, 1, `one new session, got ${mine}`);
    assert.equal(conn.close(), 0);
    if (lib === "libssh2") {
      await waitFor(() => !sshd.sessions().includes(mine[0]), 5000, "the session to end");
    } else {
      // libvirt 9.0 hands libssh its socket (SSH_OPTIONS_FD), which libssh 0.10 leaves open on
      // disconnect, and nothing else closes it: the TCP connection, and the far end's session,
      // stay until the process ends. libvirt-python shows the same. README, "Remote hosts".
      await new Promise((r) => setTimeout(r, 500));
      assert.ok(
        sshd.sessions().includes(mine[0]),
        "libssh's session ended at close: the README's note on +libssh is out of date",
      );
    }
  });

  await t.step("isEncrypted is false (libvirt's own TLS/SASL) and isSecure true", () => {
    // As over the ssh program: libvirt counts only the encryption its own TLS or SASL layer
    // does, and calls an ssh channel secure.
    using conn = Connection.open(sshd.libsshUri(lib, "test"));
    assert.equal(conn.isEncrypted(), false);
    assert.equal(conn.isSecure(), true);
  });

  await t.step("an unknown key is asked about; `y` records it in the URI's file", () => {
    const file = freshFile();
    const { asked, auth } = hostKeyAnswer("y");
    using conn = Connection.open(sshd.libsshUri(lib, "test", { knownHosts: file }), { auth });
    assert.equal(conn.isAlive(), true);
    assertHostKeyQuestion(asked, sshd.port);
    assertRecorded(file, sshd.port);
  });

  await t.step("an unknown key answered `n` is refused with a LibvirtError", () => {
    const file = freshFile();
    const { asked, auth } = hostKeyAnswer("n");
    assertLibvirtError(
      () => Connection.open(sshd.libsshUri(lib, "test", { knownHosts: file }), { auth }),
      /host key/i,
    );
    assertHostKeyQuestion(asked, sshd.port);
    assert.ok(fileMissingOrEmpty(file), "a refused key was recorded");
  });

  await t.step("an unknown key with no auth callback to ask is refused, not hung", () => {
    const file = freshFile();
    assertLibvirtError(
      () => Connection.open(sshd.libsshUri(lib, "test", { knownHosts: file })),
      /host key|auth/i,
    );
    assert.ok(fileMissingOrEmpty(file), "an unconfirmed key was recorded");
  });

  await t.step("known_hosts_verify=auto records an unknown key without asking", () => {
    const file = freshFile();
    const { asked, auth } = hostKeyAnswer("n");
    using conn = Connection.open(
      sshd.libsshUri(lib, "test", { knownHosts: file, verify: "auto" }),
      { auth },
    );
    assert.equal(conn.isAlive(), true);
    assert.equal(asked.length, 0, `asked ${JSON.stringify(asked)}`);
    assertRecorded(file, sshd.port);
  });

  await t.step("a key that differs from the file's is refused with a LibvirtError", async () => {
    const before = new Set(sshd.sessions());
    const { asked, auth } = hostKeyAnswer("y");
    assertLibvirtError(
      () =>
        Connection.open(
          sshd.libsshUri(lib, "test", { knownHosts: `${sshd.dir}/known_hosts.wrong` }),
          { auth },
        ),
      /VERIFICATION FAILED|differs/i,
    );
    assert.equal(asked.length, 0, "a changed key is never offered to the callback");
    // The refused connection's socket is closed (even with libssh): its session ends.
    await waitFor(() => newSessions(before).length === 0, 5000, "the refused session to end");
  });

  await t.step("openAsync asks on the JS thread while the handshake runs on the pool", async () => {
    // libvirt calls the credential callback from the pool thread that runs the open; Deno
    // queues it onto the JS thread, which stays free: a timer keeps ticking meanwhile.
    const file = freshFile();
    const { asked, auth } = hostKeyAnswer("y");
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    try {
      using conn = await Connection.openAsync(
        sshd.libsshUri(lib, "test", { knownHosts: file }),
        { auth },
      );
      assert.equal(conn.isAlive(), true);
      assert.equal((await conn.listAllDomainsAsync()).length > 0, true);
    } finally {
      clearInterval(timer);
    }
    assertHostKeyQuestion(asked, sshd.port);
    assertRecorded(file, sshd.port);
    assert.ok(ticks > 0, "the loop did not run during the open");
    // A refusal reaches the Async form as a rejected LibvirtError.
    const no = hostKeyAnswer("n");
    await assert.rejects(
      Connection.openAsync(sshd.libsshUri(lib, "test", { knownHosts: freshFile() }), {
        auth: no.auth,
      }),
      LibvirtError,
    );
    assertHostKeyQuestion(no.asked, sshd.port);
  });

  await t.step(
    `domain, pool and network events made elsewhere arrive over ${lib}`,
    () => eventsArrive(transport),
  );

  await t.step(
    "keepalive closes the connection when the daemon is stopped",
    () => keepaliveCloses(transport),
  );

  await t.step("killing sshd's session process closes the connection", async () => {
    const before = new Set(sshd.sessions());
    const conn = Connection.open(sshd.libsshUri(lib, "test"));
    try {
      conn.setKeepAlive(5, 3);
      const reasons: CloseReason[] = [];
      conn.registerCloseCallback((_c, r) => void reasons.push(r));
      const sessions = newSessions(before);
      assert.equal(sessions.length, 1);
      Deno.kill(sessions[0], "SIGKILL");
      await waitFor(() => reasons.length > 0, 10_000, "the close callback");
      // The TCP connection ends without ssh's own goodbye: the library reports it as the
      // end of the channel or as an error of its own, depending on which read sees it first.
      assert.equal(reasons.length, 1, `close reasons ${reasons}`);
      assert.ok(
        ([ConnectCloseReason.EOF, ConnectCloseReason.ERROR] as CloseReason[]).includes(reasons[0]),
        `close reason ${reasons[0]}`,
      );
      assert.equal(conn.isAlive(), false);
      assert.throws(() => conn.listAllDomains(), LibvirtError);
    } finally {
      conn.close();
    }
  });

  if (lib === "libssh2") {
    await t.step("a download in flight when the session dies rejects; nothing hangs", () => {
      let before = new Set<number>();
      return interruptedDownload(transport, {
        before: () => {
          before = new Set(sshd.sessions());
          return Promise.resolve();
        },
        cut: () => {
          const mine = newSessions(before);
          assert.equal(mine.length, 1, `one new session, got ${mine}`);
          Deno.kill(mine[0], "SIGKILL");
        },
        reasons: [ConnectCloseReason.EOF, ConnectCloseReason.ERROR],
      });
    });

    await t.step(
      `volume transfers over ${lib}: every stream path, equal SHA-256`,
      (t2) => transferSteps(t2, transport),
    );

    await t.step("no session is left once every connection closed", async () => {
      await waitFor(() => sshd.sessions().length === 0, 5000, "the sessions to end");
    });
  }
  // No streams over +libssh: with libvirt 9.0 a stream over it can stop for good (a blocking
  // recv was seen waiting in libvirt's poll for 9 minutes with both socket queues empty, the
  // data held inside libssh). That is libvirt's; a test of it would only hang (README).
}

Deno.test({
  name: "qemu+libssh2 and qemu+libssh through a private sshd on 127.0.0.1",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: (t) =>
    withSshd("remote_libssh_test.ts", async (d, sshd) => {
      for (const lib of ["libssh2", "libssh"] as const) {
        await t.step(`qemu+${lib}`, (t2) => librarySteps(t2, d, sshd, lib));
      }
    }),
});
