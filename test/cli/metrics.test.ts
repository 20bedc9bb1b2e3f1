import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { request } from 'undici';
import { startCli } from '../cli-process.js';
import { startMockServer } from '../mock-server-process.js';

/** Resolves with the first match of `pattern` in what `stream` says. */
function waitFor(stream: NodeJS.ReadableStream, pattern: RegExp): Promise<RegExpMatchArray> {
  return new Promise((resolve) => {
    let seen = '';
    const look = (chunk: Buffer | string): void => {
      seen += chunk.toString();
      const m = seen.match(pattern);
      if (m) {
        stream.off('data', look);
        resolve(m);
      }
    };
    stream.on('data', look);
  });
}

t.test('--metrics-port: Prometheus metrics of a running run, on loopback', async (t) => {
  const server = await startMockServer(['--latency-ms', '20']);
  t.teardown(() => server.stop());
  const dir = t.testdir({
    'g.yaml': `models:\n  m: { base_url: ${server.url}, price: { input_per_mtok: 1, output_per_mtok: 1 } }\nnodes:\n  ask: { type: llm, messages: [ { role: user, content: "{q}" } ] }\n  short: { type: filter, when: "record.q.length < 6" }\nedges:\n  - { from: START, to: ask }\n  - { from: ask, to: short }\n  - { from: short, to: END }\n`,
  });
  const child = startCli(['run', 'g.yaml', '--no-cache', '--metrics-port', '0'], { cwd: dir });
  t.teardown(() => child.kill());
  const [, url] = (await waitFor(child.stderr!, /metrics on (http:\/\/127\.0\.0\.1:\d+\/metrics)/)) as RegExpMatchArray;
  // Records go in while stdin stays open: the run is alive when it is scraped.
  child.stdin!.write(`${['one', 'two', 'three', 'a long one'].map((q) => JSON.stringify({ q })).join('\n')}\n`);
  await waitFor(child.stdout!, /(?:.*\n){3}/);
  const res = await request(url!);
  t.equal(res.statusCode, 200);
  t.match(res.headers['content-type'], /text\/plain/);
  const text = await res.body.text();
  for (const line of [
    'sygra_records_total{fate="in"} 4',
    'sygra_records_total{fate="out"} 3',
    'sygra_records_total{fate="filtered"} 1',
    'sygra_node_records_total{node="ask",fate="in"} 4',
    'sygra_node_latency_seconds_count{node="ask"} 4',
    'sygra_node_latency_seconds_bucket{node="ask",le="+Inf"} 4',
    'sygra_model_requests_total{model="m"} 4',
    'sygra_model_cache_lookups_total{model="m",outcome="miss"} 4',
  ]) {
    t.ok(text.includes(line), line);
  }
  t.match(text, /sygra_model_tokens_total\{model="m",kind="prompt"\} \d+/);
  t.match(text, /sygra_model_cost_usd_total\{model="m"\} [0-9.e-]+/);
  t.match(text, /# TYPE sygra_node_latency_seconds histogram/);
  t.equal((await request(url!.replace('/metrics', '/other'))).statusCode, 404);
  child.stdin!.end();
  const code = await new Promise<number | null>((ok) => child.on('exit', ok));
  t.equal(code, 0);
});

t.test('--metrics-port: a scrape once every record is out matches what --stats says at the end', async (t) => {
  const key = 'sk-metrics-secret-91f3';
  const server = await startMockServer(['--fail-first', '1', '--fail-status', '503', '--api-key-env', 'MOCK_KEY'], { MOCK_KEY: key });
  t.teardown(() => server.stop());
  const dir = t.testdir({
    'g.yaml': `models:\n  m: { base_url: ${server.url}, api_key_env: MOCK_KEY, price: { input_per_mtok: 3, output_per_mtok: 15 } }\nnodes:\n  ask: { type: llm, messages: [ { role: user, content: "{q}" } ] }\n  short: { type: filter, when: "record.q.length < 6" }\nedges:\n  - { from: START, to: ask }\n  - { from: ask, to: short }\n  - { from: short, to: END }\n`,
  });
  const child = startCli(['run', 'g.yaml', '--no-cache', '--metrics-port', '0', '--stats', 'stats.json', '--errors', 'err.jsonl'], { cwd: dir, env: { MOCK_KEY: key } });
  t.teardown(() => child.kill());
  const [, url] = (await waitFor(child.stderr!, /metrics on (http:\/\/127\.0\.0\.1:\d+\/metrics)/)) as RegExpMatchArray;
  const qs = ['one', 'two', 'three', 'a long one', 'four', 'another long one', 'same', 'same'];
  child.stdin!.write(`${qs.map((q) => JSON.stringify({ q })).join('\n')}\n`);
  // Six pass the filter: once six lines are out, every record is done (the two long ones filtered).
  await waitFor(child.stdout!, /(?:.*\n){6}/);
  const text = await (await request(url!)).body.text();
  t.notMatch(text, key, 'no key in the metrics');
  t.notMatch(text, server.url, 'no endpoint address either');
  child.stdin!.end();
  t.equal(await new Promise<number | null>((ok) => child.on('exit', ok)), 0);
  const stats = JSON.parse(readFileSync(join(dir, 'stats.json'), 'utf8')) as {
    records_in: number;
    records_out: number;
    filtered: number;
    errors: number;
    models: { m: { requests: number; retries: number; prompt_tokens: number; completion_tokens: number; cost_usd: number } };
  };
  const metric = (name: string): number => {
    const m = new RegExp(`^${name.replace(/[{}]/g, '\\$&')} ([0-9.e+-]+)$`, 'm').exec(text);
    if (!m) throw new Error(`no ${name} in the scrape`);
    return Number(m[1]);
  };
  t.equal(metric('sygra_records_total{fate="in"}'), stats.records_in);
  t.equal(metric('sygra_records_total{fate="out"}'), stats.records_out);
  t.equal(metric('sygra_records_total{fate="filtered"}'), stats.filtered);
  t.equal(metric('sygra_records_total{fate="error"}'), stats.errors);
  const m = stats.models.m;
  t.equal(metric('sygra_model_requests_total{model="m"}'), m.requests);
  t.equal(metric('sygra_model_retries_total{model="m"}'), m.retries);
  t.ok(m.retries > 0, `first attempts failed and were retried (${m.retries})`);
  t.equal(metric('sygra_model_tokens_total{model="m",kind="prompt"}'), m.prompt_tokens);
  t.equal(metric('sygra_model_tokens_total{model="m",kind="completion"}'), m.completion_tokens);
  t.ok(Math.abs(metric('sygra_model_cost_usd_total{model="m"}') - m.cost_usd) < 1e-9, 'cost');
  t.equal(stats.records_in, 8);
});
