import t from 'tap';
import { Budget } from '../../lib/llm/budget.js';
import { emptyCounters, ResponseCache } from '../../lib/llm/cache/response-cache.js';
import { ModelClient, type ResolvedModel } from '../../lib/llm/model-client.js';
import type { Completion } from '../../lib/llm/types.js';
import { listeningMock } from './transports/mock-server.js';

const spec = (more: Partial<ResolvedModel>): ResolvedModel => ({
  name: 'gen',
  model: 'mock-1',
  provider: 'openai',
  baseUrls: [],
  params: {},
  concurrency: 4,
  timeoutMs: 5000,
  retries: 5,
  retryWindowMs: 0,
  balance: 'least_outstanding',
  embeddingBatch: 8,
  headers: {},
  seedTurn: null,
  ...more,
});
const memory = () => new ResponseCache<Completion>({ stores: [], sizeOf: () => 1 });
const ask = (content: string) => ({ messages: [{ role: 'user', content }], params: {} });
const backoff = { baseMs: 1, capMs: 5 };

t.test('the whole chain over HTTP: retried until answered, then cached', async (t) => {
  const { server, url } = await listeningMock({ failFirst: 2 });
  t.teardown(() => server.close());
  const client = new ModelClient(spec({ baseUrls: [url] }), { cache: memory(), onFatal: () => t.fail('no breaker'), backoff });
  t.teardown(() => client.close());
  const first = await client.chat(ask('What is a river?'));
  const again = await client.chat(ask('What is a river?'));
  t.same(again, first);
  t.equal(server.stats.chat_requests, 3, 'two failures and one answer; the repeat never left the cache');
  t.match(client.usage.report(), { requests: 3, retries: 2, failures: 0, cache: { misses: 1, memory_hits: 1 } });
  t.equal(client.usage.prompt_tokens, first.usage.prompt_tokens, 'tokens counted once');
});

t.test('no more requests in flight than the concurrency, retries included', async (t) => {
  const { server, url } = await listeningMock({ latencyMs: 5, failFirst: 1 });
  t.teardown(() => server.close());
  const client = new ModelClient(spec({ baseUrls: [url], concurrency: 3 }), { cache: null, onFatal: () => {}, backoff, breakerThreshold: 1000 });
  t.teardown(() => client.close());
  await Promise.all(Array.from({ length: 30 }, (_, i) => client.chat(ask(`question ${i}`))));
  t.equal(server.stats.chat_requests, 60);
  t.ok(server.stats.max_in_flight <= 3, `at most 3 in flight, saw ${server.stats.max_in_flight}`);
  t.equal(client.usage.peakInFlight, 3);
});

t.test('a model that keeps failing opens its breaker: the run is told once, and later calls fail without a request', async (t) => {
  const { server, url } = await listeningMock({ errorRate: 1 });
  t.teardown(() => server.close());
  const fatal: string[] = [];
  const client = new ModelClient(spec({ baseUrls: [url], retries: 10 }), { cache: null, onFatal: (m) => fatal.push(m), breakerThreshold: 4, backoff });
  t.teardown(() => client.close());
  await t.rejects(client.chat(ask('q')), /^HTTP 500 from .* \(gave up after 3 retries\)$/);
  t.equal(fatal.length, 1);
  t.match(fatal[0], /^model "gen" is failing: 4 failures in a row, the last: HTTP 500/);
  const sent = server.stats.chat_requests;
  await t.rejects(client.chat(ask('another')), /^model "gen" is unavailable: 4 failures in a row/);
  t.equal(server.stats.chat_requests, sent);
});

t.test('the built-in mock: same answers as the server, counted, within the budget, no network', async (t) => {
  const { server, url } = await listeningMock();
  t.teardown(() => server.close());
  const http = new ModelClient(spec({ baseUrls: [url] }), { cache: null, onFatal: () => {} });
  t.teardown(() => http.close());
  const budget = new Budget(undefined, 2);
  const mock = new ModelClient(spec({ provider: 'mock' }), { cache: memory(), onFatal: () => {}, budget });
  t.same(await mock.chat(ask('Name a colour.')), await http.chat(ask('Name a colour.')));
  t.same([...(await mock.embed('some text'))], [...(await http.embed('some text'))]);
  t.match(mock.usage.report(), { requests: 2, failures: 0 });
  await t.rejects(mock.chat(ask('a third request')), /--max-requests budget \(2\) is spent/);
  t.same(await mock.preflight(), []);
});

t.test("a node's params are merged over the model's, and samples get distinct seeds", async (t) => {
  const sent: unknown[] = [];
  const client = new ModelClient(spec({ provider: 'mock', params: { temperature: 0.2, top_p: 0.9 } }), {
    cache: null,
    onFatal: () => {},
    dryRun: (_name, request) => sent.push(request),
  });
  await client.chat({ ...ask('q'), params: { temperature: 1 }, sample: 3 });
  t.same(sent, [{ temperature: 1, top_p: 0.9, model: 'mock-1', messages: [{ role: 'user', content: 'q' }], seed: 3 }]);
  t.equal(client.usage.requests, 0, 'a dry run sends and counts nothing');
  t.same(emptyCounters(), client.usage.cache, 'nor looks anything up');
});
