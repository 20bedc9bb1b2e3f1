import { hash32 } from '../../hashing/string-hash.js';
import { words } from '../../text/words.js';

/** Dimensions of a mock embedding unless the request asks for `dimensions`. */
export const MOCK_EMBEDDING_DIMENSIONS = 256;

/** Function words carry little meaning: the mock leaves them out, as a real model mostly does. */
const STOPWORDS = new Set(
  (
    'a an the and or but if then of to in on at by for with from as is are was were be been being do does did ' +
    'can could will would should may might must shall i you he she it we they me him her us them my your his its ' +
    'our their this that these those what which who whom how why when where there here not no so too very just'
  ).split(' '),
);

/**
 * The built-in model's embedding of a text: a bag of its content words (lower-cased, function
 * words dropped, a plural "s" stripped), hashed into `dimensions` signed buckets and scaled
 * to unit length. Deterministic, and close for texts that share their content words, the
 * way paraphrases sit close under a real embedding model.
 */
export function mockEmbedding(text: string, dimensions = MOCK_EMBEDDING_DIMENSIONS): Float32Array {
  const vector = new Float32Array(dimensions);
  for (let word of words(text.normalize('NFKC').toLowerCase())) {
    if (STOPWORDS.has(word)) continue;
    if (word.length > 3 && word.endsWith('s') && !word.endsWith('ss')) word = word.slice(0, -1);
    const h = hash32(word, 0x5eed);
    vector[h % dimensions]! += h & 0x80000000 ? -1 : 1;
  }
  let norm = 0;
  for (let i = 0; i < dimensions; i++) norm += vector[i]! * vector[i]!;
  if (norm === 0) {
    vector[0] = 1;
    return vector;
  }
  const scale = 1 / Math.sqrt(norm);
  for (let i = 0; i < dimensions; i++) vector[i]! *= scale;
  return vector;
}
