import t from 'tap';
import { DiskHashSet } from '../../lib/dedup/disk-hash-set.js';
import { ExactIndex } from '../../lib/dedup/exact-index.js';
import { HashSet64, SLOT_BYTES } from '../../lib/dedup/hash-set64.js';
import { hyperplaneShape, VectorIndex } from '../../lib/dedup/vector-index.js';
import { seededRandom } from '../../lib/random/seeded.js';

t.test('HashSet64 keeps each hash with its first value, grows, and stops at its budget', async (t) => {
  const set = new HashSet64(1 << 20);
  let accepted = 0;
  for (let i = 1; i <= 10_000; i++) if (set.add(i * 7919, i, i + 1)) accepted++;
  t.equal(accepted, 10_000);
  t.equal(set.size, 10_000);
  t.equal(set.get(7919 * 42, 42), 43);
  t.equal(set.get(1, 999_999), undefined);
  set.add(7919 * 42, 42, 999);
  t.equal(set.get(7919 * 42, 42), 43, 'a second add keeps the first value');
  t.equal(set.size, 10_000);
  set.add(0, 0, 5);
  t.equal(set.get(0, 0), 5, 'the all-zero hash is stored too');

  const small = new HashSet64(16 * SLOT_BYTES);
  let added = 0;
  while (small.add(added + 1, added, added)) added++;
  t.equal(added, 14, '16 slots take 14 entries (90%) when the table may not grow');
  t.equal(small.bytes, 16 * SLOT_BYTES);
  t.equal(small.get(1, 0), 0, 'what was added is still there');
});

t.test('ExactIndex: a full budget is an error naming the fix, or spills to disk', async (t) => {
  const tight = new ExactIndex(16 * SLOT_BYTES, null);
  for (let i = 0; i < 14; i++) t.equal(tight.check(`text ${i}`, i + 1), null);
  t.equal(tight.check('text 3', 99), 4, 'a repeat names the first line');
  t.throws(() => tight.check('text 14', 15), /memory budget .* is full after 14 distinct texts: raise max_memory_mb, or set spill_dir/);

  const dir = t.testdir();
  const disk = await DiskHashSet.open(dir);
  const spilling = new ExactIndex(16 * SLOT_BYTES, disk);
  for (let i = 0; i < 100; i++) t.equal(spilling.check(`text ${i}`, i + 1), null);
  t.equal(spilling.check('text 3', 200), 4, 'found in memory');
  t.equal(spilling.check('text 77', 201), 78, 'found on disk before the write landed');
  await disk.landed();
  t.equal(spilling.check('text 90', 202), 91, 'found on disk after it landed');
});

t.test('VectorIndex: exact cosine scan, earliest of equals, capped', async (t) => {
  const index = new VectorIndex(2);
  t.equal(index.nearest(Float32Array.of(1, 0)), null);
  index.add(Float32Array.of(2, 0), 10);
  index.add(Float32Array.of(0, 3), 11);
  t.same(index.nearest(Float32Array.of(1, 1)), { line: 10, similarity: Math.fround(Math.SQRT1_2) }, 'ties go to the earlier vector');
  t.equal(index.nearest(Float32Array.of(0, 5))!.line, 11);
  t.equal(index.nearest(Float32Array.of(0, 5))!.similarity, 1, 'vectors are compared at unit length');
  t.throws(() => index.add(Float32Array.of(1, 1), 12), /index is full \(max_kept: 2/);
  t.throws(() => index.nearest(Float32Array.of(1, 1, 1)), /3 dimensions, earlier ones had 2/);
});

t.test('hyperplaneShape: a pair at the threshold shares a band with probability ≥ 0.999', async (t) => {
  for (const threshold of [0.8, 0.9, 0.95, 0.99]) {
    const { bands, rows } = hyperplaneShape(threshold);
    const agree = 1 - Math.acos(threshold) / Math.PI;
    t.ok(1 - (1 - agree ** rows) ** bands >= 0.999, `t=${threshold}: ${bands}×${rows}`);
    t.ok(1 - (1 - agree ** (rows + 1)) ** bands < 0.999 || rows === 30, 'and rows is the longest that does');
  }
  t.ok(hyperplaneShape(0.95).rows > hyperplaneShape(0.8).rows, 'a higher threshold, longer keys, fewer candidates');
});

t.test('VectorIndex with LSH bands finds what the exact scan finds, comparing far fewer vectors', async (t) => {
  const rand = seededRandom('0000beef');
  const gaussian = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const dims = 64;
  const base = Array.from({ length: 3000 }, () => Float32Array.from({ length: dims }, gaussian));
  // Near copies: a little noise, cosine about 0.97–0.99 with their original.
  const near = base.slice(0, 300).map((v) => v.map((x) => x + 0.15 * gaussian()));
  const exact = new VectorIndex(10_000);
  const lsh = new VectorIndex(10_000, hyperplaneShape(0.95), 7);
  const decide = (index: VectorIndex, v: Float32Array, line: number): number | null => {
    const hit = index.nearest(v);
    if (hit && hit.similarity >= 0.95) return hit.line;
    index.add(v, line);
    return null;
  };
  const stream = [...base, ...near];
  const fromExact = stream.map((v, i) => decide(exact, v, i + 1));
  const fromLsh = stream.map((v, i) => decide(lsh, v, i + 1));
  t.same(fromLsh, fromExact, 'the same verdict for every vector');
  t.equal(fromLsh.filter((x) => x !== null).length, 300, 'every near copy found');
  t.ok(lsh.compared * 20 < exact.compared, `compared ${lsh.compared} vs ${exact.compared}`);
});
