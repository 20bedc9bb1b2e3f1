import t from 'tap';
import { mapNode } from '../../lib/nodes/map.js';
import { filterNode } from '../../lib/nodes/filter.js';
import { Dropped, type CompiledNode } from '../../lib/nodes/definition.js';
import { preview } from '../../lib/nodes/expression.js';
import type { JsonObject } from '../../lib/record/item.js';

const ctx = { node: 'n', line: 1, seq: 0 };

function compile<C>(def: { compile(c: C, x: never): unknown }, config: C): { node?: CompiledNode; problems: string[] } {
  const problems: string[] = [];
  const node = def.compile(config, { name: 'n', graphDir: '.', report: (p: unknown[], m: string) => problems.push(`${p.join('.')}: ${m}`) } as never) as CompiledNode | undefined;
  return { node, problems };
}

t.test('map: expressions see the incoming record; dotted paths nest; unset removes', async (t) => {
  const { node } = compile(mapNode, {
    type: 'map' as const,
    set: { a: 'record.b', b: 'record.a', 'meta.len': 'record.text.length', 'meta.deep.x': '1' },
    unset: ['text'],
  });
  const record: JsonObject = { a: 1, b: 2, text: 'hello', meta: 'was a string' };
  t.same(node!.run(record, ctx), { a: 2, b: 1, meta: { len: 5, deep: { x: 1 } } });
});

t.test('map: bad paths and expressions are config problems', async (t) => {
  const { node, problems } = compile(mapNode, { type: 'map' as const, set: { 'a..b': '1', ok: 'record.' }, unset: ['__proto__.x'] });
  t.equal(node, undefined);
  t.same(problems, ['set.a..b: "a..b" is not a valid field path (empty segment)', "set.ok: expression does not compile: Unexpected token ')'", 'unset.0: "__proto__.x" names a reserved property']);
  t.same(compile(mapNode, { type: 'map' as const }).problems, [': a map node needs `set` or `unset`']);
});

t.test('map: an expression that throws makes the record fail, not the run', async (t) => {
  const { node } = compile(mapNode, { type: 'map' as const, set: { x: 'record.missing.deep' } });
  t.throws(() => node!.run({}, ctx), TypeError);
});

t.test('filter: keeps truthy, drops falsy with the expression and value in the reason', async (t) => {
  const { node } = compile(filterNode, { type: 'filter' as const, when: 'record.score' });
  t.equal(node!.mutates, false);
  const keep = { score: 3 };
  t.equal(node!.run(keep, ctx), keep);
  const dropped = node!.run({ score: 0 }, ctx);
  t.ok(dropped instanceof Dropped);
  t.equal((dropped as Dropped).reason, 'when "record.score" was 0');
  t.equal((node!.run({}, ctx) as Dropped).reason, 'when "record.score" was undefined');
  const cut = compile(filterNode, { type: 'filter' as const, when: 'record.text.length > 500 && record.text' }).node!;
  t.equal((cut.run({ text: 'x'.repeat(300) }, ctx) as Dropped).reason, `when "record.text.length > 500 && record.text" was false`);
  t.equal(preview('y'.repeat(200)), `"${'y'.repeat(78)}…`, 'long values are cut short');
});

t.test('filter: a trailing comment in the expression is harmless', async (t) => {
  const { node, problems } = compile(filterNode, { type: 'filter' as const, when: 'record.ok // keep good ones' });
  t.same(problems, []);
  t.equal(node!.run({ ok: true }, ctx) instanceof Dropped, false);
});
