import t from 'tap';
import { Type } from '@sinclair/typebox';
import { applyDefaults, defaultOf, withComputedDefault, withDefault } from '../../lib/config/defaults.js';
import { GraphFileSchema } from '../../lib/graph/schema.js';
import { allNodeTypes } from '../../lib/nodes/registry.js';

const nodeTypes = await allNodeTypes();

t.test('defaults are filled in, nested ones too, without touching what was written', async (t) => {
  const schema = Type.Object({
    retries: withDefault(Type.Integer(), 5),
    name: Type.Optional(Type.String()),
    inner: withDefault(Type.Object({ on: withDefault(Type.Boolean(), true), off: Type.Optional(Type.Boolean()) }), {}),
  });
  const written = { name: 'x' };
  const config = applyDefaults(schema, written);
  t.same(config, { name: 'x', retries: 5, inner: { on: true } });
  t.same(written, { name: 'x' }, 'the written config is left as it was');
  t.same(applyDefaults(schema, { retries: 0, inner: { on: false } }), { retries: 0, inner: { on: false } }, 'a written value wins, falsy ones too');
  // The type: defaulted keys are present (this line would not compile otherwise).
  const retries: number = config.retries;
  t.equal(retries, 5);
});

t.test('the documented default: the value as JSON, or the words of a computed one', async (t) => {
  t.equal(defaultOf(withDefault(Type.String(), 'messages') as unknown as Record<string, unknown>), '`"messages"`');
  t.equal(defaultOf(withComputedDefault(Type.Integer(), "the model's `concurrency`") as unknown as Record<string, unknown>), "the model's `concurrency`");
  t.equal(defaultOf(Type.String() as unknown as Record<string, unknown>), null);
});

t.test('every default of the graph file is declared in its schema, not written into a description', async (t) => {
  const found: string[] = [];
  const visit = (schema: Record<string, unknown>, where: string): void => {
    const properties = (schema.properties ?? {}) as Record<string, Record<string, unknown>>;
    for (const [key, p] of Object.entries(properties)) {
      if (/\(default\b|\bdefault:/i.test(String(p.description ?? ''))) found.push(`${where}.${key}`);
      visit(p, `${where}.${key}`);
      const items = (p.items ?? (p.additionalProperties as object | undefined) ?? Object.values((p.patternProperties ?? {}) as object)[0]) as Record<string, unknown> | undefined;
      if (items && typeof items === 'object') visit(items, `${where}.${key}[]`);
      for (const option of (items?.anyOf ?? p.anyOf ?? []) as Array<Record<string, unknown>>) visit(option, `${where}.${key}[]`);
    }
  };
  visit(GraphFileSchema as unknown as Record<string, unknown>, 'graph');
  for (const d of nodeTypes.values()) visit(d.schema as unknown as Record<string, unknown>, `nodes.${d.type}`);
  t.same(found, [], 'descriptions that still carry a default in words');
});
