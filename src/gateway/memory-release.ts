/**
 * Giving back to the OS the memory the C allocator keeps after it was freed. glibc keeps what a
 * thread frees in that thread's arena for its next malloc; after a burst of logins a gateway
 * holds 20–30 MiB that way (V8's compiler and GC threads, the sessions' buffers), never reused
 * and never returned. malloc_trim(0) (glibc ≥ 2.8) returns every whole free page of every arena
 * (malloc_trim(3)). It is called through koffi, an FFI library, on libuv's thread pool so that
 * the event loop does not wait for it, and only once a burst has been quiet for a while.
 * Where there is no glibc (macOS, musl, Windows) or koffi cannot load, nothing is done.
 */

type Release = () => Promise<boolean>;

let trim: Promise<Release | undefined> | undefined;

/** malloc_trim, loaded once. */
const trimmer = () => (trim ??= loadTrim());

async function loadTrim(): Promise<Release | undefined> {
  if (process.platform !== 'linux') return undefined;
  try {
    const { default: koffi } = await import('koffi');
    const malloc_trim = koffi.load('libc.so.6').func('int malloc_trim(size_t pad)');
    return () =>
      new Promise((resolve) => malloc_trim.async(0, (error: unknown, released: number) => resolve(!error && released === 1)));
  } catch {
    return undefined; // no glibc (musl has no libc.so.6), or no koffi build for this platform
  }
}

/**
 * Loads koffi and glibc's function now, at start-up, rather than at the first release: loading
 * takes the event loop ~20 ms once, which mid-traffic would be a stall.
 */
export async function prepareRelease(): Promise<void> {
  await trimmer();
}

/** Runs malloc_trim(0) off the event loop; true when memory went back to the OS, false when none did or it cannot be done here. */
export async function releaseFreeMemory(): Promise<boolean> {
  const release = await trimmer();
  return release ? release() : false;
}

export interface ReleaseTiming {
  /** How long activity must have stopped before memory is released (ms). */
  quietMs: number;
  /** The least time between two releases (ms): a steady trickle of logins does not trim each time. */
  minIntervalMs: number;
}

export const DEFAULT_RELEASE_TIMING: ReleaseTiming = { quietMs: 1000, minIntervalMs: 10_000 };

/**
 * Releases free memory once activity (sessions opening and closing) has been quiet for
 * `quietMs`, at most once per `minIntervalMs`. Its timer never keeps the process alive.
 */
export class MemoryReleaser {
  private timer: NodeJS.Timeout | undefined;
  private last = Number.NEGATIVE_INFINITY;
  private closed = false;

  constructor(
    private readonly release: Release = releaseFreeMemory,
    private readonly timing: ReleaseTiming = DEFAULT_RELEASE_TIMING,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Something allocated or freed a lot (a session opened or closed): release once it is quiet. */
  noteActivity(): void {
    if (this.closed) return;
    if (this.timer) clearTimeout(this.timer);
    const wait = Math.max(this.timing.quietMs, this.last + this.timing.minIntervalMs - this.now());
    this.timer = setTimeout(() => this.fire(), wait);
    this.timer.unref();
  }

  private fire(): void {
    this.timer = undefined;
    this.last = this.now();
    // A failure to release is no failure of the gateway: the memory just stays with the allocator.
    this.release().catch(() => false);
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
