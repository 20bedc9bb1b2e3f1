/**
 * Fast non-cryptographic hashes of strings (over UTF-16 code units), for sets and
 * sketches where sha256 would cost more than the work it guards. Not collision-resistant
 * against crafted input: use them to find repeats, never to authenticate.
 */

/** MurmurHash3's finaliser: spreads every input bit over the whole 32-bit word. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A 32-bit hash of `text` (or of `text.slice(start, end)`, without the copy). */
export function hash32(text: string, seed = 0, start = 0, end = text.length): number {
  let h = (seed ^ 0x9747b28c) >>> 0;
  for (let i = start; i < end; i++) {
    let k = Math.imul(text.charCodeAt(i), 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, 0x1b873593);
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  return fmix32(h ^ (end - start));
}

/** Two independent 32-bit halves of a 64-bit hash, written into `out` (no allocation on hot paths). */
export function hash64(text: string, out: Uint32Array): void {
  let a = 0x811c9dc5;
  let b = 0x2545f491;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul((b ^ c) + (b >>> 15), 0x5bd1e995);
  }
  hash64Finish(a, b, text.length, out);
}

/** hash64's last step, for callers that feed it characters of their own (see dedup's normalised hashing). */
export function hash64Finish(a: number, b: number, length: number, out: Uint32Array): void {
  out[0] = fmix32(a ^ length);
  out[1] = fmix32(b ^ Math.imul(a, 0x27d4eb2d));
}
