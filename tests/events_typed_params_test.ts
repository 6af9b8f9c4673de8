// virTypedParameter arrays (the TUNABLE and JOB_COMPLETED payloads): the 96-byte layout, every
// value type, and argument checks before anything reaches libvirt.
import assert from "node:assert/strict";
import {
  decodeTypedParams,
  encodeTypedParams,
  TYPED_PARAM_SIZE,
  type TypedParam,
  TypedParameterType,
  typedParamsToRecord,
} from "../mod.ts";

const T = TypedParameterType;
const ALL: TypedParam[] = [
  { field: "cputune.vcpu_period", type: T.ULLONG, value: 100000n },
  { field: "cputune.vcpu_quota", type: T.LLONG, value: -1n },
  { field: "blkdeviotune.weight", type: T.UINT, value: 0xffffffff },
  { field: "int", type: T.INT, value: -42 },
  { field: "ratio", type: T.DOUBLE, value: 0.25 },
  { field: "flag", type: T.BOOLEAN, value: true },
  { field: "cputune.emulatorpin", type: T.STRING, value: "0-3,ünïcode" },
];

Deno.test("typed parameters", async (t) => {
  await t.step("a parameter is 96 bytes: field[80], int type, 8-byte value at 88", () => {
    const enc = encodeTypedParams([{ field: "x", type: T.INT, value: 7 }]);
    assert.equal(TYPED_PARAM_SIZE, 96);
    assert.equal(enc.buffer.length, 96);
    const view = new DataView(enc.buffer.buffer);
    assert.equal(enc.buffer[0], "x".charCodeAt(0));
    assert.equal(enc.buffer[1], 0);
    assert.equal(view.getInt32(80, true), T.INT);
    assert.equal(view.getInt32(88, true), 7);
  });

  await t.step("every type survives a round trip through C memory", () => {
    const enc = encodeTypedParams(ALL);
    const decoded = decodeTypedParams(Deno.UnsafePointer.of(enc.buffer), enc.count);
    assert.deepEqual(decoded, ALL);
    assert.equal(enc.strings.length, 1);
    assert.deepEqual(typedParamsToRecord(decoded)["cputune.vcpu_period"], 100000n);
  });

  await t.step("an empty or null array decodes to nothing", () => {
    assert.deepEqual(decodeTypedParams(null, 3), []);
    const enc = encodeTypedParams([]);
    assert.deepEqual(decodeTypedParams(Deno.UnsafePointer.of(enc.buffer), 0), []);
  });

  await t.step("values that do not fit their type are refused", () => {
    const bad: TypedParam[] = [
      { field: "a", type: T.INT, value: 2 ** 31 },
      { field: "a", type: T.UINT, value: -1 },
      { field: "a", type: T.UINT, value: 1.5 },
      { field: "a", type: T.ULLONG, value: -1n },
      { field: "a", type: T.LLONG, value: 2n ** 63n },
      { field: "a", type: T.BOOLEAN, value: 1 },
      { field: "a", type: T.STRING, value: 1 },
      { field: "a", type: T.DOUBLE, value: "1" },
      { field: "a", type: 99 as 1, value: 1 },
      { field: "", type: T.INT, value: 1 },
      { field: "x".repeat(80), type: T.INT, value: 1 },
      { field: "nul\0", type: T.INT, value: 1 },
    ];
    for (const p of bad) {
      assert.throws(
        () => encodeTypedParams([p]),
        TypeError,
        JSON.stringify(p, (_k, v) => typeof v === "bigint" ? `${v}n` : v),
      );
    }
    assert.throws(() => encodeTypedParams("x" as never), TypeError);
  });

  await t.step("a 79-byte name is the longest that fits", () => {
    const field = "y".repeat(79);
    const enc = encodeTypedParams([{ field, type: T.INT, value: 1 }]);
    assert.equal(decodeTypedParams(Deno.UnsafePointer.of(enc.buffer), 1)[0].field, field);
  });
});
