import t from 'tap';
import { repetition } from '../../lib/quality/repetition.js';

// The measures as defined, counted the slow and obvious way (joined strings in a Map), to
// check the pruned chain of passes against. The text is the words joined by single spaces,
// and coverage is over all its characters, spaces included (Gopher's definition).
function reference(words: string[]): { top: number[]; topCount: number[]; duplicate: number[]; duplicateChars: number[] } {
  const total = words.join(' ').length;
  const chars = (i: number, n: number): number => words.slice(i, i + n).reduce((s, w) => s + w.length, 0);
  const topCount: number[] = [];
  const duplicateChars: number[] = [];
  const top = [2, 3, 4].map((n) => {
    const counts = new Map<string, number>();
    let best = -1;
    let bestCount = 0;
    for (let i = 0; i + n <= words.length; i++) {
      const key = words.slice(i, i + n).join(' ');
      const c = (counts.get(key) ?? 0) + 1;
      counts.set(key, c);
      if (c > bestCount) [best, bestCount] = [i, c];
    }
    topCount.push(bestCount < 2 || total === 0 ? 0 : bestCount);
    return bestCount < 2 || total === 0 ? 0 : (bestCount * chars(best, n)) / total;
  });
  const duplicate = [5, 6, 7, 8, 9, 10].map((n) => {
    const seen = new Set<string>();
    const covered = new Set<number>();
    for (let i = 0; i + n <= words.length; i++) {
      const key = words.slice(i, i + n).join(' ');
      if (seen.has(key)) for (let j = i; j < i + n; j++) covered.add(j);
      seen.add(key);
    }
    const chars = [...covered].reduce((s, j) => s + words[j]!.length, 0);
    duplicateChars.push(total === 0 ? 0 : chars);
    return total === 0 ? 0 : chars / total;
  });
  return { top, topCount, duplicate, duplicateChars };
}

function measure(words: string[]): { top: number[]; topCount: number[]; duplicate: number[]; duplicateChars: number[] } {
  const ids = new Map<string, number>();
  const hashes = Int32Array.from(words, (w) => ids.get(w) ?? (ids.set(w, ids.size * 2654435761), ids.get(w)!));
  const r = repetition(
    hashes,
    Int32Array.from(words, (w) => w.length),
    words.join(' ').length,
  );
  return { top: [...r.top], topCount: [...r.topCount], duplicate: [...r.duplicate], duplicateChars: [...r.duplicateChars] };
}

t.test('the pruned chain gives exactly what counting every n-gram gives', async (t) => {
  let seed = 7;
  const rand = (): number => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  for (let trial = 0; trial < 300; trial++) {
    // Small vocabularies and pasted spans make long repeats common, so every level is exercised.
    const vocab = Array.from({ length: 2 + Math.floor(rand() * 30) }, (_, i) => 'w'.repeat(1 + (i % 4)) + i);
    const words: string[] = [];
    const length = Math.floor(rand() * 120);
    while (words.length < length) {
      if (words.length > 12 && rand() < 0.2) {
        const from = Math.floor(rand() * (words.length - 10));
        words.push(...words.slice(from, from + 3 + Math.floor(rand() * 9)));
      } else words.push(vocab[Math.floor(rand() * vocab.length)]!);
    }
    const want = reference(words);
    const got = measure(words);
    if (JSON.stringify(got) !== JSON.stringify(want)) {
      t.same(got, want, `trial ${trial}: ${words.join(' ')}`);
      return;
    }
  }
  t.pass('300 random texts agree on all nine measures, their top counts and covered characters');
});

t.test('hand-computed cases', async (t) => {
  const none = { top: [0, 0, 0], topCount: [0, 0, 0], duplicate: [0, 0, 0, 0, 0, 0], duplicateChars: [0, 0, 0, 0, 0, 0] };
  t.same(measure([]), none);
  t.same(measure(['one']), none, 'one word holds no 2-gram');
  t.same(measure(['a', 'a']), none, 'one 2-gram, once');
  t.same(measure(['a', 'a', 'a']).topCount, [2, 0, 0], '"a a" twice, overlapping');
  // "ab cd ab cd ab" (14 characters): the 2-gram "ab cd" twice (2 × 4 word characters); the
  // 3-gram "ab cd ab" twice, overlapping (2 × 6); no 4-gram repeats.
  const r = measure(['ab', 'cd', 'ab', 'cd', 'ab']);
  t.equal(r.top[0], (2 * 4) / 14);
  t.equal(r.top[1], (2 * 6) / 14);
  t.equal(r.top[2], 0);
  t.same(r.duplicate, [0, 0, 0, 0, 0, 0], 'no 5-gram fits twice in five words');
});
