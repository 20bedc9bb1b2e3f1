/** Values sampled to decide a text column's encoding. */
const SAMPLE = 256;

/**
 * PLAIN for a text column (UTF-8 byte arrays) whose sampled values are all different, else
 * undefined (the writer decides). hyparquet-writer decides by hashing a thousand values
 * byte by byte in JavaScript, a twentieth of a write on long texts such as replies, only
 * to reject the dictionary; a dictionary pays only when values repeat, and a column whose
 * values repeat shows it within a few hundred of them.
 */
export function plainIfDistinct(values: readonly unknown[]): 'PLAIN' | undefined {
  const n = values.length;
  const take = Math.min(n, SAMPLE);
  if (take === 0) return undefined;
  const seen = new Set<string>();
  let sampled = 0;
  for (let i = 0; i < take; i++) {
    const value = values[take === n ? i : Math.floor((i * (n - 1)) / (take - 1))];
    if (!(value instanceof Uint8Array)) continue;
    const key = keyOf(value);
    if (seen.has(key)) return undefined;
    seen.add(key);
    sampled++;
  }
  return sampled > 0 ? 'PLAIN' : undefined;
}

/** Bytes of a value's start and of its end that make its key. */
const ENDS = 48;

/**
 * A key that equal values share: Latin-1 text of the bytes (a copy), or of a long value's
 * length, start and end. Two values that differ only in the middle share a key, which only
 * leaves the choice to the writer: never a wrong PLAIN.
 */
function keyOf(value: Uint8Array): string {
  const bytes = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (bytes.length <= 2 * ENDS) return bytes.toString('latin1');
  return `${bytes.length}:${bytes.toString('latin1', 0, ENDS)}${bytes.toString('latin1', bytes.length - ENDS)}`;
}
