// ConnectionOverrides: the hand-written Connection methods libvirt's generator cannot write
// (typed parameters, structs, out-arrays), between the generated base and Connection. They live
// in api/conn/, one file per group, chained in this order: node → lists → domains.
import { ConnectionDomains } from "./conn/domains.ts";

// The chain's classes and the types their methods take or return, for mod.ts to re-export.
export type { ConnectionNode } from "./conn/node.ts";
export type { ConnectionLists } from "./conn/lists.ts";
export type { ConnectionDomains } from "./conn/domains.ts";

export type { NodeCPUMap, NodeFreePages } from "./conn/node.ts";
export type { BaselineHypervisorOptions, DomainStatsRecord } from "./conn/domains.ts";

/**
 * The hand-written half of `Connection`'s wide API, on top of the generated methods. Use
 * `Connection`.
 *
 * @example
 * ```ts
 * import { Connection } from "./mod.ts";
 * using conn = Connection.open("test:///default");
 * console.log(conn instanceof Connection); // true
 * ```
 */
export abstract class ConnectionOverrides extends ConnectionDomains {}
