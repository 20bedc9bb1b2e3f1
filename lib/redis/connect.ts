import { redactUrl } from '../config/redact-url.js';
import type { Redis as RedisClient } from 'ioredis';

export type { RedisClient };

/**
 * A connection to Redis from a URL (`redis://[:password@]host:port[/db]`). ioredis is
 * loaded only by the commands that use Redis. Connecting fails fast with a one-line
 * message instead of retrying forever in the background. Once connected, `ride` says how
 * a lost connection is lived through: `queue` (workers, drain, push) reconnects with
 * backoff for as long as it takes and holds its commands until then, since a queue
 * command that failed would lose its place; `cache` (the shared cache tier of `run`) fails
 * its commands at once, and the tier answers as a miss, so the model is asked instead.
 */
export async function connectRedis(url: string, ride: 'queue' | 'cache' = 'queue'): Promise<RedisClient> {
  const module = await import('ioredis');
  // Bundled, the CommonJS module's exports arrive as the default export only.
  const Redis = (module.Redis ?? (module as unknown as { default: { Redis: typeof module.Redis } }).default.Redis) as typeof module.Redis;
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 3, enableAutoPipelining: true, retryStrategy: (times) => (times > 20 ? null : Math.min(times * 100, 1000)) });
  client.on('error', () => undefined); // reported through the failing command instead
  try {
    await client.connect();
  } catch (err) {
    client.disconnect();
    throw new Error(`cannot connect to Redis at ${redactUrl(url)}: ${(err as Error).message}`);
  }
  // ioredis reads these when the connection drops, so they apply from now on.
  client.options.retryStrategy = (times) => Math.min(100 * 2 ** Math.min(times, 5), 2000);
  client.options.maxRetriesPerRequest = ride === 'queue' ? null : 0;
  if (ride === 'cache') client.options.enableOfflineQueue = false;
  return client;
}

/** The keys of one queue: records in, results out, dead letters, and its bookkeeping. */
export function queueKeys(queue: string) {
  return {
    input: `sygra:${queue}:in`,
    output: `sygra:${queue}:out`,
    dead: `sygra:${queue}:dead`,
    /** Hash: pushed (records), push_done (1 when the pusher finished). */
    meta: `sygra:${queue}:meta`,
    group: 'workers',
  };
}
export type QueueKeys = ReturnType<typeof queueKeys>;
