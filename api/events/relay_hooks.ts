// Ties the event relay to DefaultEventLoop: a Worker takes object events while a loop runs
// (api/events/relay.ts), and the registrations move to it and back (api/events/tracking.ts).
import { setDefaultLoopHooks } from "../../event/default_loop.ts";
import { detachRelay, hostLoop, startRelay } from "./relay.ts";
import { switchRelay } from "./tracking.ts";

let ending: (() => Promise<void>) | null = null;

setDefaultLoopHooks({
  started() {
    startRelay();
    switchRelay(true);
  },
  // Before the last loop's thread is released: no dispatch runs, and none can start. A loop
  // started again before the ending loop's `stopped` gets a Worker of its own; the ends chain.
  stopping() {
    const end = detachRelay();
    const before = ending;
    ending = async () => {
      await before?.();
      await end();
    };
    switchRelay(false);
  },
  host: hostLoop,
  async stopped() {
    const end = ending;
    ending = null;
    await end?.();
  },
});
