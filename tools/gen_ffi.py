#!/usr/bin/env python3
"""Writes ffi/symbols.ts from libvirt's API description (libvirt-dev and libvirt-daemon ship it).

The TypeScript table is committed; run this again only when the list of functions below changes:
    python3 tools/gen_ffi.py > ffi/symbols.ts && deno fmt ffi/symbols.ts
"""
import sys
import xml.etree.ElementTree as ET

API = "/usr/share/libvirt/api/libvirt-api.xml"
BASELINE = (9, 0, 0)  # symbols newer than this are optional

# Grouped per header, in the order the table shows them.
WANTED = {
    "libvirt-host": """virGetVersion virInitialize virConnectOpen virConnectOpenReadOnly virConnectOpenAuth
        virConnectClose virConnectRef virConnectIsAlive virConnectIsSecure virConnectIsEncrypted
        virConnectGetURI virConnectGetHostname virConnectGetType virConnectGetVersion
        virConnectGetLibVersion virConnectGetCapabilities virConnectGetSysinfo virConnectGetMaxVcpus
        virConnectSetKeepAlive virConnectRegisterCloseCallback virConnectUnregisterCloseCallback
        virNodeGetInfo virNodeGetFreeMemory""",
    "virterror": """virGetLastError virConnGetLastError virCopyLastError virConnCopyLastError virResetLastError
        virResetError virSaveLastError virFreeError virSetErrorFunc virConnSetErrorFunc""",
    "libvirt-domain": """virDomainLookupByName virDomainLookupByUUID virDomainLookupByUUIDString
        virDomainLookupByID virConnectListAllDomains virConnectNumOfDomains virDomainDefineXML
        virDomainDefineXMLFlags virDomainCreateXML virDomainCreate virDomainCreateWithFlags
        virDomainDestroy virDomainDestroyFlags virDomainSuspend virDomainResume virDomainShutdown
        virDomainShutdownFlags virDomainReboot virDomainReset virDomainUndefine virDomainUndefineFlags
        virDomainGetName virDomainGetUUID virDomainGetUUIDString virDomainGetID virDomainGetState
        virDomainGetInfo virDomainGetXMLDesc virDomainGetOSType virDomainIsActive
        virDomainIsPersistent virDomainIsUpdated virDomainGetAutostart virDomainSetAutostart
        virDomainSetMetadata virDomainGetMetadata virDomainSetMemory virDomainGetMaxMemory
        virDomainManagedSave virDomainHasManagedSaveImage virDomainManagedSaveRemove
        virDomainScreenshot virDomainOpenConsole virDomainOpenChannel virDomainRef virDomainFree
        virDomainGetConnect virTypedParamsFree
        virConnectDomainEventRegister virConnectDomainEventDeregister
        virConnectDomainEventRegisterAny virConnectDomainEventDeregisterAny""",
    "libvirt-storage": """virStoragePoolLookupByName virStoragePoolLookupByUUIDString
        virStoragePoolLookupByVolume virConnectListAllStoragePools virStoragePoolCreateXML
        virStoragePoolDefineXML virStoragePoolCreate virStoragePoolDestroy virStoragePoolUndefine
        virStoragePoolRefresh virStoragePoolGetName virStoragePoolGetUUIDString virStoragePoolGetInfo
        virStoragePoolGetXMLDesc virStoragePoolIsActive virStoragePoolIsPersistent
        virStoragePoolListAllVolumes virStoragePoolRef virStoragePoolFree
        virStorageVolLookupByName virStorageVolLookupByKey virStorageVolLookupByPath
        virStorageVolCreateXML virStorageVolDelete virStorageVolWipe virStorageVolResize
        virStorageVolGetName virStorageVolGetKey virStorageVolGetPath virStorageVolGetInfo
        virStorageVolGetXMLDesc virStorageVolUpload virStorageVolDownload virStorageVolRef
        virStorageVolFree
        virConnectStoragePoolEventRegisterAny virConnectStoragePoolEventDeregisterAny""",
    "libvirt-network": """virNetworkLookupByName virNetworkLookupByUUIDString virConnectListAllNetworks
        virNetworkCreateXML virNetworkDefineXML virNetworkCreate virNetworkDestroy virNetworkUndefine
        virNetworkGetName virNetworkGetUUIDString virNetworkGetXMLDesc virNetworkGetBridgeName
        virNetworkIsActive virNetworkIsPersistent virNetworkRef virNetworkFree
        virConnectNetworkEventRegisterAny virConnectNetworkEventDeregisterAny""",
    "libvirt-nodedev": """virNodeDeviceLookupByName virNodeDeviceGetName virNodeDeviceCreateXML
        virNodeDeviceDestroy virNodeDeviceRef virNodeDeviceFree
        virConnectNodeDeviceEventRegisterAny virConnectNodeDeviceEventDeregisterAny""",
    "libvirt-secret": """virSecretDefineXML virSecretLookupByUUIDString virSecretSetValue virSecretUndefine
        virSecretGetUUIDString virSecretGetUsageType virSecretGetUsageID virSecretRef virSecretFree
        virConnectSecretEventRegisterAny virConnectSecretEventDeregisterAny""",
    "libvirt-event": """virEventRegisterImpl virEventRegisterDefaultImpl virEventRunDefaultImpl
        virEventAddHandle virEventUpdateHandle virEventRemoveHandle virEventAddTimeout
        virEventUpdateTimeout virEventRemoveTimeout""",
    "libvirt-stream": """virStreamNew virStreamRef virStreamSend virStreamRecv virStreamRecvFlags
        virStreamSendHole virStreamRecvHole virStreamEventAddCallback virStreamEventUpdateCallback
        virStreamEventRemoveCallback virStreamFinish virStreamAbort virStreamFree""",
}

# Functions newer than the baseline, which its API description cannot know: (version, C prototype).
NEWER = {
    "libvirt-domain": [
        ("10.2.0", "virDomainGraphicsReload", "int",
         [("virDomainPtr", "domain"), ("unsigned int", "type"), ("unsigned int", "flags")]),
    ],
}

# libvirt calls these on whatever thread runs them; they must not hold Deno's JS thread.
NONBLOCKING = {"virEventRunDefaultImpl"}

OBJECTS = {
    "virConnectPtr", "virDomainPtr", "virStoragePoolPtr", "virStorageVolPtr", "virNetworkPtr",
    "virNodeDevicePtr", "virSecretPtr", "virStreamPtr", "virConnectAuthPtr", "virTypedParameterPtr",
    "void *",
}
NUMBERS = {
    "int": "i32", "unsigned int": "u32", "long": "i64", "unsigned long": "u64",
    "long long": "i64", "unsigned long long": "u64", "size_t": "usize", "ssize_t": "isize",
    "double": "f64", "void": "void",
}
# Arguments that libvirt reads or fills through a pointer to memory the caller owns.
BUFFER_ERRORS = {("virCopyLastError", "to"), ("virConnCopyLastError", "to")}


def native(fn, name, ctype, is_return):
    if ctype in NUMBERS:
        return NUMBERS[ctype]
    if is_return:
        return "pointer"
    if ctype.endswith("Callback") or ctype.endswith("Func"):
        return "function"
    if ctype == "virErrorPtr":
        return "buffer" if (fn, name) in BUFFER_ERRORS else "pointer"
    if ctype in OBJECTS:
        return "pointer"
    return "buffer"


def main():
    root = ET.parse(API).getroot()
    funcs = {f.get("name"): f for f in root.find("symbols").findall("function")}
    out = []
    w = out.append
    w("// The one table of every libvirt function this module calls, generated from libvirt's API")
    w("// description by tools/gen_ffi.py; each parameter carries its C type. Symbols newer than")
    w("// libvirt %d.%d.%d are optional, so an older or newer library still loads." % BASELINE)
    w("")
    w("/** Foreign symbols of libvirt.so, as `Deno.dlopen` takes them. */")
    w("export const symbols = {")
    for header, names in WANTED.items():
        w(f"  // ---- {header}.h")
        for name in names.split():
            f = funcs.get(name)
            if f is None:
                sys.exit(f"unknown function {name}")
            ret = f.find("return").get("type")
            version = tuple(int(x) for x in (f.get("version") or "0.0.0").split("."))
            w(f"  {name}: {{")
            w("    parameters: [")
            for a in f.findall("arg"):
                w(f'      "{native(name, a.get("name"), a.get("type"), False)}", // {a.get("type")} {a.get("name")}')
            w("    ],")
            w(f'    result: "{native(name, "", ret, True)}", // {ret}')
            if name in NONBLOCKING:
                w("    nonblocking: true,")
            if version > BASELINE:
                w("    optional: true, // since %s" % f.get("version"))
            w("  },")
        for since, name, ret, args in NEWER.get(header, []):
            w(f"  {name}: {{")
            w("    parameters: [")
            for ctype, aname in args:
                w(f'      "{native(name, aname, ctype, False)}", // {ctype} {aname}')
            w("    ],")
            w(f'    result: "{native(name, "", ret, True)}", // {ret}')
            w(f"    optional: true, // since {since}")
            w("  },")
    w("} as const satisfies Deno.ForeignLibraryInterface;")
    print("\n".join(out))


main()
