import type { SharedCache } from '../llm/models.js';
import { redisCompletionCodec, redisEmbeddingCodec, redisNumbersCodec } from '../redis/cache-codecs.js';
import { RedisStore } from '../redis/cache-store.js';
import { connectRedis, type RedisClient } from '../redis/connect.js';
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

/** Connects for a command, or says why it cannot (one line, the password blanked) and returns null. */
export async function connectOrReport(url: string, term: Terminal): Promise<RedisClient | null> {
  try {
    return await connectRedis(url);
  } catch (err) {
    say(term, (err as Error).message);
    return null;
  }
}
