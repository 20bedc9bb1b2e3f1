import t from 'tap';
import { emptyCounters, ResponseCache } from '../../lib/llm/cache/response-cache.js';
import type { CacheStore } from '../../lib/llm/cache/store.js';

/** A tier in a Map, that can answer at once (`peek`) or only through `get`, as configured. */
function mapStore(entries: Record<string, { v: string }>, canPeek: boolean | 'not yet'): CacheStore<{ v: string }> & { gets: number; sets: number } {
  const map = new Map(Object.entries(entries));
  const store = {
    name: 'disk',
    gets: 0,
    sets: 0,
    async get(key: string) {
      store.gets++;
      return map.get(key);
    },
    async set(key: string, value: { v: string }) {
      store.sets++;
      map.set(key, value);
    },
    ready: async () => undefined,
    close: async () => undefined,
    ...(canPeek ? { peek: (key: string) => (canPeek === 'not yet' ? null : map.get(key)) } : {}),
  };
  return store;
}

t.test('a tier that can peek answers at once, without get, load or a memory copy', async (t) => {
  const store = mapStore({ k: { v: 'stored' } }, true);
  const cache = new ResponseCache({ stores: [store], sizeOf: () => 1 });
  const counters = emptyCounters();
  let loads = 0;
  const load = async () => ({ v: `loaded ${++loads}` });
  t.same(await cache.fetch('k', load, counters), { v: 'stored' });
  t.same(await cache.fetch('k', load, counters), { v: 'stored' });
  t.equal(store.gets, 0);
  t.equal(loads, 0);
  t.same(counters, { memory_hits: 0, coalesced: 0, store_hits: { disk: 2 }, misses: 0 });
});

t.test('a tier not ready to peek is asked through get; a miss loads once for concurrent callers, then memory answers', async (t) => {
  for (const canPeek of ['not yet', false] as const) {
    const store = mapStore({}, canPeek);
    const cache = new ResponseCache({ stores: [store], sizeOf: () => 1 });
    const counters = emptyCounters();
    let loads = 0;
    const load = async () => ({ v: `loaded ${++loads}` });
    const answers = await Promise.all(Array.from({ length: 5 }, () => cache.fetch('x', load, counters)));
    t.same(
      answers.map((a) => a.v),
      Array(5).fill('loaded 1'),
    );
    t.equal(store.gets, 1, `${canPeek}: one get`);
    t.equal(store.sets, 1, 'the loaded value is stored');
    t.same(await cache.fetch('x', load, counters), { v: 'loaded 1' });
    t.same(counters, { memory_hits: 1, coalesced: 4, store_hits: {}, misses: 1 });
  }
});

t.test('a peeked miss is not asked again through get', async (t) => {
  const store = mapStore({}, true);
  const cache = new ResponseCache({ stores: [store], sizeOf: () => 1 });
  const counters = emptyCounters();
  t.same(await cache.fetch('y', async () => ({ v: 'fresh' }), counters), { v: 'fresh' });
  t.equal(store.gets, 0);
  t.equal(counters.misses, 1);
});
