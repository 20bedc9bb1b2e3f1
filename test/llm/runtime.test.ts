import t from 'tap';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadGraph } from '../../lib/graph/load.js';
import { ModelRuntime } from '../../lib/llm/models.js';
import { ModelClient } from '../../lib/llm/model-client.js';
import { loadGraph as loadLibraryGraph, runGraph } from '../../lib/api/library.js';

const files = {
  'graph.yaml': [
    'models:',
    '  writer: { provider: mock }',
    'nodes:',
    '  answer: { type: llm, model: writer, messages: [{ role: user, content: "{question}" }], output: answer }',
    '  inner: { type: subgraph, graph: inner.yaml }',
    'edges:',
    '  - { from: START, to: answer }',
    '  - { from: answer, to: inner }',
    '  - { from: inner, to: END }',
    '',
  ].join('\n'),
  'inner.yaml': ['models:', '  critic: { provider: mock }', 'nodes:', '  critique: { type: llm, model: critic, messages: [{ role: user, content: "Critique: {answer}" }], output: critique }', ''].join(
    '\n',
  ),
};

t.test('loading a graph describes it: the cache folder is opened by the first request, not by loading', async (t) => {
  const dir = t.testdir(files);
  const cacheDir = join(dir, 'cache');
  const runtime = new ModelRuntime({ cacheDir, cacheReadOnly: false, cache: true, env: {} });
  t.teardown(() => runtime.close());
  const graph = await loadGraph(join(dir, 'graph.yaml'), runtime);
  t.same(
    graph.nodes.map((n) => n.name),
    ['answer', 'inner'],
  );
  t.notOk(existsSync(cacheDir), 'nothing opened by loading');
  const writer = graph.models.get('writer');
  t.equal(await runtime.ready(), null);
  await writer.chat({ messages: [{ role: 'user', content: 'hi' }], params: {} });
  t.ok(existsSync(cacheDir), 'the first model opens the disk tier');
});

t.test('one runtime for a graph and the graphs it includes: one fatal signal, one close for every model', async (t) => {
  const dir = t.testdir(files);
  const closed: string[] = [];
  const close = ModelClient.prototype.close;
  ModelClient.prototype.close = function (this: ModelClient) {
    closed.push(this.spec.name);
    return close.call(this);
  };
  t.teardown(() => {
    ModelClient.prototype.close = close;
  });
  const handle = await loadLibraryGraph(join(dir, 'graph.yaml'), { cache: false });
  const run = runGraph(handle, [{ question: 'What is a delta?' }]);
  const results = [];
  for await (const r of run) results.push(r);
  t.match(results, [{ fate: 'output', record: { answer: String, critique: String } }]);
  t.same(Object.keys(run.stats().models).sort(), ['inner/critic', 'writer'], "the included graph's models report under its node's name");
  await handle.close();
  t.same(closed.sort(), ['critic', 'writer'], 'closing the runtime closes the models of both graphs');

  const runtime = ModelRuntime.describing({});
  const graph = await loadGraph(join(dir, 'graph.yaml'), runtime);
  t.equal(graph.models.fatal, runtime.fatal, 'a model failing anywhere stops the whole run');
});
