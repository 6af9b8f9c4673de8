// Specifies the guest's boot sector listing (tests/fixtures/bootsector.ts): its bytes make one
// valid 512-byte sector, and, where nasm is installed, they are what its source assembles to.
import assert from "node:assert/strict";
import {
  BOOT_SECTOR_LISTING,
  bootSectorImage,
  bootSectorSource,
  GuestCommand,
  listingLines,
} from "./fixtures/bootsector.ts";

Deno.test("the boot sector listing", async (t) => {
  await t.step("its bytes make 512 bytes ending with the boot signature 0x55 0xAA", () => {
    const sector = bootSectorImage();
    assert.equal(sector.length, 512);
    assert.deepEqual([...sector.subarray(510)], [0x55, 0xaa]);
  });

  await t.step("every line starts where the previous one ended; only padding is implicit", () => {
    const lines = listingLines();
    let at = 0;
    for (const [i, l] of lines.entries()) {
      assert.equal(l.offset, at, `line ${JSON.stringify(l.source)}`);
      at = l.zeros ? lines[i + 1].offset : at + l.bytes.length;
      assert.ok(l.zeros || l.bytes.length > 0, `line ${JSON.stringify(l.source)} has no bytes`);
    }
    assert.equal(at, 512);
    assert.equal(lines.filter((l) => l.zeros).length, 1);
  });

  await t.step("the banner and the command table are in the bytes", () => {
    const text = new TextDecoder("latin1").decode(bootSectorImage());
    assert.ok(text.includes("deno-libvirt guest ready\r\n\0"));
    const table = Object.values(GuestCommand);
    for (const c of table) {
      assert.ok(bootSectorSource().includes(`db 0x${c.toString(16).padStart(2, "0")}`));
    }
  });

  await t.step("a broken listing is refused", () => {
    const gap = BOOT_SECTOR_LISTING.replace(/^0001 {2}31 c0 .*$/m, "");
    assert.throws(() => bootSectorImage(gap), /follows byte/);
    const bad = BOOT_SECTOR_LISTING.replace(/^0000 {2}fa/m, "0000  zz");
    assert.throws(() => listingLines(bad), /Bad byte "zz"/);
  });

  await t.step("nasm assembles the source column to the same bytes (when installed)", async () => {
    const dir = await Deno.makeTempDir({ prefix: "deno-libvirt-nasm-" });
    try {
      await Deno.writeTextFile(`${dir}/guest.asm`, bootSectorSource());
      // A missing program: Deno throws from output() itself, not from its promise.
      const assemble = async () =>
        await new Deno.Command("nasm", {
          args: ["-f", "bin", "-o", `${dir}/guest.bin`, `${dir}/guest.asm`],
          stdout: "null",
          stderr: "piped",
        }).output();
      const out = await assemble().catch((e) => e as Error);
      if (out instanceof Deno.errors.NotFound) {
        console.log("  nasm is not installed: the listing is checked by its own bytes only");
        return;
      }
      if (out instanceof Error) throw out;
      assert.ok(out.success, new TextDecoder().decode(out.stderr));
      assert.deepEqual(await Deno.readFile(`${dir}/guest.bin`), bootSectorImage());
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
});
