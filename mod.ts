/**
 * libvirt for Deno, through `Deno.dlopen` on libvirt.so: connections, domains, storage,
 * networks, libvirt's event loop (its own, or one on Deno's loop) and streams. The model is
 * Perl's Sys::Virt: libvirt's C API with the `vir` prefixes dropped, in camelCase.
 *
 * Where to start:
 * - {@link Connection}: `Connection.open(uri)` / `openReadOnly(uri)`, then lookups, lists,
 *   define/create, node info and events (`conn.domainEvents()`, `domainEventRegisterAny`).
 * - {@link Domain}, {@link StoragePool}, {@link StorageVol}, {@link Network},
 *   {@link NodeDevice}, {@link Secret}: the objects a connection hands out.
 * - {@link Event}: register an event loop once, before the first connection
 *   (`Event.register(new DenoEventImpl())`); events, keepalive and remote streams need it.
 * - {@link Stream}: volume upload/download, screenshots, consoles; `recvAll`/`sendAll` or Web
 *   Streams (`stream.readable`, `vol.download()`).
 * - {@link LibvirtError}: every libvirt failure (libvirt's `-1`/NULL), with libvirt's `code`.
 * - Enums keep libvirt's names and values (`DomainState.RUNNING`, `ErrorNumber.NO_DOMAIN`);
 *   {@link enumName} turns a value back into its name.
 *
 * Run with `--allow-ffi` (and `--allow-env=LIBVIRT_PATH` to point at another libvirt).
 *
 * @example
 * ```ts
 * import { Connection, DomainState, enumName } from "./mod.ts";
 * using conn = Connection.open("test:///default");
 * for (const dom of conn.listAllDomains()) {
 *   console.log(dom.getName(), enumName(DomainState, dom.getState().state));
 * }
 * ```
 *
 * @module
 */
// Convention: this file is a list of re-exports, grouped by what a user reaches for first.
// Add a new object kind to "Connection and the objects it hands out", its info/record types
// beside it, and pointer-level helpers at the end ("Low level"). No code here.

// Connection and the objects it hands out.
export { Connection, decodeVersion } from "./api/connection.ts";
export type { CloseReason, OpenOptions, Version } from "./api/connection.ts";
export type { AuthOptions, Credential } from "./api/auth.ts";
export { Domain } from "./api/domain.ts";
export type { DomainStateInfo } from "./api/domain.ts";
export type { AsyncJobOptions } from "./ffi/abort.ts";
export { StoragePool } from "./api/storage_pool.ts";
export { StorageVol } from "./api/storage_vol.ts";
export { Network } from "./api/network.ts";
export { NodeDevice } from "./api/node_device.ts";
export { Secret } from "./api/secret.ts";
export type { DomainInfo, NodeInfo, StoragePoolInfo, StorageVolInfo } from "./api/info.ts";
export { DomainSnapshot } from "./api/domain_snapshot.ts";
export { DomainCheckpoint } from "./api/domain_checkpoint.ts";
export { NetworkPort } from "./api/network_port.ts";
export type { NetworkDHCPLease } from "./api/network.ts";
export { Interface } from "./api/interface.ts";
export { NWFilter } from "./api/nwfilter.ts";
export { NWFilterBinding } from "./api/nwfilter_binding.ts";
export type { QemuMonitorCommandResult, QemuMonitorEvent } from "./api/qemu.ts";
export { getVersion } from "./api/version.ts";

// Errors.
export { LibvirtError } from "./ffi/errors.ts";
export type { LibvirtErrorInit } from "./ffi/errors.ts";

// The event loop (Sys::Virt::Event) and typed events.
export * as Event from "./event/mod.ts";
export {
  DefaultEventLoop,
  DenoEventImpl,
  type DenoEventImplOptions,
  EventImpl,
} from "./event/mod.ts";
export type { HandleCallback, TimeoutCallback } from "./event/mod.ts";
export * from "./api/events/mod.ts";

// Streams.
export { Stream } from "./stream/stream.ts";
export type { StreamEventCallback, StreamState, StreamTransferOptions } from "./stream/stream.ts";
export { STREAM_CHUNK } from "./stream/all.ts";
export type {
  DataSection,
  RecvHandler,
  SendHandler,
  SinkHoleHandler,
  SkipHandler,
  SourceHoleHandler,
} from "./stream/all.ts";
export { downloadToFile, uploadFromFile } from "./stream/volume_transfer.ts";
export type {
  DownloadOptions,
  TransferOptions,
  UploadOptions,
  UploadSource,
} from "./stream/volume_transfer.ts";
export { sparseFileSink, sparseFileSource } from "./stream/sparse_file.ts";
export type { SparseFileSink, SparseFileSource } from "./stream/sparse_file.ts";
export type { WebStreamOptions } from "./stream/web.ts";

// Enums and flags (libvirt's names and values), and their names back.
export * from "./ffi/enums.ts";
export { enumName, flagNames } from "./ffi/enum_names.ts";
export type { EnumObject } from "./ffi/enum_names.ts";

// Logging and printing results.
export { LOG_CATEGORY, setLogger } from "./log.ts";
export type { Logger, LogLevel } from "./log.ts";
export { withBigIntJSON } from "./ffi/json.ts";

// Low level: loading, the wrapper base class, typed parameters as libvirt lays them out.
export { LIBVIRT_PATH_ENV } from "./ffi/library.ts";
export { LibvirtObject } from "./api/object.ts";
export type { DomainChild, DomainChildKind } from "./api/domain_child.ts";
// The generated bases of the object classes (api/generated/, by tools/gen_api.ts).
export type { ConnectionGenerated } from "./api/generated/connection.ts";
export type { DomainGenerated } from "./api/generated/domain.ts";
export type { DomainCheckpointGenerated } from "./api/generated/domain_checkpoint.ts";
export type { DomainSnapshotGenerated } from "./api/generated/domain_snapshot.ts";
export type { InterfaceGenerated } from "./api/generated/interface.ts";
export type { NetworkGenerated } from "./api/generated/network.ts";
export type { NetworkPortGenerated } from "./api/generated/network_port.ts";
export type { NodeDeviceGenerated } from "./api/generated/node_device.ts";
export type { NWFilterGenerated } from "./api/generated/nwfilter.ts";
export type { NWFilterBindingGenerated } from "./api/generated/nwfilter_binding.ts";
export type { SecretGenerated } from "./api/generated/secret.ts";
export type { StoragePoolGenerated } from "./api/generated/storage_pool.ts";
export type { StorageVolGenerated } from "./api/generated/storage_vol.ts";
// Their methods' types and docs (modules of types only, never loaded when a program runs).
export type { ConnectionMethods } from "./api/generated/connection_methods.ts";
export type { DomainMethods } from "./api/generated/domain_methods.ts";
export type { DomainCheckpointMethods } from "./api/generated/domain_checkpoint_methods.ts";
export type { DomainSnapshotMethods } from "./api/generated/domain_snapshot_methods.ts";
export type { InterfaceMethods } from "./api/generated/interface_methods.ts";
export type { NetworkMethods } from "./api/generated/network_methods.ts";
export type { NetworkPortMethods } from "./api/generated/network_port_methods.ts";
export type { NodeDeviceMethods } from "./api/generated/node_device_methods.ts";
export type { NWFilterMethods } from "./api/generated/nwfilter_methods.ts";
export type { NWFilterBindingMethods } from "./api/generated/nwfilter_binding_methods.ts";
export type { SecretMethods } from "./api/generated/secret_methods.ts";
export type { StoragePoolMethods } from "./api/generated/storage_pool_methods.ts";
export type { StorageVolMethods } from "./api/generated/storage_vol_methods.ts";
export type { ConnectionOverrides } from "./api/connection_overrides.ts";
export type { DomainOverrides } from "./api/domain_overrides.ts";
// The hand-written overrides' classes, results and parameter records (api/domain/, api/conn/).
export type * from "./api/domain_overrides.ts";
export type * from "./api/connection_overrides.ts";
export {
  decodeTypedParams,
  encodeTypedParams,
  takeTypedParams,
  TYPED_PARAM_FIELD_LENGTH,
  TYPED_PARAM_SIZE,
  typedParamsToRecord,
} from "./api/typed_params.ts";
export type {
  EncodedTypedParams,
  TypedParam,
  TypedParams,
  TypedParamValue,
} from "./api/typed_params.ts";
