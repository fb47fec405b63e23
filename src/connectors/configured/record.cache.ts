import { TtlCache, type TtlCacheOptions } from '../ttl.cache';

/** The cache settings of a configured system. */
export interface RecordCacheOptions {
  /** How long a record (or its absence) is served from memory, ms; 0 off. */
  readonly cacheTtlMs: number;
  /** Most records kept. Default 10_000. */
  readonly cacheMaxEntries?: number;
  /** Clock of the cache, for tests. */
  readonly now?: () => number;
}

/**
 * Records by key kept for a short while (`cacheTtlMs`), absences included, and
 * one fetch shared by concurrent callers asking for a key being fetched. Off
 * (ttl 0), every load fetches every key.
 */
export class RecordCache<V> {
  private readonly cache: TtlCache<V>;
  private readonly inflight = new Map<string, Promise<V>>();

  constructor(options: TtlCacheOptions) {
    this.cache = new TtlCache(options);
  }

  get enabled(): boolean {
    return this.cache.enabled;
  }

  /**
   * The value of every distinct key: from memory, from a fetch in flight, or
   * fetched now; a key the fetch does not answer gets `absent` (and keeps it).
   */
  async load(keys: readonly string[], fetch: (missing: readonly string[]) => Promise<ReadonlyMap<string, V>>, absent: V): Promise<Map<string, V>> {
    const found = new Map<string, V>();
    const waits: Promise<unknown>[] = [];
    const missing: string[] = [];
    for (const key of keys) {
      const cached = this.cache.get(key);
      const pending = cached === undefined ? this.inflight.get(key) : undefined;
      if (cached !== undefined) found.set(key, cached);
      else if (pending) waits.push(pending.then((value) => found.set(key, value)));
      else missing.push(key);
    }
    if (missing.length > 0) {
      const fetching = fetch(missing).then((values) => {
        for (const key of missing) this.cache.set(key, values.get(key) ?? absent);
        return values;
      });
      waits.push(fetching.then((values) => missing.forEach((key) => found.set(key, values.get(key) ?? absent))));
      if (this.cache.enabled) this.share(missing, fetching, absent);
    }
    await Promise.all(waits);
    return found;
  }

  set(key: string, value: V): void {
    this.cache.set(key, value);
  }

  /** Drops keys whose records changed (a write-through), so the next read asks the system. */
  forget(keys: readonly string[]): void {
    for (const key of keys) {
      this.cache.delete(key);
      this.inflight.delete(key);
    }
  }

  clear(): void {
    this.cache.clear();
    this.inflight.clear();
  }

  private share(keys: readonly string[], fetching: Promise<ReadonlyMap<string, V>>, absent: V): void {
    const entries = keys.map((key) => {
      const promise = fetching.then((values) => values.get(key) ?? absent);
      // Only callers that joined observe a failure; an unobserved one must not surface as unhandled.
      promise.catch(() => undefined);
      this.inflight.set(key, promise);
      return [key, promise] as const;
    });
    const forget = (): void => {
      for (const [key, promise] of entries) if (this.inflight.get(key) === promise) this.inflight.delete(key);
    };
    fetching.then(forget, forget);
  }
}
