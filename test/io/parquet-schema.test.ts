import t from 'tap';
import { fromColumnValue, huggingFaceFeatures, mergeShapes, parquetSchema, roundTripOf, shapeOf, shapeOfRows, toColumnValue } from '../../lib/io/parquet-schema.js';

const rows = [
  { id: 1, score: 7, messages: [{ role: 'user', content: 'hi' }], meta: { lang: 'en' } },
  { id: 2, score: 7.5, messages: [{ role: 'assistant', content: null, tool_calls: [{ id: 'c1', arguments: '{}' }] }], extra: 'x' },
  { id: 3, score: null, messages: [], meta: { lang: 'de', tags: ['a', 1] } },
];
const columns = shapeOfRows(rows, ['id', 'score', 'messages', 'meta', 'extra']);

t.test('shapes: numbers are float64, structs take every key seen, values that disagree become JSON text', async (t) => {
  const merged = mergeShapes(shapeOf({ spam: 0, lang: 'en', pii: 0 }), shapeOf({ spam: 0, fails_task: 1, lang: 'en', extra: 2 }));
  t.same(merged.kind === 'struct' ? [...merged.fields.keys()] : null, ['spam', 'fails_task', 'lang', 'pii', 'extra'], 'an order both objects agree with');
  t.equal(columns.get('id')!.kind, 'float64', 'whole numbers too: a later value may not be');
  t.match(columns.get('score'), { kind: 'float64', explicitNull: true });
  const messages = columns.get('messages')!;
  t.equal(messages.kind, 'list');
  const element = messages.kind === 'list' ? messages.element : null;
  t.same(element?.kind === 'struct' ? [...element.fields.keys()] : null, ['role', 'content', 'tool_calls']);
  const meta = columns.get('meta')!;
  t.same(meta.kind === 'struct' ? meta.fields.get('tags') : null, { kind: 'list', element: { kind: 'json', explicitNull: false }, explicitNull: false }, 'strings and numbers in one list');
  t.equal(mergeShapes(shapeOf('a'), shapeOf({ a: 1 })).kind, 'json');
  t.equal(mergeShapes(shapeOf(null), shapeOf(true)).kind, 'bool');
});

t.test('the Parquet schema uses 3-level lists; the features are what datasets reads', async (t) => {
  const schema = parquetSchema(new Map([['messages', columns.get('messages')!]]));
  t.same(
    schema.map((e) => [e.name, e.type ?? null, e.converted_type ?? null, e.repetition_type ?? null, e.num_children ?? null]),
    [
      ['root', null, null, null, 1],
      ['messages', null, 'LIST', 'OPTIONAL', 1],
      ['list', null, null, 'REPEATED', 1],
      ['element', null, null, 'OPTIONAL', 3],
      ['role', 'BYTE_ARRAY', 'UTF8', 'OPTIONAL', null],
      ['content', 'BYTE_ARRAY', 'UTF8', 'OPTIONAL', null],
      ['tool_calls', null, 'LIST', 'OPTIONAL', 1],
      ['list', null, null, 'REPEATED', 1],
      ['element', null, null, 'OPTIONAL', 2],
      ['id', 'BYTE_ARRAY', 'UTF8', 'OPTIONAL', null],
      ['arguments', 'BYTE_ARRAY', 'UTF8', 'OPTIONAL', null],
    ],
  );
  const value = (dtype: string) => ({ dtype, _type: 'Value' });
  t.same(huggingFaceFeatures(columns), {
    id: value('float64'),
    score: value('float64'),
    messages: [{ role: value('string'), content: value('string'), tool_calls: [{ id: value('string'), arguments: value('string') }] }],
    meta: { lang: value('string'), tags: [value('string')] },
    extra: value('string'),
  });
});

t.test('round trip: JSON-text paths parsed back, absent fields left out, written nulls kept', async (t) => {
  const trip = roundTripOf(columns);
  t.same(trip.json, ['meta.tags[]']);
  t.same(
    new Set(trip.absent),
    new Set(['id', 'messages', 'meta', 'meta.lang', 'meta.tags', 'extra', 'messages[].role', 'messages[].tool_calls', 'messages[].tool_calls[].id', 'messages[].tool_calls[].arguments']),
  );
  t.notOk(trip.absent.includes('score'), 'a null was written there');
  t.notOk(trip.absent.includes('messages[].content'), 'and there');
  const sets = { json: new Set(trip.json), absent: new Set(trip.absent) };
  for (const row of rows) {
    const written = Object.fromEntries([...columns].map(([name, shape]) => [name, toColumnValue((row as Record<string, unknown>)[name], shape, name)]));
    const back = Object.fromEntries(Object.entries(written).flatMap(([k, v]) => (v === null && sets.absent.has(k) ? [] : [[k, fromColumnValue(v, k, sets)]])));
    t.equal(JSON.stringify(back), JSON.stringify(row), `row ${row.id} comes back as it was`);
  }
});

t.test('a value that does not fit the first row group names its field', async (t) => {
  t.throws(() => toColumnValue('seven', columns.get('score')!, 'score'), { message: /^output field "score" held numbers in the first row group, but "seven" later/ });
  t.throws(() => toColumnValue(true, columns.get('id')!, 'id'), { message: /"id" held numbers/ });
  t.throws(() => toColumnValue([{ role: 'user', name: 'x' }], columns.get('messages')!, 'messages'), { message: /output field "messages\[\]\.name" was not in the first row group/ });
  t.equal(toColumnValue({ a: 1 }, shapeOf(null), 'was_null'), '{"a":1}', 'a column of nulls takes later values as JSON text');
});
