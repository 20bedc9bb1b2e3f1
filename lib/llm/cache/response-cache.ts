import { LRUCache } from 'lru-cache';
import type { LoadLock } from './load-lock.js';
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
  /** Coalescing across processes (a Redis lock); within one process the in-flight map does it. */
  lock?: LoadLock;
}

/**
 * memory LRU → requests in flight → persistent tiers → network. Concurrent callers of one
 * key share one promise, so 100 identical requests arriving together make one call; a
 * failed load is neither cached nor kept in flight. (lru-cache's own fetch() coalesces too,
 * but makes an AbortController per call, which cost a fifth of a warm-cache run.)
 */
export class ResponseCache<V extends object> {
  /** Made on first use: lru-cache allocates its arrays for `max` entries up front. */
  private lru: LRUCache<string, V> | null = null;
  private readonly inFlight = new Map<string, Promise<V>>();

  constructor(private readonly options: ResponseCacheOptions<V>) {}

  private get memory(): LRUCache<string, V> {
    this.lru ??= new LRUCache<string, V>({
      max: this.options.maxEntries ?? 50_000,
      maxSize: this.options.maxBytes ?? 256 * 1024 * 1024,
      sizeCalculation: this.options.sizeOf,
    });
    return this.lru;
  }

  fetch(key: string, load: () => Promise<V>, counters: CacheCounters): Promise<V> {
    const hit = this.lru?.get(key);
    if (hit !== undefined) {
      counters.memory_hits++;
      return Promise.resolve(hit);
    }
    const pending = this.inFlight.get(key);
    if (pending) {
      counters.coalesced++;
      return pending;
    }
    // Tiers that answer at once are asked here: a warm run goes memory → disk with no
    // promise or turn of the event loop in between.
    let asked = 0;
    for (const store of this.options.stores) {
      const stored = store.peek ? store.peek(key) : null;
      if (stored === null) break; // it cannot answer at once: `resolve` asks it
      if (stored !== undefined) {
        // Not copied into memory: this tier answers as fast, and a warm run would only churn the LRU.
        this.hit(store.name, counters);
        return Promise.resolve(stored);
      }
      asked++;
    }
    const promise = this.resolve(key, load, counters, asked).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, promise);
    return promise;
  }

  /**
   * The value for `key` when a tier has it at hand (memory, or a store that answers at
   * once), counted as fetch() would count it; undefined otherwise, and nothing counted.
   */
  peek(key: string, counters: CacheCounters): V | undefined {
    const hit = this.lru?.get(key);
    if (hit !== undefined) {
      counters.memory_hits++;
      return hit;
    }
    if (this.inFlight.has(key)) return undefined;
    for (const store of this.options.stores) {
      const stored = store.peek ? store.peek(key) : null;
      if (stored === null) return undefined;
      if (stored !== undefined) {
        this.hit(store.name, counters);
        return stored;
      }
    }
    return undefined;
  }

  private hit(store: string, counters: CacheCounters): void {
    counters.store_hits[store] = (counters.store_hits[store] ?? 0) + 1;
  }

  /** The rest of the lookup, from the first tier not yet asked, then the load. */
  private async resolve(key: string, load: () => Promise<V>, counters: CacheCounters, asked: number): Promise<V> {
    for (const store of this.options.stores.slice(asked)) {
      const stored = await store.get(key);
      if (stored) {
        this.hit(store.name, counters);
        this.memory.set(key, stored);
        return stored;
      }
    }
    const loadAndStore = async (): Promise<V> => {
      counters.misses++;
      const value = await load();
      this.memory.set(key, value);
      await Promise.all(this.options.stores.map((s) => s.set(key, value)));
      return value;
    };
    const lock = this.options.lock;
    if (!lock) return loadAndStore();
    // Another process may be loading this key: the first store (the shared one) gets its answer.
    const shared = this.options.stores[0];
    return lock.run(key, loadAndStore, async () => {
      const found = await shared?.get(key);
      if (found !== undefined) this.hit(shared!.name, counters);
      return found;
    });
  }
}
