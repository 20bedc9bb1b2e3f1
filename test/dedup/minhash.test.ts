import t from 'tap';
import { LshIndex, lshShape } from '../../lib/dedup/lsh-index.js';
import { MinHasher, estimatedJaccard } from '../../lib/dedup/minhash.js';
import { mockEmbedding } from '../../lib/llm/mock/embedding.js';

const hasher = (o: Partial<ConstructorParameters<typeof MinHasher>[0]> = {}): MinHasher => new MinHasher({ permutations: 256, shingle: 'word', k: 1, seed: 1, ...o });

/** Jaccard similarity of two word sets, computed directly. */
function jaccard(a: string, b: string): number {
  const x = new Set(a.split(' '));
  const y = new Set(b.split(' '));
  const inter = [...x].filter((w) => y.has(w)).length;
  return inter / (x.size + y.size - inter);
}

t.test('signatures estimate the Jaccard similarity of shingle sets', async (t) => {
  const h = hasher();
  const base = Array.from({ length: 100 }, (_, i) => `w${i}`);
  for (const keep of [100, 80, 50, 20]) {
    const a = base.join(' ');
    const b = [...base.slice(0, keep), ...Array.from({ length: 100 - keep }, (_, i) => `x${i}`)].join(' ');
    const truth = jaccard(a, b);
    const estimate = estimatedJaccard(h.signature(a), h.signature(b));
    // 256 permutations: standard error √(J(1−J)/256) ≤ 0.031; allow four of them.
    t.ok(Math.abs(estimate - truth) <= 0.125, `J=${truth.toFixed(3)} estimated ${estimate}`);
  }
  t.equal(estimatedJaccard(h.signature('same words here'), h.signature('same words here')), 1);
});

t.test('signatures are deterministic for a seed and differ across seeds', async (t) => {
  t.same(hasher({ seed: 7 }).signature('a b c d'), hasher({ seed: 7 }).signature('a b c d'));
  t.notSame(hasher({ seed: 7 }).signature('a b c d'), hasher({ seed: 8 }).signature('a b c d'));
});

t.test('shingles: word k-grams (CJK characters are words), char k-grams, short and empty text', async (t) => {
  t.equal(hasher({ k: 3 }).shingles('one two three four').length, 2);
  t.equal(hasher({ k: 3 }).shingles('我喜欢编程').length, 3, 'five Han characters, three 3-grams');
  t.equal(hasher({ k: 3 }).shingles('one two').length, 1, 'shorter than k: one shingle');
  t.equal(hasher({ shingle: 'char', k: 5 }).shingles('abcdefg').length, 3);
  t.equal(hasher({ k: 3 }).shingles('').length, 1);
  t.equal(estimatedJaccard(hasher().signature(''), hasher().signature('')), 1, 'empty texts repeat each other');
});

t.test('lshShape favours recall at the threshold and fits the permutations', async (t) => {
  for (const threshold of [0.5, 0.8, 0.9]) {
    const { bands, rows } = lshShape(threshold, 128);
    t.ok(bands * rows <= 128);
    const candidate = (s: number): number => 1 - (1 - s ** rows) ** bands;
    t.ok(candidate(threshold) >= 0.85, `P(candidate | s=${threshold}) = ${candidate(threshold).toFixed(3)}`);
    t.ok(candidate(Math.min(1, threshold + 0.1)) >= 0.99);
    // A candidate costs one signature comparison; few dissimilar pairs should need one.
    t.ok(candidate(threshold / 3) < 0.15, `P(candidate | s=${(threshold / 3).toFixed(2)}) = ${candidate(threshold / 3).toFixed(3)}`);
  }
});

t.test('LshIndex keeps the first, matches near copies to it, keeps the dissimilar', async (t) => {
  const h = hasher({ permutations: 128, k: 2 });
  const index = new LshIndex(128, lshShape(0.8, 128), 0.8);
  const words = Array.from({ length: 60 }, (_, i) => `t${i}`);
  const first = words.join(' ');
  const near = [...words.slice(0, 59), 'changed'].join(' ');
  const far = Array.from({ length: 60 }, (_, i) => `z${i}`).join(' ');
  t.same(index.match(h.signature(first), 1).duplicate, null);
  const hit = index.match(h.signature(near), 2).duplicate;
  t.equal(hit?.line, 1);
  t.ok(hit!.similarity >= 0.8);
  t.same(index.match(h.signature(far), 3), { duplicate: null, best: null }, 'no candidate at all');
  t.equal(index.size, 2, 'the near copy was not kept');
  t.equal(index.match(h.signature(first), 4).duplicate?.line, 1, 'an exact repeat goes to the first, not to a later equal');
});

t.test('mock embedding: deterministic unit vectors, paraphrases close, other topics far', async (t) => {
  const a = mockEmbedding('How do I bake bread at home?');
  t.same(a, mockEmbedding('How do I bake bread at home?'));
  const dot = (x: Float32Array, y: Float32Array): number => x.reduce((s, v, i) => s + v * y[i]!, 0);
  t.ok(Math.abs(dot(a, a) - 1) < 1e-5);
  t.ok(dot(a, mockEmbedding('How can I bake breads at home')) > 0.99, 'function words and a plural do not matter');
  t.ok(dot(a, mockEmbedding('What is the capital of France?')) < 0.3);
  t.equal(mockEmbedding('the of and').length, 256);
  t.equal(mockEmbedding('x', 8).length, 8);
});
