import t from 'tap';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { FIXTURES, ROOT, lines, runCli } from '../cli-process.js';

const DATA = join(ROOT, '..', 'shared', 'data', 'oasst2');
const haveData = existsSync(join(DATA, 'trees.jsonl')) && existsSync(join(DATA, 'messages.jsonl'));

interface Node {
  message_id: string;
  role: string;
  text: string;
  rank: number | null;
  deleted: boolean;
  review_result: boolean | null;
  replies: Node[];
}

/**
 * An independent count from the rules, straight from trees.jsonl: first occurrence of a
 * message id wins (a repeat drops its subtree); deleted or review_result false prunes a
 * subtree; an SFT conversation ends at each assistant with no assistant below; DPO pairs
 * the lowest rank against each ranked sibling of a higher rank (or every pair of
 * different ranks).
 */
function expectedCounts(): { sft: number; dpo: number; dpoAll: number; messages: number } {
  const seen = new Set<string>();
  let sft = 0;
  let dpo = 0;
  let dpoAll = 0;
  let messages = 0;
  const countAll = (n: Node): number => 1 + n.replies.reduce((s, r) => s + countAll(r), 0);
  // Returns whether a kept assistant sits at or below n; counts as it goes.
  const walk = (n: Node): boolean => {
    if (seen.has(n.message_id) || n.deleted || n.review_result === false) return false;
    seen.add(n.message_id);
    const kept = n.replies.filter((r) => !seen.has(r.message_id) && !r.deleted && r.review_result !== false);
    if (n.role === 'prompter') {
      const ranks = kept.filter((r) => r.role === 'assistant' && r.rank !== null).map((r) => r.rank!);
      if (ranks.length >= 2) {
        const best = Math.min(...ranks);
        dpo += ranks.filter((r) => r > best).length;
        for (let i = 0; i < ranks.length; i++) for (let j = i + 1; j < ranks.length; j++) if (ranks[i] !== ranks[j]) dpoAll++;
      }
    }
    let below = false;
    for (const r of n.replies) below = walk(r) || below;
    if (n.role === 'assistant' && !below) sft++;
    return below || n.role === 'assistant';
  };
  for (const line of readFileSync(join(DATA, 'trees.jsonl'), 'utf8').split('\n')) {
    if (!line) continue;
    const tree = JSON.parse(line) as { prompt: Node };
    messages += countAll(tree.prompt);
    walk(tree.prompt);
  }
  return { sft, dpo, dpoAll, messages };
}

t.test('shared OASST2 data: both layouts, independent counts, valid records', { skip: haveData ? false : `no data at ${DATA}` }, async (t) => {
  const expected = expectedCounts();
  const run = async (file: string, ...args: string[]): Promise<Array<Record<string, unknown>>> => {
    const res = await runCli(['oasst', '-i', join(DATA, file), '-q', ...args]);
    t.equal(res.code, 0, res.stderr);
    return lines(res.stdout);
  };

  const sftTrees = await run('trees.jsonl');
  const sftFlat = await run('messages.jsonl');
  t.equal(sftTrees.length, expected.sft, `SFT conversations: ${expected.sft} by the independent count`);
  t.same(sftFlat, sftTrees, 'trees and flat messages give identical SFT records');
  for (const r of sftTrees) {
    const roles = (r.messages as Array<{ role: string }>).map((m) => m.role);
    if (!roles.every((role, i) => role === (i % 2 === 0 ? 'user' : 'assistant')) || roles.at(-1) !== 'assistant') {
      t.fail(`${String(r.id)} does not alternate or end with the assistant: ${roles.join(',')}`);
    }
  }
  t.equal(new Set(sftTrees.map((r) => r.id)).size, sftTrees.length, 'ids are unique');

  const dpoTrees = await run('trees.jsonl', '--mode', 'dpo');
  const dpoFlat = await run('messages.jsonl', '--mode', 'dpo');
  t.equal(dpoTrees.length, expected.dpo, `DPO pairs: ${expected.dpo} by the independent count`);
  t.same(dpoFlat, dpoTrees, 'identical DPO records from both layouts');
  for (const r of dpoTrees) {
    const prompt = r.prompt as Array<{ role: string }>;
    const chosen = (r.chosen as Array<{ content: string }>)[0]!.content;
    const rejected = (r.rejected as Array<{ content: string }>)[0]!.content;
    if (prompt.at(-1)!.role !== 'user' || chosen === rejected) t.fail(`bad pair ${String(r.id)}`);
  }
  t.equal((await run('trees.jsonl', '--mode', 'dpo', '--pairs', 'all')).length, expected.dpoAll);

  const sorted = await run('messages.jsonl', '--sorted');
  t.same(sorted.map((r) => r.id).sort(), sftTrees.map((r) => r.id).sort(), '--sorted finds the same conversations');
});

t.test('shared OASST2 data: --stats accounts for every message', { skip: haveData ? false : `no data at ${DATA}` }, async (t) => {
  const dir = t.testdir({});
  const res = await runCli(['oasst', '-i', join(DATA, 'messages.jsonl'), '--stats', join(dir, 's.json'), '-o', join(dir, 'out.jsonl')]);
  t.equal(res.code, 0);
  const stats = JSON.parse(readFileSync(join(dir, 's.json'), 'utf8')) as Record<string, number | boolean>;
  t.equal(stats.messages_in, expectedCounts().messages);
  t.equal(stats.conserved, true);
  t.ok((stats.duplicates as number) > 0, 'the sample holds repeated exports');
  t.match(res.stderr, /\d+ messages in \d+ trees: \d+ kept, \d+ duplicates, \d+ pruned/);
});

t.test('round trip: oasst → sft → oasst → sft gives the same conversations', async (t) => {
  const sources = [join(FIXTURES, 'oasst', 'trees.jsonl'), ...(haveData ? [join(DATA, 'trees.jsonl')] : [])];
  for (const source of sources) {
    for (const mode of ['sft', 'dpo']) {
      const dir = t.testdir({});
      const direct = await runCli(['oasst', '-i', source, '--mode', mode, '-q']);
      await runCli(['oasst', '-i', source, '--mode', mode, '--format', 'oasst', '-o', join(dir, 'rows.jsonl'), '-q']);
      const again = await runCli(['oasst', '-i', join(dir, 'rows.jsonl'), '--mode', mode, '-q']);
      const strip = (text: string) => lines(text).map((r) => ({ ...r, meta: undefined }));
      t.same(strip(again.stdout), strip(direct.stdout), `${mode} from ${source}`);
    }
  }
});

t.test('usage errors: a format that does not fit the mode, a missing file', async (t) => {
  const a = await runCli(['oasst', '-i', join(FIXTURES, 'oasst', 'trees.jsonl'), '--format', 'dpo']);
  t.equal(a.code, 2);
  t.match(a.stderr, /--format dpo needs --mode dpo/);
  const b = await runCli(['oasst', '-i', 'nope.jsonl']);
  t.equal(b.code, 2);
});

t.test('oasst reads input as run does: a gzip file is decompressed; --stats is written whole', async (t) => {
  const trees = readFileSync(join(FIXTURES, 'oasst', 'trees.jsonl'));
  const dir = t.testdir({ 'trees.jsonl.gz': gzipSync(trees) });
  const plain = await runCli(['oasst', '-q', '-i', join(FIXTURES, 'oasst', 'trees.jsonl')]);
  const zipped = await runCli(['oasst', '-q', '-i', 'trees.jsonl.gz', '--stats', 'stats.json'], { cwd: dir });
  t.equal(zipped.code, 0, zipped.stderr);
  t.ok(lines(plain.stdout).length > 0);
  t.equal(zipped.stdout, plain.stdout, 'the same conversations from the compressed file');
  const stats = JSON.parse(readFileSync(join(dir, 'stats.json'), 'utf8')) as { conserved: boolean };
  t.equal(stats.conserved, true);
  t.same(readdirSync(dir).sort(), ['stats.json', 'trees.jsonl.gz'], 'no temporary file is left beside the stats');
  const missing = await runCli(['oasst', '-q', '-i', 'nope.jsonl.gz', '-o', 'out.jsonl'], { cwd: dir });
  t.equal(missing.code, 2, 'a missing input file is a usage error');
  t.match(missing.stderr, /nope\.jsonl\.gz/);
  t.notOk(
    readdirSync(dir).some((f) => f.startsWith('out.jsonl')),
    'no output, and no temporary output, for input that cannot be read',
  );
});

t.test('a chain of 5,000 replies is one long conversation, not a stack overflow', async (t) => {
  const depth = 5000;
  const message = (i: number) => ({
    message_id: `m${i}`,
    parent_id: i === 0 ? null : `m${i - 1}`,
    message_tree_id: 'm0',
    role: i % 2 === 0 ? 'prompter' : 'assistant',
    text: `turn ${i}`,
    lang: 'en',
    review_result: true,
    deleted: false,
  });
  // The tree line is built as text: the test must not need the recursion it checks for.
  let tree = '';
  for (let i = depth - 1; i >= 0; i--) {
    const { parent_id: _parent, ...fields } = message(i);
    const own = JSON.stringify(fields).slice(0, -1);
    tree = i === depth - 1 ? `${own},"replies":[]}` : `${own},"replies":[${tree}]}`;
  }
  const treeLine = `{"message_tree_id":"m0","tree_state":"ready_for_export","prompt":${tree}}\n`;
  const flat = Array.from({ length: depth }, (_, i) => JSON.stringify(message(i))).join('\n') + '\n';
  for (const [name, input] of [
    ['trees', treeLine],
    ['messages', flat],
  ] as const) {
    const r = await runCli(['oasst', '-q'], { input });
    t.equal(r.code, 0, `${name}: ${r.stderr.slice(0, 200)}`);
    t.notMatch(r.stderr, /RangeError|\n\s+at /, `${name}: no crash`);
    const out = lines(r.stdout);
    t.equal(out.length, 1, `${name}: one conversation`);
    t.equal((out[0]!.messages as unknown[]).length, depth, `${name}: every turn`);
  }
});
