// Two witnesses of a real guest's events: what this module decoded (EventRecorder, every domain
// event ID registered at once) and what `virsh event --all --loop` printed for the same actions
// (VirshEvents), so the tests can compare payloads field by field.
import {
  type Connection,
  DomainEventID,
  type DomainEventPayloads,
  eventIDName,
} from "../../mod.ts";

/** One event this module delivered. */
export interface Recorded<K extends DomainEventID = DomainEventID> {
  /** The event ID. */
  id: K;
  /** The domain's name. */
  domain: string;
  /** The decoded payload. */
  payload: DomainEventPayloads[K];
}

async function until<T>(find: () => T | undefined, ms: number, what: () => string): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const hit = find();
    if (hit !== undefined) return hit;
    if (Date.now() > end) throw new Error(`Timed out after ${ms} ms waiting for ${what()}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * Every domain event of `conn`, all 27 IDs, recorded in order.
 *
 * @example
 * ```ts
 * import { DomainEventID } from "../../mod.ts";
 * import { EventRecorder } from "./guest_events.ts";
 * declare const conn: import("../../mod.ts").Connection;
 * using rec = new EventRecorder(conn);
 * const ev = await rec.next(DomainEventID.REBOOT, "my-guest");
 * ```
 */
export class EventRecorder {
  /** Everything received so far. */
  readonly events: Recorded[] = [];
  readonly #conn: Connection;
  readonly #ids: number[] = [];
  /** The events earlier `next()` calls returned (events may arrive in any order). */
  readonly #taken = new Set<Recorded>();

  constructor(conn: Connection) {
    this.#conn = conn;
    for (const id of Object.values(DomainEventID)) {
      if (typeof id !== "number" || id >= 27) continue; // 27: libvirt 9.0 has IDs 0–26
      const cb = this.#conn.domainEventRegisterAny(null, id, (_c, dom, payload) => {
        this.events.push({ id, domain: dom.getName(), payload } as Recorded);
        dom.free();
      });
      this.#ids.push(cb);
    }
  }

  /** The IDs seen so far (for the report). */
  seenIDs(): Set<number> {
    return new Set(this.events.map((e) => e.id));
  }

  /** All events of `id` for `domain` received so far. */
  all<K extends DomainEventID>(id: K, domain: string): Recorded<K>[] {
    return this.events.filter((e) => e.id === id && e.domain === domain) as Recorded<K>[];
  }

  /**
   * The first event of `id` for `domain` not returned before (and matching `pred`), waiting up
   * to `ms` for it.
   */
  next<K extends DomainEventID>(
    id: K,
    domain: string,
    pred: (p: DomainEventPayloads[K]) => boolean = () => true,
    ms = 10_000,
  ): Promise<Recorded<K>> {
    return until(
      () => {
        const hit = this.all(id, domain).find((e) => !this.#taken.has(e) && pred(e.payload));
        if (hit) this.#taken.add(hit);
        return hit;
      },
      ms,
      () => `${eventIDName("domain", id)} of ${domain} (have ${this.all(id, domain).length})`,
    );
  }

  /** Deregisters every callback. */
  [Symbol.dispose](): void {
    for (const cb of this.#ids.splice(0)) this.#conn.domainEventDeregisterAny(cb);
  }
}

/** One event as `virsh event` printed it. */
export interface VirshEvent {
  /** virsh's event name: "lifecycle", "block-job-2", … */
  event: string;
  /** The domain's name. */
  domain: string;
  /** The rest of the first line (after "domain 'x'", without a leading ": " or " "). */
  text: string;
  /** The following tab-indented lines (typed parameters: "name: value"). */
  params: Record<string, string>;
}

const HEAD = /^event '([^']+)' for domain '([^']+)'(?::\s?|\s)?(.*)$/;

/**
 * `virsh -c uri event --all --loop`, running beside the test, its output parsed into events.
 *
 * @example
 * ```ts
 * import { VirshEvents } from "./guest_events.ts";
 * declare const uri: string;
 * await using v = await VirshEvents.start(uri, async () => {});
 * const ev = await v.next("reboot", "my-guest");
 * ```
 */
export class VirshEvents {
  /** Everything printed so far, parsed. */
  readonly events: VirshEvent[] = [];
  readonly #child: Deno.ChildProcess;
  readonly #reading: Promise<void>;
  readonly #taken = new Set<VirshEvent>();
  #stderr = "";

  private constructor(child: Deno.ChildProcess) {
    this.#child = child;
    this.#reading = this.#read();
    child.stderr.pipeThrough(new TextDecoderStream()).pipeTo(
      new WritableStream({ write: (s) => void (this.#stderr += s) }),
    ).catch(() => {});
  }

  /**
   * Starts virsh and waits until it listens: `sync` must make one event for a domain named
   * `probe` (e.g. define and undefine it); virsh has registered once it printed that event.
   */
  static async start(uri: string, sync: (probe: string) => void | Promise<void>) {
    const child = new Deno.Command("virsh", {
      args: ["-c", uri, "event", "--all", "--loop"],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const v = new VirshEvents(child);
    const probe = `deno-libvirt-guest-probe-${Deno.pid}`;
    const end = Date.now() + 10_000;
    while (!v.events.some((e) => e.domain === probe)) {
      if (Date.now() > end) {
        await v[Symbol.asyncDispose]();
        throw new Error(`virsh event printed nothing in 10 s; its stderr: ${v.#stderr}`);
      }
      await sync(probe);
      await new Promise((r) => setTimeout(r, 100));
    }
    return v;
  }

  async #read(): Promise<void> {
    let buf = "";
    for await (const chunk of this.#child.stdout.pipeThrough(new TextDecoderStream())) {
      buf += chunk;
      let nl;
      while ((nl = buf.indexOf("\n")) >= 0) {
        this.#line(buf.slice(0, nl));
        buf = buf.slice(nl + 1);
      }
    }
  }

  #line(line: string): void {
    if (line.startsWith("\t")) {
      const last = this.events.at(-1);
      const m = line.trim().match(/^([^:]+): (.*)$/);
      if (last && m) last.params[m[1]] = m[2];
      return;
    }
    const m = line.match(HEAD);
    if (m) this.events.push({ event: m[1], domain: m[2], text: m[3], params: {} });
  }

  /** All events named `event` for `domain` so far. */
  all(event: string, domain: string): VirshEvent[] {
    return this.events.filter((e) => e.event === event && e.domain === domain);
  }

  /** The first `event` of `domain` not returned before (matching `pred`), waiting up to `ms`. */
  next(
    event: string,
    domain: string,
    pred: (e: VirshEvent) => boolean = () => true,
    ms = 10_000,
  ): Promise<VirshEvent> {
    return until(
      () => {
        const hit = this.all(event, domain).find((e) => !this.#taken.has(e) && pred(e));
        if (hit) this.#taken.add(hit);
        return hit;
      },
      ms,
      () => `virsh's '${event}' for ${domain} (have: ${JSON.stringify(this.all(event, domain))})`,
    );
  }

  /** Stops virsh. */
  async [Symbol.asyncDispose](): Promise<void> {
    try {
      this.#child.kill("SIGTERM");
    } catch { /* exited */ }
    await this.#child.status;
    await this.#reading.catch(() => {});
  }
}
