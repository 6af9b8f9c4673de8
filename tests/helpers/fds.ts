// The fds this process has open and what each points at (/proc/self/fd), for tests that check
// that a transfer, a connection or a collected object left no fd behind.

/** One open fd and its target (`socket:[…]`, `pipe:[…]`, a file's path, `anon_inode:…`). */
export interface OpenFd {
  readonly fd: number;
  readonly target: string;
}

/**
 * The open fds, in the order the kernel lists them. An fd closed between the listing and its
 * readlink (the listing's own fd among them) is left out.
 *
 * @example
 * ```ts
 * import { openFds } from "./fds.ts";
 * console.log(openFds().filter((f) => f.target.startsWith("socket:")).length);
 * ```
 */
export function openFds(): OpenFd[] {
  const out: OpenFd[] = [];
  for (const e of Deno.readDirSync("/proc/self/fd")) {
    try {
      out.push({ fd: Number(e.name), target: Deno.readLinkSync(`/proc/self/fd/${e.name}`) });
    } catch {
      // Closed since the listing.
    }
  }
  return out;
}
