import { fmix32 } from '../hashing/string-hash.js';
import { BandTables, grown } from './band-tables.js';
import { estimatedJaccard } from './minhash.js';

export interface LshShape {
  bands: number;
  rows: number;
}

/**
 * Bands × rows for a Jaccard threshold t with `permutations` to spend: a pair of similarity
 * s becomes a candidate with probability 1 − (1 − sʳ)ᵇ; choose the shape that minimises the
 * weighted area of misses above t and of candidates below t. Misses weigh far more: a candidate
 * is confirmed against its whole signature anyway, but a miss is a duplicate kept.
 */
export function lshShape(threshold: number, permutations: number, missWeight = 0.95): LshShape {
  const candidate = (s: number, b: number, r: number): number => 1 - (1 - s ** r) ** b;
  const area = (from: number, to: number, f: (s: number) => number): number => {
    const steps = 200;
    const dx = (to - from) / steps;
    let sum = 0;
    for (let i = 0; i < steps; i++) sum += f(from + (i + 0.5) * dx) * dx;
    return sum;
  };
  let best: LshShape = { bands: 1, rows: permutations };
  let bestCost = Infinity;
  for (let b = 1; b <= permutations; b++) {
    for (let r = 1; b * r <= permutations; r++) {
      const falsePositives = area(0, threshold, (s) => candidate(s, b, r));
      const misses = area(threshold, 1, (s) => 1 - candidate(s, b, r));
      const cost = (1 - missWeight) * falsePositives + missWeight * misses;
      if (cost < bestCost) {
        bestCost = cost;
        best = { bands: b, rows: r };
      }
    }
  }
  return best;
}

export interface NearMatch {
  /** The value given when the matched signature was added (its record's line). */
  line: number;
  similarity: number;
}

/**
 * Locality-sensitive hashing over MinHash signatures: one table per band, from a hash of the
 * band's rows to the kept signatures that have it. Holds, per kept record, its signature
 * (4 bytes a permutation), its line, and one table entry per band; never the text.
 */
export class LshIndex {
  private readonly tables: BandTables;
  private signatures: Uint32Array;
  private lines: Uint32Array;
  size = 0;

  constructor(
    private readonly permutations: number,
    private readonly shape: LshShape,
    private readonly threshold: number,
  ) {
    this.tables = new BandTables(shape.bands);
    this.signatures = new Uint32Array(permutations * 1024);
    this.lines = new Uint32Array(1024);
  }

  /**
   * The most similar kept signature at or above the threshold (the earliest among equals),
   * or null, in which case this one is kept. `best` reports the closest candidate even below.
   */
  match(signature: Uint32Array, line: number): { duplicate: NearMatch | null; best: number | null } {
    const keys = this.bandKeys(signature);
    let bestId = -1;
    let bestSimilarity = -1;
    this.tables.candidates(keys, (id) => {
      const similarity = estimatedJaccard(signature, this.signatures, id * this.permutations);
      if (similarity > bestSimilarity || (similarity === bestSimilarity && id < bestId)) {
        bestSimilarity = similarity;
        bestId = id;
      }
    });
    const best = bestId >= 0 ? bestSimilarity : null;
    if (bestId >= 0 && bestSimilarity >= this.threshold) return { duplicate: { line: this.lines[bestId]!, similarity: bestSimilarity }, best };
    this.add(signature, line, keys);
    return { duplicate: null, best };
  }

  private add(signature: Uint32Array, line: number, keys: Uint32Array): void {
    const id = this.size++;
    if (id >= this.lines.length) {
      this.signatures = grown(this.signatures, this.lines.length * 2 * this.permutations);
      this.lines = grown(this.lines, this.lines.length * 2);
    }
    this.signatures.set(signature, id * this.permutations);
    this.lines[id] = line;
    this.tables.add(keys, id);
  }

  /** Band hashes cut to 30 bits, so that Map keys stay small integers; a clash only adds a candidate. */
  private bandKeys(signature: Uint32Array): Uint32Array {
    const { bands, rows } = this.shape;
    const keys = new Uint32Array(bands);
    for (let band = 0; band < bands; band++) {
      let h = Math.imul(band + 1, 0x9e3779b1);
      for (let r = band * rows; r < (band + 1) * rows; r++) h = Math.imul(h ^ signature[r]!, 0x01000193) + (h >>> 11);
      keys[band] = fmix32(h) >>> 2;
    }
    return keys;
  }
}
