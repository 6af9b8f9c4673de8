// The timer half of DenoEventImpl: libvirt's timeout semantics (N ms repeating, 0 every
// iteration, -1 disabled) as deadlines on performance.now(), and the poll timeout they imply.

/** One libvirt timeout registration. */
export interface Timer {
  readonly timer: number;
  /** ms between firings; 0 fires on every loop iteration, -1 is disabled. */
  frequency: number;
  /** performance.now() at which it fires next (meaningless while frequency is -1). */
  deadline: number;
  readonly cb: Deno.PointerValue;
  readonly opaque: Deno.PointerValue;
  readonly ff: Deno.PointerValue;
  /** Set on removal, so a dispatch holding a snapshot skips it. */
  removed: boolean;
}

/** The live timers, by id; ids start at 1 and are never reused. */
export class TimerTable {
  readonly #timers = new Map<number, Timer>();
  #next = 1;

  /** Registers a timer; its first expiry is `frequency` ms from now. */
  add(
    frequency: number,
    cb: Deno.PointerValue,
    opaque: Deno.PointerValue,
    ff: Deno.PointerValue,
  ): Timer {
    const timer = this.#next++;
    const deadline = performance.now() + Math.max(frequency, 0);
    const t: Timer = { timer, frequency, deadline, cb, opaque, ff, removed: false };
    this.#timers.set(timer, t);
    return t;
  }

  /** Changes a timer's frequency, counting from now (libvirt's rule); false if unknown. */
  update(timer: number, frequency: number): boolean {
    const t = this.#timers.get(timer);
    if (!t) return false;
    t.frequency = frequency;
    t.deadline = performance.now() + Math.max(frequency, 0);
    return true;
  }

  /** Removes a timer and returns it (marked removed), or undefined if unknown. */
  take(timer: number): Timer | undefined {
    const t = this.#timers.get(timer);
    if (!t) return undefined;
    this.#timers.delete(timer);
    t.removed = true;
    return t;
  }

  /** Whether any timer is enabled (only those can fire, so only those keep the loop running). */
  anyEnabled(): boolean {
    for (const t of this.#timers.values()) if (t.frequency >= 0) return true;
    return false;
  }

  /**
   * ms until the nearest deadline, to the microsecond and rounded up so that no timer fires
   * early (the wait is a ppoll(2)); 0 if one is due, -1 if none is enabled.
   */
  pollTimeout(): number {
    let nearest = Infinity;
    for (const t of this.#timers.values()) {
      if (t.frequency >= 0 && t.deadline < nearest) nearest = t.deadline;
    }
    if (nearest === Infinity) return -1;
    const us = Math.ceil((nearest - performance.now()) * 1000);
    return us <= 0 ? 0 : Math.min(us / 1000, 0x7fffffff);
  }

  /** The timers due at `now`: a snapshot, so the caller re-checks each before firing it. */
  due(now: number): Timer[] {
    const out: Timer[] = [];
    for (const t of this.#timers.values()) {
      if (t.frequency >= 0 && t.deadline <= now) out.push(t);
    }
    return out;
  }
}
