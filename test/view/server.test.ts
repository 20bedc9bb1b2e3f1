import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { request } from 'undici';
import { LabelStore } from '../../lib/view/labels.js';
import { startViewer, type Viewer } from '../../lib/view/server.js';

const OUT = [
  {
    id: 'a',
    lang: 'en',
    messages: [
      { role: 'user', content: 'Hi <b>there</b>' },
      { role: 'assistant', content: 'Hello' },
    ],
    quality: { score: 8, rules: { truncated: { value: 1, pass: false } } },
  },
  {
    id: 'b',
    lang: 'de',
    messages: [
      { role: 'user', content: 'Hallo' },
      { role: 'assistant', content: 'Tag' },
    ],
    quality: { score: 3, rules: { truncated: { value: 0, pass: true } } },
  },
];
const REJECTED = [{ line: 7, node: 'short', reason: 'when "record.q.length < 6" was false', record: { id: 'r', q: 'long question' } }];

async function start(t: Test): Promise<{ viewer: Viewer; dir: string; events: string[] }> {
  const dir = t.testdir({});
  await writeFile(join(dir, 'out.jsonl'), OUT.map((r) => JSON.stringify(r)).join('\n') + '\n');
  await writeFile(join(dir, 'rejected.jsonl'), REJECTED.map((r) => JSON.stringify(r)).join('\n') + '\n');
  const labels = await LabelStore.open(join(dir, 'labels.jsonl'));
  const events: string[] = [];
  const viewer = await startViewer({ files: [join(dir, 'out.jsonl'), join(dir, 'rejected.jsonl')], labels, host: '127.0.0.1', port: 0, onEvent: (m) => events.push(m) });
  t.teardown(() => viewer.close());
  await viewer.ready;
  return { viewer, dir, events };
}

async function get(url: string, headers: Record<string, string> = {}) {
  const res = await request(url, { headers });
  const text = await res.body.text();
  return { status: res.statusCode, headers: res.headers, text, json: () => JSON.parse(text) as Record<string, unknown> & Array<Record<string, unknown>> };
}

t.test('files, a filtered list, a record: JSON under a policy that runs only the viewer script', async (t) => {
  const { viewer, events } = await start(t);
  t.match(viewer.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
  t.match(events[0], /^indexed .*out\.jsonl: 2 records, 0\.0 MB in [\d.]+ s \(\d+ MB\/s\)$/);
  t.match(events.at(-1), /^filters ready for .*rejected\.jsonl/);
  const page = await get(viewer.url);
  t.equal(page.status, 200);
  t.match(page.headers['content-security-policy'], /script-src 'self'; style-src 'self'/);
  t.notMatch(page.text, /<script>|<style>|\son\w+=/, 'nothing inline');
  const files = (await get(`${viewer.url}api/files`)).json();
  t.match(files[0], { file: 0, records: 2, filters: { kinds: { record: 2 } } });
  t.same((files[0] as { filters: { tags: unknown[] } }).filters.tags, [
    { value: 'turns:2', count: 2 },
    { value: 'rule:truncated', count: 1 },
  ]);
  t.match(files[1], { file: 1, records: 1, filters: { kinds: { rejected: 1 }, nodes: [{ value: 'short', count: 1 }], causes: [{ value: 'when "…" was false', count: 1 }] } });
  const list = (await get(`${viewer.url}api/list?file=0&tag=rule:truncated`)).json();
  t.match(list, { total: 1, rows: [{ n: 0, line: 1, id: 'a', score: 8, language: 'en', failed: ['truncated'], label: null, excerpt: 'Hi <b>there</b>' }] });
  const rejected = (await get(`${viewer.url}api/list?file=1&node=short`)).json();
  t.match(rejected, { total: 1, rows: [{ id: 'r', kind: 'rejected', node: 'short', excerpt: 'long question' }] });
  const record = await get(`${viewer.url}api/record?file=0&n=0`);
  t.match(record.headers['content-type'], /^application\/json/);
  t.match(record.json(), { n: 0, line: 1, kind: 'record', record: OUT[0] });
  t.equal((await get(`${viewer.url}api/record?file=0&n=2`)).status, 404);
  t.match((await get(`${viewer.url}api/list?file=5`)).json(), { error: 'file: no file number 5' });
  t.equal((await get(`${viewer.url}api/list?file=0&score_min=x`)).status, 400);
  t.equal((await get(`${viewer.url}nowhere`)).status, 404);
});

t.test('labels: JSON from this origin only; written to the sidecar with the record id', async (t) => {
  const { viewer, dir } = await start(t);
  const origin = viewer.url.replace(/\/$/, '');
  const post = (body: unknown, headers: Record<string, string>) => request(`${viewer.url}api/label`, { method: 'POST', headers, body: JSON.stringify(body) });
  const json = { 'content-type': 'application/json', origin };
  t.equal((await post({ file: 0, n: 1, label: 'accept' }, { 'content-type': 'text/plain', origin })).statusCode, 415, 'a plain form post is refused');
  t.equal((await post({ file: 0, n: 1, label: 'accept' }, { 'content-type': 'application/json', origin: 'http://evil.example' })).statusCode, 403);
  t.equal((await post({ file: 0, n: 1, label: 'great' }, json)).statusCode, 400);
  t.equal((await post({ file: 0, n: 9, label: 'accept' }, json)).statusCode, 400);
  const res = await post({ file: 0, n: 1, label: 'reject', note: 'wrong language' }, json);
  t.equal(res.statusCode, 200);
  t.match(await res.body.json(), { line: 2, id: 'b', label: 'reject', note: 'wrong language' });
  const sidecar = (await readFile(join(dir, 'labels.jsonl'), 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  t.match(sidecar, [{ file: join(dir, 'out.jsonl'), line: 2, id: 'b', label: 'reject', note: 'wrong language' }]);
  t.match((await get(`${viewer.url}api/list?file=0&label=reject`)).json(), { total: 1, rows: [{ id: 'b', label: 'reject' }] });
  t.match((await get(`${viewer.url}api/files`)).json()[0], { labels: { accept: 0, reject: 1, flag: 0 } });
});

t.test('another Host is refused (a page elsewhere cannot rebind a name to the viewer)', async (t) => {
  const { viewer } = await start(t);
  const res = await get(`${viewer.url}api/files`, { host: 'attacker.example' });
  t.equal(res.status, 421);
  const localhost = `localhost:${new URL(viewer.url).port}`;
  t.equal((await get(`${viewer.url}api/files`, { host: localhost })).status, 200, 'localhost is the same host');
  const label = await request(`${viewer.url}api/label`, {
    method: 'POST',
    headers: { host: localhost, origin: `http://${localhost}`, 'content-type': 'application/json' },
    body: '{"file":0,"n":0,"label":"flag"}',
  });
  t.equal(label.statusCode, 200, 'and labels from a page opened as localhost are taken');
});

t.test('the report, served here: inline code allowed by a nonce, chart bins link to the list', async (t) => {
  const { viewer } = await start(t);
  const res = await get(`${viewer.url}report?file=0`);
  t.equal(res.status, 200);
  const nonce = /script-src 'nonce-([^']+)'/.exec(String(res.headers['content-security-policy']))?.[1];
  t.ok(nonce, 'a nonce in the policy');
  t.match(res.text, `<script nonce="${nonce}">`);
  t.match(res.text, '"listLink":"/#/list?file=0"');
});
