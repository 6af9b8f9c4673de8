// The typed payload of every domain event ID in libvirt 9.0, and the map from ID to payload.
import type {
  ConnectDomainEventAgentLifecycleReason,
  ConnectDomainEventAgentLifecycleState,
  ConnectDomainEventBlockJobStatus,
  ConnectDomainEventDiskChangeReason,
  DomainBlockJobType,
  DomainEventCrashedDetailType,
  DomainEventDefinedDetailType,
  DomainEventGraphicsAddressType,
  DomainEventGraphicsPhase,
  DomainEventID,
  DomainEventIOErrorAction,
  DomainEventPMSuspendedDetailType,
  DomainEventResumedDetailType,
  DomainEventShutdownDetailType,
  DomainEventStartedDetailType,
  DomainEventStoppedDetailType,
  DomainEventSuspendedDetailType,
  DomainEventTrayChangeReason,
  DomainEventType,
  DomainEventUndefinedDetailType,
  DomainEventWatchdogAction,
  DomainMemoryFailureActionType,
  DomainMemoryFailureRecipientType,
  DomainMetadataType,
} from "../../ffi/enums.ts";
import type { TypedParams } from "../typed_params.ts";

/** One lifecycle event type with its own detail enum. */
export interface DomainLifecycleOf<E extends DomainEventType, D extends number> {
  /** What happened. */
  event: E;
  /** Why, in the detail enum of `event`. */
  detail: D;
}

/**
 * A lifecycle event (`DomainEventID.LIFECYCLE`): `event` is a `DomainEventType` and `detail`
 * the detail enum of that type (checking `event` narrows `detail`).
 */
export type DomainLifecycleEvent =
  | DomainLifecycleOf<typeof DomainEventType.DEFINED, DomainEventDefinedDetailType>
  | DomainLifecycleOf<typeof DomainEventType.UNDEFINED, DomainEventUndefinedDetailType>
  | DomainLifecycleOf<typeof DomainEventType.STARTED, DomainEventStartedDetailType>
  | DomainLifecycleOf<typeof DomainEventType.SUSPENDED, DomainEventSuspendedDetailType>
  | DomainLifecycleOf<typeof DomainEventType.RESUMED, DomainEventResumedDetailType>
  | DomainLifecycleOf<typeof DomainEventType.STOPPED, DomainEventStoppedDetailType>
  | DomainLifecycleOf<typeof DomainEventType.SHUTDOWN, DomainEventShutdownDetailType>
  | DomainLifecycleOf<typeof DomainEventType.PMSUSPENDED, DomainEventPMSuspendedDetailType>
  | DomainLifecycleOf<typeof DomainEventType.CRASHED, DomainEventCrashedDetailType>;

/** An event that carries nothing beyond the domain (REBOOT, CONTROL_ERROR). */
export type DomainEventEmpty = Record<string, never>;

/** `RTC_CHANGE`: the guest's new offset from UTC, in seconds. */
export interface DomainRTCChangeEvent {
  /** Seconds from UTC (may be negative). */
  utcOffset: bigint;
}

/** `WATCHDOG`: the action the watchdog took. */
export interface DomainWatchdogEvent {
  /** What happened to the guest. */
  action: DomainEventWatchdogAction;
}

/** `IO_ERROR`: a disk I/O error. */
export interface DomainIOErrorEvent {
  /** The host path of the disk's source. */
  srcPath: string;
  /** The device alias ("virtio-disk0"). */
  devAlias: string;
  /** What the hypervisor did. */
  action: DomainEventIOErrorAction;
}

/** `IO_ERROR_REASON`: an I/O error with the hypervisor's reason ("enospc", …). */
export interface DomainIOErrorReasonEvent extends DomainIOErrorEvent {
  /** The reason string. */
  reason: string;
}

/** One end of a graphics connection (`virDomainEventGraphicsAddress`). */
export interface DomainGraphicsAddress {
  /** IPV4, IPV6 or UNIX. */
  family: DomainEventGraphicsAddressType;
  /** The address (an IP, or a UNIX socket path). */
  node: string;
  /** The port, or null for UNIX sockets. */
  service: string | null;
}

/** One identity of the graphics client (`virDomainEventGraphicsSubjectIdentity`). */
export interface DomainGraphicsIdentity {
  /** "x509dname", "saslUsername", … */
  type: string;
  /** The identity's value. */
  name: string;
}

/** `GRAPHICS`: a VNC/SPICE client connected, authenticated or went away. */
export interface DomainGraphicsEvent {
  /** Which step of the client's session. */
  phase: DomainEventGraphicsPhase;
  /** The server's end. */
  local: DomainGraphicsAddress | null;
  /** The client's end. */
  remote: DomainGraphicsAddress | null;
  /** "none", "vnc", "sasl", … */
  authScheme: string;
  /** Who the client authenticated as. */
  subject: DomainGraphicsIdentity[];
}

/** `BLOCK_JOB` (disk given by path) and `BLOCK_JOB_2` (disk given by target, e.g. "vda"). */
export interface DomainBlockJobEvent {
  /** The disk: its path for BLOCK_JOB, its target name for BLOCK_JOB_2. */
  disk: string;
  /** The kind of job. */
  type: DomainBlockJobType;
  /** How it ended, or READY for a mirror that can pivot. */
  status: ConnectDomainEventBlockJobStatus;
}

/** `DISK_CHANGE`: the media of a disk changed (startup policy dropped a missing source). */
export interface DomainDiskChangeEvent {
  /** The previous source, or null. */
  oldSrcPath: string | null;
  /** The new source, or null. */
  newSrcPath: string | null;
  /** The device alias. */
  devAlias: string;
  /** Why. */
  reason: ConnectDomainEventDiskChangeReason;
}

/** `TRAY_CHANGE`: a removable drive's tray opened or closed. */
export interface DomainTrayChangeEvent {
  /** The device alias. */
  devAlias: string;
  /** OPEN or CLOSE. */
  reason: DomainEventTrayChangeReason;
}

/** `PMWAKEUP`, `PMSUSPEND`, `PMSUSPEND_DISK`: the guest woke up or suspended itself. */
export interface DomainPMEvent {
  /** Always 0 in libvirt 9.0 (reserved). */
  reason: number;
}

/** `BALLOON_CHANGE`: the balloon's current size. */
export interface DomainBalloonChangeEvent {
  /** The guest's memory now, in KiB. */
  actual: bigint;
}

/** `DEVICE_REMOVED`, `DEVICE_ADDED`, `DEVICE_REMOVAL_FAILED`. */
export interface DomainDeviceEvent {
  /** The device alias. */
  devAlias: string;
}

/** `TUNABLE` and `JOB_COMPLETED`: a set of typed parameters (tunables, or the job's stats). */
export interface DomainParamsEvent {
  /** The parameters by name, decoded (libvirt keeps and frees the C array). */
  params: TypedParams;
}

/** `AGENT_LIFECYCLE`: the guest agent connected or disconnected. */
export interface DomainAgentLifecycleEvent {
  /** CONNECTED or DISCONNECTED. */
  state: ConnectDomainEventAgentLifecycleState;
  /** Why. */
  reason: ConnectDomainEventAgentLifecycleReason;
}

/** `MIGRATION_ITERATION`: a new pass of memory copying started. */
export interface DomainMigrationIterationEvent {
  /** The pass number, from 1. */
  iteration: number;
}

/** `METADATA_CHANGE`: `setMetadata` changed the domain's description, title or element. */
export interface DomainMetadataChangeEvent {
  /** Which metadata. */
  type: DomainMetadataType;
  /** The namespace URI for ELEMENT metadata, otherwise null. */
  nsuri: string | null;
}

/** `BLOCK_THRESHOLD`: a disk's write threshold was crossed. */
export interface DomainBlockThresholdEvent {
  /** The disk target or node name. */
  dev: string;
  /** The source path, if any. */
  path: string | null;
  /** The threshold that was set, in bytes. */
  threshold: bigint;
  /** How far past it the write went, in bytes. */
  excess: bigint;
}

/** `MEMORY_FAILURE`: a hardware memory error reached the hypervisor or the guest. */
export interface DomainMemoryFailureEvent {
  /** Who got it. */
  recipient: DomainMemoryFailureRecipientType;
  /** What was done. */
  action: DomainMemoryFailureActionType;
  /** `DomainMemoryFailureFlags` bits. */
  flags: number;
}

/** `MEMORY_DEVICE_SIZE_CHANGE`: a virtio-mem device's size changed. */
export interface DomainMemoryDeviceSizeChangeEvent {
  /** The device alias. */
  alias: string;
  /** The new size, in KiB. */
  size: bigint;
}

/**
 * The payload type of each `DomainEventID`: what the third argument of a
 * `domainEventRegisterAny` callback holds.
 */
export interface DomainEventPayloads {
  /** virConnectDomainEventCallback. */
  [DomainEventID.LIFECYCLE]: DomainLifecycleEvent;
  /** virConnectDomainEventGenericCallback. */
  [DomainEventID.REBOOT]: DomainEventEmpty;
  /** virConnectDomainEventRTCChangeCallback. */
  [DomainEventID.RTC_CHANGE]: DomainRTCChangeEvent;
  /** virConnectDomainEventWatchdogCallback. */
  [DomainEventID.WATCHDOG]: DomainWatchdogEvent;
  /** virConnectDomainEventIOErrorCallback. */
  [DomainEventID.IO_ERROR]: DomainIOErrorEvent;
  /** virConnectDomainEventGraphicsCallback. */
  [DomainEventID.GRAPHICS]: DomainGraphicsEvent;
  /** virConnectDomainEventIOErrorReasonCallback. */
  [DomainEventID.IO_ERROR_REASON]: DomainIOErrorReasonEvent;
  /** virConnectDomainEventGenericCallback. */
  [DomainEventID.CONTROL_ERROR]: DomainEventEmpty;
  /** virConnectDomainEventBlockJobCallback. */
  [DomainEventID.BLOCK_JOB]: DomainBlockJobEvent;
  /** virConnectDomainEventDiskChangeCallback. */
  [DomainEventID.DISK_CHANGE]: DomainDiskChangeEvent;
  /** virConnectDomainEventTrayChangeCallback. */
  [DomainEventID.TRAY_CHANGE]: DomainTrayChangeEvent;
  /** virConnectDomainEventPMWakeupCallback. */
  [DomainEventID.PMWAKEUP]: DomainPMEvent;
  /** virConnectDomainEventPMSuspendCallback. */
  [DomainEventID.PMSUSPEND]: DomainPMEvent;
  /** virConnectDomainEventBalloonChangeCallback. */
  [DomainEventID.BALLOON_CHANGE]: DomainBalloonChangeEvent;
  /** virConnectDomainEventPMSuspendDiskCallback. */
  [DomainEventID.PMSUSPEND_DISK]: DomainPMEvent;
  /** virConnectDomainEventDeviceRemovedCallback. */
  [DomainEventID.DEVICE_REMOVED]: DomainDeviceEvent;
  /** virConnectDomainEventBlockJobCallback. */
  [DomainEventID.BLOCK_JOB_2]: DomainBlockJobEvent;
  /** virConnectDomainEventTunableCallback. */
  [DomainEventID.TUNABLE]: DomainParamsEvent;
  /** virConnectDomainEventAgentLifecycleCallback. */
  [DomainEventID.AGENT_LIFECYCLE]: DomainAgentLifecycleEvent;
  /** virConnectDomainEventDeviceAddedCallback. */
  [DomainEventID.DEVICE_ADDED]: DomainDeviceEvent;
  /** virConnectDomainEventMigrationIterationCallback. */
  [DomainEventID.MIGRATION_ITERATION]: DomainMigrationIterationEvent;
  /** virConnectDomainEventJobCompletedCallback. */
  [DomainEventID.JOB_COMPLETED]: DomainParamsEvent;
  /** virConnectDomainEventDeviceRemovalFailedCallback. */
  [DomainEventID.DEVICE_REMOVAL_FAILED]: DomainDeviceEvent;
  /** virConnectDomainEventMetadataChangeCallback. */
  [DomainEventID.METADATA_CHANGE]: DomainMetadataChangeEvent;
  /** virConnectDomainEventBlockThresholdCallback. */
  [DomainEventID.BLOCK_THRESHOLD]: DomainBlockThresholdEvent;
  /** virConnectDomainEventMemoryFailureCallback. */
  [DomainEventID.MEMORY_FAILURE]: DomainMemoryFailureEvent;
  /** virConnectDomainEventMemoryDeviceSizeChangeCallback. */
  [DomainEventID.MEMORY_DEVICE_SIZE_CHANGE]: DomainMemoryDeviceSizeChangeEvent;
}
