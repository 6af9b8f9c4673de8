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

const silencers: (() => void)[] = [];

/** Adds a function that silences one kind of registration (called once, at the process's end). */
export function onExitQuiet(silence: () => void): void {
  silencers.push(silence);
}

/** Runs every silencer; one that throws does not keep the others from running. */
export function quietForExit(): void {
  for (const silence of silencers) {
    try {
      silence();
    } catch {
      // The process is ending: nothing is left to report it to.
    }
  }
}
