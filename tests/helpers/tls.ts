// A TLS listener on the private libvirtd for the qemu+tls tests and benchmarks: a CA, a server
// and a client certificate made for the run with GnuTLS's certtool in a temp folder, the daemon
// started with `--listen` and `listen_tls` on a free 127.0.0.1 port (`tlsPort`), and the client's
// `pkipath=` pointing at the test's certificates. Nothing under /etc/pki is read or written.
//
// Layout, as libvirt expects it: the server's files are named in the daemon's config (`ca_file`,
// `cert_file`, `key_file`); the client's `pkipath` folder holds `cacert.pem`, `clientcert.pem`
// and `clientkey.pem`. libvirt checks both ends: the server's certificate must name the host of
// the URI (here the IP SAN 127.0.0.1) and carry the TLS server purpose, the client's the TLS
// client purpose, both signed by the CA.
import { type Daemon, type DaemonOptions, requireDaemon } from "./daemon.ts";

const CERTTOOL = "/usr/bin/certtool";

/** The certificates of a run. */
export interface Pki {
  /** The temp folder holding everything. */
  readonly dir: string;
  /** The client's `pkipath` folder (cacert.pem, clientcert.pem, clientkey.pem). */
  readonly clientDir: string;
  /** A second client folder whose certificate another CA signed (the daemon must refuse it). */
  readonly strangerDir: string;
  /** The CA certificate (the daemon's `ca_file`). */
  readonly caCert: string;
  /** The server certificate for 127.0.0.1 (the daemon's `cert_file`). */
  readonly serverCert: string;
  /** The server's private key (the daemon's `key_file`). */
  readonly serverKey: string;
}

async function certtool(args: string[]): Promise<void> {
  const out = await new Deno.Command(CERTTOOL, {
    args,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!out.success) {
    const err = new TextDecoder().decode(out.stderr).trim();
    throw new Error(`certtool ${args.join(" ")} failed (${out.code}): ${err}`);
  }
}

/** Writes a CA, a server certificate for 127.0.0.1 and a client certificate into a temp folder. */
export async function makePki(): Promise<Pki> {
  try {
    Deno.statSync(CERTTOOL);
  } catch {
    throw new Error(`${CERTTOOL} is missing: install gnutls-bin (scripts/setup.sh does it)`);
  }
  const dir = await Deno.makeTempDir({ prefix: "deno-libvirt-pki-" });
  try {
    const f = (name: string) => `${dir}/${name}`;
    const template = (name: string, lines: string[]) =>
      Deno.writeTextFile(f(name), [...lines, "expiration_days = 2", ""].join("\n"));
    const key = (name: string) =>
      certtool(["--generate-privkey", "--key-type", "rsa", "--bits", "2048", "--outfile", f(name)]);
    await Promise.all([
      template("ca.info", ['cn = "deno-libvirt test CA"', "ca", "cert_signing_key"]),
      template("other-ca.info", ['cn = "deno-libvirt stranger CA"', "ca", "cert_signing_key"]),
      template("server.info", [
        'organization = "deno-libvirt tests"',
        'cn = "127.0.0.1"',
        'ip_address = "127.0.0.1"',
        'dns_name = "localhost"',
        "tls_www_server",
        "encryption_key",
        "signing_key",
      ]),
      template("client.info", [
        'organization = "deno-libvirt tests"',
        'cn = "deno-libvirt test client"',
        "tls_www_client",
        "encryption_key",
        "signing_key",
      ]),
    ]);
    await Promise.all(["ca-key.pem", "other-ca-key.pem", "server-key.pem", "client-key.pem"]
      .map(key));
    const selfSigned = (k: string, info: string, out: string) =>
      certtool([
        "--generate-self-signed",
        "--load-privkey",
        f(k),
        "--template",
        f(info),
        "--outfile",
        f(out),
      ]);
    await selfSigned("ca-key.pem", "ca.info", "cacert.pem");
    await selfSigned("other-ca-key.pem", "other-ca.info", "other-cacert.pem");
    const signed = (k: string, info: string, out: string, ca = "") =>
      certtool([
        "--generate-certificate",
        "--load-privkey",
        f(k),
        "--load-ca-certificate",
        f(`${ca}cacert.pem`),
        "--load-ca-privkey",
        f(`${ca}ca-key.pem`),
        "--template",
        f(info),
        "--outfile",
        f(out),
      ]);
    await signed("server-key.pem", "server.info", "servercert.pem");
    await signed("client-key.pem", "client.info", "clientcert.pem");
    await signed("client-key.pem", "client.info", "stranger-clientcert.pem", "other-");
    const clientDir = f("client");
    const strangerDir = f("stranger");
    for (
      const [to, cert] of [[clientDir, "clientcert.pem"], [strangerDir, "stranger-clientcert.pem"]]
    ) {
      await Deno.mkdir(to, { mode: 0o700 });
      await Deno.copyFile(f("cacert.pem"), `${to}/cacert.pem`);
      await Deno.copyFile(f(cert), `${to}/clientcert.pem`);
      await Deno.copyFile(f("client-key.pem"), `${to}/clientkey.pem`);
    }
    return {
      dir,
      clientDir,
      strangerDir,
      caCert: f("cacert.pem"),
      serverCert: f("servercert.pem"),
      serverKey: f("server-key.pem"),
    };
  } catch (e) {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
    throw e;
  }
}

/**
 * A free 127.0.0.1 port for the TLS listener, below the kernel's ephemeral range.
 *
 * Why not any free port (`Deno.listen` on port 0): that one comes from the ephemeral range,
 * which the kernel also hands to every outgoing connection on the machine (other tests' loopback
 * clients, ssh, streams). The port is chosen before `requireDaemon` waits for the daemon lock
 * (minutes, while other test runs use the daemon), and it must be free again when a test
 * restarts the killed daemon on it: an ephemeral port can be taken in either gap, and the daemon
 * then fails to bind it. Below the range, only a process that asks for this very number can.
 *
 * @example
 * ```ts
 * import { tlsPort } from "./tls.ts";
 * console.log(tlsPort() < 32768); // true with Linux's default range
 * ```
 */
export function tlsPort(): number {
  let low = 32768; // Linux's default start of the ephemeral range
  try {
    low = Number(Deno.readTextFileSync("/proc/sys/net/ipv4/ip_local_port_range").split(/\s+/)[0]);
  } catch { /* not Linux's /proc: keep the default */ }
  const from = Math.max(1024, Math.min(20000, low - 2000));
  if (low <= from) throw new Error(`The ephemeral range starts at ${low}: no port below it`);
  for (let tries = 0; tries < 100; tries++) {
    const port = from + Math.floor(Math.random() * (low - from));
    try {
      Deno.listen({ hostname: "127.0.0.1", port }).close();
      return port;
    } catch (e) {
      if (!(e instanceof Deno.errors.AddrInUse)) throw e;
    }
  }
  throw new Error(`No free 127.0.0.1 port between ${from} and ${low} for the TLS listener`);
}

/** The daemon options that open a TLS listener on 127.0.0.1:`port` with `pki`'s server files. */
export function tlsDaemonOptions(pki: Pki, port: number): DaemonOptions {
  const q = (s: string) => JSON.stringify(s);
  return {
    config: [
      "# The TLS listener of tests/helpers/tls.ts (opened by --listen), loopback only.",
      "listen_tls = 1",
      "listen_tcp = 0",
      `listen_addr = "127.0.0.1"`,
      `tls_port = ${q(String(port))}`,
      `auth_tls = "none"`,
      `ca_file = ${q(pki.caCert)}`,
      `cert_file = ${q(pki.serverCert)}`,
      `key_file = ${q(pki.serverKey)}`,
    ],
    args: ["--listen"],
  };
}

/** The private libvirtd with its TLS listener, and the certificates. */
export interface TlsSetup {
  /** The private libvirtd, started with the TLS listener. */
  readonly daemon: Daemon;
  /** The certificates. */
  readonly pki: Pki;
  /** The TLS port on 127.0.0.1. */
  readonly port: number;
  /**
   * `qemu+tls://127.0.0.1:PORT/system?pkipath=…` (or `test+tls://…/default`); `client` picks the
   * certificate folder (default: the one the CA signed).
   */
  uri(driver?: "qemu" | "test", client?: "trusted" | "stranger"): string;
  /** Stops the daemon and removes the certificates. */
  stop(): Promise<void>;
}

/**
 * Makes the certificates and starts the private libvirtd with a TLS listener; `null` when the
 * daemon cannot run here (see `requireDaemon`).
 *
 * @example
 * ```ts
 * import { Connection } from "../../mod.ts";
 * import { startTls } from "./tls.ts";
 * const tls = await startTls("a TLS test");
 * if (tls) {
 *   try {
 *     using conn = Connection.open(tls.uri("qemu"));
 *     console.log(conn.isEncrypted()); // true
 *   } finally {
 *     await tls.stop();
 *   }
 * }
 * ```
 */
export async function startTls(what: string): Promise<TlsSetup | null> {
  const pki = await makePki();
  let d: Daemon | null = null;
  try {
    const port = tlsPort();
    d = await requireDaemon(what, tlsDaemonOptions(pki, port));
    if (!d) {
      await Deno.remove(pki.dir, { recursive: true });
      return null;
    }
    const daemon = d;
    return {
      daemon,
      pki,
      port,
      uri(driver = "qemu", client = "trusted") {
        const path = driver === "qemu" ? "system" : "default";
        const dir = client === "trusted" ? pki.clientDir : pki.strangerDir;
        return `${driver}+tls://127.0.0.1:${port}/${path}?pkipath=${dir}`;
      },
      async stop() {
        try {
          await daemon.stop();
        } finally {
          await Deno.remove(pki.dir, { recursive: true }).catch(() => {});
        }
      },
    };
  } catch (e) {
    await d?.stop();
    await Deno.remove(pki.dir, { recursive: true }).catch(() => {});
    throw e;
  }
}
