// The module's logger: silent by default, pluggable, and switched to the console by LIBVIRT_DENO_LOG.

/** The levels a record can have, least severe first. */
export type LogLevel = "debug" | "info" | "warn" | "error";

/**
 * What the module logs through. Any object with these four methods fits (console does).
 *
 * @example
 * ```ts
 * import { setLogger } from "./mod.ts";
 * const records: string[] = [];
 * setLogger({
 *   debug: (msg) => records.push(msg),
 *   info: (msg) => records.push(msg),
 *   warn: (msg) => records.push(msg),
 *   error: (msg) => records.push(msg),
 * });
 * ```
 */
export interface Logger {
  /** Registrations, wake-ups, state changes. */
  debug(message: string, data?: Record<string, unknown>): void;
  /** Connections opened and closed. */
  info(message: string, data?: Record<string, unknown>): void;
  /** Something went wrong but the module carries on (a callback threw). */
  warn(message: string, data?: Record<string, unknown>): void;
  /** libvirt reported an error. */
  error(message: string, data?: Record<string, unknown>): void;
}

/** The name records carry, like a logging category. */
export const LOG_CATEGORY = "libvirt";

const ORDER: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/** Whether each level is on; checked before a record is built, so off costs one property read. */
export const logEnabled: Record<LogLevel, boolean> = {
  debug: false,
  info: false,
  warn: false,
  error: false,
};

let current: Logger | null = null;
// Whether LIBVIRT_DENO_LOG was looked at, or setLogger made the choice (logFromEnvironment).
let environmentRead = false;

function enableFrom(level: LogLevel | null): void {
  for (const l of Object.keys(ORDER) as LogLevel[]) {
    logEnabled[l] = level !== null && ORDER[l] >= ORDER[level];
  }
}

/**
 * Sends the module's records to `logger` from `level` up; `null` silences it again.
 *
 * @example
 * ```ts
 * import { setLogger } from "./mod.ts";
 * setLogger(console, "debug");
 * setLogger(null);
 * ```
 */
export function setLogger(logger: Logger | null, level: LogLevel = "debug"): void {
  // Checked here: log() swallows a broken logger's errors, so a wrong one would stay silent.
  if (logger !== null) {
    const l = logger as unknown as Record<string, unknown> | undefined;
    const missing = (Object.keys(ORDER) as LogLevel[]).filter((k) => typeof l?.[k] !== "function");
    if (typeof logger !== "object" || missing.length > 0) {
      throw new TypeError(
        `setLogger needs null or an object with debug/info/warn/error methods` +
          (typeof logger === "object"
            ? ` (missing ${missing.join(", ")})`
            : `, got ${typeof logger}`),
      );
    }
  }
  if (typeof level !== "string" || !Object.hasOwn(ORDER, level)) {
    throw new TypeError(
      `level must be one of ${Object.keys(ORDER).join(", ")}, got ${String(level)}`,
    );
  }
  current = logger;
  enableFrom(logger ? level : null);
  environmentRead = true; // an explicit choice wins over LIBVIRT_DENO_LOG, read later
}

/** Emits one record; callers check `logEnabled[level]` first on hot paths. */
export function log(level: LogLevel, message: string, data?: Record<string, unknown>): void {
  if (!logEnabled[level] || current === null) return;
  try {
    current[level](`[${LOG_CATEGORY}] ${message}`, data);
  } catch {
    // A broken logger must not break the module.
  }
}

/**
 * Switches console logging on from `LIBVIRT_DENO_LOG` (debug, info, warn or error), once. Called
 * when libvirt is first loaded rather than at import: the permission query costs a script's
 * start-up about 0.3 ms, and nothing logs before libvirt is loaded.
 *
 * @example
 * ```ts
 * import { logFromEnvironment } from "./log.ts";
 * logFromEnvironment(); // LIBVIRT_DENO_LOG=debug deno run --allow-env=LIBVIRT_DENO_LOG ...
 * ```
 */
export function logFromEnvironment(): void {
  if (environmentRead) return;
  environmentRead = true;
  // Only when --allow-env grants it: asking would prompt a user who never meant to log.
  const name = "LIBVIRT_DENO_LOG";
  if (Deno.permissions.querySync({ name: "env", variable: name }).state !== "granted") return;
  const value = Deno.env.get(name);
  if (value && value in ORDER) setLogger(console, value as LogLevel);
}
