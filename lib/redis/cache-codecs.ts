import { completionCodec, embeddingCodec, type NumberList } from '../llm/cache/codecs.js';
import type { Completion } from '../llm/types.js';
import type { RedisCodec } from './cache-store.js';

/** Completions as JSON, in the same compact shape the disk cache stores. */
export const redisCompletionCodec: RedisCodec<Completion> = {
  prefix: 'sygra:llm:',
  encode: (value) => JSON.stringify(completionCodec.encode(value)),
  decode(stored) {
    try {
      return completionCodec.decode(JSON.parse(stored.toString('utf8')) as Parameters<typeof completionCodec.decode>[0]);
    } catch {
      return undefined;
    }
  },
};

/** Reward scores and prompt log-probabilities as JSON arrays. */
export const redisNumbersCodec: RedisCodec<NumberList> = {
  prefix: 'sygra:num:',
  encode: (value) => JSON.stringify(value),
  decode(stored) {
    try {
      const v = JSON.parse(stored.toString('utf8')) as unknown;
      return Array.isArray(v) ? (v as NumberList) : undefined;
    } catch {
      return undefined;
    }
  },
};

/** Embeddings as the raw bytes of their float32 array. */
export const redisEmbeddingCodec: RedisCodec<Float32Array> = {
  prefix: 'sygra:emb:',
  encode: (value) => Buffer.from(embeddingCodec.encode(value)),
  decode: (stored) => embeddingCodec.decode(stored),
};
