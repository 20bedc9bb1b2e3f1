import t from 'tap';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FIXTURES, lines, runCli } from '../cli-process.js';

const graph = join(FIXTURES, 'graphs', 'answer.yaml');
const input = '{"question":"What is 2+2?"}\n{"question":""}\n{"question":"Why is the sea salty?"}\n';

t.test('--provenance: _sygra names the graph, path, models, tokens, cache use, time and version', async (t) => {
  const dir = t.testdir({});
  const first = await runCli(['run', graph, '--provenance', '--stats', 'stats.json', '--cache-dir', 'c', '-q'], { cwd: dir, input });
  t.equal(first.code, 0, first.stderr);
  const stats = JSON.parse(await readFile(join(dir, 'stats.json'), 'utf8')) as { graph_sha256: string; version: string; models: { writer: { prompt_tokens: number; completion_tokens: number } } };
  const out = lines(first.stdout);
  t.equal(out.length, 2, 'the empty question was filtered');
  let tokens = 0;
  for (const r of out) {
    const p = r._sygra as Record<string, unknown>;
    t.same(Object.keys(p), ['graph_sha256', 'path', 'models', 'llm_calls', 'tokens', 'cached', 'latency_ms', 'created_at', 'version']);
    t.match(p, { graph_sha256: stats.graph_sha256, path: ['has_question', 'answer', 'classify', 'to_sft'], models: ['writer'], llm_calls: 2, cached: 0, version: stats.version });
    t.ok(typeof p.latency_ms === 'number' && (p.latency_ms as number) >= 0);
    t.ok(Math.abs(Date.parse(p.created_at as string) - Date.now()) < 60_000, 'created_at is an ISO time of now');
    tokens += p.tokens as number;
  }
  t.equal(tokens, stats.models.writer.prompt_tokens + stats.models.writer.completion_tokens, 'per-record tokens add up to the model total');

  const again = await runCli(['run', graph, '--provenance', '--cache-dir', 'c', '-q'], { cwd: dir, input });
  for (const r of lines(again.stdout)) t.match(r._sygra, { llm_calls: 2, cached: 2 }, 'the rerun was answered by the cache');
  const plain = await runCli(['run', graph, '--cache-dir', 'c', '-q'], { cwd: dir, input });
  t.notMatch(plain.stdout, /_sygra/, 'off by default');
});
