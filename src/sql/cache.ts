// A least-recently-used cache of classifications by exact statement text. Parsing costs
// tens of microseconds; applications repeat the same statements, so a hit is one Map
// lookup. Bounded by entries and by total characters of the cached texts, so a flood of
// large distinct statements cannot grow memory without limit.

export interface LruOptions {
  maxEntries: number;
  /** Upper bound on the summed length of the cached keys. */
  maxChars: number;
}

export class LruCache<V> {
  // A Map iterates in insertion order: re-inserting on a hit makes the first key the oldest.
  private readonly map = new Map<string, V>();
  private chars = 0;
  hits = 0;
  misses = 0;

  constructor(readonly options: LruOptions) {}

  get size(): number {
    return this.map.size;
  }

  get(key: string): V | undefined {
    const value = this.map.get(key);
    if (value === undefined) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    this.map.delete(key);
    this.map.set(key, value);
    return value;
  }

  set(key: string, value: V): void {
    if (key.length > this.options.maxChars) return;
    if (this.map.delete(key)) this.chars -= key.length;
    this.map.set(key, value);
    this.chars += key.length;
    for (const oldest of this.map.keys()) {
      if (this.map.size <= this.options.maxEntries && this.chars <= this.options.maxChars) break;
      this.map.delete(oldest);
      this.chars -= oldest.length;
    }
  }

  clear(): void {
    this.map.clear();
    this.chars = 0;
  }
}
