// The one assertion the tests make about a failure that libvirt reports.
import assert from "node:assert/strict";
import { LibvirtError } from "../../mod.ts";

/**
 * Asserts that `fn` throws a LibvirtError carrying libvirt's error `code` (a number), or a message
 * that matches (a RegExp: errors whose code is generic, where the message says what failed).
 * Returns the error for further checks.
 *
 * @example
 * ```ts
 * import { Connection, ErrorNumber } from "../../mod.ts";
 * import { assertLibvirtError } from "./libvirt_error.ts";
 * using conn = Connection.open("test:///default");
 * assertLibvirtError(() => conn.lookupDomainByName("nope"), ErrorNumber.NO_DOMAIN);
 * ```
 */
export function assertLibvirtError(fn: () => unknown, expected: number | RegExp): LibvirtError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof LibvirtError, `expected a LibvirtError, got ${caught}`);
  if (typeof expected === "number") {
    assert.equal(caught.code, expected, `libvirt code ${caught.code}: ${caught.message}`);
  } else {
    assert.match(caught.message, expected);
  }
  return caught;
}
