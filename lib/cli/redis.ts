import type { SharedCache } from '../llm/models.js';
import { redisCompletionCodec, redisEmbeddingCodec, redisNumbersCodec } from '../redis/cache-codecs.js';
import { RedisStore } from '../redis/cache-store.js';
import { connectRedis, type RedisClient } from '../redis/connect.js';
import { redactUrl } from '../config/redact-url.js';
import { say, type Terminal } from './terminal.js';
import { RedisLoadLock } from '../redis/load-lock.js';

/** The Redis cache tier and cross-process lock for a run or worker given --redis. */
export function redisSharedCache(redis: RedisClient, readOnly: boolean): SharedCache {
  return {
    completions: new RedisStore(redis, redisCompletionCodec, readOnly),
    embeddings: new RedisStore(redis, redisEmbeddingCodec, readOnly),
    numbers: new RedisStore(redis, redisNumbersCodec, readOnly),
    lock: new RedisLoadLock(redis),
  };
}

/**
 * Connects for a command, or says why it cannot (one line, the password blanked) and
 * returns null. A connection lost later is said once on stderr, and its return too.
 */
export async function connectOrReport(url: string, term: Terminal, ride: 'queue' | 'cache' = 'queue'): Promise<RedisClient | null> {
  let client: RedisClient;
  try {
    client = await connectRedis(url, ride);
  } catch (err) {
    say(term, (err as Error).message);
    return null;
  }
  let lost = false;
  client.on('reconnecting', () => {
    if (lost) return;
    lost = true;
    say(term, `lost the connection to Redis at ${redactUrl(url)}; reconnecting${ride === 'queue' ? ' (commands wait)' : ' (the shared cache answers as a miss meanwhile)'}`);
  });
  client.on('ready', () => {
    if (!lost) return;
    lost = false;
    say(term, `reconnected to Redis at ${redactUrl(url)}`);
  });
  return client;
}
