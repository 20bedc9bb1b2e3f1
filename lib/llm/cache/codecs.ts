import type { Completion } from '../types.js';
import type { DiskCodec } from './disk-store.js';

/** A Completion as written: the message is left out when it is just the text. */
type StoredCompletion = Omit<Completion, 'message'> & { message?: Completion['message'] };

export const completionCodec: DiskCodec<Completion, StoredCompletion> = {
  file: 'llm-responses.mdb',
  encode(value) {
    const plain = value.message.role === 'assistant' && value.message.content === value.text && Object.keys(value.message).length === 2;
    if (!plain) return value;
    return value.reasoning === undefined
      ? { text: value.text, finish_reason: value.finish_reason, usage: value.usage }
      : { text: value.text, reasoning: value.reasoning, finish_reason: value.finish_reason, usage: value.usage };
  },
  decode(stored) {
    if (typeof stored?.text !== 'string') return undefined;
    return { ...stored, message: stored.message ?? { role: 'assistant', content: stored.text } };
  },
};

/** Embeddings are kept as the bytes of their float32 array: 4 bytes a dimension. */
export const embeddingCodec: DiskCodec<Float32Array, Uint8Array> = {
  file: 'embeddings.mdb',
  encode(value) {
    return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  },
  decode(stored) {
    if (!(stored instanceof Uint8Array) || stored.byteLength % 4 !== 0) return undefined;
    // A copy: the stored bytes may be unaligned, and belong to LMDB's read buffer.
    const copy = new Uint8Array(stored);
    return new Float32Array(copy.buffer);
  },
};

/** Numeric answers (reward scores, prompt log-probabilities) as plain arrays. */
export const numbersCodec: DiskCodec<NumberList, NumberList> = {
  file: 'scores.mdb',
  encode: (value) => value,
  decode: (stored) => (Array.isArray(stored) ? stored : undefined),
};

/** A list of numbers (nulls allowed, as servers send for a first token's log-probability). */
export type NumberList = Array<number | null>;

/** The database files of the cache folder, for `cache stats` and `cache clear`. */
export const CACHE_FILES = [completionCodec.file, embeddingCodec.file, numbersCodec.file];

/** Approximate memory of a cached completion, for the LRU's byte bound. */
export function completionSize(c: Completion): number {
  return c.text.length * 2 + 256;
}
