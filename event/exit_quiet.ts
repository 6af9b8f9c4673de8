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
// runtime as the error leaves its loop, and a call of the loop's thread waiting then killed the
// process before the error was even printed. So the same silencing runs when the `error` or
// `unhandledrejection` event is dispatched. But a listener of the app may still prevent that
// end, so each silencer comes with a restorer that puts back what the JS side recorded (the
// app's own settings), and the restore runs on the next turn, which only a process that goes on
// reaches.

interface Quieter {
  silence(): void;
  restore(): void;
}

const quieters: Quieter[] = [];

/**
 * Adds what silences one kind of registration at the process's end, and what puts it back
 * when that end was averted (an uncaught error that a listener prevented).
 */
export function onExitQuiet(silence: () => void, restore: () => void): void {
  quieters.push({ silence, restore });
}

/** Runs every silencer; one that throws does not keep the others from running. */
export function quietForExit(): void {
  for (const q of quieters) {
    try {
      q.silence();
    } catch {
      // The process is ending: nothing is left to report it to.
    }
  }
}

/** Puts back every registration `quietForExit` silenced, as the JS side last set it. */
export function restoreAfterQuiet(): void {
  for (const q of quieters) {
    try {
      q.restore();
    } catch {
      // A registration removed meanwhile: nothing to put back.
    }
  }
}
