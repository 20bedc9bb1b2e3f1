import { LRUCache } from 'lru-cache';
import type { Completion } from '../types.js';
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

interface FetchContext {
  load: () => Promise<Completion>;
  counters: CacheCounters;
}

export interface ResponseCacheOptions {
  stores: CacheStore[];
  maxEntries?: number;
  maxBytes?: number;
}

/**
 * memory LRU (with in-flight coalescing) → persistent tiers → network. lru-cache's
 * fetch() shares one promise among concurrent callers of a key, so 100 identical
 * requests arriving together make one call; a failed load is not cached.
 */
export class ResponseCache {
  private readonly memory: LRUCache<string, Completion, FetchContext>;
  private readonly stores: CacheStore[];

  constructor(options: ResponseCacheOptions) {
    this.stores = options.stores;
    this.memory = new LRUCache<string, Completion, FetchContext>({
      max: options.maxEntries ?? 50_000,
      maxSize: options.maxBytes ?? 256 * 1024 * 1024,
      sizeCalculation: (c) => c.text.length * 2 + 256,
      fetchMethod: async (key, _stale, { context }) => {
        for (const store of this.stores) {
          const hit = await store.get(key);
          if (hit) {
            context.counters.store_hits[store.name] = (context.counters.store_hits[store.name] ?? 0) + 1;
            return hit;
          }
        }
        context.counters.misses++;
        const value = await context.load();
        await Promise.all(this.stores.map((s) => s.set(key, value)));
        return value;
      },
    });
  }

  async fetch(key: string, load: () => Promise<Completion>, counters: CacheCounters): Promise<Completion> {
    const status: LRUCache.Status<string, Completion, FetchContext> = {};
    const value = await this.memory.fetch(key, { context: { load, counters }, status });
    if (status.fetch === 'hit') counters.memory_hits++;
    else if (status.fetch === 'inflight') counters.coalesced++;
    if (value === undefined) throw new Error('cache fetch returned nothing');
    return value;
  }
}
