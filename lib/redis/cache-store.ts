import type { CacheStore } from '../llm/cache/store.js';
import type { RedisClient } from './connect.js';

/** How one kind of cached value travels as a Redis string. */
export interface RedisCodec<V> {
  /** Key prefix, one per kind of value. */
  readonly prefix: string;
  encode(value: V): string | Buffer;
  decode(stored: Buffer): V | undefined;
}

/**
 * The shared cache tier: values in Redis, so that workers on several machines never pay
 * twice for one request. Consulted after memory and before the local disk.
 */
export class RedisStore<V> implements CacheStore<V> {
  readonly name = 'redis';

  constructor(
    private readonly redis: RedisClient,
    private readonly codec: RedisCodec<V>,
    private readonly readOnly = false,
  ) {}

  /** A Redis that cannot answer (restarting, unreachable) is a miss: the model is asked instead. */
  async get(key: string): Promise<V | undefined> {
    try {
      const stored = await this.redis.getBuffer(this.codec.prefix + key);
      return stored === null ? undefined : this.codec.decode(stored);
    } catch {
      return undefined;
    }
  }

  /** Storing is best effort: an answer that could not be shared is still the record's answer. */
  async set(key: string, value: V): Promise<void> {
    if (this.readOnly) return;
    await this.redis.set(this.codec.prefix + key, this.codec.encode(value)).catch(() => undefined);
  }

  async ready(): Promise<void> {
    await this.redis.ping();
  }

  async close(): Promise<void> {
    // The connection belongs to the command that opened it.
  }
}
