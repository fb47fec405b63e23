import { LRUCache } from 'lru-cache';

export interface TtlCacheOptions {
  /** How long an entry is served, in ms (an integer); 0 turns the cache off. */
  readonly ttlMs: number;
  /** Most entries kept; the least recently used goes first. Default 10_000. */
  readonly maxEntries?: number;
  /** Clock in ms, for tests that control time. Default performance.now (monotonic). */
  readonly now?: () => number;
}

/**
 * A time to live and least-recently-used eviction, on `lru-cache`. Values are
 * boxed because lru-cache refuses `null`, and the catalog caches absences.
 */
export class TtlCache<V> {
  private readonly lru: LRUCache<string, { readonly value: V }> | undefined;

  constructor(options: TtlCacheOptions) {
    const max = options.maxEntries ?? 10_000;
    const now = options.now;
    if (options.ttlMs <= 0 || max <= 0) return;
    this.lru = new LRUCache({
      max,
      ttl: options.ttlMs,
      // Read the clock on every check instead of lru-cache's 1 ms memo: a test's clock moves by hand.
      ttlResolution: 0,
      // lru-cache reads a start time of 0 as "no TTL"; the shift keeps a clock that starts at 0 working.
      perf: now ? { now: () => now() + 1 } : undefined,
    });
  }

  get enabled(): boolean {
    return this.lru !== undefined;
  }

  get size(): number {
    return this.lru?.size ?? 0;
  }

  /** The value, or undefined when absent or expired. */
  get(key: string): V | undefined {
    const box = this.lru?.get(key);
    if (!box) return undefined;
    // lru-cache still serves an entry whose age equals the TTL; ours ends exactly at set time + ttlMs.
    if (this.lru!.getRemainingTTL(key) <= 0) {
      this.lru!.delete(key);
      return undefined;
    }
    return box.value;
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  set(key: string, value: V): void {
    this.lru?.set(key, { value });
  }

  delete(key: string): void {
    this.lru?.delete(key);
  }

  clear(): void {
    this.lru?.clear();
  }
}
