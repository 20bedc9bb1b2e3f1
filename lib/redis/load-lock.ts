import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { LoadLock } from '../llm/cache/load-lock.js';
import type { RedisClient } from './connect.js';

const RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

/**
 * A LoadLock on Redis: `SET lock NX PX ttl`, refreshed while the load runs, released only
 * by its owner. A holder that dies stops refreshing, its lock lapses after `ttlMs`, and a
 * waiter takes over.
 */
export class RedisLoadLock implements LoadLock {
  private readonly owner = randomUUID();

  constructor(
    private readonly redis: RedisClient,
    private readonly ttlMs = 15_000,
    private readonly pollMs = 25,
  ) {}

  async run<V>(key: string, load: () => Promise<V>, lookup: () => Promise<V | undefined>): Promise<V> {
    const lock = `sygra:lock:${key}`;
    let wait = this.pollMs;
    for (;;) {
      // Without Redis there is no one to coordinate with: load, as a single machine would.
      const taken = await this.redis.set(lock, this.owner, 'PX', this.ttlMs, 'NX').catch(() => 'unavailable' as const);
      if (taken === 'unavailable') return load();
      if (taken === 'OK') {
        const refresh = setInterval(() => void this.redis.pexpire(lock, this.ttlMs).catch(() => undefined), this.ttlMs / 3);
        try {
          return await load();
        } finally {
          clearInterval(refresh);
          await this.redis.eval(RELEASE, 1, lock, this.owner).catch(() => undefined);
        }
      }
      await sleep(wait);
      wait = Math.min(wait * 2, 500);
      const found = await lookup().catch(() => undefined);
      if (found !== undefined) return found;
    }
  }
}
