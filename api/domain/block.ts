// Domain overrides, disks and memory: block device sizes, block job progress, block copy with
// typed parameters, reading raw disk and guest memory bytes, and disk error states.
import { flagsArg, stringArg, u64Arg } from "../../ffi/marshal.ts";
import { abortable, jobSignal } from "../../ffi/abort.ts";
import { libc } from "../../ffi/libc.ts";
import { int, type Plan, runAsync, runSync } from "../call_plan.ts";
import { encodeRecord, keep, type ParamInput } from "../param_codec.ts";
import { BLOCK_COPY_PARAMETERS_TYPES, type BlockCopyParameters } from "../typed_param_names.ts";
import {
  BLOCK_INFO_SIZE,
  BLOCK_JOB_INFO_SIZE,
  decodeBlockInfo,
  decodeBlockJobInfo,
  type DomainBlockInfo,
  type DomainBlockJobInfo,
} from "../structs.ts";
import { describe } from "../../ffi/marshal.ts";
import { DomainGuest } from "./guest.ts";

type P = Deno.PointerObject;
type Bytes = Uint8Array<ArrayBuffer>;

/** One disk in error, from `Domain.getDiskErrors()` (`virDomainDiskError`). */
export interface DomainDiskError {
  /** The disk's target ("vda"). */
  disk: string;
  /** The error (`DomainDiskErrorCode`: NONE, UNSPEC, NO_SPACE). */
  error: number;
}

// libvirt refuses peeks larger than this in one call (the remote protocol's limit).
const PEEK_MAX = 65536;

/**
 * The domain's disks and memory as bytes and block jobs.
 *
 * @example
 * ```ts
 * import { Connection } from "./mod.ts";
 * using conn = Connection.open("test:///default");
 * console.log(conn.lookupDomainByName("test").getBlockInfo("/guest/diskimage1"));
 * ```
 */
export abstract class DomainBlock extends DomainGuest {
  /**
   * Capacity, allocation and physical size of `disk` (target or source path), in bytes
   * (`virDomainGetBlockInfo`,
   * https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainGetBlockInfo).
   *
   * @example
   * ```ts
   * import type { Domain } from "./mod.ts";
   * declare const dom: Domain;
   * console.log(dom.getBlockInfo("vda").capacity);
   * ```
   */
  getBlockInfo(disk: string, flags = 0): DomainBlockInfo {
    const dk = stringArg(disk, "disk");
    return runSync(blockInfo(this.ptr("get block info"), dk, flagsArg(flags)));
  }

  /**
   * `getBlockInfo()` with the libvirt call off the JS thread.
   * libvirt: [`virDomainGetBlockInfo`](https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainGetBlockInfo).
   *
   * @example
   * ```ts
   * import type { Domain } from "./mod.ts";
   * declare const dom: Domain;
   * console.log(await dom.getBlockInfoAsync("vda"));
   * ```
   */
  getBlockInfoAsync(disk: string, flags = 0): Promise<DomainBlockInfo> {
    const dk = stringArg(disk, "disk");
    return runAsync(this, blockInfo(this.ptr("get block info"), dk, flagsArg(flags)));
  }

  /**
   * Progress of the block job (pull, copy, commit) on `disk`, or null when it has none
   * (`virDomainGetBlockJobInfo`,
   * https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainGetBlockJobInfo).
   *
   * @example
   * ```ts
   * import type { Domain } from "./mod.ts";
   * declare const dom: Domain;
   * const job = dom.getBlockJobInfo("vda");
   * if (job) console.log(`${job.cur}/${job.end}`);
   * ```
   */
  getBlockJobInfo(disk: string, flags = 0): DomainBlockJobInfo | null {
    const dk = stringArg(disk, "disk");
    return runSync(blockJobInfo(this.ptr("get block job info"), dk, flagsArg(flags)));
  }

  /**
   * `getBlockJobInfo()` with the libvirt call off the JS thread.
   * libvirt: [`virDomainGetBlockJobInfo`](https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainGetBlockJobInfo).
   *
   * @example
   * ```ts
   * import type { Domain } from "./mod.ts";
   * declare const dom: Domain;
   * console.log(await dom.getBlockJobInfoAsync("vda"));
   * ```
   */
  getBlockJobInfoAsync(disk: string, flags = 0): Promise<DomainBlockJobInfo | null> {
    const dk = stringArg(disk, "disk");
    return runAsync(this, blockJobInfo(this.ptr("get block job info"), dk, flagsArg(flags)));
  }

  /**
   * Waits for the block job on `disk` (a pull, commit or copy started by `blockPull`,
   * `blockCommit`, `blockCopy`…) as `virsh blockjob --wait` does: polls `getBlockJobInfoAsync`
   * every `intervalMs` (100 by default) until the job is gone (finished) or its progress reached
   * its end (a copy or active commit is then ready to pivot), and resolves with the last
   * progress seen (null when the job had already ended). `signal` cancels the job: libvirt's
   * `virDomainBlockJobAbort` runs and the Promise rejects with the signal's reason.
   * libvirt: [`virDomainGetBlockJobInfo`](https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainGetBlockJobInfo), [`virDomainBlockJobAbort`](https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainBlockJobAbort).
   *
   * @example
   * ```ts
   * import type { Domain } from "./mod.ts";
   * declare const dom: Domain;
   * dom.blockPull("vda");
   * await dom.blockJobWaitAsync("vda", { signal: AbortSignal.timeout(600_000) });
   * ```
   */
  blockJobWaitAsync(
    disk: string,
    options: { signal?: AbortSignal; intervalMs?: number } = {},
  ): Promise<DomainBlockJobInfo | null> {
    stringArg(disk, "disk");
    this.ptr("wait for a block job");
    const signal = jobSignal(options);
    const interval = options.intervalMs ?? 100;
    if (!Number.isFinite(interval) || interval < 1) {
      throw new TypeError(`options.intervalMs must be a number of milliseconds >= 1`);
    }
    const poll = async (): Promise<DomainBlockJobInfo | null> => {
      let last: DomainBlockJobInfo | null = null;
      for (;;) {
        // Job queries skip the connection's queue (ffi/call_async.ts), so a wait never sits
        // behind the calls it waits for.
        const info = await this.getBlockJobInfoAsync(disk);
        // Cancelled while waiting: the job is being aborted (abortable), whatever its progress,
        // or already gone because of it (the abort is a side call, and may end the job before
        // this query returns): checked before a missing job is taken as finished.
        if (signal?.aborted) throw signal.reason;
        if (info === null) return last;
        last = info;
        if (info.end > 0n && info.cur === info.end) return info;
        await new Promise((r) => setTimeout(r, interval));
      }
    };
    return abortable(poll, signal, () => this.blockJobAbortAsync(disk));
  }

  /**
   * Starts copying `disk` to the destination described by the `<disk>` XML `destxml`, with
   * `bandwidth`, `granularity`, `buf-size` parameters (`virDomainBlockCopy`,
   * https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainBlockCopy).
   *
   * @example
   * ```ts
   * import type { Domain } from "./mod.ts";
   * declare const dom: Domain;
   * dom.blockCopy("vda", "<disk type='file'><source file='/tmp/copy.img'/></disk>", {
   *   bandwidth: 10n * 1024n * 1024n,
   * });
   * ```
   */
  blockCopy(
    disk: string,
    destxml: string,
    params: ParamInput<BlockCopyParameters> = {},
    flags = 0,
  ): void {
    const a = copyArgs(disk, destxml, params);
    runSync(blockCopy(this.ptr("copy a disk"), a, flagsArg(flags)));
  }

  /**
   * `blockCopy()` with the libvirt call off the JS thread.
   * libvirt: [`virDomainBlockCopy`](https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainBlockCopy).
   *
   * @example
   * ```ts
   * import type { Domain } from "./mod.ts";
   * declare const dom: Domain;
   * await dom.blockCopyAsync("vda", "<disk type='file'><source file='/tmp/c.img'/></disk>");
   * ```
   */
  blockCopyAsync(
    disk: string,
    destxml: string,
    params: ParamInput<BlockCopyParameters> = {},
    flags = 0,
  ): Promise<void> {
    const a = copyArgs(disk, destxml, params);
    return runAsync(this, blockCopy(this.ptr("copy a disk"), a, flagsArg(flags)));
  }

  /**
   * Reads `size` bytes of `disk` from byte `offset` as the guest sees them; longer reads are
   * made in 64 KiB calls (`virDomainBlockPeek`,
   * https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainBlockPeek).
   *
   * @example
   * ```ts
   * import type { Domain } from "./mod.ts";
   * declare const dom: Domain;
   * const mbr = dom.blockPeek("vda", 0, 512);
   * console.log(mbr[510] === 0x55 && mbr[511] === 0xaa);
   * ```
   */
  blockPeek(disk: string, offset: number | bigint, size: number, flags = 0): Uint8Array {
    const [dk, off, n] = peekArgs(disk, offset, size);
    return runSync(blockPeek(this.ptr("peek a disk"), dk, off, n, flagsArg(flags)));
  }

  /**
   * `blockPeek()` with the libvirt calls off the JS thread.
   * libvirt: [`virDomainBlockPeek`](https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainBlockPeek).
   *
   * @example
   * ```ts
   * import type { Domain } from "./mod.ts";
   * declare const dom: Domain;
   * console.log(await dom.blockPeekAsync("vda", 0, 512));
   * ```
   */
  blockPeekAsync(
    disk: string,
    offset: number | bigint,
    size: number,
    flags = 0,
  ): Promise<Uint8Array> {
    const [dk, off, n] = peekArgs(disk, offset, size);
    return runAsync(this, blockPeek(this.ptr("peek a disk"), dk, off, n, flagsArg(flags)));
  }

  /**
   * Reads `size` bytes of guest memory from address `start`; `flags` must say which address
   * space (`DomainMemoryFlags.VIRTUAL` or `PHYSICAL`) (`virDomainMemoryPeek`,
   * https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainMemoryPeek).
   *
   * @example
   * ```ts
   * import { type Domain, DomainMemoryFlags } from "./mod.ts";
   * declare const dom: Domain;
   * console.log(dom.memoryPeek(0, 16, DomainMemoryFlags.PHYSICAL));
   * ```
   */
  memoryPeek(start: number | bigint, size: number, flags: number): Uint8Array {
    const [off, n] = [u64Arg(start, "start"), sizeArg(size)];
    return runSync(memoryPeek(this.ptr("peek memory"), off, n, flagsArg(flags)));
  }

  /**
   * `memoryPeek()` with the libvirt calls off the JS thread.
   * libvirt: [`virDomainMemoryPeek`](https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainMemoryPeek).
   *
   * @example
   * ```ts
   * import { type Domain, DomainMemoryFlags } from "./mod.ts";
   * declare const dom: Domain;
   * console.log(await dom.memoryPeekAsync(0, 16, DomainMemoryFlags.PHYSICAL));
   * ```
   */
  memoryPeekAsync(start: number | bigint, size: number, flags: number): Promise<Uint8Array> {
    const [off, n] = [u64Arg(start, "start"), sizeArg(size)];
    return runAsync(this, memoryPeek(this.ptr("peek memory"), off, n, flagsArg(flags)));
  }

  /**
   * The disks that are in an I/O error state (`virDomainGetDiskErrors`,
   * https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainGetDiskErrors).
   *
   * @example
   * ```ts
   * import type { Domain } from "./mod.ts";
   * declare const dom: Domain;
   * for (const e of dom.getDiskErrors()) console.log(e.disk, e.error);
   * ```
   */
  getDiskErrors(flags = 0): DomainDiskError[] {
    return runSync(diskErrors(this.ptr("get disk errors"), flagsArg(flags)));
  }

  /**
   * `getDiskErrors()` with the libvirt calls off the JS thread.
   * libvirt: [`virDomainGetDiskErrors`](https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainGetDiskErrors).
   *
   * @example
   * ```ts
   * import type { Domain } from "./mod.ts";
   * declare const dom: Domain;
   * console.log(await dom.getDiskErrorsAsync());
   * ```
   */
  getDiskErrorsAsync(flags = 0): Promise<DomainDiskError[]> {
    return runAsync(this, diskErrors(this.ptr("get disk errors"), flagsArg(flags)));
  }
}

// ---- call plans (shared by the sync and async forms)

function* blockInfo(d: P, disk: Bytes, f: number): Plan<DomainBlockInfo> {
  const buf = new Uint8Array(BLOCK_INFO_SIZE);
  yield* int("virDomainGetBlockInfo", d, disk, buf, f);
  return decodeBlockInfo(buf);
}

function* blockJobInfo(d: P, disk: Bytes, f: number): Plan<DomainBlockJobInfo | null> {
  const buf = new Uint8Array(BLOCK_JOB_INFO_SIZE);
  const r = yield* int("virDomainGetBlockJobInfo", d, disk, buf, f);
  return r === 0 ? null : decodeBlockJobInfo(buf);
}

interface CopyArgs {
  disk: Bytes;
  xml: Bytes;
  params: ReturnType<typeof encodeRecord>;
}

function copyArgs(disk: string, destxml: string, params: unknown): CopyArgs {
  return {
    disk: stringArg(disk, "disk"),
    xml: stringArg(destxml, "destxml"),
    params: encodeRecord(params, BLOCK_COPY_PARAMETERS_TYPES, "Block copy parameters"),
  };
}

function* blockCopy(d: P, a: CopyArgs, f: number): Plan<void> {
  try {
    yield* int("virDomainBlockCopy", d, a.disk, a.xml, a.params.ptr, a.params.count, f);
  } finally {
    keep(a);
  }
}

function sizeArg(size: number): number {
  if (typeof size !== "number" || !Number.isSafeInteger(size) || size < 0 || size > 2 ** 31) {
    throw new TypeError(`size must be a byte count up to 2 GiB, got ${describe(size)}`);
  }
  return size;
}

function peekArgs(disk: string, offset: number | bigint, size: number): [Bytes, bigint, number] {
  return [stringArg(disk, "disk"), u64Arg(offset, "offset"), sizeArg(size)];
}

function* blockPeek(d: P, disk: Bytes, off: bigint, size: number, f: number): Plan<Uint8Array> {
  const out = new Uint8Array(size);
  try {
    for (let at = 0; at < size; at += PEEK_MAX) {
      const chunk = out.subarray(at, Math.min(size, at + PEEK_MAX));
      const p = Deno.UnsafePointer.of(chunk);
      yield* int("virDomainBlockPeek", d, disk, off + BigInt(at), BigInt(chunk.length), p, f);
    }
  } finally {
    keep(out);
  }
  return out;
}

function* memoryPeek(d: P, start: bigint, size: number, f: number): Plan<Uint8Array> {
  const out = new Uint8Array(size);
  try {
    for (let at = 0; at < size; at += PEEK_MAX) {
      const chunk = out.subarray(at, Math.min(size, at + PEEK_MAX));
      const p = Deno.UnsafePointer.of(chunk);
      yield* int("virDomainMemoryPeek", d, start + BigInt(at), BigInt(chunk.length), p, f);
    }
  } finally {
    keep(out);
  }
  return out;
}

// virDomainDiskError (16 bytes): char *disk @0 (the caller frees it), int error @8.
function* diskErrors(d: P, f: number): Plan<DomainDiskError[]> {
  const max = yield* int("virDomainGetDiskErrors", d, null, 0, f);
  if (max <= 0) return [];
  const buf = new Uint8Array(max * 16);
  const n = yield* int("virDomainGetDiskErrors", d, buf, max, f);
  const v = new DataView(buf.buffer);
  const out: DomainDiskError[] = [];
  for (let i = 0; i < n; i++) {
    const s = Deno.UnsafePointer.create(v.getBigUint64(i * 16, true));
    out.push({
      disk: s === null ? "" : Deno.UnsafePointerView.getCString(s),
      error: v.getInt32(i * 16 + 8, true),
    });
    if (s !== null) libc().symbols.free(s);
  }
  return out;
}
