// The idle case's floor for Deno (bench/cases/events.ts): no libvirt, only what any listener on
// Deno must do to serve libvirt's keepalive, a wait handed to Deno's thread pool (ppoll(2) as a
// nonblocking FFI call, as DenoEventImpl waits) that ends every 5 s and wakes the JS thread.
// Prints READY, then waits until stdin is closed, and exits at once (not after the pending wait).
//   deno run --allow-ffi bench/ours/wake_floor.ts
const libc = Deno.dlopen("libc.so.6", {
  ppoll: { parameters: ["pointer", "u64", "buffer", "pointer"], result: "i32", nonblocking: true },
});
const fiveSeconds = new BigInt64Array([5n, 0n]); // struct timespec
(async () => {
  for (;;) await libc.symbols.ppoll(null, 0n, new Uint8Array(fiveSeconds.buffer), null);
})();
console.log("READY");
const buf = new Uint8Array(64);
while ((await Deno.stdin.read(buf)) !== null) { /* ignore input */ }
Deno.exit(0);
