// Stream event callbacks: one permanent C callback for every stream, handlers found by opaque id.
import { callInt } from "../ffi/call.ts";
import { OpaqueRegistry, permanentCallback, reportCallbackError } from "../ffi/callbacks.ts";

/** What a stream's registration runs when libvirt reports events on it. */
export type StreamDispatch = (events: number) => void;

const dispatchers = new OpaqueRegistry<StreamDispatch>();

// virStreamEventCallback(virStreamPtr stream, int events, void *opaque). libvirt calls it from
// whichever thread runs its event loop: the JS thread for a loop on Deno's, or the default
// loop's thread, which Deno parks until the JS thread has run this function.
const eventCallback = permanentCallback(
  { parameters: ["pointer", "i32", "pointer"], result: "void" } as const,
  (_stream, events, opaque) => {
    const dispatch = dispatchers.get(opaque);
    if (!dispatch) return;
    try {
      dispatch(events);
    } catch (e) {
      reportCallbackError("stream event callback", e);
    }
  },
);

// virFreeCallback for the opaque: libvirt calls it when it drops the registration, possibly
// long after virStreamEventRemoveCallback returned (fdstreams free it with their loop handle).
const eventFree = permanentCallback(
  { parameters: ["pointer"], result: "void" } as const,
  (opaque) => void dispatchers.take(opaque),
);

/**
 * Registers `dispatch` for `events` on a stream; returns the id `removeStreamCallback` needs.
 * The caller must hold the only registration libvirt allows per stream.
 */
export function addStreamCallback(
  stream: Deno.PointerObject,
  events: number,
  dispatch: StreamDispatch,
): number {
  const { id, opaque } = dispatchers.add(dispatch);
  try {
    callInt(
      "virStreamEventAddCallback",
      stream,
      events,
      eventCallback.pointer,
      opaque,
      eventFree.pointer,
    );
  } catch (e) {
    // libvirt calls the free function only for registrations it accepted.
    dispatchers.delete(id);
    throw e;
  }
  return id;
}

/** Changes the events a registered callback watches. */
export function updateStreamCallback(stream: Deno.PointerObject, events: number): void {
  callInt("virStreamEventUpdateCallback", stream, events);
}

/**
 * Removes the registration. The handler is forgotten at once: a dispatch already queued on
 * libvirt's loop thread then finds nothing, and libvirt's later free call is a no-op.
 */
export function removeStreamCallback(stream: Deno.PointerObject, id: number): void {
  dispatchers.delete(id);
  callInt("virStreamEventRemoveCallback", stream);
}

/** How many stream callbacks are registered in this process (tests check cleanup with it). */
export function liveStreamCallbacks(): number {
  return dispatchers.size;
}
