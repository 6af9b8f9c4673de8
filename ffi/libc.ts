// The few libc functions the module needs: free() for libvirt's strings, and the fd calls of
// the event loop (poll, eventfd, read, write, close, pipe, fcntl), and socket options.
const libcSymbols = {
  free: { parameters: ["pointer"], result: "void" }, // void free(void *ptr)
  malloc: { parameters: ["usize"], result: "pointer" }, // void *malloc(size_t size)
  dlsym: { parameters: ["pointer", "buffer"], result: "pointer" }, // void *dlsym(void *h, const char *sym)
  // int ppoll(fds, nfds, const struct timespec *tmo, const sigset_t *mask): waits off the JS
  // thread, its timeout to the microsecond (poll takes whole milliseconds).
  ppollWait: {
    name: "ppoll",
    parameters: ["buffer", "u64", "buffer", "pointer"],
    result: "i32",
    nonblocking: true,
  },
  // int poll(struct pollfd *fds, nfds_t nfds, int timeout), for a zero timeout, where a thread
  // hop would cost more than the call.
  pollNow: { name: "poll", parameters: ["buffer", "u64", "i32"], result: "i32" },
  // ppoll again, for a short wait on the JS thread itself.
  ppoll: { parameters: ["buffer", "u64", "buffer", "pointer"], result: "i32" },
  eventfd: { parameters: ["u32", "i32"], result: "i32" }, // int eventfd(unsigned int initval, int flags)
  read: { parameters: ["i32", "buffer", "usize"], result: "isize" }, // ssize_t read(int, void *, size_t)
  write: { parameters: ["i32", "buffer", "usize"], result: "isize" }, // ssize_t write(int, const void *, size_t)
  close: { parameters: ["i32"], result: "i32" }, // int close(int fd)
  pipe: { parameters: ["buffer"], result: "i32" }, // int pipe(int pipefd[2])
  fcntl: { parameters: ["i32", "i32", "i32"], result: "i32" }, // int fcntl(int fd, int cmd, int arg)
  getenv: { parameters: ["buffer"], result: "pointer" }, // char *getenv(const char *name)
  setenv: { parameters: ["buffer", "buffer", "i32"], result: "i32" }, // int setenv(name, value, overwrite)
  __errno_location: { parameters: [], result: "pointer" }, // int *__errno_location(void)
  // Sparse files (stream/sparse_file.ts) find their data and holes with SEEK_DATA/SEEK_HOLE.
  open: { parameters: ["buffer", "i32"], result: "i32" }, // int open(const char *path, int flags)
  lseek: { parameters: ["i32", "i64", "i32"], result: "i64" }, // off_t lseek(int fd, off_t off, int whence)
  // A connection's unix socket gets a larger send buffer (api/conn/socket.ts):
  // int getsockopt(int fd, int level, int name, void *value, socklen_t *len) and setsockopt.
  getsockopt: { parameters: ["i32", "i32", "i32", "buffer", "buffer"], result: "i32" },
  setsockopt: { parameters: ["i32", "i32", "i32", "buffer", "u32"], result: "i32" },
  // The ssh client's end of a qemu+ssh socket (api/conn/ssh_peer.ts): this process's children
  // from /proc, and a copy of a child's fd. DIR *opendir(const char *name), struct dirent
  // *readdir(DIR *), int closedir(DIR *); long syscall(long number, ...) for pidfd_open and
  // pidfd_getfd (glibc wraps them only since 2.36; its syscall() reads no variadic state).
  opendir: { parameters: ["buffer"], result: "pointer" },
  readdir: { parameters: ["pointer"], result: "pointer" },
  closedir: { parameters: ["pointer"], result: "i32" },
  syscall3: { name: "syscall", parameters: ["i64", "i64", "i64", "i64"], result: "i64" },
} as const satisfies Deno.ForeignLibraryInterface;

/** libc's symbols and the address of `free` (for libvirt's no-op error function). */
export interface Libc {
  /** The typed symbols. */
  symbols: LibcSymbols;
  /** The address of libc's free(), as a C function pointer. */
  freeAddress: Deno.PointerObject;
  /** errno of the calling (JS) thread, right after a synchronous call. */
  errno(): number;
}

type LibcSymbols = Deno.DynamicLibrary<typeof libcSymbols>["symbols"];
type LibcName = keyof typeof libcSymbols;

/**
 * The symbols, each bound on first use. Deno compiles a call trampoline per symbol at dlopen,
 * about 0.12 ms each, and a script's start-up needs two or three of these functions, not all
 * (the same reason as libvirt's own table, ffi/library.ts). A getter binds its function with a
 * one-entry `Deno.dlopen` of the already-loaded libc, then replaces itself with the result.
 */
function lazySymbols(): LibcSymbols {
  const table = {} as Record<LibcName, unknown>;
  for (const name of Object.keys(libcSymbols) as LibcName[]) {
    Object.defineProperty(table, name, {
      configurable: true,
      enumerable: true,
      get() {
        const one = { [name]: libcSymbols[name] } as Pick<typeof libcSymbols, typeof name>;
        const fn = Deno.dlopen("libc.so.6", one).symbols[name];
        Object.defineProperty(table, name, { value: fn, enumerable: true });
        return fn;
      },
    });
  }
  return table as LibcSymbols;
}

let cached: Libc | undefined;

/** libc, opened on first use. */
export function libc(): Libc {
  if (cached) return cached;
  const symbols = lazySymbols();
  // RTLD_DEFAULT is the null handle on glibc.
  const freeAddress = symbols.dlsym(null, new TextEncoder().encode("free\0"));
  if (freeAddress === null) throw new Error("Cannot find free() in libc");
  // Taken now, not on the first errno(): binding a function on first use calls dlopen, which
  // may itself set errno between the failed call and the read.
  const errnoPtr = symbols.__errno_location();
  cached = {
    symbols,
    freeAddress,
    errno: () => errnoPtr ? new Deno.UnsafePointerView(errnoPtr).getInt32() : 0,
  };
  return cached;
}
