// The base of every wrapper: owns one libvirt pointer and releases it exactly once.
import { symbol, type SymbolName } from "../ffi/library.ts";
import { checkWrapperPointer } from "./construct_guard.ts";

type FreeName = Extract<
  SymbolName,
  | "virConnectClose"
  | "virDomainFree"
  | "virStoragePoolFree"
  | "virStorageVolFree"
  | "virNetworkFree"
  | "virNodeDeviceFree"
  | "virSecretFree"
  | "virStreamFree"
>;

interface Held {
  ptr: Deno.PointerObject;
  free: FreeName;
  parent?: Set<WeakRef<LibvirtObject>>;
  self?: WeakRef<LibvirtObject>;
}

// The backstop for wrappers dropped without free(): libvirt's reference is released when the
// wrapper is collected. It runs on the JS thread, outside any FFI call.
const backstop = new FinalizationRegistry<Held>((held) => {
  if (held.self) held.parent?.delete(held.self);
  (symbol(held.free) as (p: Deno.PointerObject) => number)(held.ptr);
});

/**
 * A libvirt object owned by this module: a pointer, the function that releases it, and the
 * parent that tracks it (a connection frees its children when it closes, so no child ever
 * reaches libvirt through a connection the user closed).
 *
 * @example
 * ```ts
 * import { Connection } from "./mod.ts";
 * using conn = Connection.open("test:///default");
 * const dom = conn.lookupDomainByName("test");
 * dom.free();
 * console.log(dom.freed); // true
 * ```
 */
export abstract class LibvirtObject {
  #held: Held | null;
  readonly #kind: string;

  /** Takes ownership of `ptr`, which `free` releases. Subclasses only. */
  protected constructor(
    ptr: Deno.PointerObject,
    free: FreeName,
    kind: string,
    parent?: LibvirtObject,
  ) {
    checkWrapperPointer(kind, ptr); // `new Connection(uri)` from JS: say where wrappers come from
    this.#kind = kind;
    this.#held = { ptr, free };
    if (parent) {
      const children = parent.children();
      const self = new WeakRef<LibvirtObject>(this);
      children.add(self);
      this.#held.parent = children;
      this.#held.self = self;
    }
    backstop.register(this, this.#held, this);
  }

  #children?: Set<WeakRef<LibvirtObject>>;

  /** The set of live children this object frees before itself. */
  protected children(): Set<WeakRef<LibvirtObject>> {
    return this.#children ??= new Set();
  }

  /**
   * The libvirt pointer, for a call about to be made. Throws when the object was released,
   * so no call ever passes a freed pointer to libvirt.
   */
  protected ptr(verb: string): Deno.PointerObject {
    if (this.#held === null) {
      throw new Error(`Cannot ${verb}: this ${this.#kind} was ${this.releasedWord()}`);
    }
    return this.#held.ptr;
  }

  /** The word used in errors for a released object ("freed", "closed"). */
  protected releasedWord(): string {
    return "freed";
  }

  /** Whether `free()` (or the parent's close) released this object. */
  get freed(): boolean {
    return this.#held === null;
  }

  /**
   * The raw libvirt pointer (unsafe: valid only while this object is not freed).
   * Throws once the object is freed.
   */
  get unsafePointer(): Deno.PointerObject {
    return this.ptr("get the pointer");
  }

  /** Children first, then this object's own reference. Returns what the release call returned. */
  protected release(): number {
    const held = this.#held;
    if (held === null) return 0;
    if (this.#children) {
      for (const ref of [...this.#children]) ref.deref()?.free();
      this.#children.clear();
    }
    this.beforeRelease();
    this.#held = null;
    backstop.unregister(this);
    if (held.self) held.parent?.delete(held.self);
    return (symbol(held.free) as (p: Deno.PointerObject) => number)(held.ptr);
  }

  /** A hook for subclasses to drop registrations before the pointer goes. */
  protected beforeRelease(): void {}

  /** Releases libvirt's reference; safe to call twice. */
  free(): void {
    this.release();
  }

  /** Releases the object at the end of a `using` block. */
  [Symbol.dispose](): void {
    this.free();
  }
}
