import { redactUrl } from '../config/redact-url.js';
import type { Redis as RedisClient } from 'ioredis';

export type { RedisClient };

/**
 * A connection to Redis from a URL (`redis://[:password@]host:port[/db]`). ioredis is
 * loaded only by the commands that use Redis. Connecting fails fast with a one-line
 * message instead of retrying forever in the background.
 */
export async function connectRedis(url: string): Promise<RedisClient> {
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
  return client;
}

export { redactUrl };

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
