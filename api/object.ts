// The base of every wrapper: owns one libvirt pointer and releases it exactly once.
import { symbol, type SymbolName } from "../ffi/library.ts";
import { checkWrapperPointer } from "./construct_guard.ts";
import { claimOpenTag, noteOwnPointer, notePointerUse } from "../ffi/inflight.ts";

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
  | "virDomainSnapshotFree"
  | "virDomainCheckpointFree"
  | "virNetworkPortFree"
  | "virInterfaceFree"
  | "virNWFilterFree"
  | "virNWFilterBindingFree"
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
 * @internal How ffi/call_async.ts tracks async calls on a wrapper: `enter` before the call is
 * queued, `leave` once it settled (a release deferred meanwhile happens then); `root` is the
 * object's connection; `pointer` is the pointer even while a release waits.
 */
export let asyncTracking: {
  root(o: LibvirtObject): LibvirtObject;
  enter(o: LibvirtObject): void;
  leave(o: LibvirtObject): void;
  pointer(o: LibvirtObject): Deno.PointerObject | null;
};

// Set by Connection.openAsync while it makes the wrapper of a connection opened on the pool.
let openingAsync = false;

/** @internal Runs `make` (a connection wrapper's construction) for an async open. */
export function wrapAsyncOpen<T>(make: () => T): T {
  openingAsync = true;
  try {
    return make();
  } finally {
    openingAsync = false;
  }
}

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
  // Async calls (ffi/call_async.ts): the connection an object belongs to, how many async calls
  // on it (for a connection: on it or any child) are queued or running, and a release that
  // waits for them because a pool thread may still be using the pointer.
  readonly #root: LibvirtObject;
  #inFlight = 0;
  #deferred: Held | null = null;

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
    // The connection, also for a grandchild (a snapshot's parent is its domain): async calls
    // install their error function on it and queue on it, and the guard keys on it.
    this.#root = parent ? parent.#root : this;
    // A connection: the event registrations libvirt made while opening it are its own.
    if (!parent) claimOpenTag(this, openingAsync);
    // Every sync call given this pointer belongs to the connection (ffi/inflight.ts).
    noteOwnPointer(ptr, this.#root);
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
    // Lets ffi/call.ts know the connection of the sync call about to be made (ffi/inflight.ts).
    notePointerUse(this.#root, this.#held.ptr);
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
    backstop.unregister(this);
    if (held.self) held.parent?.delete(held.self);
    if (this.#inFlight > 0) {
      // A pool thread may be using the pointer: the wrapper is released now (calls throw), the
      // libvirt reference when the last async call settles (see asyncTracking.leave).
      this.#held = null;
      this.#deferred = held;
      return 0;
    }
    return this.#finishRelease(held);
  }

  #finishRelease(held: Held): number {
    this.#held = held; // beforeRelease may still need the pointer (it runs before the free)
    try {
      this.beforeRelease();
    } finally {
      this.#held = null;
    }
    return (symbol(held.free) as (p: Deno.PointerObject) => number)(held.ptr);
  }

  static {
    asyncTracking = {
      root: (o) => o.#root,
      enter(o) {
        o.#inFlight++;
        if (o.#root !== o) o.#root.#inFlight++;
      },
      leave(o) {
        for (const x of o.#root === o ? [o] : [o, o.#root]) {
          if (--x.#inFlight === 0 && x.#deferred !== null) {
            const held = x.#deferred;
            x.#deferred = null;
            x.#finishRelease(held);
          }
        }
      },
      pointer: (o) => o.#held?.ptr ?? o.#deferred?.ptr ?? null,
    };
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
