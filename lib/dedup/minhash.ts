import { fmix32, hash32 } from '../hashing/string-hash.js';
import { words } from '../text/words.js';

export interface MinHashOptions {
  /** Signature length: more permutations, a finer similarity estimate (error about 1/√n). */
  permutations: number;
  /** Word shingles suit prose in any script (CJK characters count as words); char shingles catch edits inside words. */
  shingle: 'word' | 'char';
  /** Shingle length, in words or characters. */
  k: number;
  seed: number;
}

/**
 * MinHash signatures. Each permutation is x ↦ (a·x + b) mod 2³² with odd `a` and any `b`
 * drawn from the seed: a bijection on 32 bits. The shingle hashes it is applied to are
 * already fully mixed (fmix32), and on such input its estimates match those of re-mixing
 * every product (measured: same error and no bias at J = 0.3 … 0.9) at half the cost.
 */
export class MinHasher {
  private readonly a: Uint32Array;
  private readonly b: Uint32Array;

  constructor(readonly options: MinHashOptions) {
    const n = options.permutations;
    this.a = new Uint32Array(n);
    this.b = new Uint32Array(n);
    let state = fmix32(options.seed ^ 0x6a09e667) || 1;
    const next = (): number => (state = fmix32(state + 0x9e3779b9));
    for (let i = 0; i < n; i++) {
      this.a[i] = next() | 1;
      this.b[i] = next();
    }
  }

  /** The 32-bit hashes of the text's shingles; a text shorter than one shingle is one shingle. */
  shingles(text: string): Uint32Array {
    const k = this.options.k;
    if (this.options.shingle === 'char') {
      if (text.length <= k) return Uint32Array.of(hash32(text));
      const out = new Uint32Array(text.length - k + 1);
      for (let i = 0; i < out.length; i++) out[i] = hash32(text, 0, i, i + k);
      return out;
    }
    const tokens = words(text);
    const hashes = tokens.map((t) => hash32(t));
    const count = Math.max(1, hashes.length - k + 1);
    const out = new Uint32Array(count);
    for (let i = 0; i < count; i++) {
      let h = 0x2f0f1c3d;
      for (let j = i; j < Math.min(i + k, hashes.length); j++) h = Math.imul(h ^ hashes[j]!, 0x01000193) + (h >>> 13);
      out[i] = fmix32(h);
    }
    return out;
  }

  signature(text: string): Uint32Array {
    const n = this.options.permutations;
    const sig = new Uint32Array(n);
    const { a, b } = this;
    const shingles = this.shingles(text);
    const count = shingles.length;
    // Permutation by permutation, so that its minimum and constants stay in registers.
    for (let p = 0; p < n; p++) {
      const ap = a[p]!;
      const bp = b[p]!;
      let min = 0xffffffff;
      for (let j = 0; j < count; j++) {
        const v = (Math.imul(shingles[j]!, ap) + bp) >>> 0;
        if (v < min) min = v;
      }
      sig[p] = min;
    }
    return sig;
  }
}

/** Fraction of equal positions: an unbiased estimate of the Jaccard similarity of the shingle sets. */
export function estimatedJaccard(a: Uint32Array, b: Uint32Array, bOffset = 0): number {
  let same = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === b[bOffset + i]) same++;
  return same / a.length;
}
