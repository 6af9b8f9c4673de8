// Reports a callback that keeps failing the same way once, with a count, instead of on every firing.
import { log } from "../log.ts";

/** How long repeats of one failure are counted before a one-line summary says how many. */
export const REPEAT_WINDOW_MS = 1000;

// The most distinct failures followed at once; past it, all are summarized and forgotten.
const MAX_TRACKED = 64;

interface Repeat {
  where: string;
  message: string;
  since: number;
  count: number;
  timer: ReturnType<typeof setTimeout> | undefined;
}

const tracked = new Map<string, Repeat>();
let unloadHooked = false;

function messageOf(e: unknown): string {
  if (e instanceof Error) return `${e.name}: ${e.message}`;
  return String(e);
}

function summarize(r: Repeat): void {
  if (r.count === 0) return;
  const secs = ((performance.now() - r.since) / 1000).toFixed(1);
  const times = r.count === 1 ? "once more" : `${r.count} more times`;
  console.error(
    `libvirt: uncaught error in ${r.where} repeated ${times} in ${secs} s ` +
      `(same error, trace shown once): ${r.message}`,
  );
  log("warn", `callback threw again in ${r.where}`, { repeats: r.count, error: r.message });
  r.count = 0;
  r.since = performance.now();
}

// Once per window: print what accumulated, or forget a failure that stopped repeating (so a
// later recurrence shows its trace again).
function tick(key: string): void {
  const r = tracked.get(key);
  if (!r) return;
  r.timer = undefined;
  if (r.count === 0) {
    tracked.delete(key);
    return;
  }
  summarize(r);
  schedule(key, r);
}

function schedule(key: string, r: Repeat): void {
  const timer = setTimeout(() => tick(key), REPEAT_WINDOW_MS);
  // The summary must never keep a script alive that is otherwise done.
  Deno.unrefTimer(timer);
  r.timer = timer;
}

function flushAll(): void {
  for (const r of tracked.values()) {
    if (r.timer !== undefined) clearTimeout(r.timer);
    summarize(r);
  }
  tracked.clear();
}

/**
 * Reports an exception thrown by user code in a callback the loop calls again and again (a
 * timer, an fd watch): the first time with its stack trace, then repeats of the same failure
 * (same callback, same message) are counted and summarized in one line per second, and at exit.
 * A timer that throws every millisecond thus prints one trace, not a thousand.
 */
export function reportRepeatingError(where: string, e: unknown): void {
  const message = messageOf(e);
  const key = `${where}\0${message}`;
  const seen = tracked.get(key);
  if (seen) {
    seen.count++;
    if (seen.timer === undefined) schedule(key, seen);
    return;
  }
  if (tracked.size >= MAX_TRACKED) flushAll();
  if (!unloadHooked) {
    unloadHooked = true;
    // Counts still pending when the script ends are printed then, not lost.
    globalThis.addEventListener("unload", flushAll);
  }
  const r: Repeat = { where, message, since: performance.now(), count: 0, timer: undefined };
  tracked.set(key, r);
  schedule(key, r);
  // Always visible: a swallowed exception in a callback is a bug the user must see.
  console.error(`libvirt: uncaught error in ${where}:`, e);
  log("warn", `callback threw in ${where}`, { error: e });
}
