// qemu+tls:// against the private libvirtd's TLS listener on 127.0.0.1, with a CA, server and
// client certificates made for the run: opening with pkipath, refusals (a client certificate of
// another CA, no certificates), what isEncrypted/isSecure say, events, keepalive when the daemon
// stops (also in the middle of a download), an I/O error when it dies, volume transfers through
// every stream path, and the Async forms.
import "./helpers/loop.ts";
import assert from "node:assert/strict";
import { type CloseReason, ConnectCloseReason, Connection, LibvirtError } from "../mod.ts";
import { startTls } from "./helpers/tls.ts";
import {
  eventsArrive,
  interruptedDownload,
  keepaliveCloses,
  transferSteps,
  type Transport,
  waitFor,
} from "./helpers/remote_suite.ts";
import { assertLibvirtError } from "./helpers/libvirt_error.ts";

Deno.test({
  name: "qemu+tls to the private libvirtd's TLS listener on 127.0.0.1",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async (t) => {
    const tls = await startTls("remote_tls_test.ts");
    if (!tls) return;
    const d = tls.daemon;
    const transport: Transport = { name: "tls", daemon: d, uri: (driver) => tls.uri(driver) };
    try {
      await t.step("opens with the test's pkipath and closes", () => {
        const t0 = performance.now();
        const conn = Connection.open(tls.uri("qemu"));
        console.log(`  open over TLS took ${(performance.now() - t0) | 0} ms`);
        assert.equal(conn.getURI(), tls.uri("qemu"));
        assert.equal(conn.getType(), "QEMU");
        assert.equal(conn.getHostname(), Deno.hostname());
        assert.equal(conn.isAlive(), true);
        assert.ok(Array.isArray(conn.listAllStoragePools()));
        assert.equal(conn.close(), 0);
      });

      await t.step("isEncrypted and isSecure are both true", () => {
        using conn = Connection.open(tls.uri("test"));
        assert.equal(conn.isEncrypted(), true);
        assert.equal(conn.isSecure(), true);
      });

      await t.step("a client certificate signed by another CA is refused", () => {
        assertLibvirtError(() => Connection.open(tls.uri("qemu", "stranger")), /certificate/i);
      });

      await t.step("a pkipath without certificates is refused before connecting", async () => {
        const empty = await Deno.makeTempDir({ prefix: "deno-libvirt-nopki-" });
        try {
          assertLibvirtError(
            () => Connection.open(`qemu+tls://127.0.0.1:${tls.port}/system?pkipath=${empty}`),
            /cacert\.pem|certificate/i,
          );
        } finally {
          await Deno.remove(empty, { recursive: true });
        }
      });

      await t.step(
        "domain, pool and network events made elsewhere arrive over TLS",
        () => eventsArrive(transport),
      );

      await t.step(
        "keepalive closes the connection when the daemon is stopped",
        () => keepaliveCloses(transport),
      );

      await t.step(
        "a download waiting on a stopped daemon rejects once keepalive gave up",
        () =>
          interruptedDownload(transport, {
            prepare: (conn) => conn.setKeepAlive(1, 2),
            cut: () => d.signal("SIGSTOP"),
            after: () => d.signal("SIGCONT"),
            reasons: [ConnectCloseReason.KEEPALIVE],
          }),
      );

      await t.step(
        "volume transfers over TLS: every stream path, equal SHA-256",
        (t2) => transferSteps(t2, transport),
      );

      await t.step(
        "a killed daemon closes the connection: ERROR; a restarted one serves",
        async () => {
          const conn = Connection.open(tls.uri("test"));
          try {
            const reasons: CloseReason[] = [];
            conn.registerCloseCallback((_c, r) => void reasons.push(r));
            d.signal("SIGKILL");
            await d.exited();
            await waitFor(() => reasons.length > 0, 10_000, "the close callback");
            // Not EOF as over unix or ssh: the daemon died without TLS's close_notify, which
            // GnuTLS reports as a premature termination, and libvirt as an I/O error.
            assert.deepEqual(reasons, [ConnectCloseReason.ERROR]);
            assert.equal(conn.isAlive(), false);
            assert.throws(() => conn.listAllDomains(), LibvirtError);
          } finally {
            conn.close();
          }
          await d.restart();
          using fresh = Connection.open(tls.uri("test"));
          assert.equal(fresh.isEncrypted(), true);
        },
      );
    } finally {
      await tls.stop();
    }
  },
});
