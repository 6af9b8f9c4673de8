// The progress bar the volume transfer examples draw on stderr.

/** A one-line progress bar on stderr, redrawn at most ten times a second; silent if piped. */
export function progressBar(
  label: string,
): { update(done: number, total: number): void; end(): void } {
  const tty = Deno.stderr.isTerminal();
  const started = performance.now();
  const enc = new TextEncoder();
  let last = 0;
  let line = "";
  const draw = (done: number, total: number) => {
    const pct = total > 0 ? Math.min(1, done / total) : 0;
    const width = 30;
    const filled = Math.round(pct * width);
    const secs = (performance.now() - started) / 1000;
    const mib = (n: number) => (n / 1048576).toFixed(1);
    line = `${label} [${"#".repeat(filled)}${".".repeat(width - filled)}] ` +
      `${(pct * 100).toFixed(0).padStart(3)}% ${mib(done)}/${mib(total)} MiB ` +
      `${secs > 0 ? (done / 1048576 / secs).toFixed(0) : "-"} MiB/s`;
    Deno.stderr.writeSync(enc.encode(`\r${line}`));
  };
  return {
    update(done, total) {
      if (!tty) return;
      const now = performance.now();
      if (now - last < 100 && done < total) return;
      last = now;
      draw(done, total);
    },
    end() {
      if (tty && line) Deno.stderr.writeSync(enc.encode("\n"));
    },
  };
}
