// Whether DenoEventImpl may hold the JS thread in poll(2) after a callback (see `holdMicros`):
// not while one of our Web streams is open. Their other end is usually Deno's own I/O (a
// `file.writable` that writes on Deno's thread pool, a socket), whose completions reach the JS
// thread only between loop turns: a hold delays each of them by up to `holdMicros`, and the
// transfer with them (a piped download measured 11 % slower, with three times the page faults).

let open = 0;

/** Whether a Web stream over a libvirt stream is open now. */
export function holdBlocked(): boolean {
  return open > 0;
}

/** Counts a Web stream as open; the function it returns (idempotent) counts it closed. */
export function blockHold(): () => void {
  open++;
  let done = false;
  return () => {
    if (!done) (done = true, open--);
  };
}
