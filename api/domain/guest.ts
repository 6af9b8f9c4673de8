// Domain overrides, the guest: filesystems, interface addresses, guest agent info, the clock,
// filesystem freeze/thaw, SSH keys, messages and key presses.
import { flagsArg, intArg, stringArg } from "../../ffi/marshal.ts";
import { libc } from "../../ffi/libc.ts";
import { withBigIntJSON } from "../../ffi/json.ts";
import { int, type Plan, raw, runAsync, runSync } from "../call_plan.ts";
import { allocatedParams, keep } from "../param_codec.ts";
import { type TypedParams, typedParamsToRecord } from "../typed_params.ts";
import { type CStringArray, cStringArray, takeStringArray, u32Array } from "../c_arrays.ts";
import { DomainVcpus } from "./vcpus.ts";

type P = Deno.PointerObject;
type Bytes = Uint8Array<ArrayBuffer>;

/** One mounted filesystem of `Domain.getFSInfo()` (`virDomainFSInfo`). */
export interface DomainFSInfo {
  /** Where it is mounted in the guest. */
  mountpoint: string;
  /** The guest's device name ("sda1"). */
  name: string;
  /** Its type ("ext4", "xfs" …). */
  fstype: string;
  /** The domain's disk targets backing it ("vda" …). */
  devAlias: string[];
}

/** One IP address of a guest interface (`virDomainIPAddress`). */
export interface DomainIPAddress {
  /** `IPAddrType`: 0 IPv4, 1 IPv6. */
  type: number;
  /** The address. */
  addr: string;
  /** The prefix length. */
  prefix: number;
}

/** One guest interface of `Domain.interfaceAddresses()` (`virDomainInterface`). */
export interface DomainInterface {
  /** Its name in the guest (or the host-side device for the lease/ARP sources). */
  name: string;
  /** Its MAC address, when known. */
  hwaddr: string | null;
  /** Its addresses. */
  addrs: DomainIPAddress[];
}

/** What `Domain.getTime()` returns: the guest's clock. */
export interface DomainTime {
  /** Seconds since the Unix epoch. */
  seconds: bigint;
  /** Nanoseconds within that second. */
  nseconds: number;
}

/**
 * What a domain's guest reports, mostly through its guest agent.
 *
 * @example
 * ```ts
 * import { Connection } from "./mod.ts";
 * using conn = Connection.open("test:///default");
 * const dom = conn.lookupDomainByName("test");
 * console.log(dom.getFSInfo(), dom.interfaceAddresses(0));
 * ```
 */
export abstract class DomainGuest extends DomainVcpus {
  /**
   * The guest's mounted filesystems, from its agent (`virDomainGetFSInfo`,
   * https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainGetFSInfo).
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * for (const fs of conn.lookupDomainByName("test").getFSInfo()) console.log(fs.mountpoint);
   * ```
   */
  getFSInfo(flags = 0): DomainFSInfo[] {
    return runSync(fsInfo(this.ptr("get filesystem info"), flagsArg(flags)));
  }

  /**
   * `getFSInfo()` with the libvirt call off the JS thread.
   * libvirt: [`virDomainGetFSInfo`](https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainGetFSInfo).
   *
   * @example
   * ```ts
   * import type { Domain } from "./mod.ts";
   * declare const dom: Domain;
   * console.log(await dom.getFSInfoAsync());
   * ```
   */
  getFSInfoAsync(flags = 0): Promise<DomainFSInfo[]> {
    return runAsync(this, fsInfo(this.ptr("get filesystem info"), flagsArg(flags)));
  }

  /**
   * The guest's network interfaces and addresses, learnt from `source`
   * (`DomainInterfaceAddressesSource`: DHCP leases, the guest agent, the host's ARP table)
   * (`virDomainInterfaceAddresses`,
   * https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainInterfaceAddresses).
   *
   * @example
   * ```ts
   * import { Connection, DomainInterfaceAddressesSource } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * const dom = conn.lookupDomainByName("test");
   * console.log(dom.interfaceAddresses(DomainInterfaceAddressesSource.LEASE));
   * ```
   */
  interfaceAddresses(source: number, flags = 0): DomainInterface[] {
    const s = intArg(source, "source", 0, 0xffffffff);
    return runSync(ifaceAddrs(this.ptr("get interface addresses"), s, flagsArg(flags)));
  }

  /**
   * `interfaceAddresses()` with the libvirt call off the JS thread.
   * libvirt: [`virDomainInterfaceAddresses`](https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainInterfaceAddresses).
   *
   * @example
   * ```ts
   * import type { Domain } from "./mod.ts";
   * declare const dom: Domain;
   * console.log(await dom.interfaceAddressesAsync(1));
   * ```
   */
  interfaceAddressesAsync(source: number, flags = 0): Promise<DomainInterface[]> {
    const s = intArg(source, "source", 0, 0xffffffff);
    return runAsync(this, ifaceAddrs(this.ptr("get interface addresses"), s, flagsArg(flags)));
  }

  /**
   * What the guest agent reports about the guest, as named values (`hostname`, `os.id`,
   * `timezone.name`, `user.count`, `fs.0.name` …); `types` picks the groups
   * (`DomainGuestInfoTypes`, 0: all) (`virDomainGetGuestInfo`,
   * https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainGetGuestInfo).
   *
   * @example
   * ```ts
   * import type { Domain } from "./mod.ts";
   * declare const dom: Domain;
   * console.log(dom.getGuestInfo()["os.name"]);
   * ```
   */
  getGuestInfo(types = 0, flags = 0): TypedParams {
    const t = flagsArg(types, "types");
    return runSync(guestInfo(this.ptr("get guest info"), t, flagsArg(flags)));
  }

  /**
   * `getGuestInfo()` with the libvirt call off the JS thread.
   * libvirt: [`virDomainGetGuestInfo`](https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainGetGuestInfo).
   *
   * @example
   * ```ts
   * import type { Domain } from "./mod.ts";
   * declare const dom: Domain;
   * console.log(await dom.getGuestInfoAsync());
   * ```
   */
  getGuestInfoAsync(types = 0, flags = 0): Promise<TypedParams> {
    const t = flagsArg(types, "types");
    return runAsync(this, guestInfo(this.ptr("get guest info"), t, flagsArg(flags)));
  }

  /**
   * The guest's clock, from its agent (`virDomainGetTime`,
   * https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainGetTime).
   *
   * @example
   * ```ts
   * import type { Domain } from "./mod.ts";
   * declare const dom: Domain;
   * const { seconds } = dom.getTime();
   * console.log(new Date(Number(seconds) * 1000));
   * ```
   */
  getTime(flags = 0): DomainTime {
    return runSync(getTime(this.ptr("get the time"), flagsArg(flags)));
  }

  /**
   * `getTime()` with the libvirt call off the JS thread.
   * libvirt: [`virDomainGetTime`](https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainGetTime).
   *
   * @example
   * ```ts
   * import type { Domain } from "./mod.ts";
   * declare const dom: Domain;
   * console.log(await dom.getTimeAsync());
   * ```
   */
  getTimeAsync(flags = 0): Promise<DomainTime> {
    return runAsync(this, getTime(this.ptr("get the time"), flagsArg(flags)));
  }

  /**
   * Freezes the guest's filesystems (all, or the `mountpoints` given) for a consistent backup;
   * returns how many were frozen (`virDomainFSFreeze`,
   * https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainFSFreeze).
   *
   * @example
   * ```ts
   * import type { Domain } from "./mod.ts";
   * declare const dom: Domain;
   * console.log(dom.fsFreeze(["/"]));
   * dom.fsThaw(["/"]);
   * ```
   */
  fsFreeze(mountpoints: readonly string[] | null = null, flags = 0): number {
    const m = mountpoints === null ? null : cStringArray(mountpoints, "mountpoints");
    return runSync(fsCall("virDomainFSFreeze", this.ptr("freeze filesystems"), m, flagsArg(flags)));
  }

  /**
   * `fsFreeze()` with the libvirt call off the JS thread.
   * libvirt: [`virDomainFSFreeze`](https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainFSFreeze).
   *
   * @example
   * ```ts
   * import type { Domain } from "./mod.ts";
   * declare const dom: Domain;
   * await dom.fsFreezeAsync();
   * ```
   */
  fsFreezeAsync(mountpoints: readonly string[] | null = null, flags = 0): Promise<number> {
    const m = mountpoints === null ? null : cStringArray(mountpoints, "mountpoints");
    const p = this.ptr("freeze filesystems");
    return runAsync(this, fsCall("virDomainFSFreeze", p, m, flagsArg(flags)));
  }

  /**
   * Thaws filesystems `fsFreeze()` froze (all, or the `mountpoints` given); returns how many
   * (`virDomainFSThaw`, https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainFSThaw).
   *
   * @example
   * ```ts
   * import type { Domain } from "./mod.ts";
   * declare const dom: Domain;
   * dom.fsThaw();
   * ```
   */
  fsThaw(mountpoints: readonly string[] | null = null, flags = 0): number {
    const m = mountpoints === null ? null : cStringArray(mountpoints, "mountpoints");
    return runSync(fsCall("virDomainFSThaw", this.ptr("thaw filesystems"), m, flagsArg(flags)));
  }

  /**
   * `fsThaw()` with the libvirt call off the JS thread.
   * libvirt: [`virDomainFSThaw`](https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainFSThaw).
   *
   * @example
   * ```ts
   * import type { Domain } from "./mod.ts";
   * declare const dom: Domain;
   * await dom.fsThawAsync();
   * ```
   */
  fsThawAsync(mountpoints: readonly string[] | null = null, flags = 0): Promise<number> {
    const m = mountpoints === null ? null : cStringArray(mountpoints, "mountpoints");
    const p = this.ptr("thaw filesystems");
    return runAsync(this, fsCall("virDomainFSThaw", p, m, flagsArg(flags)));
  }

  /**
   * The SSH public keys in `user`'s authorized_keys file in the guest
   * (`virDomainAuthorizedSSHKeysGet`,
   * https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainAuthorizedSSHKeysGet).
   *
   * @example
   * ```ts
   * import type { Domain } from "./mod.ts";
   * declare const dom: Domain;
   * console.log(dom.authorizedSSHKeysGet("root"));
   * ```
   */
  authorizedSSHKeysGet(user: string, flags = 0): string[] {
    const u = stringArg(user, "user");
    return runSync(sshKeysGet(this.ptr("get SSH keys"), u, flagsArg(flags)));
  }

  /**
   * `authorizedSSHKeysGet()` with the libvirt call off the JS thread.
   * libvirt: [`virDomainAuthorizedSSHKeysGet`](https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainAuthorizedSSHKeysGet).
   *
   * @example
   * ```ts
   * import type { Domain } from "./mod.ts";
   * declare const dom: Domain;
   * console.log(await dom.authorizedSSHKeysGetAsync("root"));
   * ```
   */
  authorizedSSHKeysGetAsync(user: string, flags = 0): Promise<string[]> {
    const u = stringArg(user, "user");
    return runAsync(this, sshKeysGet(this.ptr("get SSH keys"), u, flagsArg(flags)));
  }

  /**
   * Adds `keys` to `user`'s authorized_keys in the guest (or replaces or removes them, per
   * `DomainAuthorizedSSHKeysSetFlags`) (`virDomainAuthorizedSSHKeysSet`,
   * https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainAuthorizedSSHKeysSet).
   *
   * @example
   * ```ts
   * import type { Domain } from "./mod.ts";
   * declare const dom: Domain;
   * dom.authorizedSSHKeysSet("root", ["ssh-ed25519 AAAA… me@host"]);
   * ```
   */
  authorizedSSHKeysSet(user: string, keys: readonly string[], flags = 0): void {
    const u = stringArg(user, "user");
    const k = cStringArray(keys, "keys");
    runSync(sshKeysSet(this.ptr("set SSH keys"), u, k, flagsArg(flags)));
  }

  /**
   * `authorizedSSHKeysSet()` with the libvirt call off the JS thread.
   * libvirt: [`virDomainAuthorizedSSHKeysSet`](https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainAuthorizedSSHKeysSet).
   *
   * @example
   * ```ts
   * import type { Domain } from "./mod.ts";
   * declare const dom: Domain;
   * await dom.authorizedSSHKeysSetAsync("root", []);
   * ```
   */
  authorizedSSHKeysSetAsync(user: string, keys: readonly string[], flags = 0): Promise<void> {
    const u = stringArg(user, "user");
    const k = cStringArray(keys, "keys");
    return runAsync(this, sshKeysSet(this.ptr("set SSH keys"), u, k, flagsArg(flags)));
  }

  /**
   * Messages libvirt keeps about the domain (tainting, deprecated features), per
   * `DomainMessageType` flags (0: all) (`virDomainGetMessages`,
   * https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainGetMessages).
   *
   * @example
   * ```ts
   * import type { Domain } from "./mod.ts";
   * declare const dom: Domain;
   * console.log(dom.getMessages());
   * ```
   */
  getMessages(flags = 0): string[] {
    return runSync(messages(this.ptr("get messages"), flagsArg(flags)));
  }

  /**
   * `getMessages()` with the libvirt call off the JS thread.
   * libvirt: [`virDomainGetMessages`](https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainGetMessages).
   *
   * @example
   * ```ts
   * import type { Domain } from "./mod.ts";
   * declare const dom: Domain;
   * console.log(await dom.getMessagesAsync());
   * ```
   */
  getMessagesAsync(flags = 0): Promise<string[]> {
    return runAsync(this, messages(this.ptr("get messages"), flagsArg(flags)));
  }

  /**
   * Presses keys in the guest: `keycodes` of `codeset` (`KeycodeSet`), held for `holdtime`
   * milliseconds (`virDomainSendKey`,
   * https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainSendKey).
   *
   * @example
   * ```ts
   * import { type Domain, KeycodeSet } from "./mod.ts";
   * declare const dom: Domain;
   * dom.sendKey(KeycodeSet.LINUX, 50, [29, 56, 111]); // Ctrl+Alt+Del
   * ```
   */
  sendKey(codeset: number, holdtime: number, keycodes: readonly number[], flags = 0): void {
    const [c, h, k] = keyArgs(codeset, holdtime, keycodes);
    runSync(sendKey(this.ptr("send keys"), c, h, k, flagsArg(flags)));
  }

  /**
   * `sendKey()` with the libvirt call off the JS thread.
   * libvirt: [`virDomainSendKey`](https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainSendKey).
   *
   * @example
   * ```ts
   * import type { Domain } from "./mod.ts";
   * declare const dom: Domain;
   * await dom.sendKeyAsync(0, 50, [28]);
   * ```
   */
  sendKeyAsync(
    codeset: number,
    holdtime: number,
    keycodes: readonly number[],
    flags = 0,
  ): Promise<void> {
    const [c, h, k] = keyArgs(codeset, holdtime, keycodes);
    return runAsync(this, sendKey(this.ptr("send keys"), c, h, k, flagsArg(flags)));
  }
}

// ---- call plans (shared by the sync and async forms)

// virDomainFSInfo: mountpoint @0, name @8, fstype @16, ndevAlias (size_t) @24, devAlias @32.
function* fsInfo(d: P, f: number): Plan<DomainFSInfo[]> {
  const holder = new BigUint64Array(1);
  const n = yield* int("virDomainGetFSInfo", d, holder, f);
  return yield* eachStruct(holder, n, "virDomainFSInfoFree", (v) => {
    const nAlias = Number(v.getBigUint64(24));
    const aliases = v.getPointer(32);
    const av = aliases === null ? null : new Deno.UnsafePointerView(aliases);
    return {
      mountpoint: cstr(v.getPointer(0)) ?? "",
      name: cstr(v.getPointer(8)) ?? "",
      fstype: cstr(v.getPointer(16)) ?? "",
      devAlias: Array.from(
        { length: av ? nAlias : 0 },
        (_, i) => cstr(av!.getPointer(i * 8)) ?? "",
      ),
    };
  });
}

// virDomainInterface: name @0, hwaddr @8, naddrs u32 @16, addrs @24;
// virDomainIPAddress (24 bytes): type i32 @0, addr @8, prefix u32 @16.
function* ifaceAddrs(d: P, source: number, f: number): Plan<DomainInterface[]> {
  const holder = new BigUint64Array(1);
  const n = yield* int("virDomainInterfaceAddresses", d, holder, source, f);
  return yield* eachStruct(holder, n, "virDomainInterfaceFree", (v) => {
    const naddrs = v.getUint32(16);
    const addrs = v.getPointer(24);
    const av = addrs === null ? null : new Deno.UnsafePointerView(addrs);
    return {
      name: cstr(v.getPointer(0)) ?? "",
      hwaddr: cstr(v.getPointer(8)),
      addrs: Array.from({ length: av ? naddrs : 0 }, (_, i) => ({
        type: av!.getInt32(i * 24),
        addr: cstr(av!.getPointer(i * 24 + 8)) ?? "",
        prefix: av!.getUint32(i * 24 + 16),
      })),
    };
  });
}

function cstr(p: Deno.PointerValue): string | null {
  return p === null ? null : Deno.UnsafePointerView.getCString(p);
}

/**
 * Decodes each struct of a libvirt-allocated array of struct pointers, then frees every struct
 * with its libvirt free function and the array with free(), also when decoding throws.
 */
function* eachStruct<T>(
  holder: BigUint64Array,
  n: number,
  freeFn: "virDomainFSInfoFree" | "virDomainInterfaceFree",
  decode: (v: Deno.UnsafePointerView) => T,
): Plan<T[]> {
  const array = Deno.UnsafePointer.create(holder[0]);
  if (array === null) return [];
  const view = new Deno.UnsafePointerView(array);
  const items = Array.from({ length: n }, (_, i) => view.getPointer(i * 8));
  try {
    return items.filter((p) => p !== null).map((p) => decode(new Deno.UnsafePointerView(p!)));
  } finally {
    for (const p of items) if (p !== null) yield* raw(freeFn, p);
    libc().symbols.free(array);
  }
}

function* guestInfo(d: P, types: number, f: number): Plan<TypedParams> {
  const list = yield* allocatedParams((h, n) => int("virDomainGetGuestInfo", d, types, h, n, f));
  return typedParamsToRecord(list);
}

function* getTime(d: P, f: number): Plan<DomainTime> {
  const seconds = new BigInt64Array(1);
  const nseconds = new Uint32Array(1);
  yield* int("virDomainGetTime", d, seconds, nseconds, f);
  return withBigIntJSON({ seconds: seconds[0], nseconds: nseconds[0] });
}

function* fsCall(
  name: "virDomainFSFreeze" | "virDomainFSThaw",
  d: P,
  m: CStringArray | null,
  f: number,
): Plan<number> {
  try {
    return yield* int(name, d, m?.array ?? null, m?.count ?? 0, f);
  } finally {
    keep(m);
  }
}

function* sshKeysGet(d: P, user: Bytes, f: number): Plan<string[]> {
  const holder = new BigUint64Array(1);
  const n = yield* int("virDomainAuthorizedSSHKeysGet", d, user, holder, f);
  return takeStringArray(holder, n);
}

function* sshKeysSet(d: P, user: Bytes, keys: CStringArray, f: number): Plan<void> {
  try {
    yield* int("virDomainAuthorizedSSHKeysSet", d, user, keys.array, keys.count, f);
  } finally {
    keep(keys);
  }
}

function* messages(d: P, f: number): Plan<string[]> {
  const holder = new BigUint64Array(1);
  const n = yield* int("virDomainGetMessages", d, holder, f);
  return takeStringArray(holder, n);
}

function keyArgs(
  codeset: number,
  holdtime: number,
  keycodes: readonly number[],
): [number, number, Uint32Array<ArrayBuffer>] {
  return [
    intArg(codeset, "codeset", 0, 0xffffffff),
    intArg(holdtime, "holdtime", 0, 0xffffffff),
    u32Array(keycodes, "keycodes"),
  ];
}

function* sendKey(d: P, c: number, h: number, k: Uint32Array<ArrayBuffer>, f: number): Plan<void> {
  yield* int("virDomainSendKey", d, c, h, k, k.length, f);
}
