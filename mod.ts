/**
 * libvirt for Deno, through `Deno.dlopen` on libvirt.so: connections, domains, storage,
 * networks, libvirt's event loop (its own, or one on Deno's loop) and streams.
 *
 * Run with `--allow-ffi` (and `--allow-env=LIBVIRT_PATH` to point at another libvirt).
 *
 * @example
 * ```ts
 * import { Connection } from "./mod.ts";
 * using conn = Connection.open("test:///default");
 * for (const dom of conn.listAllDomains()) console.log(dom.getName(), dom.getState().state);
 * ```
 *
 * @module
 */
export { LibvirtError } from "./ffi/errors.ts";
export type { LibvirtErrorInit } from "./ffi/errors.ts";
export * from "./ffi/enums.ts";
export { LIBVIRT_PATH_ENV } from "./ffi/library.ts";
export { LibvirtObject } from "./api/object.ts";
export { Connection, decodeVersion } from "./api/connection.ts";
export type { CloseReason, OpenOptions, Version } from "./api/connection.ts";
export type { AuthOptions, Credential } from "./api/auth.ts";
export { Domain } from "./api/domain.ts";
export type { DomainStateInfo } from "./api/domain.ts";
export { StoragePool } from "./api/storage_pool.ts";
export { StorageVol } from "./api/storage_vol.ts";
export { Network } from "./api/network.ts";
export { NodeDevice } from "./api/node_device.ts";
export { Secret } from "./api/secret.ts";
export type { DomainInfo, NodeInfo, StoragePoolInfo, StorageVolInfo } from "./api/info.ts";
export * from "./api/events/mod.ts";
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
export { Stream } from "./stream/stream.ts";
export type { StreamEventCallback, StreamState } from "./stream/stream.ts";
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
export { LOG_CATEGORY, setLogger } from "./log.ts";
export type { Logger, LogLevel } from "./log.ts";
export * as Event from "./event/mod.ts";
export { DefaultEventLoop, DenoEventImpl, EventImpl } from "./event/mod.ts";
export type { HandleCallback, TimeoutCallback } from "./event/mod.ts";
