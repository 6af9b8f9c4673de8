// Whether DenoEventImpl may hold the JS thread in poll(2) after a callback (see `holdMicros`),
// or gather data with a timer (see `coalesceMillis`).
//
// Neither while one of our Web streams is open. Their other end is usually Deno's own I/O (a
// `file.writable` that writes on Deno's thread pool, a socket), whose completions reach the JS
// thread only between loop turns: a hold delays each of them by up to `holdMicros`, and the
// transfer with them (a piped download measured 11 % slower, with three times the page faults).
//
// No timer either while a stream has an event callback registered: a stream's packets come
// faster than any timer (a daemon's socket buffer fills in a fraction of a millisecond), so a
// transfer that waited a timer's millisecond per turn would run at a fraction of its speed.
import { liveStreamCallbacks } from "../stream/callbacks.ts";

let open = 0;

/** Whether a Web stream over a libvirt stream is open now. */
export function holdBlocked(): boolean {
  return open > 0;
}

/** Whether a stream transfer may be under way (a Web stream open, or a stream callback). */
export function coalesceBlocked(): boolean {
  return open > 0 || liveStreamCallbacks() > 0;
}

/** Counts a Web stream as open; the function it returns (idempotent) counts it closed. */
export function blockHold(): () => void {
  open++;
  let done = false;
  return () => {
    if (!done) (done = true, open--);
  };
}
