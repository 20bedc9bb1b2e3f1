/**
 * Seeded randomness for everything that must give the same answer on every run and every
 * machine: the mock model, the sampler node, the vector index's projections, the benchmarks.
 */

/** A PRNG seeded from a hex digest (mulberry32). */
export function seededRandom(hex: string): () => number {
  let a = parseInt(hex.slice(0, 8), 16) >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
