// How each domain event ID's C arguments become its typed payload (and which C signature it has).
import { DomainEventID } from "../../ffi/enums.ts";
import type { DomainEventGraphicsPhase, DomainEventIOErrorAction } from "../../ffi/enums.ts";
import { decodeTypedParams, type TypedParam, typedParamsToRecord } from "../typed_params.ts";
import type {
  DomainBlockJobEvent,
  DomainEventPayloads,
  DomainGraphicsAddress,
  DomainGraphicsIdentity,
  DomainLifecycleEvent,
} from "./domain_payloads.ts";
import { type Shape, str } from "./dispatch.ts";
import { readGraphicsAddress, readGraphicsIdentities } from "../struct_readers.ts";

type Args = readonly unknown[];

/** A decoder: the C signature to register with, and the conversion of its arguments. */
export interface Decoder<P> {
  /** Which shared C callback serves this ID. */
  shape: Shape;
  /** Turns the arguments between the object and `opaque` into the payload. */
  decode(args: Args): P;
}

type Decoders = { [K in DomainEventID]: Decoder<DomainEventPayloads[K]> };

// Integers from C arrive as numbers; libvirt's enums are ints, so they are cast to their enum
// types (a newer daemon may send a value this module does not name, which stays a number).
const n = <T extends number>(v: unknown): T => v as T;
const s = (v: unknown): string => str(v) ?? "";
const empty = (): Record<string, never> => ({});
const reason = (a: Args) => ({ reason: n<number>(a[0]) });
const device = (a: Args) => ({ devAlias: s(a[0]) });
// Under a DefaultEventLoop the event relay's Worker reads the structs of an event while libvirt
// still owns them, and passes them on decoded (api/events/relay.ts): a parameter array, an
// address object, an identity array. The JS thread's own callbacks still get the pointers.
const params = (a: Args) => ({
  params: typedParamsToRecord(
    Array.isArray(a[0])
      ? a[0] as TypedParam[]
      : decodeTypedParams(a[0] as Deno.PointerValue, n(a[1])),
  ),
});
const blockJob = (a: Args): DomainBlockJobEvent => ({
  disk: s(a[0]),
  type: n(a[1]),
  status: n(a[2]),
});
const ioError = (a: Args) => ({
  srcPath: s(a[0]),
  devAlias: s(a[1]),
  action: n<DomainEventIOErrorAction>(a[2]),
});

// A graphics event's address and subject, read by the same readers as the relay's Worker uses.
function address(p: unknown): DomainGraphicsAddress | null {
  if (p === null) return null;
  if ("family" in (p as object)) return p as DomainGraphicsAddress; // read by the relay
  return readGraphicsAddress(p as Deno.PointerObject);
}

function subject(p: unknown): DomainGraphicsIdentity[] {
  if (p === null) return [];
  if (Array.isArray(p)) return p; // read by the relay
  return readGraphicsIdentities(p as Deno.PointerObject);
}

/** The decoder of every domain event ID, checked complete by the type. */
export const DOMAIN_DECODERS: Decoders = {
  [DomainEventID.LIFECYCLE]: {
    shape: "lifecycleInt",
    decode: (a) => ({ event: n(a[0]), detail: n(a[1]) }) as DomainLifecycleEvent,
  },
  [DomainEventID.REBOOT]: { shape: "none", decode: empty },
  [DomainEventID.RTC_CHANGE]: {
    shape: "i64",
    decode: (a) => ({ utcOffset: BigInt(a[0] as bigint) }),
  },
  [DomainEventID.WATCHDOG]: { shape: "int", decode: (a) => ({ action: n(a[0]) }) },
  [DomainEventID.IO_ERROR]: { shape: "strStrInt", decode: ioError },
  [DomainEventID.GRAPHICS]: {
    shape: "graphics",
    decode: (a) => ({
      phase: n<DomainEventGraphicsPhase>(a[0]),
      local: address(a[1]),
      remote: address(a[2]),
      authScheme: s(a[3]),
      subject: subject(a[4]),
    }),
  },
  [DomainEventID.IO_ERROR_REASON]: {
    shape: "strStrIntStr",
    decode: (a) => ({ ...ioError(a), reason: s(a[3]) }),
  },
  [DomainEventID.CONTROL_ERROR]: { shape: "none", decode: empty },
  [DomainEventID.BLOCK_JOB]: { shape: "strIntInt", decode: blockJob },
  [DomainEventID.DISK_CHANGE]: {
    shape: "strStrStrInt",
    decode: (a) => ({
      oldSrcPath: str(a[0]),
      newSrcPath: str(a[1]),
      devAlias: s(a[2]),
      reason: n(a[3]),
    }),
  },
  [DomainEventID.TRAY_CHANGE]: {
    shape: "strInt",
    decode: (a) => ({ devAlias: s(a[0]), reason: n(a[1]) }),
  },
  [DomainEventID.PMWAKEUP]: { shape: "int", decode: reason },
  [DomainEventID.PMSUSPEND]: { shape: "int", decode: reason },
  [DomainEventID.BALLOON_CHANGE]: {
    shape: "u64",
    decode: (a) => ({ actual: BigInt(a[0] as bigint) }),
  },
  [DomainEventID.PMSUSPEND_DISK]: { shape: "int", decode: reason },
  [DomainEventID.DEVICE_REMOVED]: { shape: "str", decode: device },
  [DomainEventID.BLOCK_JOB_2]: { shape: "strIntInt", decode: blockJob },
  [DomainEventID.TUNABLE]: { shape: "paramsInt", decode: params },
  [DomainEventID.AGENT_LIFECYCLE]: {
    shape: "intInt",
    decode: (a) => ({ state: n(a[0]), reason: n(a[1]) }),
  },
  [DomainEventID.DEVICE_ADDED]: { shape: "str", decode: device },
  [DomainEventID.MIGRATION_ITERATION]: { shape: "int", decode: (a) => ({ iteration: n(a[0]) }) },
  [DomainEventID.JOB_COMPLETED]: { shape: "paramsInt", decode: params },
  [DomainEventID.DEVICE_REMOVAL_FAILED]: { shape: "str", decode: device },
  [DomainEventID.METADATA_CHANGE]: {
    shape: "intStr",
    decode: (a) => ({ type: n(a[0]), nsuri: str(a[1]) }),
  },
  [DomainEventID.BLOCK_THRESHOLD]: {
    shape: "strStrU64U64",
    decode: (a) => ({
      dev: s(a[0]),
      path: str(a[1]),
      threshold: BigInt(a[2] as bigint),
      excess: BigInt(a[3] as bigint),
    }),
  },
  [DomainEventID.MEMORY_FAILURE]: {
    shape: "intIntU32",
    decode: (a) => ({ recipient: n(a[0]), action: n(a[1]), flags: n(a[2]) }),
  },
  [DomainEventID.MEMORY_DEVICE_SIZE_CHANGE]: {
    shape: "strU64",
    decode: (a) => ({ alias: s(a[0]), size: BigInt(a[1] as bigint) }),
  },
};

/** Every domain event ID libvirt 9.0 defines, in numeric order. */
export const DOMAIN_EVENT_IDS: readonly DomainEventID[] = Object.values(DomainEventID)
  .sort((a, b) => a - b);
