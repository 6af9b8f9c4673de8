// Cases remote-{ssh,libssh2,tls}-*: volume download and upload over qemu+ssh (a private sshd on
// 127.0.0.1, libvirt's netcat proxy), over the same sshd through libvirt's in-process libssh2
// client (qemu+libssh2), and over qemu+tls (the private libvirtd's TLS listener), through virsh,
// libvirt-python's recvAll/sendAll and every stream path of this module, in the same run.
// qemu+libssh has no case: with libvirt 9.0 its streams can stop for good (README, "Remote
// hosts"; bench/findings.md, twenty-sixth pass), which would hang the run.
// The ratio column divides by Python's blocking recvAll/sendAll over the same transport (the
// target: every path >= 0.9x); ratios to virsh are in the JSON rows' medians.
import type { BenchContext } from "../lib/context.ts";
import { denoScript, peerScript, runJson } from "../lib/proc.ts";
import type { Target } from "../lib/report.ts";
import {
  type CaseResult,
  type CaseSpec,
  type Contender,
  type Kind,
  medianOf,
} from "../lib/runner.ts";
import {
  type Transfer,
  TRANSFER_METRICS,
  transferFigures,
  virshTransfer,
  VOL_UPLOAD,
} from "../lib/transfer.ts";
import { fmt } from "../lib/stats.ts";
import type { Daemon, DaemonOptions } from "../../tests/helpers/daemon.ts";
import { type SshServer, startSshd } from "../../tests/helpers/ssh.ts";
import { makePki, type Pki, tlsDaemonOptions, tlsPort } from "../../tests/helpers/tls.ts";

/** The transports, in the order of the cases. */
const TRANSPORTS = ["ssh", "libssh2", "tls"] as const;
type RemoteTransport = typeof TRANSPORTS[number];

/** Case ids this module provides (for `--only`). */
export const REMOTE_CASE_IDS: string[] = TRANSPORTS.flatMap((t) =>
  ["download", "upload"].map((op) => `remote-${t}-${op}`)
);

/** The transports' fixtures around the bench daemon: made before it starts, removed after. */
export interface RemoteBench {
  /** What the daemon needs for its TLS listener (pass to `withBench` through BenchOptions). */
  daemonOptions: DaemonOptions;
  /** Starts sshd against the running daemon and returns the cases (two per transport). */
  cases(ctx: BenchContext): Promise<CaseSpec[]>;
  /** Stops sshd and removes the certificates. */
  stop(): Promise<void>;
}

/**
 * Makes the certificates and picks the TLS port; sshd starts later, in `cases`. Null (with a
 * notice) when certtool is missing: the other cases still run.
 */
export async function remoteBench(): Promise<RemoteBench | null> {
  let pki: Pki;
  try {
    pki = await makePki();
  } catch (e) {
    console.error(`bench: no qemu+tls/qemu+ssh cases: ${(e as Error).message}`);
    return null;
  }
  const port = tlsPort(); // below the ephemeral range: no outgoing connection can take it
  let sshd: SshServer | null = null;
  return {
    daemonOptions: tlsDaemonOptions(pki, port),
    async cases(ctx) {
      // The daemon's socket is the one in the bench's unix URI.
      const socket = new URL(ctx.qemuUri.replace(/^qemu\+unix:/, "http:")).searchParams.get(
        "socket",
      );
      if (!socket) throw new Error(`no socket in ${ctx.qemuUri}`);
      const uris: Partial<Record<RemoteTransport, string>> = {
        tls: `qemu+tls://127.0.0.1:${port}/system?pkipath=${pki.clientDir}`,
      };
      try {
        sshd = await startSshd({ socket } as Daemon);
        uris.ssh = sshd.uri("qemu");
        // Verified against the sshd's key, as over ssh: no question to answer.
        uris.libssh2 = sshd.libsshUri("libssh2", "qemu");
      } catch (e) {
        console.error(`bench: no qemu+ssh or qemu+libssh2 cases: ${(e as Error).message}`);
      }
      return TRANSPORTS.filter((t) => uris[t]).flatMap((t) =>
        (["download", "upload"] as const).map((op) => remoteCase(ctx, t, uris[t]!, op))
      );
    },
    async stop() {
      const server = sshd;
      sshd = null; // safe twice: run.ts calls it after the cases and once more after the daemon
      try {
        await server?.stop();
      } finally {
        await Deno.remove(pki.dir, { recursive: true }).catch(() => {});
      }
    },
  };
}

const TRANSPORT_NOTES: Record<RemoteTransport, string> = {
  ssh: "ssh: a private sshd on 127.0.0.1, libvirt's netcat proxy (nc -U) on the far side",
  libssh2: "ssh through libvirt's libssh2 client, in the client's own process (no ssh program): " +
    "the same sshd and netcat proxy as the ssh case",
  tls: "TLS: the private libvirtd's TLS listener on 127.0.0.1, certificates made for the run",
};

function remoteCase(
  ctx: BenchContext,
  transport: RemoteTransport,
  uri: string,
  op: "download" | "upload",
): CaseSpec {
  const common = ["--uri", uri, "--pool", ctx.pool, "--vol", ctx.vol, "--op", op];
  const wrap = (name: string, kind: Kind, go: (file: string) => Promise<Transfer>): Contender => ({
    name,
    kind,
    run: async () => {
      const file = op === "download" ? ctx.sink(`${transport}-${kind}`) : ctx.source;
      try {
        return transferFigures(ctx, await go(file));
      } finally {
        if (op === "download") await ctx.dropSink(file);
      }
    },
  });
  const ours = (path: string, loop: string) => (file: string) =>
    runJson<Transfer>(
      denoScript("stream.ts", [...common, "--path", path, "--loop", loop, "--file", file]),
    );
  const all = op === "download" ? "recvAll" : "sendAll";
  const loopVerb = op === "download" ? "recv" : "send";
  const python = `Python ${all}`;
  return {
    id: `remote-${transport}-${op}`,
    title: `Volume ${op} over qemu+${transport} (127.0.0.1), ${ctx.opts.sizeMiB} MiB`,
    metrics: TRANSFER_METRICS,
    contenders: [
      wrap(`virsh vol-${op}`, "virsh", (f) => virshTransfer(ctx, uri, op, f)),
      wrap(
        python,
        "python",
        (f) =>
          runJson<Transfer>(peerScript("libvirt_bench.py", ["stream", ...common, "--file", f])),
      ),
      wrap(`ours: blocking ${loopVerb} loop`, "ours", ours("blocking", "none")),
      wrap(`ours: ${all} (blocking stream)`, "ours", ours("all", "none")),
      wrap(`ours: non-blocking + callback (DenoEventImpl)`, "ours", ours("callbacks", "deno")),
      wrap(
        `ours: ${op === "download" ? "download().pipeTo(file)" : "file.readable.pipeTo(upload)"}` +
          " (DenoEventImpl)",
        "ours",
        ours("pipe", "deno"),
      ),
      ...(op === "upload"
        ? [wrap(`ours: ${VOL_UPLOAD} (DenoEventImpl)`, "ours", ours("volupload", "deno"))]
        : []),
      wrap(
        `ours: sparse ${op === "download" ? "downloadToFile" : "uploadFromFile"} (DenoEventImpl)`,
        "ours",
        (f) => runJson<Transfer>(denoScript("sparse_stream.ts", [...common, "--file", f])),
      ),
    ],
    baseline: python,
    notes: [
      `Over ${TRANSPORT_NOTES[transport]}; every client opens the same URI. Timing and CPU as ` +
      "in the download/upload cases " +
      "(connecting, including the handshake, is outside the timed span).",
      "The ratio column divides by Python's blocking recvAll/sendAll over the same transport.",
    ],
  };
}

/** Issue 17's target per remote case: every stream path of ours >= 0.9x Python's recvAll/sendAll. */
export function remoteTargets(cases: CaseResult[]): Target[] {
  const out: Target[] = [];
  for (const c of cases.filter((c) => REMOTE_CASE_IDS.includes(c.id))) {
    const py = medianOf(c.rows.find((r) => r.kind === "python"), "mibps");
    const vs = medianOf(c.rows.find((r) => r.kind === "virsh"), "mibps");
    for (const r of c.rows.filter((r) => r.kind === "ours")) {
      const mine = medianOf(r, "mibps");
      const ratio = mine === null || py === null ? null : mine / py;
      out.push({
        target: `${c.id}: ${r.name} >= 0.9x Python`,
        measured:
          `${ratio === null ? "–" : ratio.toFixed(2)}x Python (${fmt(mine)} vs ${fmt(py)} ` +
          `MiB/s), ${mine === null || vs === null ? "–" : (mine / vs).toFixed(2)}x virsh`,
        met: ratio === null ? null : ratio >= 0.9,
      });
    }
  }
  return out;
}
