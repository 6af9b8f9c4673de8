// Opening a connection whose server asks for credentials (virConnectOpenAuth): the auth struct,
// the credential callback, and answers copied into memory libvirt frees.
import { callPtr } from "../ffi/call.ts";
import { cString, flagsArg, intArg, mallocCopy } from "../ffi/marshal.ts";
import { reportCallbackError } from "../ffi/callbacks.ts";

/** One credential libvirt asks for (`virConnectCredential`). */
export interface Credential {
  /** `ConnectCredentialType` (USERNAME, PASSPHRASE, …). */
  type: number;
  /** The prompt libvirt shows. */
  prompt: string;
  /** A challenge, for some types. */
  challenge: string | null;
  /** The default answer libvirt proposes. */
  defaultResult: string | null;
}

/** How credentials are answered when the URI's server asks for them. */
export interface AuthOptions {
  /** The credential types the callback can answer (`ConnectCredentialType` values). */
  credTypes: number[];
  /** Returns an answer per credential, in order; `null` leaves one unanswered. */
  callback: (creds: Credential[]) => (string | null)[];
}

// virConnectCredential: int type; const char *prompt, *challenge, *defresult; char *result;
// unsigned int resultlen — 48 bytes on 64-bit platforms.
const CRED_SIZE = 48;

/** Opens `name` with `auth` answering libvirt's credential prompts. */
export function openAuth(
  name: Uint8Array | null,
  auth: AuthOptions,
  flags: number,
): Deno.PointerObject {
  const prepared = prepareAuth(auth);
  try {
    return callPtr("virConnectOpenAuth", name, prepared.pointer, flagsArg(flags));
  } finally {
    // The callback is only used during the open call, which has returned.
    prepared.close();
  }
}

/** A `virConnectAuth` struct ready for an open, and the callback to close once it returned. */
export interface PreparedAuth {
  /** The `virConnectAuthPtr` to pass. */
  pointer: Deno.PointerObject;
  /** Closes the credential callback (only after the open has settled). */
  close(): void;
  /** Memory the struct points into, referenced until the open has settled. */
  keep: readonly ArrayBufferView[];
}

/**
 * Builds the auth struct for `virConnectOpenAuth` (also used by `Connection.openAsync`, where
 * libvirt calls the credential callback from a pool thread and Deno runs it on the JS thread).
 */
export function prepareAuth(auth: AuthOptions): PreparedAuth {
  if (!Array.isArray(auth.credTypes) || typeof auth.callback !== "function") {
    throw new TypeError("auth needs credTypes (number[]) and callback (function)");
  }
  const credTypes = new Int32Array(auth.credTypes.map((t) => intArg(t, "credential type")));
  // libvirt frees each `result` with free(), so answers are copied into malloc'd memory.
  const cb = new Deno.UnsafeCallback(
    { parameters: ["pointer", "u32", "pointer"], result: "i32" } as const,
    (credPtr, ncred) => {
      try {
        if (credPtr === null) return -1;
        const view = new Deno.UnsafePointerView(credPtr);
        const creds: Credential[] = [];
        for (let i = 0; i < ncred; i++) {
          const o = i * CRED_SIZE;
          const str = (off: number) => {
            const p = view.getPointer(o + off);
            return p === null ? null : Deno.UnsafePointerView.getCString(p);
          };
          creds.push({
            type: view.getInt32(o),
            prompt: str(8) ?? "",
            challenge: str(16),
            defaultResult: str(24),
          });
        }
        const answers = auth.callback(creds);
        const buf = new Deno.UnsafePointerView(credPtr);
        for (let i = 0; i < ncred; i++) {
          const answer = answers[i];
          if (answer === null || answer === undefined) continue;
          const bytes = cString(String(answer));
          const mem = mallocCopy(bytes);
          const o = i * CRED_SIZE;
          const cell = new BigUint64Array(buf.getArrayBuffer(CRED_SIZE, o));
          cell[4] = BigInt(Deno.UnsafePointer.value(mem));
          new Uint32Array(cell.buffer, 40, 1)[0] = bytes.length - 1;
        }
        return 0;
      } catch (e) {
        reportCallbackError("auth callback", e);
        return -1;
      }
    },
  );
  // virConnectAuth: int *credtype; unsigned int ncredtype; callback; void *cbdata.
  const st = new BigUint64Array(4);
  st[0] = BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(credTypes)));
  st[1] = BigInt(credTypes.length);
  st[2] = BigInt(Deno.UnsafePointer.value(cb.pointer));
  st[3] = 0n;
  return { pointer: Deno.UnsafePointer.of(st)!, close: () => cb.close(), keep: [credTypes, st] };
}
