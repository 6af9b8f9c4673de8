// A guest's serial console for the tests: a non-blocking Stream whose output is collected in the
// background (through `stream.readable`) and whose input goes through `stream.writable`.
import { type Domain, Stream } from "../../mod.ts";

const LATIN1 = new TextDecoder("latin1");

/** How the console's readable side ended. */
export type ConsoleEnd = { how: "end" } | { how: "error"; error: Error };

/**
 * An open console on a running guest.
 *
 * @example
 * ```ts
 * import { GuestConsole } from "./guest_console.ts";
 * declare const dom: import("../../mod.ts").Domain;
 * const con = GuestConsole.open(dom);
 * await con.write("hi");
 * await con.waitFor("hi");
 * con.close();
 * ```
 */
export class GuestConsole {
  /** The stream under the console. */
  readonly stream: Stream;
  /** Every byte received so far. */
  received: Uint8Array = new Uint8Array(0);
  /** Settles when the guest side ends: the console was taken over, or the guest stopped. */
  readonly ended: Promise<ConsoleEnd>;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;

  private constructor(stream: Stream) {
    this.stream = stream;
    this.#writer = stream.writable.getWriter();
    this.#writer.closed.catch(() => {}); // its failure shows in `ended` and in write()
    this.ended = this.#collect();
  }

  /** Opens the first console of `dom` (`flags`: `DomainConsoleFlags`). */
  static open(dom: Domain, flags = 0): GuestConsole {
    const st = new Stream(dom.getConnect(), Stream.NONBLOCK);
    try {
      dom.openConsole(null, st, flags);
    } catch (e) {
      st.free();
      throw e;
    }
    return new GuestConsole(st);
  }

  async #collect(): Promise<ConsoleEnd> {
    try {
      for await (const chunk of this.stream.readable) {
        const all = new Uint8Array(this.received.length + chunk.length);
        all.set(this.received);
        all.set(chunk, this.received.length);
        this.received = all;
      }
      return { how: "end" };
    } catch (e) {
      return { how: "error", error: e as Error };
    }
  }

  /** What was received, as text: one character per byte (WHATWG latin1), so indices match. */
  get text(): string {
    return LATIN1.decode(this.received);
  }

  /** Sends bytes (a string is sent as latin1). */
  async write(data: string | Uint8Array): Promise<void> {
    const bytes = typeof data === "string" ? Uint8Array.from(data, (c) => c.charCodeAt(0)) : data;
    await this.#writer.write(bytes);
  }

  /** Waits until `text` appears after byte `from` of the output; returns the index after it. */
  async waitFor(text: string, ms = 10_000, from = 0): Promise<number> {
    const end = Date.now() + ms;
    for (;;) {
      const i = this.text.indexOf(text, from);
      if (i >= 0) return i + text.length;
      if (Date.now() > end) {
        throw new Error(
          `The console did not show ${JSON.stringify(text)} in ${ms} ms; it showed ` +
            JSON.stringify(this.text.slice(from)),
        );
      }
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** Aborts the console (like virsh when the user leaves) and waits for the reader to stop. */
  async close(): Promise<void> {
    this.#writer.releaseLock();
    if (this.stream.state === "active" || this.stream.state === "new") this.stream.abort();
    await this.ended;
    this.stream.free();
  }
}
