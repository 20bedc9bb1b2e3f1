import { hash64 } from '../hashing/string-hash.js';
import type { DiskHashSet } from './disk-hash-set.js';
import { HashSet64 } from './hash-set64.js';

/**
 * The texts seen so far, as 64-bit hashes with the line of their first record: in memory
 * up to a byte budget, then (when given) in a set on disk. Two different texts share a
 * hash with probability about n²/2⁶⁵ (under 3·10⁻⁶ for ten million distinct texts).
 */
export class ExactIndex {
  private readonly memory: HashSet64;
  private readonly hash = new Uint32Array(2);
  private spilled = false;

  constructor(
    private readonly maxBytes: number,
    private readonly disk: DiskHashSet | null,
  ) {
    this.memory = new HashSet64(maxBytes);
  }

  get size(): number {
    return this.memory.size;
  }

  /** The line of an earlier record with the same text, or null (and the text is remembered as `line`'s). */
  check(text: string, line: number): number | null {
    hash64(text, this.hash);
    return this.checkHash(this.hash, line);
  }

  /** As check, for a text whose 64-bit hash (see hash64) the caller worked out. */
  checkHash(hash: Uint32Array, line: number): number | null {
    const hi = hash[0]!;
    const lo = hash[1]!;
    const seen = this.memory.get(hi, lo) ?? (this.spilled ? this.disk!.get(hi, lo) : undefined);
    if (seen !== undefined) return seen;
    if (!this.spilled && this.memory.add(hi, lo, line)) return null;
    if (!this.disk) {
      throw new Error(
        `the exact-dedup memory budget (${Math.round(this.maxBytes / 2 ** 20)} MB) is full after ${this.memory.size} distinct texts: raise max_memory_mb, or set spill_dir to continue on disk`,
      );
    }
    this.spilled = true;
    this.disk.add(hi, lo, line);
    return null;
  }
}
