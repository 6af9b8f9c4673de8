// The JS thread's availability as Deno's own timers see it: an interval whose longest gap between
// two ticks says how long something kept the thread from Deno's loop (a sync call, a wait in the
// event loop). Used by the tests and the bench alike.

/** A running interval's record; see `tickMeter`. */
export interface TickMeter {
  /** The longest time between two ticks (since the start or `reset`), in ms. */
  readonly maxGap: number;
  /** Ticks so far. */
  readonly ticks: number;
  /** Starts the longest gap over from now. */
  reset(): void;
  /** Stops the interval. */
  stop(): void;
}

/** Starts an interval of `intervalMs` that records its ticks and its longest gap. */
export function tickMeter(intervalMs = 2): TickMeter {
  let maxGap = 0;
  let ticks = 0;
  let last = performance.now();
  const id = setInterval(() => {
    const now = performance.now();
    maxGap = Math.max(maxGap, now - last);
    last = now;
    ticks++;
  }, intervalMs);
  return {
    get maxGap() {
      return maxGap;
    },
    get ticks() {
      return ticks;
    },
    reset() {
      maxGap = 0;
      last = performance.now();
    },
    stop() {
      clearInterval(id);
    },
  };
}
