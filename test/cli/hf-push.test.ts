import { join } from 'node:path';
import t from 'tap';
import { once } from 'node:events';
import { FIXTURES, runCli, startCli } from '../cli-process.js';
import { startHubStandIn } from '../hub-stand-in.js';

const TOKEN = 'hf_pushSecret987654';
const GRAPH = join(FIXTURES, 'graphs', 'dpo-from-generations.yaml');
const INPUT = join(FIXTURES, 'graphs', 'dpo-from-generations.input.jsonl');

t.test('--output hf://…: shards and card in one commit to a new private repository; read back the same; a push cut short resumes', async (t) => {
  const dir = t.testdir({ 'keep.yaml': 'nodes:\n  keep: { type: filter, when: "true" }\n' });
  const hub = await startHubStandIn({}, TOKEN);
  t.teardown(() => hub.close());
  const cache = join(dir, 'hf-cache');
  const env = { HF_ENDPOINT: hub.url, HF_HUB_CACHE: cache, HF_TOKEN: TOKEN };

  const direct = await runCli(['run', GRAPH, '-i', INPUT, '--seed', '7', '-q'], { cwd: dir });
  t.equal(direct.code, 0, direct.stderr);
  const pushed = await runCli(['run', GRAPH, '-i', INPUT, '--seed', '7', '-o', 'hf://datasets/me/prefs', '--shard-size', '2'], { cwd: dir, env });
  t.equal(pushed.code, 0, pushed.stderr);
  t.match(pushed.stderr, /hf:\/\/datasets\/me\/prefs: created \(private\)/);
  t.match(pushed.stderr, /hf:\/\/datasets\/me\/prefs: pushed \d+ files in commit [0-9a-f]{12}/);
  t.notMatch(pushed.stderr, TOKEN, 'the token is never printed');
  t.equal(hub.isPrivate('me/prefs'), true, 'a repository it creates is private');
  t.equal(hub.commits, 1, 'one commit');
  const files = hub.files('me/prefs')!;
  const names = [...files.keys()].sort();
  t.equal(names[0], 'README.md');
  t.ok(
    names.slice(1).every((n) => /^data\/train-0000\d-of-0000\d\.parquet$/.test(n)),
    `the shards: ${names.slice(1).join(', ')}`,
  );
  t.match(files.get('README.md')!.toString(), /configs:\n {2}- config_name: default\n {4}data_files:\n {6}- split: train\n {8}path: data\/train-\*/);
  const readBack = await runCli(['run', 'keep.yaml', '-i', 'hf://datasets/me/prefs', '-q'], { cwd: dir, env });
  t.equal(readBack.code, 0, readBack.stderr);
  t.equal(readBack.stdout, direct.stdout, 'read back from the Hub: byte for byte the NDJSON of the same run');

  // A push cut short: the storage fails after one upload. The revision stays as it was.
  const before = hub.files('me/prefs');
  hub.failUploadsAfter(1);
  const cut = await runCli(['run', GRAPH, '-i', INPUT, '--seed', '8', '-o', 'hf://datasets/me/prefs', '--shard-size', '1'], { cwd: dir, env });
  t.equal(cut.code, 1);
  const again = /push them again with `(sygra-stream push (\S+) hf:\/\/datasets\/me\/prefs)`/.exec(cut.stderr);
  t.ok(again, `says how to push again: ${cut.stderr}`);
  t.equal(hub.commits, 1, 'no commit was made');
  t.equal(hub.files('me/prefs'), before, 'the revision is as it was: nothing half-written');
  const uploadsBefore = hub.uploads;
  hub.failUploadsAfter(null);
  const resumed = await runCli(['push', again![2]!, 'hf://datasets/me/prefs'], { cwd: dir, env });
  t.equal(resumed.code, 0, resumed.stderr);
  t.equal(hub.commits, 2);
  const shards = [...hub.files('me/prefs')!.keys()].filter((n) => n.startsWith('data/'));
  t.equal(hub.uploads - uploadsBefore, shards.length - 1, 'the shard uploaded before the cut is not sent again');
  t.ok(
    shards.every((n) => /-of-0000\d\.parquet$/.test(n) && n.endsWith(`-of-${String(shards.length).padStart(5, '0')}.parquet`)),
    'the old shards were removed in the same commit',
  );
  const noToken = await runCli(['run', GRAPH, '-i', INPUT, '-o', 'hf://datasets/me/other'], { cwd: dir, env: { HF_ENDPOINT: hub.url, HF_HUB_CACHE: cache, HF_TOKEN: '' } });
  t.equal(noToken.code, 2);
  t.match(noToken.stderr, /pushing needs HF_TOKEN \(a token with write access\); nothing was read/);
  const notFolder = await runCli(['push', dir, 'hf://datasets/me/x'], { cwd: dir, env });
  t.equal(notFolder.code, 2);
  t.match(notFolder.stderr, /is not a dataset folder \(no data\/ in it\)/);
});

t.test('push killed (SIGKILL) while it uploads: the revision is as it was; pushed again, it finishes without sending a shard twice', async (t) => {
  const dir = t.testdir({ 'keep.yaml': 'nodes:\n  keep: { type: filter, when: "true" }\n' });
  const hub = await startHubStandIn({}, TOKEN);
  t.teardown(() => hub.close());
  const env = { HF_ENDPOINT: hub.url, HF_HUB_CACHE: join(dir, 'hf-cache'), HF_TOKEN: TOKEN };
  const records = Array.from({ length: 4 }, (_, i) => JSON.stringify({ id: `r${i}`, messages: [{ role: 'user', content: `q${i}` }] })).join('\n');
  const folder = await runCli(['run', 'keep.yaml', '-o', 'out/', '--shard-size', '1', '-q'], { cwd: dir, input: `${records}\n` });
  t.equal(folder.code, 0, folder.stderr);
  const created = await runCli(['push', 'out', 'hf://datasets/me/killed', '-q'], { cwd: dir, env: { ...env } });
  t.equal(created.code, 0, created.stderr);
  const before = hub.files('me/killed');
  const commits = hub.commits;
  // New shards (other records), then a push that is killed while its second upload is on the wire.
  const other = await runCli(['run', 'keep.yaml', '-o', 'out/', '--shard-size', '1', '-q'], { cwd: dir, input: `${records.replaceAll('"q', '"again q')}\n` });
  t.equal(other.code, 0, other.stderr);
  const uploadsBefore = hub.uploads;
  const held = hub.holdUploadAfter(1);
  const child = startCli(['push', 'out', 'hf://datasets/me/killed'], { cwd: dir, env });
  child.stdin!.end();
  await held;
  child.kill('SIGKILL');
  await once(child, 'exit');
  t.equal(hub.commits, commits, 'no commit');
  t.equal(hub.files('me/killed'), before, 'the revision is as it was');
  const uploadedBeforeKill = hub.uploads - uploadsBefore;
  t.ok(uploadedBeforeKill >= 1, `${uploadedBeforeKill} shard(s) reached the storage before the kill`);
  const again = await runCli(['push', 'out', 'hf://datasets/me/killed'], { cwd: dir, env });
  t.equal(again.code, 0, again.stderr);
  t.equal(hub.commits, commits + 1);
  t.equal(hub.uploads - uploadsBefore, 4, 'four new shards in all: none sent twice');
  t.equal(hub.files('me/killed')!.size, 5, 'README.md and the four shards');
});
