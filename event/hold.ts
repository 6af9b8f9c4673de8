// Whether DenoEventImpl may hold the JS thread in poll(2) after a callback (see `holdMicros`),
// or gather data with a timer (see `coalesceMillis`).
//
// Neither while one of our Web streams moves data. Their other end is usually Deno's own I/O (a
// `file.writable` that writes on Deno's thread pool, a socket), whose completions reach the JS
// thread only between loop turns: a hold delays each of them by up to `holdMicros`, and the
// transfer with them (a piped download measured 11 % slower, with three times the page faults).
//
// No timer either while a stream with an event callback moves data: a stream's packets come
// faster than any timer (a daemon's socket buffer fills in a fraction of a millisecond), so a
// transfer that waited a timer's millisecond per turn would run at a fraction of its speed.
//
// "Moves data" means a send or recv within the last QUIET_MS. A stream that is merely open (a
// guest's console waiting for output, a reader that stopped pulling) costs the loop nothing,
// so it must not cost every other connection its batching: an event flood beside an idle
// console would otherwise pay for a wake-up per event for as long as the console stays open.
import { liveStreamCallbacks } from "../stream/callbacks.ts";

/**
 * How long a stream counts as transferring after it last sent or received, in ms. Longer than
 * any pause inside a transfer that runs at speed (a packet per 0.1–1 ms; a slow consumer's
 * backpressure pauses for longer, and then the loop's batching costs the transfer nothing).
 */
export const QUIET_MS = 100;

let open = 0;
let lastMoved = Number.NEGATIVE_INFINITY;

/** Records that a stream sent or received just now (Stream's data calls call it). */
export function noteStreamActivity(): void {
  lastMoved = performance.now();
}

function moving(): boolean {
  return performance.now() - lastMoved < QUIET_MS;
}

/** Whether a Web stream over a libvirt stream is open and moved data within QUIET_MS. */
export function holdBlocked(): boolean {
  return open > 0 && moving();
}

/**
 * Whether a stream transfer is under way: a Web stream open or a stream callback registered,
 * and data moved within QUIET_MS.
 */
export function coalesceBlocked(): boolean {
  return (open > 0 || liveStreamCallbacks() > 0) && moving();
}

/** How many Web streams over libvirt streams are open (tests check cleanup with it). */
export function openWebStreams(): number {
  return open;
}

/** Counts a Web stream as open; the function it returns (idempotent) counts it closed. */
export function blockHold(): () => void {
  open++;
  let done = false;
  return () => {
    if (!done) (done = true, open--);
  };
}
