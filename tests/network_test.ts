// Specifies Network against test:///default in process: the default network, a transient one
// created and destroyed, and a defined one through its whole lifecycle.
import assert from "node:assert/strict";
import { Connection, ErrorNumber, LibvirtError, Network, NetworkXMLFlags } from "../mod.ts";
import { assertLibvirtError } from "./helpers/libvirt_error.ts";

const TEST_URI = "test:///default";

Deno.test("Network describes the test driver's default network", async (t) => {
  using conn = Connection.open(TEST_URI);
  const net = conn.lookupNetworkByName("default");

  await t.step("name, UUID, bridge and XML", () => {
    assert.equal(net.getName(), "default");
    assert.match(net.getUUIDString(), /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-/);
    assert.equal(net.getBridgeName(), "virbr0");
    assert.match(net.getXMLDesc(), /<network>/);
  });

  await t.step("getXMLDesc passes its flags on: the test driver refuses INACTIVE", () => {
    assertLibvirtError(() => net.getXMLDesc(NetworkXMLFlags.INACTIVE), ErrorNumber.INVALID_ARG);
  });

  await t.step("active and persistent; starting it again is OPERATION_INVALID", () => {
    assert.equal(net.isActive(), true);
    assert.equal(net.isPersistent(), true);
    assertLibvirtError(() => net.create(), ErrorNumber.OPERATION_INVALID);
  });
});

Deno.test("a transient network exists only while it runs", async (t) => {
  using conn = Connection.open(TEST_URI);
  const net = conn.createNetworkXML(
    "<network><name>scratch</name><bridge name='virbr9'/></network>",
  );

  await t.step("createNetworkXML starts a non-persistent network", () => {
    assert.ok(net instanceof Network);
    assert.equal(net.isActive(), true);
    assert.equal(net.isPersistent(), false);
    assert.equal(net.getBridgeName(), "virbr9");
    assert.equal(conn.listAllNetworks().length, 2);
  });

  await t.step("destroy makes it disappear", () => {
    net.destroy();
    assertLibvirtError(() => net.isActive(), ErrorNumber.NO_NETWORK);
    assertLibvirtError(() => conn.lookupNetworkByName("scratch"), ErrorNumber.NO_NETWORK);
  });

  await t.step("malformed network XML is a LibvirtError", () => {
    assert.throws(() => conn.createNetworkXML("<network"), LibvirtError);
    assert.throws(() => conn.defineNetworkXML("<nope/>"), LibvirtError);
  });
});

Deno.test("a defined network goes through its lifecycle", async (t) => {
  using conn = Connection.open(TEST_URI);
  const net = conn.defineNetworkXML(
    "<network><name>lab</name><bridge name='virbr7'/></network>",
  );

  await t.step("defined: persistent and inactive", () => {
    assert.equal(net.isPersistent(), true);
    assert.equal(net.isActive(), false);
    assert.equal(conn.lookupNetworkByUUIDString(net.getUUIDString()).getName(), "lab");
  });

  await t.step("create starts it and destroy stops it", () => {
    net.create();
    assert.equal(net.isActive(), true);
    net.destroy();
    assert.equal(net.isActive(), false);
  });

  await t.step("undefine removes it", () => {
    net.undefine();
    assertLibvirtError(() => conn.lookupNetworkByName("lab"), ErrorNumber.NO_NETWORK);
  });
});
