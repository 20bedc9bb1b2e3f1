import { seededRandom } from '../random/seeded.js';
import { BandTables, grown } from './band-tables.js';

/** Random-hyperplane LSH settings: `bands` tables keyed by `rows` sign bits each. */
export interface HyperplaneShape {
  bands: number;
  rows: number;
}

/**
 * Bands × rows of sign bits for a cosine threshold t. Two vectors at angle θ agree on one
 * random hyperplane's side with probability 1 − θ/π; `rows` is the largest for which a
 * pair at the threshold still shares a band with probability ≥ 0.999 over `bands` tables.
 * High thresholds give long keys and few candidates; low ones shorter keys and more.
 */
export function hyperplaneShape(threshold: number, bands = 20): HyperplaneShape {
  const agree = 1 - Math.acos(Math.max(-1, Math.min(1, threshold))) / Math.PI;
  let rows = 1;
  while (rows < 30 && 1 - (1 - agree ** (rows + 1)) ** bands >= 0.999) rows++;
  return { bands, rows };
}

/**
 * Kept embeddings, unit-length, in one contiguous Float32Array; cosine similarity is a dot
 * product. With a hyperplane shape, only kept vectors that share a band key with the query
 * are compared (random-hyperplane LSH, hyperplanes drawn from the seed): lookups stay fast
 * as the kept set grows, and a pair at the threshold is missed with probability < 0.1%.
 * Without one, every kept vector is compared (exact, and slower by the size of the set).
 * Either way the answer is deterministic: no timing or insertion race decides it.
 */
export class VectorIndex {
  private vectors = new Float32Array(0);
  private lines = new Uint32Array(0);
  private dimensions = 0;
  private planes: Float32Array | null = null;
  private readonly tables: BandTables | null;
  /** Band keys of the last query, reused when that vector is then added. */
  private last: { vector: Float32Array; unit: Float32Array; keys: Uint32Array | null } | null = null;
  size = 0;
  /** Kept vectors compared so far, over all queries (the cost the LSH bands save). */
  compared = 0;

  constructor(
    private readonly maxKept: number,
    private readonly shape: HyperplaneShape | null = null,
    private readonly seed = 0,
  ) {
    this.tables = shape ? new BandTables(shape.bands) : null;
  }

  /** The most similar kept vector among those compared (the earliest among equals), or null. */
  nearest(vector: Float32Array): { line: number; similarity: number } | null {
    const { unit, keys } = this.prepare(vector);
    if (this.size === 0) return null;
    let best = -1;
    let bestSimilarity = -Infinity;
    const consider = (id: number): void => {
      this.compared++;
      const similarity = this.dot(unit, id);
      if (similarity > bestSimilarity || (similarity === bestSimilarity && id < best)) {
        bestSimilarity = similarity;
        best = id;
      }
    };
    if (keys && this.tables) this.tables.candidates(keys, consider);
    else for (let id = 0; id < this.size; id++) consider(id);
    return best < 0 ? null : { line: this.lines[best]!, similarity: Math.min(1, bestSimilarity) };
  }

  add(vector: Float32Array, line: number): void {
    if (this.size >= this.maxKept) {
      throw new Error(`the semantic-dedup index is full (max_kept: ${this.maxKept} kept records); raise max_kept (memory: 4 bytes × dimensions per kept record)`);
    }
    const { unit, keys } = this.prepare(vector);
    if (this.size === this.lines.length) this.grow();
    const id = this.size++;
    this.vectors.set(unit, id * this.dimensions);
    this.lines[id] = line;
    if (keys) this.tables!.add(keys, id);
  }

  private prepare(vector: Float32Array): { unit: Float32Array; keys: Uint32Array | null } {
    if (this.last?.vector === vector) return this.last;
    if (this.dimensions === 0) this.dimensions = vector.length;
    else if (vector.length !== this.dimensions) throw new Error(`embedding has ${vector.length} dimensions, earlier ones had ${this.dimensions}`);
    const unit = normalised(vector);
    this.last = { vector, unit, keys: this.shape ? this.bandKeys(unit, this.shape) : null };
    return this.last;
  }

  private bandKeys(unit: Float32Array, shape: HyperplaneShape): Uint32Array {
    const d = this.dimensions;
    this.planes ??= gaussianPlanes(shape.bands * shape.rows, d, this.seed);
    const keys = new Uint32Array(shape.bands);
    for (let band = 0, plane = 0; band < shape.bands; band++) {
      let key = 0;
      for (let r = 0; r < shape.rows; r++, plane++) {
        let side = 0;
        for (let i = 0, base = plane * d; i < d; i++) side += unit[i]! * this.planes[base + i]!;
        key = key * 2 + (side >= 0 ? 1 : 0);
      }
      keys[band] = key;
    }
    return keys;
  }

  private dot(unit: Float32Array, id: number): number {
    const all = this.vectors;
    let sum = 0;
    for (let i = 0, base = id * this.dimensions; i < this.dimensions; i++) sum += unit[i]! * all[base + i]!;
    return sum;
  }

  private grow(): void {
    const capacity = Math.min(this.maxKept, Math.max(1024, this.size * 2));
    this.vectors = grown(this.vectors, capacity * this.dimensions);
    this.lines = grown(this.lines, capacity);
  }
}

/** `count` hyperplane normals of `dimensions` standard-normal components (Box–Muller), from the seed. */
function gaussianPlanes(count: number, dimensions: number, seed: number): Float32Array {
  const rand = seededRandom((seed >>> 0).toString(16).padStart(8, '0'));
  const planes = new Float32Array(count * dimensions);
  for (let i = 0; i < planes.length; i += 2) {
    const radius = Math.sqrt(-2 * Math.log(1 - rand()));
    const angle = 2 * Math.PI * rand();
    planes[i] = radius * Math.cos(angle);
    if (i + 1 < planes.length) planes[i + 1] = radius * Math.sin(angle);
  }
  return planes;
}

function normalised(vector: Float32Array): Float32Array {
  let norm = 0;
  for (let i = 0; i < vector.length; i++) norm += vector[i]! * vector[i]!;
  if (norm === 0 || Math.abs(norm - 1) < 1e-6) return vector;
  const scale = 1 / Math.sqrt(norm);
  return vector.map((x) => x * scale);
}
