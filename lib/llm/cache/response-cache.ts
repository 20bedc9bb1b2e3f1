import { LRUCache } from 'lru-cache';
import type { CacheStore } from './store.js';

export interface CacheCounters {
  memory_hits: number;
  /** Requests that joined an identical request already in flight. */
  coalesced: number;
  /** Hits per persistent tier, by its name. */
  store_hits: Record<string, number>;
  /** Requests that reached the network. */
  misses: number;
}

export function emptyCounters(): CacheCounters {
  return { memory_hits: 0, coalesced: 0, store_hits: {}, misses: 0 };
}

export interface ResponseCacheOptions<V> {
  stores: Array<CacheStore<V>>;
  /** Approximate bytes a value holds in memory, for the LRU's byte bound. */
  sizeOf: (value: V) => number;
  maxEntries?: number;
  maxBytes?: number;
}

/**
 * memory LRU → requests in flight → persistent tiers → network. Concurrent callers of one
 * key share one promise, so 100 identical requests arriving together make one call; a
 * failed load is neither cached nor kept in flight. (lru-cache's own fetch() coalesces too,
 * but makes an AbortController per call, which cost a fifth of a warm-cache run.)
 */
export class ResponseCache<V extends object> {
  private readonly memory: LRUCache<string, V>;
  private readonly inFlight = new Map<string, Promise<V>>();

  constructor(private readonly options: ResponseCacheOptions<V>) {
    this.memory = new LRUCache<string, V>({
      max: options.maxEntries ?? 50_000,
      maxSize: options.maxBytes ?? 256 * 1024 * 1024,
      sizeCalculation: options.sizeOf,
    });
  }

  fetch(key: string, load: () => Promise<V>, counters: CacheCounters): Promise<V> {
    const hit = this.memory.get(key);
    if (hit !== undefined) {
      counters.memory_hits++;
      return Promise.resolve(hit);
    }
    const pending = this.inFlight.get(key);
    if (pending) {
      counters.coalesced++;
      return pending;
    }
    const promise = this.resolve(key, load, counters).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, promise);
    return promise;
  }

  private async resolve(key: string, load: () => Promise<V>, counters: CacheCounters): Promise<V> {
    for (const store of this.options.stores) {
      const stored = await store.get(key);
      if (stored) {
        counters.store_hits[store.name] = (counters.store_hits[store.name] ?? 0) + 1;
        this.memory.set(key, stored);
        return stored;
      }
    }
    counters.misses++;
    const value = await load();
    this.memory.set(key, value);
    await Promise.all(this.options.stores.map((s) => s.set(key, value)));
    return value;
  }
}
