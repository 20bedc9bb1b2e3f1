/**
 * Counts of keys made of two 32-bit integers (two hashes of one thing), in typed arrays
 * with open addressing. Built for many short-lived counts (one per text, or per pass over
 * a text): a stamp per slot marks what belongs to the current count, so emptying the table
 * costs nothing, and the arrays are reused.
 */
export class KeyCounter {
  private keyA = new Int32Array(1024);
  private keyB = new Int32Array(1024);
  /** The count in each slot; `add` returns the slot. */
  counts = new Int32Array(1024);
  private stamps = new Int32Array(1024);
  private stamp = 0;
  private mask = 1023;
  private used = 0;

  /**
   * Empties the table, sized for `n` keys. Slots returned by `add` stay valid while at most
   * `n` distinct keys are added; beyond that the table grows and moves them.
   */
  reset(n: number): void {
    let size = this.keyA.length;
    while (size < n * 2) size *= 2;
    if (size !== this.keyA.length || this.stamp === 0x7fffffff) this.allocate(size);
    this.stamp++;
    this.used = 0;
  }

  /** Whether the key was added since the last reset. */
  has(a: number, b: number): boolean {
    const mask = this.mask;
    for (let i = (a ^ Math.imul(b, 0x9e3779b1)) & mask; this.stamps[i] === this.stamp; i = (i + 1) & mask) {
      if (this.keyA[i] === a && this.keyB[i] === b) return true;
    }
    return false;
  }

  /** Adds one occurrence of the key; returns its slot (its count is `counts[slot]`). */
  add(a: number, b: number): number {
    if (this.used * 2 >= this.mask + 1) this.grow();
    const mask = this.mask;
    let i = (a ^ Math.imul(b, 0x9e3779b1)) & mask;
    for (;;) {
      if (this.stamps[i] !== this.stamp) {
        this.stamps[i] = this.stamp;
        this.keyA[i] = a;
        this.keyB[i] = b;
        this.counts[i] = 1;
        this.used++;
        return i;
      }
      if (this.keyA[i] === a && this.keyB[i] === b) {
        this.counts[i]!++;
        return i;
      }
      i = (i + 1) & mask;
    }
  }

  /** Fresh, empty arrays of `size` slots (stamp 0 marks every slot free). */
  private allocate(size: number): void {
    this.keyA = new Int32Array(size);
    this.keyB = new Int32Array(size);
    this.counts = new Int32Array(size);
    this.stamps = new Int32Array(size);
    this.mask = size - 1;
    this.stamp = 0;
  }

  private grow(): void {
    const { keyA, keyB, counts, stamps, stamp } = this;
    this.allocate(keyA.length * 2);
    this.stamp = 1;
    this.used = 0;
    for (let j = 0; j < keyA.length; j++) {
      if (stamps[j] !== stamp) continue;
      const slot = this.add(keyA[j]!, keyB[j]!);
      this.counts[slot] = counts[j]!;
    }
  }
}
