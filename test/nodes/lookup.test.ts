import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { Dropped, type CompiledNode } from '../../lib/nodes/definition.js';
import { lookupNode } from '../../lib/nodes/lookup.js';

const ctx = { node: 'n', line: 1, seq: 0 };

async function compile(dir: string, config: Record<string, unknown>): Promise<{ node?: CompiledNode; problems: string[] }> {
  const problems: string[] = [];
  const full = { type: 'lookup', key: 'id', on: 'id', missing: 'keep', ...config };
  const node = await lookupNode.compile(full as never, { name: 'n', graphDir: dir, report: (p: unknown[], m: string) => problems.push(`${p.join('.')}: ${m}`) } as never);
  return { node, problems };
}

const LABELS = [
  { file: 'out.jsonl', line: 1, id: 'a', label: 'flag', note: 'check' },
  { file: 'out.jsonl', line: 2, id: 7, label: 'reject', note: '' },
  { file: 'out.jsonl', line: 1, id: 'a', label: 'accept', note: 'fine after all' },
  { file: 'out.jsonl', line: 3, id: null, label: 'reject', note: 'no id: cannot join' },
];

t.test('joins the last row for a key; numbers and strings compare as text; fields picks', async (t) => {
  const dir = t.testdir({});
  await writeFile(join(dir, 'labels.jsonl'), `${LABELS.map((r) => JSON.stringify(r)).join('\n')}\n\n`);
  const { node, problems } = await compile(dir, { file: 'labels.jsonl', into: 'review' });
  t.same(problems, []);
  t.same(node!.writes, ['review']);
  t.same(node!.run({ id: 'a', x: 1 }, ctx), { id: 'a', x: 1, review: { file: 'out.jsonl', line: 1, label: 'accept', note: 'fine after all' } });
  t.same(node!.run({ id: '7' }, ctx), { id: '7', review: { file: 'out.jsonl', line: 2, label: 'reject', note: '' } });
  t.same(node!.run({ id: 'zz' }, ctx), { id: 'zz' }, 'no row: kept as it is');
  t.same(node!.run({ x: 1 }, ctx), { x: 1 }, 'no key: kept as it is');
  const picked = await compile(dir, { file: join(dir, 'labels.jsonl'), into: 'meta.review', fields: ['label'] });
  t.same(picked.node!.run({ id: 'a' }, ctx), { id: 'a', meta: { review: { label: 'accept' } } });
  t.equal(picked.node!.writes, undefined, 'a nested field is not a top-level append');
  const dropping = await compile(dir, { file: 'labels.jsonl', into: 'review', missing: 'drop' });
  const dropped = dropping.node!.run({ id: 'b' }, ctx);
  t.ok(dropped instanceof Dropped);
  t.equal((dropped as Dropped).reason, 'no row in labels.jsonl for id "b"');
});

t.test('a missing table, bad JSON and bad paths are config problems', async (t) => {
  const dir = t.testdir({ 'bad.jsonl': '{"id":1}\n{oops\n' });
  t.match((await compile(dir, { file: 'none.jsonl', into: 'r' })).problems, [/^file: cannot read .*none\.jsonl: ENOENT$/]);
  t.match((await compile(dir, { file: 'bad.jsonl', into: 'r' })).problems, [/^file: .*bad\.jsonl:2: not JSON \(/]);
  t.same((await compile(dir, { file: 'bad.jsonl', into: 'a..b' })).problems.slice(0, 1), ['into: "a..b" is not a valid field path (empty segment)']);
});
