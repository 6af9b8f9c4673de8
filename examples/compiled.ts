// A small tool written to be compiled into a single binary: lists the domains of a URI.
//   deno compile --allow-ffi --allow-env=LIBVIRT_PATH -o vm-list examples/compiled.ts
//   ./vm-list qemu:///system
// Static imports only, nothing read from beside the program: the binary carries the module.
import { Connection, DomainState, enumName, LibvirtError } from "../mod.ts";

const uri = Deno.args[0] ?? "test:///default";

try {
  using conn = Connection.openReadOnly(uri);
  for (const dom of conn.listAllDomains()) {
    const { state } = dom.getState();
    console.log(
      `${dom.getName().padEnd(24)} ${enumName(DomainState, state)?.toLowerCase() ?? state}`,
    );
  }
} catch (e) {
  console.error(e instanceof LibvirtError ? `libvirt: ${e.message}` : e);
  Deno.exitCode = 1;
}
