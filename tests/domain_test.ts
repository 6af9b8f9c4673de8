// Specifies Domain against test:///default in process: identity, state and info decoding, the
// lifecycle of a defined domain, transient domains, metadata, memory and managed save.
import assert from "node:assert/strict";
import {
  Connection,
  DomainMetadataType,
  DomainRunningReason,
  DomainShutoffReason,
  DomainState,
  ErrorNumber,
  LibvirtError,
} from "../mod.ts";
import { assertLibvirtError } from "./helpers/libvirt_error.ts";

const TEST_URI = "test:///default";
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function domainXML(name: string): string {
  return `<domain type='test'><name>${name}</name><memory unit='KiB'>65536</memory>` +
    `<currentMemory unit='KiB'>32768</currentMemory><vcpu>3</vcpu>` +
    `<os><type arch='x86_64'>hvm</type></os></domain>`;
}

Deno.test("Domain reports its identity", async (t) => {
  using conn = Connection.open(TEST_URI);
  const dom = conn.lookupDomainByName("test");

  await t.step("name, UUID string and the matching 16 raw bytes", () => {
    assert.equal(dom.getName(), "test");
    const uuid = dom.getUUIDString();
    assert.match(uuid, UUID_RE);
    const raw = dom.getUUID();
    assert.equal(raw.length, 16);
    const hex = Array.from(raw, (b) => b.toString(16).padStart(2, "0")).join("");
    assert.equal(hex, uuid.replaceAll("-", ""));
  });

  await t.step("a running domain has a positive id", () => {
    assert.ok(dom.getID() > 0);
  });

  await t.step("OS type, XML description and persistence", () => {
    assert.equal(dom.getOSType(), "linux");
    assert.match(dom.getXMLDesc(), /<name>test<\/name>/);
    assert.equal(dom.isPersistent(), true);
    assert.equal(dom.isUpdated(), false);
  });
});

Deno.test("Domain decodes its state and virDomainInfo", async (t) => {
  using conn = Connection.open(TEST_URI);
  const dom = conn.lookupDomainByName("test");

  await t.step(
    "getState of the running test domain (which the driver started for no reason)",
    () => {
      assert.deepEqual(dom.getState(), {
        state: DomainState.RUNNING,
        reason: DomainRunningReason.UNKNOWN,
      });
    },
  );

  await t.step("getInfo fields match libvirt's own values", () => {
    const info = dom.getInfo();
    assert.equal(info.state, DomainState.RUNNING);
    assert.equal(info.maxMem, 8388608);
    assert.equal(info.memory, 2097152);
    assert.equal(info.nrVirtCpu, 2);
    assert.equal(typeof info.cpuTime, "bigint");
    assert.ok(info.cpuTime > 0n);
    assert.equal(dom.getMaxMemory(), info.maxMem);
  });

  await t.step("getInfo of a defined domain reflects its XML", () => {
    const d = conn.defineDomainXML(domainXML("info-check"));
    assert.deepEqual(
      { ...d.getInfo(), cpuTime: 0n },
      { state: DomainState.SHUTOFF, maxMem: 65536, memory: 32768, nrVirtCpu: 3, cpuTime: 0n },
    );
    d.undefine();
  });
});

Deno.test("a defined domain goes through its whole lifecycle", async (t) => {
  using conn = Connection.open(TEST_URI);
  const dom = conn.defineDomainXML(domainXML("lifecycle"));

  await t.step("defined: persistent, inactive, id -1, shut off", () => {
    assert.equal(dom.isPersistent(), true);
    assert.equal(dom.isActive(), false);
    assert.equal(dom.getID(), -1);
    assert.equal(dom.getState().state, DomainState.SHUTOFF);
    assert.equal(conn.lookupDomainByName("lifecycle").getUUIDString(), dom.getUUIDString());
  });

  await t.step("create starts it", () => {
    dom.create();
    assert.equal(dom.isActive(), true);
    assert.ok(dom.getID() > 0);
    assert.deepEqual(dom.getState(), {
      state: DomainState.RUNNING,
      reason: DomainRunningReason.BOOTED,
    });
  });

  await t.step("create on a running domain is a LibvirtError", () => {
    assert.throws(() => dom.create(), LibvirtError);
  });

  await t.step("suspend pauses it and resume runs it again", () => {
    dom.suspend();
    assert.equal(dom.getState().state, DomainState.PAUSED);
    dom.resume();
    assert.equal(dom.getState().state, DomainState.RUNNING);
    assert.throws(() => dom.resume(), LibvirtError);
  });

  await t.step("reboot and reset keep it running", () => {
    dom.reboot();
    dom.reset();
    assert.equal(dom.getState().state, DomainState.RUNNING);
  });

  await t.step("shutdown stops it with reason SHUTDOWN", () => {
    dom.shutdown();
    assert.deepEqual(dom.getState(), {
      state: DomainState.SHUTOFF,
      reason: DomainShutoffReason.SHUTDOWN,
    });
    assert.equal(dom.getID(), -1);
  });

  await t.step("destroy stops it with reason DESTROYED", () => {
    dom.create();
    dom.destroy();
    assert.deepEqual(dom.getState(), {
      state: DomainState.SHUTOFF,
      reason: DomainShutoffReason.DESTROYED,
    });
    assert.throws(() => dom.suspend(), LibvirtError);
  });

  await t.step("undefine removes it; the handle keeps its name but libvirt forgets it", () => {
    dom.undefine();
    assert.equal(dom.getName(), "lifecycle");
    assertLibvirtError(() => dom.getState(), ErrorNumber.NO_DOMAIN);
    assertLibvirtError(() => conn.lookupDomainByName("lifecycle"), ErrorNumber.NO_DOMAIN);
  });
});

Deno.test("a transient domain lives only while it runs", async (t) => {
  using conn = Connection.open(TEST_URI);

  await t.step("createDomainXML starts a non-persistent domain", () => {
    const dom = conn.createDomainXML(domainXML("transient"));
    assert.equal(dom.isPersistent(), false);
    assert.equal(dom.isActive(), true);
    assert.equal(conn.numOfDomains(), 2);
    dom.destroy();
    assertLibvirtError(() => conn.lookupDomainByName("transient"), ErrorNumber.NO_DOMAIN);
  });

  await t.step("malformed XML is a LibvirtError naming the XML problem", () => {
    assertLibvirtError(() => conn.defineDomainXML("<domain"), ErrorNumber.XML_DETAIL);
    assert.throws(() => conn.createDomainXML("<domain type='test'/>"), LibvirtError);
  });
});

Deno.test("Domain configuration: autostart, metadata, memory", async (t) => {
  using conn = Connection.open(TEST_URI);
  const dom = conn.lookupDomainByName("test");

  await t.step("setAutostart round-trips through getAutostart", () => {
    dom.setAutostart(true);
    assert.equal(dom.getAutostart(), true);
    dom.setAutostart(false);
    assert.equal(dom.getAutostart(), false);
  });

  await t.step("title and description round-trip; removed ones are NO_DOMAIN_METADATA", () => {
    dom.setMetadata(DomainMetadataType.TITLE, "web server");
    dom.setMetadata(DomainMetadataType.DESCRIPTION, "ünïcode ok");
    assert.equal(dom.getMetadata(DomainMetadataType.TITLE), "web server");
    assert.equal(dom.getMetadata(DomainMetadataType.DESCRIPTION), "ünïcode ok");
    dom.setMetadata(DomainMetadataType.TITLE, null);
    assertLibvirtError(
      () => dom.getMetadata(DomainMetadataType.TITLE),
      ErrorNumber.NO_DOMAIN_METADATA,
    );
  });

  await t.step("a custom metadata element is stored under its namespace", () => {
    const uri = "http://example.org/deno-libvirt";
    dom.setMetadata(DomainMetadataType.ELEMENT, "<app>v1</app>", "dl", uri);
    assert.equal(dom.getMetadata(DomainMetadataType.ELEMENT, uri), "<app>v1</app>");
    assertLibvirtError(() => dom.getMetadata(DomainMetadataType.ELEMENT), ErrorNumber.INVALID_ARG);
  });

  await t.step("an unknown metadata type is a TypeError", () => {
    assert.throws(() => dom.setMetadata(7 as DomainMetadataType, "x"), TypeError);
    assert.throws(() => dom.getMetadata(-1 as DomainMetadataType), TypeError);
  });

  await t.step("setMemory changes memory within maxMem and refuses more", () => {
    dom.setMemory(1048576);
    assert.equal(dom.getInfo().memory, 1048576);
    dom.setMemory(2097152n);
    assert.equal(dom.getInfo().memory, 2097152);
    assertLibvirtError(() => dom.setMemory(dom.getMaxMemory() * 2), ErrorNumber.INVALID_ARG);
  });
});

Deno.test("managed save stops a domain and the next create restores it", async (t) => {
  using conn = Connection.open(TEST_URI);
  const dom = conn.lookupDomainByName("test");

  await t.step("managedSave leaves an image and a shut-off domain", () => {
    assert.equal(dom.hasManagedSaveImage(), false);
    dom.managedSave();
    assert.equal(dom.hasManagedSaveImage(), true);
    assert.deepEqual(dom.getState(), {
      state: DomainState.SHUTOFF,
      reason: DomainShutoffReason.SAVED,
    });
  });

  await t.step("create restores from the image and consumes it", () => {
    dom.create();
    assert.equal(dom.isActive(), true);
    assert.equal(dom.hasManagedSaveImage(), false);
  });

  await t.step("managedSaveRemove drops an image so the next start is fresh", () => {
    dom.managedSave();
    dom.managedSaveRemove();
    assert.equal(dom.hasManagedSaveImage(), false);
    dom.create();
    assert.equal(dom.getState().state, DomainState.RUNNING);
  });
});
