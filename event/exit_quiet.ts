// What the process's end silences before it quits libvirt's default loop (event/default_loop.ts).
//
// Why: the loop's thread waits for the JS thread on every call it makes into JS, and once a
// `deno test` module's tests are done the JS thread runs one more turn of Deno's loop after
// `unload`, then Deno drops the callbacks. A call still waiting then is ended under
// the loop's thread, which dies with SIGSEGV or SIGABRT. The calls that repeat on their own are
// the app's timers and fd watches (`Event.addTimeout`, `Event.addHandle`) and stream callbacks:
// silenced in libvirt first, none starts again, and the one already waiting (if any) runs in
// that last turn. The silencing calls are safe while the loop's thread waits in one of these
// callbacks: libvirt 9.0 calls them with no lock held (GLib loop's timer and handle dispatch, fd
// streams, remote streams), so the updates wait on no lock that thread holds. Each module that
// makes such registrations adds its silencer here, so that this one imports none of them.
//
// An uncaught error or rejection ends a `deno run` script with no `unload`: Deno drops the
// runtime as the error leaves its loop, with no further turn, and a call of another thread
// waiting for the JS thread then killed the process before the error was even printed (a
// script with a 1 ms timer, a stream callback and domain events on libvirt's default loop: 14 of
// 120 runs by SIGSEGV; docs/exit-crash.md). So the same silencing runs as Deno dispatches the
// `error` or `unhandledrejection` event. A listener of the app may still prevent that end, so
// each silencer comes with a restorer that puts back what the JS side last set (the app's own
// settings), on the next turn, which only a process that goes on reaches (a timer of
// `Event.addTimeout` first gets what was left of its period: event/api.ts).

interface Quieter {
  silence(): void;
  restore(): void;
}

const quieters: Quieter[] = [];
// The restore after an `error` or `unhandledrejection` event, until it runs.
let restoring: ReturnType<typeof setTimeout> | undefined;
let hooked = false;
// Set by the first `quietForExit`: the end is final, later calls (default_loop.ts's `unload`
// listener after this module's own) have nothing left to do.
let ended = false;

/**
 * Adds what silences one kind of registration at the process's end, and what puts it back
 * when that end was averted (an uncaught error that a listener prevented).
 */
export function onExitQuiet(silence: () => void, restore: () => void): void {
  quieters.push({ silence, restore });
  if (hooked) return;
  hooked = true;
  globalThis.addEventListener("error", atFatal);
  globalThis.addEventListener("unhandledrejection", atFatal);
  globalThis.addEventListener("unload", quietForExit);
}

/** Runs every silencer (the end is here: a restore still pending is dropped). */
export function quietForExit(): void {
  if (ended) return;
  ended = true;
  clearTimeout(restoring);
  restoring = undefined;
  silenceAll();
}

function atFatal(): void {
  if (restoring !== undefined) return; // silenced already, in this turn
  silenceAll();
  const timer = setTimeout(() => {
    restoring = undefined;
    restoreAll();
  }, 0);
  // Not a reason to keep the process alive by itself.
  Deno.unrefTimer(timer);
  restoring = timer;
}

// One silencer that throws does not keep the others from running.
function silenceAll(): void {
  for (const q of quieters) {
    try {
      q.silence();
    } catch {
      // The process is ending: nothing is left to report it to.
    }
  }
}

function restoreAll(): void {
  for (const q of quieters) {
    try {
      q.restore();
    } catch {
      // A registration removed meanwhile: nothing to put back.
    }
  }
}
