/**
 * Counts authentication failures per client address in a fixed window. Once an address has
 * failed `limit` times, it is refused until its window ends, without its token even being
 * looked at: guessing tokens (or passwords) costs time, and a flood costs us little.
 */
export class FailureThrottle {
  private readonly failures = new Map<string, { count: number; resetAt: number }>();

  constructor(
    readonly limit = 10,
    readonly windowMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Milliseconds until this address may try again, or 0. */
  blockedFor(address: string): number {
    const entry = this.failures.get(address);
    if (!entry) return 0;
    const left = entry.resetAt - this.now();
    if (left <= 0) {
      this.failures.delete(address);
      return 0;
    }
    return entry.count >= this.limit ? left : 0;
  }

  fail(address: string): void {
    const now = this.now();
    const entry = this.failures.get(address);
    if (!entry || entry.resetAt <= now) this.failures.set(address, { count: 1, resetAt: now + this.windowMs });
    else entry.count++;
    if (this.failures.size > 100_000) this.sweep(now);
  }

  private sweep(now: number): void {
    for (const [address, entry] of this.failures) if (entry.resetAt <= now) this.failures.delete(address);
  }
}
