// DomainOverrides: the hand-written Domain methods libvirt's generator cannot write (typed
// parameters, structs, out-arrays, cpumaps), between the generated base and Domain. They live
// in api/domain/, one file per group of libvirt's reference, chained in this order:
// params → device_params → stats → vcpus → guest → block → migrate → misc.
import { DomainMisc } from "./domain/misc.ts";

// The chain's classes and every type their methods take or return, for mod.ts to re-export.
export type { DomainParams } from "./domain/params.ts";
export type { DomainDeviceParams } from "./domain/device_params.ts";
export type { DomainStats } from "./domain/stats.ts";
export type { DomainVcpus } from "./domain/vcpus.ts";
export type { DomainGuest } from "./domain/guest.ts";
export type { DomainBlock } from "./domain/block.ts";
export type { DomainMigrate } from "./domain/migrate.ts";
export type { DomainMisc } from "./domain/misc.ts";
export type { ParamInput, Widen } from "./param_codec.ts";
export type * from "./typed_param_names.ts";
export type {
  DomainBlockInfo,
  DomainBlockJobInfo,
  DomainBlockStats,
  DomainControlInfo,
  DomainInterfaceStats,
  DomainJobInfo,
  SecurityLabel,
  SecurityModel,
  VcpuInfo,
} from "./structs.ts";

export type { SchedulerType } from "./domain/params.ts";
export type { DomainJobStats } from "./domain/stats.ts";
export type { DomainVcpuInfo, IOThreadInfo } from "./domain/vcpus.ts";
export type { DomainFSInfo, DomainInterface, DomainIPAddress, DomainTime } from "./domain/guest.ts";
export type { DomainDiskError } from "./domain/block.ts";

/**
 * The hand-written half of `Domain`'s wide API, on top of the generated methods. Use `Domain`.
 *
 * @example
 * ```ts
 * import { Connection, Domain } from "./mod.ts";
 * using conn = Connection.open("test:///default");
 * console.log(conn.lookupDomainByName("test") instanceof Domain); // true
 * ```
 */
export abstract class DomainOverrides extends DomainMisc {}
