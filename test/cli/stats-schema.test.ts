import t from 'tap';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FIXTURES, runCli } from '../cli-process.js';

// The documented --stats schema: fields may be added, never renamed or removed.
t.test('--stats has the documented fields, per run, per node and per model', async (t) => {
  const dir = t.testdir({});
  const res = await runCli(['run', join(FIXTURES, 'graphs', 'answer.yaml'), '-i', join(FIXTURES, 'questions.jsonl'), '--stats', 's.json', '-q', '--cache-dir', 'c'], { cwd: dir });
  t.equal(res.code, 0, res.stderr);
  const stats = JSON.parse(await readFile(join(dir, 's.json'), 'utf8')) as Record<string, unknown> & {
    nodes: Record<string, Record<string, unknown>>;
    models: Record<string, Record<string, unknown>>;
  };
  for (const key of [
    'version',
    'graph',
    'graph_sha256',
    'records_in',
    'records_out',
    'filtered',
    'errors',
    'fanout',
    'skipped',
    'conserved',
    'peak_in_flight',
    'wall_ms',
    'interrupted',
    'nodes',
    'models',
  ])
    t.ok(key in stats, key);
  t.match(stats.graph_sha256, /^[0-9a-f]{64}$/);
  t.equal(stats.conserved, true);
  for (const [name, node] of Object.entries(stats.nodes)) {
    t.same(Object.keys(node).sort(), ['errors', 'fanout', 'filtered', 'in', 'latency_ms', 'out', 'time_ms'], name);
    t.same(Object.keys(node.latency_ms as object).sort(), ['max', 'p50', 'p95', 'p99']);
  }
  const writer = stats.models.writer!;
  t.same(Object.keys(writer).sort(), [
    'cache',
    'completion_tokens',
    'cost_usd',
    'failures',
    'latency_ms',
    'peak_in_flight',
    'price_source',
    'prompt_tokens',
    'reasoning_tokens',
    'requests',
    'retries',
  ]);
  t.same(Object.keys(writer.cache as object).sort(), ['coalesced', 'memory_hits', 'misses', 'store_hits']);
  t.equal(writer.cost_usd, null, 'no price, no cost');
});
