// The ssh client's end of a `+ssh` connection: a larger send buffer on it, so that a download
// does not stall OpenSSH's client in its first megabytes.
//
// libvirt runs OpenSSH's `ssh` as a child of this process, one end of a socketpair as its stdin
// and stdout. A download's data comes to us through that end, and what a unix socket holds is
// bounded by its sender's send buffer (`net.core.wmem_default`, 212,992 bytes). ssh reads up to
// 256 KiB from the network per turn and writes to us what the socket takes; the rest waits in a
// buffer of its own, which OpenSSH grows a packet at a time, copying it each time. So when our
// reads lag in the first megabytes (a turn of Deno's loop per message, code run for the first
// time), ssh slows to a few MB/s until that buffer holds the channel's whole window: 0.3–1 s of
// a transfer (bench/findings.md, twenty-fourth pass). With room for more than one of its reads,
// each turn's data goes straight on. libvirt has no API for that socket, so the open finds the
// child it started (/proc/self/task/*/children, read through libc: no Deno permission but FFI),
// takes a copy of the child's fd of it (pidfd_getfd, Linux 5.6; a process may do so to its own
// child) and raises its send buffer. Any failure leaves the connection as libvirt made it.
import { libc } from "../../ffi/libc.ts";
import { cString } from "../../ffi/marshal.ts";
import { log } from "../../log.ts";
import { isUnixStream, widen } from "./socket.ts";

// <sys/syscall.h>: the same numbers on every Linux architecture (added after the tables merged).
const SYS_PIDFD_OPEN = 434n;
const SYS_PIDFD_GETFD = 438n;
const O_RDONLY_CLOEXEC = 0o2000000;
/** Where `d_name` lies in glibc's `struct dirent` on 64-bit Linux (after ino, off, reclen, type). */
const D_NAME = 19;
/**
 * The child's stdin and stdout: libvirt gives it the socketpair's end as both. OpenSSH keeps
 * copies of them for the session and points its stdout at /dev/null (seen with 9.2), so its
 * stdin is the one that still names the socket; a send buffer belongs to the socket, not the fd.
 */
const CHILD_FDS = [0n, 1n];

// Whether opening `uri` makes libvirt start an ssh client (`driver+ssh://…`).
function startsSsh(uri: string | null): boolean {
  return uri !== null && /^[a-z0-9]+\+ssh:/i.test(uri);
}

/**
 * For an open of `uri`: this process's children before it, when it will start an ssh client
 * (null otherwise, or when they cannot be listed).
 *
 * @example
 * ```ts
 * const before = childrenBeforeOpen("qemu+ssh://root@vmhost/system");
 * ```
 */
export function childrenBeforeOpen(uri: string | null): Set<number> | null {
  if (!startsSsh(uri)) return null;
  try {
    return childProcesses();
  } catch (e) {
    log("debug", "connection: children not listed", { error: e });
    return null;
  }
}

// This process's children now (of all its threads: an async open forks on a pool thread), or
// null if /proc cannot tell.
function childProcesses(): Set<number> | null {
  const { symbols } = libc();
  const dir = symbols.opendir(cString("/proc/self/task"));
  if (dir === null) return null;
  const kids = new Set<number>();
  try {
    for (let entry; (entry = symbols.readdir(dir)) !== null;) {
      const tid = new Deno.UnsafePointerView(entry).getCString(D_NAME);
      if (!/^\d+$/.test(tid)) continue;
      const text = readSmallFile(`/proc/self/task/${tid}/children`);
      if (text === null) continue; // a thread that ended meanwhile
      for (const pid of text.trim().split(/\s+/)) if (pid !== "") kids.add(Number(pid));
    }
  } finally {
    symbols.closedir(dir);
  }
  return kids;
}

/**
 * Raises the send buffer of the unix socket that each child started since `before` has as its
 * stdin or stdout to `bytes`: after an open of a `+ssh` URI, that is the ssh client's end of the
 * connection. Never throws: any step that fails leaves the socket as it is.
 *
 * @example
 * ```ts
 * widenSshPeers(before, 1 << 20); // right after virConnectOpen returned
 * ```
 */
export function widenSshPeers(before: Set<number> | null, bytes: number): void {
  if (before === null || bytes <= 0) return;
  try {
    const now = childProcesses();
    if (now === null) return;
    for (const pid of now) if (!before.has(pid)) widenChildSocket(pid, bytes);
  } catch (e) {
    log("debug", "connection: ssh client's socket not examined", { error: e });
  }
}

function widenChildSocket(pid: number, bytes: number): void {
  const { symbols } = libc();
  const pidfd = Number(symbols.syscall3(SYS_PIDFD_OPEN, BigInt(pid), 0n, 0n));
  if (pidfd < 0) return; // gone, or a kernel before 5.3
  try {
    for (const target of CHILD_FDS) {
      const fd = Number(symbols.syscall3(SYS_PIDFD_GETFD, BigInt(pidfd), target, 0n));
      // A kernel before 5.6, not allowed (Yama's ptrace_scope 2 or 3), or no such fd there.
      if (fd < 0) continue;
      try {
        if (!isUnixStream(fd)) continue; // not the socket, or not a child of libvirt's transport
        const got = widen(fd, bytes);
        log("debug", "connection: ssh client's send buffer", { pid, got });
        return;
      } finally {
        symbols.close(fd);
      }
    }
  } finally {
    symbols.close(pidfd);
  }
}

const readBuf = new Uint8Array(4096);
const decoder = new TextDecoder();

// A /proc file's text (children lists are short), or null if it cannot be opened.
function readSmallFile(path: string): string | null {
  const { symbols } = libc();
  const fd = symbols.open(cString(path), O_RDONLY_CLOEXEC);
  if (fd < 0) return null;
  try {
    let text = "";
    for (let n; (n = Number(symbols.read(fd, readBuf, BigInt(readBuf.length)))) > 0;) {
      text += decoder.decode(readBuf.subarray(0, n));
    }
    return text;
  } finally {
    symbols.close(fd);
  }
}
