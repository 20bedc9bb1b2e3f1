import { readdir, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { lines, ndjson, runCli } from '../cli-process.js';
import { startHubStandIn } from '../hub-stand-in.js';

const TOKEN = 'hf_standInSecret1234';
const KEEP = 'nodes:\n  keep: { type: filter, when: "true" }\n';

t.test('hf://datasets/OWNER/NAME: fetched into the Hugging Face cache layout once, read by split; a private one needs HF_TOKEN', async (t) => {
  const dir = t.testdir({ 'keep.yaml': KEEP });
  // Parquet shards made by us, JSONL beside them, as a Hub dataset holds them.
  const shards: Record<string, Buffer> = {};
  for (let s = 0; s < 2; s++) {
    const records = Array.from({ length: 3 }, (_, i) => ({ id: `tr-${s}-${i}`, messages: [{ role: 'user', content: `q${s}${i}` }] }));
    const res = await runCli(['run', 'keep.yaml', '-o', `s${s}.parquet`, '-q'], { cwd: dir, input: ndjson(records) });
    t.equal(res.code, 0, res.stderr);
    shards[`data/train-0000${s}-of-00002.parquet`] = await readFile(join(dir, `s${s}.parquet`));
  }
  const hub = await startHubStandIn(
    {
      'team/chats': { files: { ...shards, 'data/test-00000-of-00001.jsonl': '{"id":"te-0"}\n', 'README.md': '---\nlicense: mit\n---\n', '.gitattributes': '*.parquet filter=lfs\n' } },
      'team/secret': { private: true, files: { 'train.jsonl': '{"id":"s-0"}\n{"id":"s-1"}\n' } },
    },
    TOKEN,
    2,
  );
  t.teardown(() => hub.close());
  const cache = join(dir, 'hf-cache');
  const env = { HF_ENDPOINT: hub.url, HF_HUB_CACHE: cache };

  const first = await runCli(['run', 'keep.yaml', '-i', 'hf://datasets/team/chats', '--split', 'train'], { cwd: dir, env });
  t.equal(first.code, 0, first.stderr);
  t.same(
    lines(first.stdout).map((r) => r.id),
    ['tr-0-0', 'tr-0-1', 'tr-0-2', 'tr-1-0', 'tr-1-1', 'tr-1-2'],
  );
  t.match(first.stderr, /hf:\/\/datasets\/team\/chats at [0-9a-f]{12}: 2 files in .*datasets--team--chats/);
  t.same(Object.fromEntries(hub.downloads), { 'data/train-00000-of-00002.parquet': 1, 'data/train-00001-of-00002.parquet': 1 }, 'only the split asked for is fetched');
  // The layout huggingface_hub uses: blobs named by hash, snapshots/COMMIT/PATH linking to them, refs/main.
  const storage = join(cache, 'datasets--team--chats');
  const commit = (await readFile(join(storage, 'refs', 'main'), 'utf8')).trim();
  t.match(commit, /^[0-9a-f]{40}$/);
  t.match(await readlink(join(storage, 'snapshots', commit, 'data', 'train-00000-of-00002.parquet')), /blobs\/[0-9a-f]{64}$/);
  t.equal((await readdir(join(storage, 'blobs'))).length, 2);

  const again = await runCli(['run', 'keep.yaml', '-i', 'hf://datasets/team/chats', '--split', 'train'], { cwd: dir, env });
  t.equal(again.stdout, first.stdout);
  t.same(Object.fromEntries(hub.downloads), { 'data/train-00000-of-00002.parquet': 1, 'data/train-00001-of-00002.parquet': 1 }, 'the second time: no new download');

  const sub = await runCli(['run', 'keep.yaml', '-i', `hf://datasets/team/chats@${commit}/data`, '--split', 'test', '-q'], { cwd: dir, env });
  t.equal(sub.code, 0, sub.stderr);
  t.same(lines(sub.stdout), [{ id: 'te-0' }], 'a revision and a folder inside the repository');

  const both = await runCli(['run', 'keep.yaml', '-i', 'hf://datasets/team/chats'], { cwd: dir, env });
  t.equal(both.code, 2);
  t.match(both.stderr, /hf:\/\/datasets\/team\/chats has the splits train, test: choose with --split/);

  const denied = await runCli(['run', 'keep.yaml', '-i', 'hf://datasets/team/secret'], { cwd: dir, env });
  t.equal(denied.code, 1);
  t.match(denied.stderr, /hf:\/\/datasets\/team\/secret: not authorised \(set HF_TOKEN to a token that can read it\)/);
  const allowed = await runCli(['run', 'keep.yaml', '-i', 'hf://datasets/team/secret', '-q'], { cwd: dir, env: { ...env, HF_TOKEN: TOKEN } });
  t.equal(allowed.code, 0, allowed.stderr);
  t.same(lines(allowed.stdout), [{ id: 's-0' }, { id: 's-1' }]);
  t.notMatch(denied.stderr + allowed.stderr, TOKEN, 'the token is never printed');

  const missing = await runCli(['run', 'keep.yaml', '-i', 'hf://datasets/team/none'], { cwd: dir, env });
  t.equal(missing.code, 1);
  t.match(missing.stderr, /hf:\/\/datasets\/team\/none: no such dataset or revision on the Hub/);
  const bad = await runCli(['run', 'keep.yaml', '-i', 'hf://models/x'], { cwd: dir, env });
  t.equal(bad.code, 2);
  t.match(bad.stderr, /a Hub dataset is named hf:\/\/datasets\/OWNER\/NAME/);
});
