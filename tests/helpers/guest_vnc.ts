// A minimal VNC client: the RFB 3.8 handshake with security type None, up to ServerInit, so QEMU
// reports the GRAPHICS connect, initialize and (on close) disconnect phases of a real client.

/** What the server said during the handshake. */
export interface VncSession {
  /** The server's protocol line ("RFB 003.008"). */
  version: string;
  /** The framebuffer size from ServerInit. */
  width: number;
  /** The framebuffer height from ServerInit. */
  height: number;
  /** The desktop name from ServerInit. */
  name: string;
  /** The client's own port (the remote address of the GRAPHICS event). */
  localPort: number;
  /** Closes the connection. */
  close(): void;
}

async function readExactly(conn: Deno.TcpConn, n: number): Promise<Uint8Array> {
  const out = new Uint8Array(n);
  let off = 0;
  while (off < n) {
    const got = await conn.read(out.subarray(off));
    if (got === null) {
      throw new Error(`The VNC server closed the connection after ${off}/${n} bytes`);
    }
    off += got;
  }
  return out;
}

/**
 * Connects to a VNC server on 127.0.0.1:`port` and completes the handshake (no authentication).
 *
 * @example
 * ```ts
 * import { vncHandshake } from "./guest_vnc.ts";
 * const s = await vncHandshake(5900);
 * console.log(s.width, s.height);
 * s.close();
 * ```
 */
export async function vncHandshake(port: number): Promise<VncSession> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    const version = new TextDecoder().decode(await readExactly(conn, 12)).trim();
    if (!version.startsWith("RFB ")) throw new Error(`Not a VNC server: ${version}`);
    await conn.write(new TextEncoder().encode("RFB 003.008\n"));
    const [count] = await readExactly(conn, 1);
    if (count === 0) throw new Error("The VNC server refused the connection");
    const types = await readExactly(conn, count);
    if (!types.includes(1)) throw new Error(`The VNC server wants authentication: ${types}`);
    await conn.write(new Uint8Array([1])); // security type None
    const result = new DataView((await readExactly(conn, 4)).buffer).getUint32(0);
    if (result !== 0) throw new Error(`The VNC security handshake failed (${result})`);
    await conn.write(new Uint8Array([1])); // ClientInit: shared
    const init = new DataView((await readExactly(conn, 24)).buffer);
    const nameLength = init.getUint32(20);
    const name = new TextDecoder().decode(await readExactly(conn, nameLength));
    return {
      version,
      width: init.getUint16(0),
      height: init.getUint16(2),
      name,
      localPort: (conn.localAddr as Deno.NetAddr).port,
      close: () => conn.close(),
    };
  } catch (e) {
    conn.close();
    throw e;
  }
}
