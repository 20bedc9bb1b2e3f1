import t from 'tap';
import { mergeBranches, mergeDeep } from '../../lib/engine/join-merge.js';

t.test('merge: deep takes the fields each branch set, nested objects field by field', async (t) => {
  const input = { id: 1, prompt: 'p', quality: { rules: { ok: true } }, drop_me: 1 };
  const a = { ...input, answer_a: 'A', quality: { rules: { ok: true }, judge: 7 } };
  const b = { id: 1, prompt: 'p', quality: { rules: { ok: true }, lang: 'en' }, answer_b: 'B' };
  t.same(
    mergeDeep(input, [
      { head: 'a', record: { ...a, drop_me: 1 } },
      { head: 'b', record: b },
    ]),
    {
      record: { id: 1, prompt: 'p', quality: { rules: { ok: true }, judge: 7, lang: 'en' }, answer_a: 'A', answer_b: 'B' },
    },
  );
});

t.test('merge: deep returns the input itself when no branch changed anything, and copies changes onto a new object', async (t) => {
  const input = { id: 1, tags: ['x'] };
  const same = mergeDeep(input, [
    { head: 'a', record: input },
    { head: 'b', record: structuredClone(input) },
  ]);
  t.equal((same as { record: unknown }).record, input);
  const changed = mergeDeep(input, [{ head: 'a', record: { id: 1, tags: ['x', 'y'] } }]) as { record: Record<string, unknown> };
  t.not(changed.record, input);
  t.same(input, { id: 1, tags: ['x'] }, 'the input is not touched');
  t.same(changed.record, { id: 1, tags: ['x', 'y'] }, 'an array is replaced whole');
});

t.test('merge: deep lets branches agree, and names the field they disagree on', async (t) => {
  const input = { q: 1, meta: { n: 0 } };
  t.same(
    mergeDeep(input, [
      { head: 'a', record: { q: 1, meta: { n: 2 }, x: [1] } },
      { head: 'b', record: { q: 1, meta: { n: 2 }, x: [1] } },
    ]),
    { record: { q: 1, meta: { n: 2 }, x: [1] } },
  );
  t.same(
    mergeDeep(input, [
      { head: 'a', record: { q: 1, meta: { n: 2 } } },
      { head: 'b', record: { q: 1, meta: { n: 3 } } },
    ]),
    {
      conflict: 'branches "a" and "b" set "meta.n" differently (merge: deep takes a field from one branch, or from several that agree)',
    },
  );
  t.match(
    mergeDeep(input, [
      { head: 'a', record: { meta: { n: 0 } } },
      { head: 'b', record: { q: 2, meta: { n: 0 } } },
    ]),
    { conflict: /branches "a" and "b" set "q" differently/ },
    'a deletion against a change',
  );
});

t.test('merge: branches puts each branch record under its first node, refusing to overwrite a field', async (t) => {
  const input = { q: 1 };
  t.same(
    mergeBranches(input, [
      { head: 'gen_a', record: { q: 1, a: 1 } },
      { head: 'gen_b', record: { q: 1, b: 2 } },
    ]),
    { record: { q: 1, gen_a: { q: 1, a: 1 }, gen_b: { q: 1, b: 2 } } },
  );
  t.match(mergeBranches({ q: 1, gen_a: 0 }, [{ head: 'gen_a', record: { q: 1 } }]), { conflict: /already has a field "gen_a"/ });
});
