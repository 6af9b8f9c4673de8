// Shared C callbacks: one UnsafeCallback per C signature, living as long as the process, with
// JS handlers found through the integer id libvirt hands back as `void *opaque`.
import { idPointer, pointerId } from "./marshal.ts";
import { log } from "../log.ts";

/**
 * Creates a callback that lives for the whole process and does not keep it alive.
 *
 * Why shared and never closed: libvirt may still hold a function pointer after the JS side is
 * done with it (a deregistration racing a dispatch on libvirt's loop thread), and closing a
 * callback that C can still call crashes the process. One callback per signature costs nothing.
 * Why unref'd: a pending registration must not stop a script from exiting by itself; what keeps
 * the process alive is the event loop's own pending work (see event/).
 * Why made on first use: modules declare their callbacks at top level, and creating them all at
 * import cost a script that never registers anything (issue 16, start-up); the first read of
 * `pointer` creates the callback, on the JS thread, before libvirt can know the pointer.
 */
export function permanentCallback<const D extends Deno.UnsafeCallbackDefinition>(
  definition: D,
  fn: Deno.UnsafeCallbackFunction<D["parameters"], D["result"]>,
): PermanentCallback<D> {
  let cb: Deno.UnsafeCallback<D> | null = null;
  return {
    get pointer(): Deno.PointerObject<D> {
      if (cb === null) {
        cb = new Deno.UnsafeCallback(definition, fn);
        cb.unref();
      }
      return cb.pointer;
    },
  };
}

/** A callback of `permanentCallback`: its C function pointer, created when first read. */
export interface PermanentCallback<D extends Deno.UnsafeCallbackDefinition> {
  /** The function pointer to hand to libvirt (never closed; see `permanentCallback`). */
  readonly pointer: Deno.PointerObject<D>;
}

/**
 * Maps the ids passed as `opaque` to their JS handlers. Ids start at 1 and are never reused, so a
 * late call for a removed id finds nothing instead of a stranger's handler.
 */
export class OpaqueRegistry<T> {
  #next = 1;
  readonly #entries = new Map<number, T>();

  /** Stores `value`; returns the id and the pointer that carries it. */
  add(value: T): { id: number; opaque: Deno.PointerValue } {
    const id = this.#next++;
    this.#entries.set(id, value);
    return { id, opaque: idPointer(id) };
  }

  /** The value for an opaque pointer, if it is still registered. */
  get(opaque: Deno.PointerValue): T | undefined {
    return this.#entries.get(pointerId(opaque));
  }

  /** The value for an id, if it is still registered. */
  byId(id: number): T | undefined {
    return this.#entries.get(id);
  }

  /** Forgets the value for an opaque pointer; returns it. */
  take(opaque: Deno.PointerValue): T | undefined {
    const id = pointerId(opaque);
    const v = this.#entries.get(id);
    this.#entries.delete(id);
    return v;
  }

  /** Forgets an id. */
  delete(id: number): boolean {
    return this.#entries.delete(id);
  }

  /** The values registered now. */
  values(): IterableIterator<T> {
    return this.#entries.values();
  }

  /** How many values are registered. */
  get size(): number {
    return this.#entries.size;
  }
}

/** Reports an error thrown by user code inside a callback, so it never unwinds into C. */
export function reportCallbackError(where: string, e: unknown): void {
  // Always visible: a swallowed exception in an event handler is a bug the user must see.
  console.error(`libvirt: uncaught error in ${where}:`, e);
  log("warn", `callback threw in ${where}`, { error: e });
}

/**
 * A callable for a C function pointer that libvirt hands over (a handle, timeout or free
 * callback), made once per pointer and kept in `cache`: libvirt passes the same few functions
 * again and again, and making an `UnsafeFnPointer` per call would cost more than the call.
 *
 * @example
 * ```ts
 * import { callable } from "./ffi/callbacks.ts";
 * const def = { parameters: ["pointer"], result: "void" } as const;
 * const cache = new Map<bigint, Deno.UnsafeFnPointer<typeof def>>();
 * declare const free: Deno.PointerObject; // a `void (*)(void *)` from libvirt
 * callable(cache, free, def).call(null);
 * ```
 */
export function callable<D extends Deno.ForeignFunction>(
  cache: Map<bigint, Deno.UnsafeFnPointer<D>>,
  ptr: Deno.PointerObject,
  def: D,
): Deno.UnsafeFnPointer<D> {
  const key = BigInt(Deno.UnsafePointer.value(ptr));
  let fn = cache.get(key);
  if (!fn) {
    fn = new Deno.UnsafeFnPointer(ptr as Deno.PointerObject<D>, def);
    cache.set(key, fn);
  }
  return fn;
}
