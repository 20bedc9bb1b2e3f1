import t from 'tap';
import { compileJsonSchema, extractJson } from '../../../lib/llm/json-output.js';
import { mockCompletion, sampleSchema } from '../../../lib/llm/mock/completion.js';
import { seededRandom } from '../../../lib/random/seeded.js';

t.test('the mock model is deterministic and depends on the whole request', async (t) => {
  const req = { model: 'm', messages: [{ role: 'user', content: 'hello there' }] };
  t.same(mockCompletion(req), mockCompletion(structuredClone(req)));
  t.not(mockCompletion(req).text, mockCompletion({ ...req, seed: 1 }).text);
  t.not(mockCompletion(req).text, mockCompletion({ ...req, model: 'n' }).text);
  t.match(mockCompletion(req).text, /about "hello there"/);
  const c = mockCompletion(req);
  t.equal(c.usage.completion_tokens, Math.ceil(c.text.length / 4));
});

t.test('max_tokens cuts the answer and says so', async (t) => {
  const c = mockCompletion({ model: 'm', messages: [{ role: 'user', content: 'x' }], max_tokens: 3 });
  t.equal(c.text.length, 12);
  t.equal(c.finish_reason, 'length');
});

t.test('structured requests get JSON that validates against the schema', async (t) => {
  const schema = {
    type: 'object',
    properties: {
      topic: { type: 'string', minLength: 5, maxLength: 40 },
      level: { type: 'integer', minimum: 1, maximum: 5 },
      score: { type: 'number', minimum: 0, maximum: 1 },
      kind: { enum: ['code', 'math', 'chat'] },
      tags: { type: 'array', items: { type: 'string' }, minItems: 2, maxItems: 4 },
      ok: { type: 'boolean' },
      nested: { type: 'object', properties: { id: { const: 7 } }, required: ['id'] },
      maybe: { type: ['null', 'string'] },
    },
    required: ['topic', 'level', 'score', 'kind', 'tags', 'ok', 'nested'],
  };
  const check = await compileJsonSchema(schema);
  if ('error' in check) throw new Error(check.error);
  for (let i = 0; i < 50; i++) {
    const c = mockCompletion({ model: 'm', messages: [{ role: 'user', content: `q${i}` }], response_format: { type: 'json_schema', json_schema: { name: 'o', schema } } });
    t.equal(check(JSON.parse(c.text)), null, `sample ${i}`);
  }
  t.equal(sampleSchema({ type: 'integer', minimum: 3, maximum: 3 }, seededRandom('ff'), 0), 3);
});

t.test('JSON is found in prose and code fences', async (t) => {
  t.same(extractJson('{"a":1}'), { a: 1 });
  t.same(extractJson('Here you go:\n```json\n{"a": 2}\n```\nDone.'), { a: 2 });
  t.same(extractJson('Sure! {"a": 3} hope it helps'), { a: 3 });
  t.equal(extractJson('no json here'), undefined);
  t.equal(extractJson('{"broken": '), undefined);
});

t.test('a bad JSON Schema is reported, a failing value names its path', async (t) => {
  t.match(await compileJsonSchema({ type: 'nonsense' }), { error: /^invalid JSON Schema/ });
  const check = await compileJsonSchema({ type: 'object', properties: { n: { type: 'integer' } }, required: ['n'] });
  if ('error' in check) throw new Error(check.error);
  t.equal(check({ n: 'x' }), '/n must be integer');
  t.equal(check({}), "(root) must have required property 'n'");
});
