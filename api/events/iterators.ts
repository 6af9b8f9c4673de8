// Events as async iterators: registered at once, ended by an AbortSignal, the connection's close
// or the consumer leaving its loop, and deregistered whichever comes first.
import type { DomainEventID } from "../../ffi/enums.ts";
import type {
  NetworkEventID,
  NodeDeviceEventID,
  SecretEventID,
  StoragePoolEventID,
} from "../../ffi/enums.ts";
import type { Connection } from "../connection.ts";
import type { Domain } from "../domain.ts";
import type { Network } from "../network.ts";
import type { StoragePool } from "../storage_pool.ts";
import type { NodeDevice } from "../node_device.ts";
import type { Secret } from "../secret.ts";
import type { LibvirtObject } from "../object.ts";
import type { DomainEventPayloads } from "./domain_payloads.ts";
import type {
  NetworkEventPayloads,
  NodeDeviceEventPayloads,
  SecretEventPayloads,
  StoragePoolEventPayloads,
} from "./object_payloads.ts";
import { DOMAIN_EVENT_IDS } from "./domain_decode.ts";
import { domainEventIDArg, domainEventRegisterAny, domainFilterArg } from "./domain.ts";
import {
  NETWORK,
  NODE_DEVICE,
  objectEventIDArg,
  type ObjectEventSpec,
  objectFilterArg,
  registerObjectEvent,
  SECRET,
  STORAGE_POOL,
} from "./objects.ts";
import { type EventKind, eventsOf, unsubscribe } from "./tracking.ts";
import { mayCallNow, whenAllowed } from "../../ffi/turn.ts";
import { describe } from "../../ffi/marshal.ts";
import { ConnectCloseReason, ErrorDomain, ErrorLevel, ErrorNumber } from "../../ffi/enums.ts";
import { LibvirtError } from "../../ffi/errors.ts";
import { onConnectionLost } from "../close_callback.ts";

/**
 * An async iterator over events. Ends (and deregisters its callbacks) when its signal aborts,
 * its connection closes, `close()` is called or a `for await` loop is left. When libvirt reports
 * the connection lost (end of file, keepalive timeout, I/O error), the events already queued are
 * still yielded, then `next()` throws a LibvirtError that says so (`ErrorNumber.RPC`), once.
 * Events are queued until read, without bound: read them, or close the iterator.
 *
 * @example
 * ```ts
 * import { Connection } from "./mod.ts";
 * using conn = Connection.open("test:///default");
 * await using events = conn.domainEvents();
 * console.log(events.pending); // 0
 * ```
 */
export class EventIterator<T> implements AsyncIterableIterator<T> {
  #queue: T[] = [];
  #waiter: PromiseWithResolvers<IteratorResult<T, undefined>> | null = null;
  #done = false;
  #error: Error | null = null;
  #cleanup: () => void = () => {};

  /** @internal Built by the `Connection.*Events` methods. */
  constructor() {}

  /** @internal Sets what `close()` undoes. */
  onEnd(cleanup: () => void): void {
    this.#cleanup = cleanup;
  }

  /** @internal Delivers one event. */
  push(value: T): void {
    if (this.#done) return;
    if (this.#waiter) {
      this.#waiter.resolve({ done: false, value });
      this.#waiter = null;
    } else {
      this.#queue.push(value);
    }
  }

  /** How many events are queued, unread. */
  get pending(): number {
    return this.#queue.length;
  }

  /** Whether the iterator has ended. */
  get done(): boolean {
    return this.#done;
  }

  /** @internal Ends the iterator with `error`, thrown once the queued events are read. */
  fail(error: Error): void {
    if (this.#done) return;
    this.#done = true;
    this.#error = error;
    try {
      this.#cleanup();
    } finally {
      if (this.#waiter) {
        this.#waiter.reject(error);
        this.#waiter = null;
        this.#error = null;
      }
    }
  }

  /** The next event, or `{ done: true }` once ended. */
  next(): Promise<IteratorResult<T, undefined>> {
    if (this.#queue.length > 0) {
      return Promise.resolve({ done: false, value: this.#queue.shift()! });
    }
    if (this.#error) {
      const error = this.#error;
      this.#error = null;
      return Promise.reject(error);
    }
    if (this.#done) return Promise.resolve({ done: true, value: undefined });
    this.#waiter ??= Promise.withResolvers();
    return this.#waiter.promise;
  }

  /** Ends the iterator (what `break` in `for await` calls). */
  return(): Promise<IteratorResult<T, undefined>> {
    this.close();
    return Promise.resolve({ done: true, value: undefined });
  }

  /**
   * Deregisters the callbacks and ends the iteration; unread events are dropped. Safe twice.
   *
   * @example
   * ```ts
   * import { Connection } from "./mod.ts";
   * using conn = Connection.open("test:///default");
   * const events = conn.domainEvents();
   * events.close();
   * console.log(events.done); // true
   * ```
   */
  close(): void {
    this.#error = null;
    if (this.#done) return;
    this.#done = true;
    this.#queue = [];
    try {
      this.#cleanup();
    } finally {
      this.#waiter?.resolve({ done: true, value: undefined });
      this.#waiter = null;
    }
  }

  /** Returns itself, for `for await`. */
  [Symbol.asyncIterator](): this {
    return this;
  }

  /** Closes the iterator at the end of an `await using` block. */
  [Symbol.asyncDispose](): Promise<void> {
    this.close();
    return Promise.resolve();
  }
}

/** What every `*Events()` method accepts. */
export interface EventStreamOptions {
  /** Ends the iterator when aborted. */
  signal?: AbortSignal;
}

/** Options for `Connection.domainEvents`. */
export interface DomainEventsOptions<K extends DomainEventID> extends EventStreamOptions {
  /** One event ID or several; every ID when omitted. */
  id?: K | readonly K[];
  /** Only this domain's events; every domain when omitted or null. */
  domain?: Domain | null;
}

/** One domain event as the iterator yields it; `id` tells which payload `event` is. */
export type DomainEventRecord<K extends DomainEventID = DomainEventID> = {
  [I in K]: { id: I; domain: Domain; event: DomainEventPayloads[I] };
}[K];

/** Options for the network, pool, node device and secret iterators. */
export interface ObjectEventsOptions<K extends number> extends EventStreamOptions {
  /** One event ID or several; every ID when omitted. */
  id?: K | readonly K[];
}

/** Options for `Connection.networkEvents`. */
export interface NetworkEventsOptions<K extends NetworkEventID> extends ObjectEventsOptions<K> {
  /** Only this network's events; every network when omitted or null. */
  network?: Network | null;
}
/** Options for `Connection.storagePoolEvents`. */
export interface StoragePoolEventsOptions<K extends StoragePoolEventID>
  extends ObjectEventsOptions<K> {
  /** Only this pool's events; every pool when omitted or null. */
  pool?: StoragePool | null;
}
/** Options for `Connection.nodeDeviceEvents`. */
export interface NodeDeviceEventsOptions<K extends NodeDeviceEventID>
  extends ObjectEventsOptions<K> {
  /** Only this device's events; every device when omitted or null. */
  device?: NodeDevice | null;
}
/** Options for `Connection.secretEvents`. */
export interface SecretEventsOptions<K extends SecretEventID> extends ObjectEventsOptions<K> {
  /** Only this secret's events; every secret when omitted or null. */
  secret?: Secret | null;
}

/** One network event. */
export type NetworkEventRecord<K extends NetworkEventID = NetworkEventID> = {
  [I in K]: { id: I; network: Network; event: NetworkEventPayloads[I] };
}[K];
/** One storage pool event. */
export type StoragePoolEventRecord<K extends StoragePoolEventID = StoragePoolEventID> = {
  [I in K]: { id: I; pool: StoragePool; event: StoragePoolEventPayloads[I] };
}[K];
/** One node device event. */
export type NodeDeviceEventRecord<K extends NodeDeviceEventID = NodeDeviceEventID> = {
  [I in K]: { id: I; device: NodeDevice; event: NodeDeviceEventPayloads[I] };
}[K];
/** One secret event. */
export type SecretEventRecord<K extends SecretEventID = SecretEventID> = {
  [I in K]: { id: I; secret: Secret; event: SecretEventPayloads[I] };
}[K];

// A misspelt call (`domainEvents(DomainEventID.LIFECYCLE)`) must not silently mean "all".
function optionsArg<T>(options: T): T {
  if (options === null || typeof options !== "object") {
    throw new TypeError(`The events options must be an object, got ${describe(options)}`);
  }
  return options;
}

function idList<K extends number>(id: K | readonly K[] | undefined, all: readonly number[]): K[] {
  if (id === undefined) return [...all] as K[];
  const list = Array.isArray(id) ? [...id] : [id as K];
  if (list.length === 0) throw new TypeError("The id list is empty");
  return list;
}

// Registers one callback per ID (all of them, or none if one fails), then ties their removal
// to the iterator's end, the signal and the connection's close. On a connection with an async
// call in flight (a server answering an event feed while other requests make `…Async` calls),
// the registration waits for a moment when plain calls are allowed (ffi/turn.ts), and a failure
// then ends the iterator with libvirt's error; the removal at the end waits the same way.
function stream<T>(
  conn: Connection,
  kind: EventKind,
  ids: readonly number[],
  signal: AbortSignal | undefined,
  registerOne: (id: number, push: (v: T) => void) => number,
): EventIterator<T> {
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new TypeError(`signal must be an AbortSignal, got ${describe(signal)}`);
  }
  const it = new EventIterator<T>();
  if (signal?.aborted) {
    it.close();
    return it;
  }
  const callbackIDs: number[] = [];
  const push = (v: T) => it.push(v);
  const deregister = () => {
    if (conn.freed) return;
    for (const cid of callbackIDs.splice(0)) {
      try {
        unsubscribe(conn, kind, cid);
      } catch {
        // Already gone with the connection's close; or, when a registration failed, the
        // registration error is the one to report.
      }
    }
  };
  let stopWatching = () => {};
  const register = () => {
    try {
      for (const id of ids) callbackIDs.push(registerOne(id, push));
    } catch (e) {
      deregister();
      throw e;
    }
    // A dead daemon sends no more events: without this the iterator would wait forever.
    stopWatching = onConnectionLost(
      conn,
      conn.handle("watch the connection"),
      (reason) => it.fail(connectionLost(reason)),
    );
  };
  if (mayCallNow(conn)) {
    register();
  } else {
    conn.handle("register an event callback"); // a closed connection throws at once
    whenAllowed(conn, () => it.done || register()).catch((e) => {
      it.fail(e instanceof Error ? e : new Error(String(e)));
    });
  }
  const onClose = () => it.close();
  const onAbort = () => it.close();
  const st = eventsOf(conn);
  st.onClose.add(onClose);
  signal?.addEventListener("abort", onAbort, { once: true });
  it.onEnd(() => {
    stopWatching();
    signal?.removeEventListener("abort", onAbort);
    st.onClose.delete(onClose);
    void whenAllowed(conn, deregister); // at once when it can be (deregister never throws)
  });
  return it;
}

const REASONS: Record<number, string> = {
  [ConnectCloseReason.ERROR]: "an I/O error",
  [ConnectCloseReason.EOF]: "end of file from the server",
  [ConnectCloseReason.KEEPALIVE]: "keepalive timeout: the server stopped answering",
  [ConnectCloseReason.CLIENT]: "the client closed it",
};

function connectionLost(reason: ConnectCloseReason): LibvirtError {
  return new LibvirtError({
    code: ErrorNumber.RPC,
    domain: ErrorDomain.RPC,
    level: ErrorLevel.ERROR,
    message: `The connection to the hypervisor was lost (${
      REASONS[reason] ?? `reason ${reason}`
    }): no more events will come`,
    int1: reason,
  });
}

/** `Connection.domainEvents`: domain events as an async iterator. */
export function domainEvents<K extends DomainEventID = DomainEventID>(
  conn: Connection,
  options: DomainEventsOptions<K> = {},
): EventIterator<DomainEventRecord<K>> {
  optionsArg(options);
  const domain = domainFilterArg(options.domain);
  const ids = idList(options.id, DOMAIN_EVENT_IDS).map(domainEventIDArg);
  return stream<DomainEventRecord<K>>(
    conn,
    "domain",
    ids,
    options.signal,
    (id, push) =>
      domainEventRegisterAny(conn, domain, id as DomainEventID, (_c, dom, event) => {
        push({ id, domain: dom, event } as DomainEventRecord<K>);
      }),
  );
}

/** @internal The network/pool/device/secret iterators, differing by kind and record key. */
export function objectEvents<O extends LibvirtObject, T>(
  conn: Connection,
  spec: ObjectEventSpec<O>,
  key: string,
  options: ObjectEventsOptions<number>,
): EventIterator<T> {
  optionsArg(options);
  const ids = idList(options.id, Object.values(spec.ids)).map((id) =>
    objectEventIDArg(spec.ids, spec.noun, id)
  );
  const filter = ((options as Record<string, unknown>)[key] ?? null) as O | null;
  objectFilterArg(spec, filter);
  return stream<T>(
    conn,
    spec.kind,
    ids,
    options.signal,
    (id, push) =>
      registerObjectEvent(spec, conn, filter, id, (_c, obj, event) => {
        push({ id, [key]: obj, event } as T);
      }),
  );
}

/** `Connection.networkEvents`. */
export function networkEvents<K extends NetworkEventID = NetworkEventID>(
  conn: Connection,
  options: NetworkEventsOptions<K> = {},
): EventIterator<NetworkEventRecord<K>> {
  return objectEvents(conn, NETWORK, "network", options);
}

/** `Connection.storagePoolEvents`. */
export function storagePoolEvents<K extends StoragePoolEventID = StoragePoolEventID>(
  conn: Connection,
  options: StoragePoolEventsOptions<K> = {},
): EventIterator<StoragePoolEventRecord<K>> {
  return objectEvents(conn, STORAGE_POOL, "pool", options);
}

/** `Connection.nodeDeviceEvents`. */
export function nodeDeviceEvents<K extends NodeDeviceEventID = NodeDeviceEventID>(
  conn: Connection,
  options: NodeDeviceEventsOptions<K> = {},
): EventIterator<NodeDeviceEventRecord<K>> {
  return objectEvents(conn, NODE_DEVICE, "device", options);
}

/** `Connection.secretEvents`. */
export function secretEvents<K extends SecretEventID = SecretEventID>(
  conn: Connection,
  options: SecretEventsOptions<K> = {},
): EventIterator<SecretEventRecord<K>> {
  return objectEvents(conn, SECRET, "secret", options);
}
