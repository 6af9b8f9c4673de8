// The one table of every libvirt function this module calls, generated from libvirt's API
// description by tools/gen_ffi.py; each parameter carries its C type. Symbols newer than
// libvirt 9.0.0 are optional, so an older or newer library still loads.

/** Foreign symbols of libvirt.so, as `Deno.dlopen` takes them. */
export const symbols = {
  // ---- libvirt-host.h
  virGetVersion: {
    parameters: [
      "buffer", // unsigned long * libVer
      "buffer", // const char * type
      "buffer", // unsigned long * typeVer
    ],
    result: "i32", // int
  },
  virInitialize: {
    parameters: [],
    result: "i32", // int
  },
  virConnectOpen: {
    parameters: [
      "buffer", // const char * name
    ],
    result: "pointer", // virConnectPtr
  },
  virConnectOpenReadOnly: {
    parameters: [
      "buffer", // const char * name
    ],
    result: "pointer", // virConnectPtr
  },
  virConnectOpenAuth: {
    parameters: [
      "buffer", // const char * name
      "pointer", // virConnectAuthPtr auth
      "u32", // unsigned int flags
    ],
    result: "pointer", // virConnectPtr
  },
  virConnectClose: {
    parameters: [
      "pointer", // virConnectPtr conn
    ],
    result: "i32", // int
  },
  virConnectRef: {
    parameters: [
      "pointer", // virConnectPtr conn
    ],
    result: "i32", // int
  },
  virConnectIsAlive: {
    parameters: [
      "pointer", // virConnectPtr conn
    ],
    result: "i32", // int
  },
  virConnectIsSecure: {
    parameters: [
      "pointer", // virConnectPtr conn
    ],
    result: "i32", // int
  },
  virConnectIsEncrypted: {
    parameters: [
      "pointer", // virConnectPtr conn
    ],
    result: "i32", // int
  },
  virConnectGetURI: {
    parameters: [
      "pointer", // virConnectPtr conn
    ],
    result: "pointer", // char *
  },
  virConnectGetHostname: {
    parameters: [
      "pointer", // virConnectPtr conn
    ],
    result: "pointer", // char *
  },
  virConnectGetType: {
    parameters: [
      "pointer", // virConnectPtr conn
    ],
    result: "pointer", // const char *
  },
  virConnectGetVersion: {
    parameters: [
      "pointer", // virConnectPtr conn
      "buffer", // unsigned long * hvVer
    ],
    result: "i32", // int
  },
  virConnectGetLibVersion: {
    parameters: [
      "pointer", // virConnectPtr conn
      "buffer", // unsigned long * libVer
    ],
    result: "i32", // int
  },
  virConnectGetCapabilities: {
    parameters: [
      "pointer", // virConnectPtr conn
    ],
    result: "pointer", // char *
  },
  virConnectGetSysinfo: {
    parameters: [
      "pointer", // virConnectPtr conn
      "u32", // unsigned int flags
    ],
    result: "pointer", // char *
  },
  virConnectGetMaxVcpus: {
    parameters: [
      "pointer", // virConnectPtr conn
      "buffer", // const char * type
    ],
    result: "i32", // int
  },
  virConnectSetKeepAlive: {
    parameters: [
      "pointer", // virConnectPtr conn
      "i32", // int interval
      "u32", // unsigned int count
    ],
    result: "i32", // int
  },
  virConnectRegisterCloseCallback: {
    parameters: [
      "pointer", // virConnectPtr conn
      "function", // virConnectCloseFunc cb
      "pointer", // void * opaque
      "function", // virFreeCallback freecb
    ],
    result: "i32", // int
  },
  virConnectUnregisterCloseCallback: {
    parameters: [
      "pointer", // virConnectPtr conn
      "function", // virConnectCloseFunc cb
    ],
    result: "i32", // int
  },
  virNodeGetInfo: {
    parameters: [
      "pointer", // virConnectPtr conn
      "buffer", // virNodeInfoPtr info
    ],
    result: "i32", // int
  },
  virNodeGetFreeMemory: {
    parameters: [
      "pointer", // virConnectPtr conn
    ],
    result: "u64", // unsigned long long
  },
  // ---- virterror.h
  virGetLastError: {
    parameters: [],
    result: "pointer", // virErrorPtr
  },
  virConnGetLastError: {
    parameters: [
      "pointer", // virConnectPtr conn
    ],
    result: "pointer", // virErrorPtr
  },
  virCopyLastError: {
    parameters: [
      "buffer", // virErrorPtr to
    ],
    result: "i32", // int
  },
  virConnCopyLastError: {
    parameters: [
      "pointer", // virConnectPtr conn
      "buffer", // virErrorPtr to
    ],
    result: "i32", // int
  },
  virResetLastError: {
    parameters: [],
    result: "void", // void
  },
  virResetError: {
    parameters: [
      "pointer", // virErrorPtr err
    ],
    result: "void", // void
  },
  virSaveLastError: {
    parameters: [],
    result: "pointer", // virErrorPtr
  },
  virFreeError: {
    parameters: [
      "pointer", // virErrorPtr err
    ],
    result: "void", // void
  },
  virSetErrorFunc: {
    parameters: [
      "pointer", // void * userData
      "function", // virErrorFunc handler
    ],
    result: "void", // void
  },
  virConnSetErrorFunc: {
    parameters: [
      "pointer", // virConnectPtr conn
      "pointer", // void * userData
      "function", // virErrorFunc handler
    ],
    result: "void", // void
  },
  // ---- libvirt-domain.h
  virDomainLookupByName: {
    parameters: [
      "pointer", // virConnectPtr conn
      "buffer", // const char * name
    ],
    result: "pointer", // virDomainPtr
  },
  virDomainLookupByUUID: {
    parameters: [
      "pointer", // virConnectPtr conn
      "buffer", // const unsigned char * uuid
    ],
    result: "pointer", // virDomainPtr
  },
  virDomainLookupByUUIDString: {
    parameters: [
      "pointer", // virConnectPtr conn
      "buffer", // const char * uuidstr
    ],
    result: "pointer", // virDomainPtr
  },
  virDomainLookupByID: {
    parameters: [
      "pointer", // virConnectPtr conn
      "i32", // int id
    ],
    result: "pointer", // virDomainPtr
  },
  virConnectListAllDomains: {
    parameters: [
      "pointer", // virConnectPtr conn
      "buffer", // virDomainPtr ** domains
      "u32", // unsigned int flags
    ],
    result: "i32", // int
  },
  virConnectNumOfDomains: {
    parameters: [
      "pointer", // virConnectPtr conn
    ],
    result: "i32", // int
  },
  virDomainDefineXML: {
    parameters: [
      "pointer", // virConnectPtr conn
      "buffer", // const char * xml
    ],
    result: "pointer", // virDomainPtr
  },
  virDomainDefineXMLFlags: {
    parameters: [
      "pointer", // virConnectPtr conn
      "buffer", // const char * xml
      "u32", // unsigned int flags
    ],
    result: "pointer", // virDomainPtr
  },
  virDomainCreateXML: {
    parameters: [
      "pointer", // virConnectPtr conn
      "buffer", // const char * xmlDesc
      "u32", // unsigned int flags
    ],
    result: "pointer", // virDomainPtr
  },
  virDomainCreate: {
    parameters: [
      "pointer", // virDomainPtr domain
    ],
    result: "i32", // int
  },
  virDomainCreateWithFlags: {
    parameters: [
      "pointer", // virDomainPtr domain
      "u32", // unsigned int flags
    ],
    result: "i32", // int
  },
  virDomainDestroy: {
    parameters: [
      "pointer", // virDomainPtr domain
    ],
    result: "i32", // int
  },
  virDomainDestroyFlags: {
    parameters: [
      "pointer", // virDomainPtr domain
      "u32", // unsigned int flags
    ],
    result: "i32", // int
  },
  virDomainSuspend: {
    parameters: [
      "pointer", // virDomainPtr domain
    ],
    result: "i32", // int
  },
  virDomainResume: {
    parameters: [
      "pointer", // virDomainPtr domain
    ],
    result: "i32", // int
  },
  virDomainShutdown: {
    parameters: [
      "pointer", // virDomainPtr domain
    ],
    result: "i32", // int
  },
  virDomainShutdownFlags: {
    parameters: [
      "pointer", // virDomainPtr domain
      "u32", // unsigned int flags
    ],
    result: "i32", // int
  },
  virDomainReboot: {
    parameters: [
      "pointer", // virDomainPtr domain
      "u32", // unsigned int flags
    ],
    result: "i32", // int
  },
  virDomainReset: {
    parameters: [
      "pointer", // virDomainPtr domain
      "u32", // unsigned int flags
    ],
    result: "i32", // int
  },
  virDomainUndefine: {
    parameters: [
      "pointer", // virDomainPtr domain
    ],
    result: "i32", // int
  },
  virDomainUndefineFlags: {
    parameters: [
      "pointer", // virDomainPtr domain
      "u32", // unsigned int flags
    ],
    result: "i32", // int
  },
  virDomainGetName: {
    parameters: [
      "pointer", // virDomainPtr domain
    ],
    result: "pointer", // const char *
  },
  virDomainGetUUID: {
    parameters: [
      "pointer", // virDomainPtr domain
      "buffer", // unsigned char * uuid
    ],
    result: "i32", // int
  },
  virDomainGetUUIDString: {
    parameters: [
      "pointer", // virDomainPtr domain
      "buffer", // char * buf
    ],
    result: "i32", // int
  },
  virDomainGetID: {
    parameters: [
      "pointer", // virDomainPtr domain
    ],
    result: "u32", // unsigned int
  },
  virDomainGetState: {
    parameters: [
      "pointer", // virDomainPtr domain
      "buffer", // int * state
      "buffer", // int * reason
      "u32", // unsigned int flags
    ],
    result: "i32", // int
  },
  virDomainGetInfo: {
    parameters: [
      "pointer", // virDomainPtr domain
      "buffer", // virDomainInfoPtr info
    ],
    result: "i32", // int
  },
  virDomainGetXMLDesc: {
    parameters: [
      "pointer", // virDomainPtr domain
      "u32", // unsigned int flags
    ],
    result: "pointer", // char *
  },
  virDomainGetOSType: {
    parameters: [
      "pointer", // virDomainPtr domain
    ],
    result: "pointer", // char *
  },
  virDomainIsActive: {
    parameters: [
      "pointer", // virDomainPtr dom
    ],
    result: "i32", // int
  },
  virDomainIsPersistent: {
    parameters: [
      "pointer", // virDomainPtr dom
    ],
    result: "i32", // int
  },
  virDomainIsUpdated: {
    parameters: [
      "pointer", // virDomainPtr dom
    ],
    result: "i32", // int
  },
  virDomainGetAutostart: {
    parameters: [
      "pointer", // virDomainPtr domain
      "buffer", // int * autostart
    ],
    result: "i32", // int
  },
  virDomainSetAutostart: {
    parameters: [
      "pointer", // virDomainPtr domain
      "i32", // int autostart
    ],
    result: "i32", // int
  },
  virDomainSetMetadata: {
    parameters: [
      "pointer", // virDomainPtr domain
      "i32", // int type
      "buffer", // const char * metadata
      "buffer", // const char * key
      "buffer", // const char * uri
      "u32", // unsigned int flags
    ],
    result: "i32", // int
  },
  virDomainGetMetadata: {
    parameters: [
      "pointer", // virDomainPtr domain
      "i32", // int type
      "buffer", // const char * uri
      "u32", // unsigned int flags
    ],
    result: "pointer", // char *
  },
  virDomainSetMemory: {
    parameters: [
      "pointer", // virDomainPtr domain
      "u64", // unsigned long memory
    ],
    result: "i32", // int
  },
  virDomainGetMaxMemory: {
    parameters: [
      "pointer", // virDomainPtr domain
    ],
    result: "u64", // unsigned long
  },
  virDomainManagedSave: {
    parameters: [
      "pointer", // virDomainPtr dom
      "u32", // unsigned int flags
    ],
    result: "i32", // int
  },
  virDomainHasManagedSaveImage: {
    parameters: [
      "pointer", // virDomainPtr dom
      "u32", // unsigned int flags
    ],
    result: "i32", // int
  },
  virDomainManagedSaveRemove: {
    parameters: [
      "pointer", // virDomainPtr dom
      "u32", // unsigned int flags
    ],
    result: "i32", // int
  },
  virDomainScreenshot: {
    parameters: [
      "pointer", // virDomainPtr domain
      "pointer", // virStreamPtr stream
      "u32", // unsigned int screen
      "u32", // unsigned int flags
    ],
    result: "pointer", // char *
  },
  virDomainOpenConsole: {
    parameters: [
      "pointer", // virDomainPtr dom
      "buffer", // const char * dev_name
      "pointer", // virStreamPtr st
      "u32", // unsigned int flags
    ],
    result: "i32", // int
  },
  virDomainOpenChannel: {
    parameters: [
      "pointer", // virDomainPtr dom
      "buffer", // const char * name
      "pointer", // virStreamPtr st
      "u32", // unsigned int flags
    ],
    result: "i32", // int
  },
  virDomainRef: {
    parameters: [
      "pointer", // virDomainPtr domain
    ],
    result: "i32", // int
  },
  virDomainFree: {
    parameters: [
      "pointer", // virDomainPtr domain
    ],
    result: "i32", // int
  },
  virDomainGetConnect: {
    parameters: [
      "pointer", // virDomainPtr dom
    ],
    result: "pointer", // virConnectPtr
  },
  virTypedParamsFree: {
    parameters: [
      "pointer", // virTypedParameterPtr params
      "i32", // int nparams
    ],
    result: "void", // void
  },
  virConnectDomainEventRegister: {
    parameters: [
      "pointer", // virConnectPtr conn
      "function", // virConnectDomainEventCallback cb
      "pointer", // void * opaque
      "function", // virFreeCallback freecb
    ],
    result: "i32", // int
  },
  virConnectDomainEventDeregister: {
    parameters: [
      "pointer", // virConnectPtr conn
      "function", // virConnectDomainEventCallback cb
    ],
    result: "i32", // int
  },
  virConnectDomainEventRegisterAny: {
    parameters: [
      "pointer", // virConnectPtr conn
      "pointer", // virDomainPtr dom
      "i32", // int eventID
      "function", // virConnectDomainEventGenericCallback cb
      "pointer", // void * opaque
      "function", // virFreeCallback freecb
    ],
    result: "i32", // int
  },
  virConnectDomainEventDeregisterAny: {
    parameters: [
      "pointer", // virConnectPtr conn
      "i32", // int callbackID
    ],
    result: "i32", // int
  },
  virDomainGraphicsReload: {
    parameters: [
      "pointer", // virDomainPtr domain
      "u32", // unsigned int type
      "u32", // unsigned int flags
    ],
    result: "i32", // int
    optional: true, // since 10.2.0
  },
  // ---- libvirt-storage.h
  virStoragePoolLookupByName: {
    parameters: [
      "pointer", // virConnectPtr conn
      "buffer", // const char * name
    ],
    result: "pointer", // virStoragePoolPtr
  },
  virStoragePoolLookupByUUIDString: {
    parameters: [
      "pointer", // virConnectPtr conn
      "buffer", // const char * uuidstr
    ],
    result: "pointer", // virStoragePoolPtr
  },
  virStoragePoolLookupByVolume: {
    parameters: [
      "pointer", // virStorageVolPtr vol
    ],
    result: "pointer", // virStoragePoolPtr
  },
  virConnectListAllStoragePools: {
    parameters: [
      "pointer", // virConnectPtr conn
      "buffer", // virStoragePoolPtr ** pools
      "u32", // unsigned int flags
    ],
    result: "i32", // int
  },
  virStoragePoolCreateXML: {
    parameters: [
      "pointer", // virConnectPtr conn
      "buffer", // const char * xmlDesc
      "u32", // unsigned int flags
    ],
    result: "pointer", // virStoragePoolPtr
  },
  virStoragePoolDefineXML: {
    parameters: [
      "pointer", // virConnectPtr conn
      "buffer", // const char * xml
      "u32", // unsigned int flags
    ],
    result: "pointer", // virStoragePoolPtr
  },
  virStoragePoolCreate: {
    parameters: [
      "pointer", // virStoragePoolPtr pool
      "u32", // unsigned int flags
    ],
    result: "i32", // int
  },
  virStoragePoolDestroy: {
    parameters: [
      "pointer", // virStoragePoolPtr pool
    ],
    result: "i32", // int
  },
  virStoragePoolUndefine: {
    parameters: [
      "pointer", // virStoragePoolPtr pool
    ],
    result: "i32", // int
  },
  virStoragePoolRefresh: {
    parameters: [
      "pointer", // virStoragePoolPtr pool
      "u32", // unsigned int flags
    ],
    result: "i32", // int
  },
  virStoragePoolGetName: {
    parameters: [
      "pointer", // virStoragePoolPtr pool
    ],
    result: "pointer", // const char *
  },
  virStoragePoolGetUUIDString: {
    parameters: [
      "pointer", // virStoragePoolPtr pool
      "buffer", // char * buf
    ],
    result: "i32", // int
  },
  virStoragePoolGetInfo: {
    parameters: [
      "pointer", // virStoragePoolPtr pool
      "buffer", // virStoragePoolInfoPtr info
    ],
    result: "i32", // int
  },
  virStoragePoolGetXMLDesc: {
    parameters: [
      "pointer", // virStoragePoolPtr pool
      "u32", // unsigned int flags
    ],
    result: "pointer", // char *
  },
  virStoragePoolIsActive: {
    parameters: [
      "pointer", // virStoragePoolPtr pool
    ],
    result: "i32", // int
  },
  virStoragePoolIsPersistent: {
    parameters: [
      "pointer", // virStoragePoolPtr pool
    ],
    result: "i32", // int
  },
  virStoragePoolListAllVolumes: {
    parameters: [
      "pointer", // virStoragePoolPtr pool
      "buffer", // virStorageVolPtr ** vols
      "u32", // unsigned int flags
    ],
    result: "i32", // int
  },
  virStoragePoolRef: {
    parameters: [
      "pointer", // virStoragePoolPtr pool
    ],
    result: "i32", // int
  },
  virStoragePoolFree: {
    parameters: [
      "pointer", // virStoragePoolPtr pool
    ],
    result: "i32", // int
  },
  virStorageVolLookupByName: {
    parameters: [
      "pointer", // virStoragePoolPtr pool
      "buffer", // const char * name
    ],
    result: "pointer", // virStorageVolPtr
  },
  virStorageVolLookupByKey: {
    parameters: [
      "pointer", // virConnectPtr conn
      "buffer", // const char * key
    ],
    result: "pointer", // virStorageVolPtr
  },
  virStorageVolLookupByPath: {
    parameters: [
      "pointer", // virConnectPtr conn
      "buffer", // const char * path
    ],
    result: "pointer", // virStorageVolPtr
  },
  virStorageVolCreateXML: {
    parameters: [
      "pointer", // virStoragePoolPtr pool
      "buffer", // const char * xmlDesc
      "u32", // unsigned int flags
    ],
    result: "pointer", // virStorageVolPtr
  },
  virStorageVolDelete: {
    parameters: [
      "pointer", // virStorageVolPtr vol
      "u32", // unsigned int flags
    ],
    result: "i32", // int
  },
  virStorageVolWipe: {
    parameters: [
      "pointer", // virStorageVolPtr vol
      "u32", // unsigned int flags
    ],
    result: "i32", // int
  },
  virStorageVolResize: {
    parameters: [
      "pointer", // virStorageVolPtr vol
      "u64", // unsigned long long capacity
      "u32", // unsigned int flags
    ],
    result: "i32", // int
  },
  virStorageVolGetName: {
    parameters: [
      "pointer", // virStorageVolPtr vol
    ],
    result: "pointer", // const char *
  },
  virStorageVolGetKey: {
    parameters: [
      "pointer", // virStorageVolPtr vol
    ],
    result: "pointer", // const char *
  },
  virStorageVolGetPath: {
    parameters: [
      "pointer", // virStorageVolPtr vol
    ],
    result: "pointer", // char *
  },
  virStorageVolGetInfo: {
    parameters: [
      "pointer", // virStorageVolPtr vol
      "buffer", // virStorageVolInfoPtr info
    ],
    result: "i32", // int
  },
  virStorageVolGetXMLDesc: {
    parameters: [
      "pointer", // virStorageVolPtr vol
      "u32", // unsigned int flags
    ],
    result: "pointer", // char *
  },
  virStorageVolUpload: {
    parameters: [
      "pointer", // virStorageVolPtr vol
      "pointer", // virStreamPtr stream
      "u64", // unsigned long long offset
      "u64", // unsigned long long length
      "u32", // unsigned int flags
    ],
    result: "i32", // int
  },
  virStorageVolDownload: {
    parameters: [
      "pointer", // virStorageVolPtr vol
      "pointer", // virStreamPtr stream
      "u64", // unsigned long long offset
      "u64", // unsigned long long length
      "u32", // unsigned int flags
    ],
    result: "i32", // int
  },
  virStorageVolRef: {
    parameters: [
      "pointer", // virStorageVolPtr vol
    ],
    result: "i32", // int
  },
  virStorageVolFree: {
    parameters: [
      "pointer", // virStorageVolPtr vol
    ],
    result: "i32", // int
  },
  virConnectStoragePoolEventRegisterAny: {
    parameters: [
      "pointer", // virConnectPtr conn
      "pointer", // virStoragePoolPtr pool
      "i32", // int eventID
      "function", // virConnectStoragePoolEventGenericCallback cb
      "pointer", // void * opaque
      "function", // virFreeCallback freecb
    ],
    result: "i32", // int
  },
  virConnectStoragePoolEventDeregisterAny: {
    parameters: [
      "pointer", // virConnectPtr conn
      "i32", // int callbackID
    ],
    result: "i32", // int
  },
  // ---- libvirt-network.h
  virNetworkLookupByName: {
    parameters: [
      "pointer", // virConnectPtr conn
      "buffer", // const char * name
    ],
    result: "pointer", // virNetworkPtr
  },
  virNetworkLookupByUUIDString: {
    parameters: [
      "pointer", // virConnectPtr conn
      "buffer", // const char * uuidstr
    ],
    result: "pointer", // virNetworkPtr
  },
  virConnectListAllNetworks: {
    parameters: [
      "pointer", // virConnectPtr conn
      "buffer", // virNetworkPtr ** nets
      "u32", // unsigned int flags
    ],
    result: "i32", // int
  },
  virNetworkCreateXML: {
    parameters: [
      "pointer", // virConnectPtr conn
      "buffer", // const char * xmlDesc
    ],
    result: "pointer", // virNetworkPtr
  },
  virNetworkDefineXML: {
    parameters: [
      "pointer", // virConnectPtr conn
      "buffer", // const char * xml
    ],
    result: "pointer", // virNetworkPtr
  },
  virNetworkCreate: {
    parameters: [
      "pointer", // virNetworkPtr network
    ],
    result: "i32", // int
  },
  virNetworkDestroy: {
    parameters: [
      "pointer", // virNetworkPtr network
    ],
    result: "i32", // int
  },
  virNetworkUndefine: {
    parameters: [
      "pointer", // virNetworkPtr network
    ],
    result: "i32", // int
  },
  virNetworkGetName: {
    parameters: [
      "pointer", // virNetworkPtr network
    ],
    result: "pointer", // const char *
  },
  virNetworkGetUUIDString: {
    parameters: [
      "pointer", // virNetworkPtr network
      "buffer", // char * buf
    ],
    result: "i32", // int
  },
  virNetworkGetXMLDesc: {
    parameters: [
      "pointer", // virNetworkPtr network
      "u32", // unsigned int flags
    ],
    result: "pointer", // char *
  },
  virNetworkGetBridgeName: {
    parameters: [
      "pointer", // virNetworkPtr network
    ],
    result: "pointer", // char *
  },
  virNetworkIsActive: {
    parameters: [
      "pointer", // virNetworkPtr net
    ],
    result: "i32", // int
  },
  virNetworkIsPersistent: {
    parameters: [
      "pointer", // virNetworkPtr net
    ],
    result: "i32", // int
  },
  virNetworkRef: {
    parameters: [
      "pointer", // virNetworkPtr network
    ],
    result: "i32", // int
  },
  virNetworkFree: {
    parameters: [
      "pointer", // virNetworkPtr network
    ],
    result: "i32", // int
  },
  virConnectNetworkEventRegisterAny: {
    parameters: [
      "pointer", // virConnectPtr conn
      "pointer", // virNetworkPtr net
      "i32", // int eventID
      "function", // virConnectNetworkEventGenericCallback cb
      "pointer", // void * opaque
      "function", // virFreeCallback freecb
    ],
    result: "i32", // int
  },
  virConnectNetworkEventDeregisterAny: {
    parameters: [
      "pointer", // virConnectPtr conn
      "i32", // int callbackID
    ],
    result: "i32", // int
  },
  // ---- libvirt-nodedev.h
  virNodeDeviceLookupByName: {
    parameters: [
      "pointer", // virConnectPtr conn
      "buffer", // const char * name
    ],
    result: "pointer", // virNodeDevicePtr
  },
  virNodeDeviceGetName: {
    parameters: [
      "pointer", // virNodeDevicePtr dev
    ],
    result: "pointer", // const char *
  },
  virNodeDeviceCreateXML: {
    parameters: [
      "pointer", // virConnectPtr conn
      "buffer", // const char * xmlDesc
      "u32", // unsigned int flags
    ],
    result: "pointer", // virNodeDevicePtr
  },
  virNodeDeviceDestroy: {
    parameters: [
      "pointer", // virNodeDevicePtr dev
    ],
    result: "i32", // int
  },
  virNodeDeviceRef: {
    parameters: [
      "pointer", // virNodeDevicePtr dev
    ],
    result: "i32", // int
  },
  virNodeDeviceFree: {
    parameters: [
      "pointer", // virNodeDevicePtr dev
    ],
    result: "i32", // int
  },
  virConnectNodeDeviceEventRegisterAny: {
    parameters: [
      "pointer", // virConnectPtr conn
      "pointer", // virNodeDevicePtr dev
      "i32", // int eventID
      "function", // virConnectNodeDeviceEventGenericCallback cb
      "pointer", // void * opaque
      "function", // virFreeCallback freecb
    ],
    result: "i32", // int
  },
  virConnectNodeDeviceEventDeregisterAny: {
    parameters: [
      "pointer", // virConnectPtr conn
      "i32", // int callbackID
    ],
    result: "i32", // int
  },
  // ---- libvirt-secret.h
  virSecretDefineXML: {
    parameters: [
      "pointer", // virConnectPtr conn
      "buffer", // const char * xml
      "u32", // unsigned int flags
    ],
    result: "pointer", // virSecretPtr
  },
  virSecretLookupByUUIDString: {
    parameters: [
      "pointer", // virConnectPtr conn
      "buffer", // const char * uuidstr
    ],
    result: "pointer", // virSecretPtr
  },
  virSecretSetValue: {
    parameters: [
      "pointer", // virSecretPtr secret
      "buffer", // const unsigned char * value
      "usize", // size_t value_size
      "u32", // unsigned int flags
    ],
    result: "i32", // int
  },
  virSecretUndefine: {
    parameters: [
      "pointer", // virSecretPtr secret
    ],
    result: "i32", // int
  },
  virSecretGetUUIDString: {
    parameters: [
      "pointer", // virSecretPtr secret
      "buffer", // char * buf
    ],
    result: "i32", // int
  },
  virSecretGetUsageType: {
    parameters: [
      "pointer", // virSecretPtr secret
    ],
    result: "i32", // int
  },
  virSecretGetUsageID: {
    parameters: [
      "pointer", // virSecretPtr secret
    ],
    result: "pointer", // const char *
  },
  virSecretRef: {
    parameters: [
      "pointer", // virSecretPtr secret
    ],
    result: "i32", // int
  },
  virSecretFree: {
    parameters: [
      "pointer", // virSecretPtr secret
    ],
    result: "i32", // int
  },
  virConnectSecretEventRegisterAny: {
    parameters: [
      "pointer", // virConnectPtr conn
      "pointer", // virSecretPtr secret
      "i32", // int eventID
      "function", // virConnectSecretEventGenericCallback cb
      "pointer", // void * opaque
      "function", // virFreeCallback freecb
    ],
    result: "i32", // int
  },
  virConnectSecretEventDeregisterAny: {
    parameters: [
      "pointer", // virConnectPtr conn
      "i32", // int callbackID
    ],
    result: "i32", // int
  },
  // ---- libvirt-event.h
  virEventRegisterImpl: {
    parameters: [
      "function", // virEventAddHandleFunc addHandle
      "function", // virEventUpdateHandleFunc updateHandle
      "function", // virEventRemoveHandleFunc removeHandle
      "function", // virEventAddTimeoutFunc addTimeout
      "function", // virEventUpdateTimeoutFunc updateTimeout
      "function", // virEventRemoveTimeoutFunc removeTimeout
    ],
    result: "void", // void
  },
  virEventRegisterDefaultImpl: {
    parameters: [],
    result: "i32", // int
  },
  virEventRunDefaultImpl: {
    parameters: [],
    result: "i32", // int
    nonblocking: true,
  },
  virEventAddHandle: {
    parameters: [
      "i32", // int fd
      "i32", // int events
      "function", // virEventHandleCallback cb
      "pointer", // void * opaque
      "function", // virFreeCallback ff
    ],
    result: "i32", // int
  },
  virEventUpdateHandle: {
    parameters: [
      "i32", // int watch
      "i32", // int events
    ],
    result: "void", // void
  },
  virEventRemoveHandle: {
    parameters: [
      "i32", // int watch
    ],
    result: "i32", // int
  },
  virEventAddTimeout: {
    parameters: [
      "i32", // int timeout
      "function", // virEventTimeoutCallback cb
      "pointer", // void * opaque
      "function", // virFreeCallback ff
    ],
    result: "i32", // int
  },
  virEventUpdateTimeout: {
    parameters: [
      "i32", // int timer
      "i32", // int timeout
    ],
    result: "void", // void
  },
  virEventRemoveTimeout: {
    parameters: [
      "i32", // int timer
    ],
    result: "i32", // int
  },
  // ---- libvirt-stream.h
  virStreamNew: {
    parameters: [
      "pointer", // virConnectPtr conn
      "u32", // unsigned int flags
    ],
    result: "pointer", // virStreamPtr
  },
  virStreamRef: {
    parameters: [
      "pointer", // virStreamPtr stream
    ],
    result: "i32", // int
  },
  virStreamSend: {
    parameters: [
      "pointer", // virStreamPtr stream
      "buffer", // const char * data
      "usize", // size_t nbytes
    ],
    result: "i32", // int
  },
  virStreamRecv: {
    parameters: [
      "pointer", // virStreamPtr stream
      "buffer", // char * data
      "usize", // size_t nbytes
    ],
    result: "i32", // int
  },
  virStreamRecvFlags: {
    parameters: [
      "pointer", // virStreamPtr stream
      "buffer", // char * data
      "usize", // size_t nbytes
      "u32", // unsigned int flags
    ],
    result: "i32", // int
  },
  virStreamSendHole: {
    parameters: [
      "pointer", // virStreamPtr stream
      "i64", // long long length
      "u32", // unsigned int flags
    ],
    result: "i32", // int
  },
  virStreamRecvHole: {
    parameters: [
      "pointer", // virStreamPtr stream
      "buffer", // long long * length
      "u32", // unsigned int flags
    ],
    result: "i32", // int
  },
  virStreamEventAddCallback: {
    parameters: [
      "pointer", // virStreamPtr stream
      "i32", // int events
      "function", // virStreamEventCallback cb
      "pointer", // void * opaque
      "function", // virFreeCallback ff
    ],
    result: "i32", // int
  },
  virStreamEventUpdateCallback: {
    parameters: [
      "pointer", // virStreamPtr stream
      "i32", // int events
    ],
    result: "i32", // int
  },
  virStreamEventRemoveCallback: {
    parameters: [
      "pointer", // virStreamPtr stream
    ],
    result: "i32", // int
  },
  virStreamFinish: {
    parameters: [
      "pointer", // virStreamPtr stream
    ],
    result: "i32", // int
  },
  virStreamAbort: {
    parameters: [
      "pointer", // virStreamPtr stream
    ],
    result: "i32", // int
  },
  virStreamFree: {
    parameters: [
      "pointer", // virStreamPtr stream
    ],
    result: "i32", // int
  },
} as const satisfies Deno.ForeignLibraryInterface;
