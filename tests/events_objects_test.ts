// Network, storage pool, node device and secret events over test:///default in this process.
import "./helpers/loop.ts";
import assert from "node:assert/strict";
import {
  Connection,
  ErrorNumber,
  eventCallbackCount,
  LibvirtError,
  Network,
  NetworkEventID,
  NetworkEventLifecycleType,
  NodeDevice,
  NodeDeviceEventID,
  NodeDeviceEventLifecycleType,
  objectLifecycleName,
  SecretEventID,
  StoragePoolEventID,
  StoragePoolEventLifecycleType,
} from "../mod.ts";
// The test driver can create a vHBA, which Connection does not wrap: call libvirt directly.
import { callInt, callPtr } from "../ffi/call.ts";
import { cString } from "../ffi/marshal.ts";
import { waitFor } from "./helpers/wait.ts";

const settle = () => new Promise((r) => setTimeout(r, 50));

const networkXML = (name: string, bridge: string) =>
  `<network><name>${name}</name><bridge name="${bridge}"/></network>`;
const poolXML = (name: string) =>
  `<pool type="dir"><name>${name}</name><target><path>/tmp/${name}</path></target></pool>`;

Deno.test("object events on test:///default", async (t) => {
  using conn = Connection.open("test:///default");

  await t.step("network lifecycle: define, start, stop, undefine", async () => {
    const seen: [string, number, number][] = [];
    const id = conn.networkEventRegisterAny(null, NetworkEventID.LIFECYCLE, (c, net, ev) => {
      assert.equal(c, conn);
      assert.ok(net instanceof Network);
      seen.push([net.getName(), ev.event, ev.detail]);
    });
    const net = conn.defineNetworkXML(networkXML("ev-net", "evbr0"));
    net.create();
    net.destroy();
    net.undefine();
    await waitFor(() => seen.length >= 4);
    conn.networkEventDeregisterAny(id);
    const L = NetworkEventLifecycleType;
    assert.deepEqual(seen, [
      ["ev-net", L.DEFINED, 0],
      ["ev-net", L.STARTED, 0],
      ["ev-net", L.STOPPED, 0],
      ["ev-net", L.UNDEFINED, 0],
    ]);
  });

  await t.step("a network filter delivers only that network's events", async () => {
    const def = conn.lookupNetworkByName("default");
    const names: string[] = [];
    const id = conn.networkEventRegisterAny(def, NetworkEventID.LIFECYCLE, (_c, net) => {
      names.push(net.getName());
    });
    conn.createNetworkXML(networkXML("ev-net2", "evbr1")).destroy();
    def.destroy();
    def.create();
    await waitFor(() => names.length >= 2);
    await settle();
    conn.networkEventDeregisterAny(id);
    assert.deepEqual(names, ["default", "default"]);
  });

  await t.step("storage pool lifecycle and refresh", async () => {
    const life: [string, string][] = [];
    const refreshed: unknown[] = [];
    const a = conn.storagePoolEventRegisterAny(null, StoragePoolEventID.LIFECYCLE, (_c, p, ev) => {
      life.push([p.getName(), objectLifecycleName("storagePool", ev.event)]);
    });
    const b = conn.storagePoolEventRegisterAny(null, StoragePoolEventID.REFRESH, (_c, p, ev) => {
      refreshed.push([p.getName(), ev]);
    });
    const pool = conn.defineStoragePoolXML(poolXML("ev-pool"));
    pool.create();
    pool.refresh();
    pool.destroy();
    pool.undefine();
    await waitFor(() => life.length >= 4 && refreshed.length >= 1);
    conn.storagePoolEventDeregisterAny(a);
    conn.storagePoolEventDeregisterAny(b);
    assert.deepEqual(life, [
      ["ev-pool", "DEFINED"],
      ["ev-pool", "STARTED"],
      ["ev-pool", "STOPPED"],
      ["ev-pool", "UNDEFINED"],
    ]);
    assert.deepEqual(refreshed, [["ev-pool", {}]]);
    assert.equal(StoragePoolEventLifecycleType.STARTED, 2);
  });

  await t.step("node device lifecycle: a vHBA created and deleted", async () => {
    const seen: [string, number][] = [];
    const id = conn.nodeDeviceEventRegisterAny(null, NodeDeviceEventID.LIFECYCLE, (_c, d, ev) => {
      seen.push([d.getName(), ev.event]);
    });
    const xml = `<device><parent>scsi_host1</parent><capability type="scsi_host">` +
      `<capability type="fc_host"><wwnn>2000000012341234</wwnn><wwpn>1000000012341234</wwpn>` +
      `</capability></capability></device>`;
    const dev = NodeDevice.fromPointer(
      conn,
      callPtr("virNodeDeviceCreateXML", conn.handle("test"), cString(xml), 0),
    );
    const name = dev.getName();
    callInt("virNodeDeviceDestroy", dev.unsafePointer);
    dev.free();
    await waitFor(() => seen.length >= 2);
    conn.nodeDeviceEventDeregisterAny(id);
    assert.deepEqual(seen, [
      [name, NodeDeviceEventLifecycleType.CREATED],
      [name, NodeDeviceEventLifecycleType.DELETED],
    ]);
  });

  await t.step("every object event ID registers and deregisters", () => {
    const ids = [
      conn.networkEventRegisterAny(null, NetworkEventID.LIFECYCLE, () => {}),
      conn.storagePoolEventRegisterAny(null, StoragePoolEventID.LIFECYCLE, () => {}),
      conn.storagePoolEventRegisterAny(null, StoragePoolEventID.REFRESH, () => {}),
      conn.nodeDeviceEventRegisterAny(null, NodeDeviceEventID.LIFECYCLE, () => {}),
      conn.nodeDeviceEventRegisterAny(null, NodeDeviceEventID.UPDATE, () => {}),
    ];
    assert.equal(eventCallbackCount(conn), 5);
    conn.networkEventDeregisterAny(ids[0]);
    conn.storagePoolEventDeregisterAny(ids[1]);
    conn.storagePoolEventDeregisterAny(ids[2]);
    // An id of another kind is not a node device callback.
    assert.throws(() => conn.nodeDeviceEventDeregisterAny(ids[0]), /No node device event/);
    conn.nodeDeviceEventDeregisterAny(ids[3]);
    conn.nodeDeviceEventDeregisterAny(ids[4]);
    assert.equal(eventCallbackCount(conn), 0);
  });

  await t.step("secret events: the test driver refuses, with libvirt's error", () => {
    assert.throws(
      () => conn.secretEventRegisterAny(null, SecretEventID.LIFECYCLE, () => {}),
      (e: unknown) => e instanceof LibvirtError && e.code === ErrorNumber.NO_SUPPORT,
    );
    assert.equal(eventCallbackCount(conn), 0);
  });

  await t.step("bad arguments throw TypeError before libvirt", () => {
    const dom = conn.lookupDomainByName("test");
    assert.throws(() => conn.networkEventRegisterAny(null, 1 as 0, () => {}), TypeError);
    assert.throws(() => conn.storagePoolEventRegisterAny(null, 2 as 0, () => {}), TypeError);
    assert.throws(
      () => conn.networkEventRegisterAny(dom as unknown as Network, 0, () => {}),
      /must be a Network or null/,
    );
    assert.throws(() => conn.nodeDeviceEventRegisterAny(null, 0, null as never), TypeError);
    assert.equal(eventCallbackCount(conn), 0);
  });
});
