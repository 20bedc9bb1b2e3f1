/** Bytes a slot takes: the two halves of a 64-bit hash and a 32-bit value. */
export const SLOT_BYTES = 12;
const MAX_LOAD = 0.7;
/** Fill allowed once the table may not grow: linear probing still finds a free slot quickly. */
const FULL_LOAD = 0.9;

/**
 * A set of 64-bit hashes, each with a 32-bit value (the line of its first record), in
 * typed arrays with linear probing: 12 bytes a slot, at most `maxBytes` in all. About 17
 * bytes per entry at the load it grows at, and no per-entry object for the collector to trace.
 */
export class HashSet64 {
  private hi: Uint32Array;
  private lo: Uint32Array;
  private values: Uint32Array;
  private mask: number;
  size = 0;

  constructor(private readonly maxBytes: number) {
    let slots = 1 << 12;
    while (slots * SLOT_BYTES > maxBytes && slots > 16) slots >>= 1;
    this.hi = new Uint32Array(slots);
    this.lo = new Uint32Array(slots);
    this.values = new Uint32Array(slots);
    this.mask = slots - 1;
  }

  get bytes(): number {
    return (this.mask + 1) * SLOT_BYTES;
  }

  /** The value stored for the hash, or undefined. */
  get(hi: number, lo: number): number | undefined {
    if (hi === 0 && lo === 0) lo = 1; // (0, 0) marks an empty slot
    for (let i = this.slotOf(hi, lo); ; i = (i + 1) & this.mask) {
      if (this.hi[i] === 0 && this.lo[i] === 0) return undefined;
      if (this.hi[i] === hi && this.lo[i] === lo) return this.values[i];
    }
  }

  /** Changes the value of a hash already in the set; false when it is not there. */
  set(hi: number, lo: number, value: number): boolean {
    if (hi === 0 && lo === 0) lo = 1;
    for (let i = this.slotOf(hi, lo); ; i = (i + 1) & this.mask) {
      if (this.hi[i] === 0 && this.lo[i] === 0) return false;
      if (this.hi[i] === hi && this.lo[i] === lo) {
        this.values[i] = value;
        return true;
      }
    }
  }

  /** Adds the hash; false when the memory budget allows no more (the set is unchanged). */
  add(hi: number, lo: number, value: number): boolean {
    if (this.size + 1 > (this.mask + 1) * MAX_LOAD && !this.grow() && this.size + 1 > (this.mask + 1) * FULL_LOAD) return false;
    if (hi === 0 && lo === 0) lo = 1; // (0, 0) marks an empty slot
    let i = this.slotOf(hi, lo);
    while (this.hi[i] !== 0 || this.lo[i] !== 0) {
      if (this.hi[i] === hi && this.lo[i] === lo) return true;
      i = (i + 1) & this.mask;
    }
    this.hi[i] = hi;
    this.lo[i] = lo;
    this.values[i] = value;
    this.size++;
    return true;
  }

  /** The table as it is (shared, not copied), to keep on disk. */
  snapshot(): { hi: Uint32Array; lo: Uint32Array; values: Uint32Array; size: number } {
    return { hi: this.hi, lo: this.lo, values: this.values, size: this.size };
  }

  /** A set over a table `snapshot` gave (its arrays are used as they are; they do not grow). */
  static restore(table: { hi: Uint32Array; lo: Uint32Array; values: Uint32Array; size: number }): HashSet64 {
    const set = new HashSet64(table.hi.length * SLOT_BYTES);
    set.hi = table.hi;
    set.lo = table.lo;
    set.values = table.values;
    set.mask = table.hi.length - 1;
    set.size = table.size;
    return set;
  }

  /** Calls `fn` with every hash in the set and its value, in no particular order. */
  forEach(fn: (hi: number, lo: number, value: number) => void): void {
    for (let i = 0; i <= this.mask; i++) if (this.hi[i] !== 0 || this.lo[i] !== 0) fn(this.hi[i]!, this.lo[i]!, this.values[i]!);
  }

  private slotOf(hi: number, lo: number): number {
    return (lo ^ Math.imul(hi, 0x9e3779b1)) & this.mask;
  }

  private grow(): boolean {
    const slots = (this.mask + 1) * 2;
    if (slots * SLOT_BYTES > this.maxBytes) return false;
    const { hi, lo, values } = this;
    this.hi = new Uint32Array(slots);
    this.lo = new Uint32Array(slots);
    this.values = new Uint32Array(slots);
    this.mask = slots - 1;
    for (let j = 0; j < hi.length; j++) {
      if (hi[j] === 0 && lo[j] === 0) continue;
      let i = this.slotOf(hi[j]!, lo[j]!);
      while (this.hi[i] !== 0 || this.lo[i] !== 0) i = (i + 1) & this.mask;
      this.hi[i] = hi[j]!;
      this.lo[i] = lo[j]!;
      this.values[i] = values[j]!;
    }
    return true;
  }
}
