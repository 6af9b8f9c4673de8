// The sockets that a connection's open made, seen from the kernel (/proc/self/fd, getsockopt):
// their family and send buffer, to check what Connection.open did to them.
import assert from "node:assert/strict";
import { openFds } from "./fds.ts";

/** One socket an open made. */
export interface NewSocket {
  fd: number;
  /** AF_UNIX 1, AF_INET 2, AF_INET6 10. */
  family: number;
  /** SO_SNDBUF as the kernel reports it (twice what was asked for). */
  sendBuffer: number;
}

let lib:
  | Deno.DynamicLibrary<{
    getsockopt: { parameters: ["i32", "i32", "i32", "buffer", "buffer"]; result: "i32" };
  }>
  | null = null;

function getInt(fd: number, name: number): number {
  lib ??= Deno.dlopen("libc.so.6", {
    getsockopt: { parameters: ["i32", "i32", "i32", "buffer", "buffer"], result: "i32" },
  });
  const v = new Int32Array(1);
  const len = new Uint32Array([4]);
  const rc = lib.symbols.getsockopt(
    fd,
    1, // SOL_SOCKET
    name,
    new Uint8Array(v.buffer),
    new Uint8Array(len.buffer),
  );
  assert.equal(rc, 0, `getsockopt(${fd}, ${name}) failed`);
  return v[0];
}

/** SO_SNDBUF of socket `fd` as the kernel reports it (twice what was asked for). */
export function sendBufferOf(fd: number): number {
  return getInt(fd, 7); // SO_SNDBUF
}

/** The fds of this process that are sockets. */
function socketFds(): Set<number> {
  return new Set(openFds().filter((f) => f.target.startsWith("socket:")).map((f) => f.fd));
}

function describeNew(before: Set<number>): NewSocket[] {
  return [...socketFds()].filter((fd) => !before.has(fd)).map((fd) => ({
    fd,
    family: getInt(fd, 39), // SO_DOMAIN
    sendBuffer: sendBufferOf(fd),
  }));
}

/** Runs `open` and reports the sockets it left open. */
export async function socketsMadeBy<T>(
  open: () => T | Promise<T>,
): Promise<{ value: T; sockets: NewSocket[] }> {
  const before = socketFds();
  const value = await open();
  return { value, sockets: describeNew(before) };
}

/** What SO_SNDBUF reads after asking for `bytes` on a unix socket (Linux: doubled, capped). */
export function grantedSendBuffer(bytes: number): number {
  const max = Number(Deno.readTextFileSync("/proc/sys/net/core/wmem_max"));
  const def = Number(Deno.readTextFileSync("/proc/sys/net/core/wmem_default"));
  return Math.max(def, Math.min(bytes, max) * 2);
}

/** A unix socket's send buffer as libvirt leaves it (the kernel's default). */
export function defaultSendBuffer(): number {
  return Number(Deno.readTextFileSync("/proc/sys/net/core/wmem_default"));
}
