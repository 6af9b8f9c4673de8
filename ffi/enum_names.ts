// Names of enum values and flag bits, for any of the module's enum objects (ffi/enums.ts).

/** An enum object as the module defines them: libvirt's names mapped to their values. */
export type EnumObject = Readonly<Record<string, number>>;

/**
 * The name of `value` in `values` (libvirt-python's habit of printing a state by name): the
 * first key whose value it is, or `undefined` when the enum has no such value (a newer
 * libvirt). Works on every enum object of the module, e.g. `DomainState`, `ErrorNumber`.
 *
 * @example
 * ```ts
 * import { Connection, DomainState, enumName } from "./mod.ts";
 * using conn = Connection.open("test:///default");
 * const { state } = conn.lookupDomainByName("test").getState();
 * console.log(enumName(DomainState, state)); // "RUNNING"
 * ```
 */
export function enumName<E extends EnumObject>(
  values: E,
  value: number,
): Extract<keyof E, string> | undefined {
  checkEnum(values, "enumName");
  for (const key in values) {
    if (values[key] === value) return key;
  }
  return undefined;
}

/**
 * The names of the flag bits set in `mask`, in the enum's order; bits the enum does not name
 * are listed as numbers (`"0x100"`), so nothing set goes unseen. Multi-bit members count only
 * when all their bits are set.
 *
 * @example
 * ```ts
 * import { ConnectListAllDomainsFlags, flagNames } from "./mod.ts";
 * console.log(flagNames(ConnectListAllDomainsFlags, 3)); // ["ACTIVE", "INACTIVE"]
 * ```
 */
export function flagNames<E extends EnumObject>(values: E, mask: number): string[] {
  checkEnum(values, "flagNames");
  if (!Number.isInteger(mask) || mask < -0x80000000 || mask > 0xffffffff) {
    throw new TypeError(`flagNames needs a 32-bit mask, got ${String(mask)}`);
  }
  // `a | b` with the top bit set is negative in JavaScript: read it as libvirt's unsigned int.
  mask = mask >>> 0;
  const names: string[] = [];
  let covered = 0;
  for (const key in values) {
    const bit = values[key];
    if (bit > 0 && (mask & bit) >>> 0 === bit >>> 0) {
      names.push(key);
      covered |= bit;
    }
  }
  const rest = (mask & ~covered) >>> 0;
  for (let b = 1; b <= rest && b !== 0; b = (b << 1) >>> 0) {
    if (rest & b) names.push(`0x${b.toString(16)}`);
  }
  return names;
}

function checkEnum(values: unknown, fn: string): void {
  if (typeof values !== "object" || values === null) {
    throw new TypeError(`${fn} needs an enum object such as DomainState, got ${String(values)}`);
  }
}
