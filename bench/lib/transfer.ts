// What the stream cases (local and remote) share: their metrics, one transfer's figures, and
// virsh vol-download/vol-upload timed the way the libraries time themselves.
import type { BenchContext } from "./context.ts";
import { type Argv, runPlain } from "./proc.ts";
import type { Metric } from "./runner.ts";

/** Throughput and the client's CPU per GiB: the columns of every stream case. */
/** The stream-less upload's row label, the same in the local and the remote cases. */
export const VOL_UPLOAD = "vol.upload(file.readable)";

export const TRANSFER_METRICS: Metric[] = [
  { key: "mibps", label: "throughput", unit: "MiB/s", better: "higher" },
  { key: "cpuPerGiB", label: "client CPU", unit: "s/GiB", better: "lower" },
];

/** What a contender reports for one transfer: its timed span, the bytes moved, its CPU seconds. */
export interface Transfer {
  seconds: number;
  bytes: number;
  cpu: number;
}

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

/** One transfer's row values; throws when it moved another number of bytes than the volume's. */
export function transferFigures(ctx: BenchContext, t: Transfer): Record<string, number> {
  if (t.bytes !== ctx.bytes) throw new Error(`moved ${t.bytes} bytes, expected ${ctx.bytes}`);
  return { mibps: t.bytes / MiB / t.seconds, cpuPerGiB: t.cpu / (t.bytes / GiB) };
}

/**
 * `virsh vol-download`/`vol-upload` of the bench volume (or `volume`, with `--sparse` if asked)
 * over `uri`. virsh times itself with
 * --timing (the command only: connecting happens before it, as for the libraries, which time
 * from opening the file to the finished stream); /usr/bin/time gives its CPU seconds, which
 * include connecting (a few ms; over ssh, the handshake's share of the client's CPU).
 */
export async function virshTransfer(
  ctx: BenchContext,
  uri: string,
  op: "download" | "upload",
  file: string,
  volume: { name: string; bytes: number; sparse?: boolean } = { name: ctx.vol, bytes: ctx.bytes },
): Promise<Transfer> {
  // One file per call: the local and remote cases never run a virsh at the same time, but a
  // fresh name costs nothing and keeps it so.
  const timeOut = `${ctx.dir}/time-${crypto.randomUUID().slice(0, 8)}.out`;
  const argv: Argv = [
    "/usr/bin/time",
    "-f",
    "%U %S",
    "-o",
    timeOut,
    "virsh",
    "-q",
    "-t",
    "-c",
    uri,
    `vol-${op}`,
    ...(volume.sparse ? ["--sparse"] : []),
    "--pool",
    ctx.pool,
    volume.name,
    file,
  ];
  try {
    const { stdout } = await runPlain(argv);
    const ms = Number(stdout.match(/\(Time: ([\d.]+) ms\)/)?.[1]);
    if (!Number.isFinite(ms)) throw new Error(`no timing in virsh's output: ${stdout}`);
    const [u, s] = (await Deno.readTextFile(timeOut)).trim().split(/\s+/).map(Number);
    return { seconds: ms / 1000, bytes: volume.bytes, cpu: u + s };
  } finally {
    await Deno.remove(timeOut).catch(() => {});
  }
}
