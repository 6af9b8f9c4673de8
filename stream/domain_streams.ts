// The Domain calls that start a stream: screenshot, console and channel (Domain delegates here).
import { callInt, callString } from "../ffi/call.ts";
import { callIntAsync, callStringAsync } from "../ffi/call_async.ts";
import { flagsArg, intArg, stringArg } from "../ffi/marshal.ts";
import type { LibvirtObject } from "../api/object.ts";
import { attachStream, attachStreamAsync, type Stream } from "./stream.ts";

/**
 * Starts a screenshot of `screen` into `stream` (`virDomainScreenshot`); returns the image's
 * MIME type. Read the image from the stream, then finish() it.
 */
export function domainScreenshot(
  dom: Deno.PointerObject,
  stream: Stream,
  screen: number,
  flags?: number,
): string {
  const s = intArg(screen, "screen", 0, 0xffffffff);
  const f = flagsArg(flags);
  return attachStream(
    stream,
    "take a screenshot",
    (st) => callString("virDomainScreenshot", dom, st, s, f),
  );
}

/**
 * Connects `stream` to the console `devName` (`null`: the first console or serial port)
 * (`virDomainOpenConsole`, flags `DomainConsoleFlags`).
 */
export function domainOpenConsole(
  dom: Deno.PointerObject,
  devName: string | null,
  stream: Stream,
  flags?: number,
): void {
  const name = devName === null ? null : stringArg(devName, "devName");
  const f = flagsArg(flags);
  attachStream(
    stream,
    "open a console",
    (st) => callInt("virDomainOpenConsole", dom, name, st, f),
  );
}

/**
 * Connects `stream` to the channel `name` (`null`: the first channel)
 * (`virDomainOpenChannel`, flags `DomainChannelFlags`).
 */
export function domainOpenChannel(
  dom: Deno.PointerObject,
  name: string | null,
  stream: Stream,
  flags?: number,
): void {
  const n = name === null ? null : stringArg(name, "name");
  const f = flagsArg(flags);
  attachStream(
    stream,
    "open a channel",
    (st) => callInt("virDomainOpenChannel", dom, n, st, f),
  );
}

/** `domainScreenshot` on Deno's thread pool; `owner` is the Domain whose pointer `dom` is. */
export function domainScreenshotAsync(
  owner: LibvirtObject,
  dom: Deno.PointerObject,
  stream: Stream,
  screen: number,
  flags?: number,
): Promise<string> {
  const s = intArg(screen, "screen", 0, 0xffffffff);
  const f = flagsArg(flags);
  return attachStreamAsync(
    stream,
    "take a screenshot",
    (st) => callStringAsync(owner, "virDomainScreenshot", dom, st, s, f),
  );
}

/** `domainOpenConsole` on Deno's thread pool. */
export function domainOpenConsoleAsync(
  owner: LibvirtObject,
  dom: Deno.PointerObject,
  devName: string | null,
  stream: Stream,
  flags?: number,
): Promise<void> {
  const name = devName === null ? null : stringArg(devName, "devName");
  const f = flagsArg(flags);
  return attachStreamAsync(
    stream,
    "open a console",
    (st) => callIntAsync(owner, "virDomainOpenConsole", dom, name, st, f).then(() => {}),
  );
}

/** `domainOpenChannel` on Deno's thread pool. */
export function domainOpenChannelAsync(
  owner: LibvirtObject,
  dom: Deno.PointerObject,
  name: string | null,
  stream: Stream,
  flags?: number,
): Promise<void> {
  const n = name === null ? null : stringArg(name, "name");
  const f = flagsArg(flags);
  return attachStreamAsync(
    stream,
    "open a channel",
    (st) => callIntAsync(owner, "virDomainOpenChannel", dom, n, st, f).then(() => {}),
  );
}
