import t from 'tap';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, lines, runCli } from '../cli-process.js';

const DATA = join(ROOT, '..', 'shared', 'data', 'oasst2');
const haveData = existsSync(join(DATA, 'trees.jsonl'));
const skip = haveData ? false : `no data at ${DATA}`;

// An independent reading of the trees, written apart from lib/oasst: plain recursion over
// the nested export, so the options' counts are checked against a second implementation.
type Node = { message_id: string; role: string; rank: number | null; deleted?: boolean; review_result?: boolean | null; synthetic?: boolean; lang?: string; replies?: Node[] };
type Tree = { message_tree_id: string; tree_state: string; prompt: Node };
/** The trees in file order; a message whose id an earlier line had goes, with its subtree (the first one wins). */
function trees(): Tree[] {
  if (!haveData) return [];
  const seen = new Set<string>();
  const dedup = (n: Node): Node | null => {
    if (seen.has(n.message_id)) return null;
    seen.add(n.message_id);
    return { ...n, replies: (n.replies ?? []).map(dedup).filter((c): c is Node => c !== null) };
  };
  const out: Tree[] = [];
  for (const line of readFileSync(join(DATA, 'trees.jsonl'), 'utf8').trim().split('\n')) {
    const tree = JSON.parse(line) as Tree;
    const prompt = dedup(tree.prompt);
    if (prompt) out.push({ ...tree, prompt });
  }
  return out;
}
const kept = (n: Node): boolean => !n.deleted && n.review_result !== false && !n.synthetic;

/** Conversations ending on an assistant message with no assistant message below it, that alternate, passing `ok`. */
function countSft(tree: Tree, ok: (path: Node[]) => boolean): number {
  let count = 0;
  const walk = (n: Node, path: Node[]): boolean => {
    const here = [...path, n];
    const children = (n.replies ?? []).filter(kept);
    let assistantBelow = false;
    for (const c of children) if (walk(c, here)) assistantBelow = true;
    const alternating = here.every((m, i) => m.role === (i % 2 === 0 ? 'prompter' : 'assistant'));
    if (n.role === 'assistant' && !assistantBelow && alternating && ok(here)) count++;
    return assistantBelow || n.role === 'assistant';
  };
  if (kept(tree.prompt)) walk(tree.prompt, []);
  return count;
}

function countPrompts(tree: Tree): number {
  let count = 0;
  const walk = (n: Node, depth: number): void => {
    if (n.role !== (depth % 2 === 0 ? 'prompter' : 'assistant')) return;
    if (n.role === 'prompter') count++;
    for (const c of (n.replies ?? []).filter(kept)) walk(c, depth + 1);
  };
  if (kept(tree.prompt)) walk(tree.prompt, 0);
  return count;
}

/** The loader's top-k rule, on the kept tree: ranked replies below k, an unranked one only as its prompt's one reply. */
function topK(k: number): (path: Node[]) => boolean {
  return (path) =>
    path.every((m, i) => {
      if (m.role !== 'assistant') return true;
      if (m.rank === null || m.rank === undefined) return i === 0 || (path[i - 1]!.replies ?? []).filter(kept).length <= 1;
      return m.rank < k;
    });
}

async function recordsOut(args: string[]): Promise<{ records: Array<Record<string, unknown>>; stats: Record<string, number | boolean> }> {
  const dir = t.testdir({});
  const res = await runCli(['oasst', '-i', join(DATA, 'trees.jsonl'), '--stats', join(dir, 's.json'), ...args]);
  if (res.code !== 0) throw new Error(res.stderr);
  return { records: lines(res.stdout), stats: JSON.parse(readFileSync(join(dir, 's.json'), 'utf8')) as Record<string, number | boolean> };
}

t.test('--tree-state, --top-k and --mode rl give the counts an independent reading of the trees gives', { skip }, async (t) => {
  const all = trees();
  const ready = all.filter((x) => x.tree_state === 'ready_for_export');
  const sum = (list: Tree[], f: (x: Tree) => number): number => list.reduce((a, x) => a + f(x), 0);

  const readyRun = await recordsOut(['--tree-state', 'ready_for_export']);
  t.equal(
    readyRun.records.length,
    sum(ready, (x) => countSft(x, () => true)),
    'sft conversations of ready_for_export trees',
  );
  t.equal(readyRun.stats.conserved, true);
  t.equal(readyRun.stats.trees, all.length);

  const top1 = await recordsOut(['--top-k', '1']);
  t.equal(
    top1.records.length,
    sum(all, (x) => countSft(x, topK(1))),
    '--top-k 1: only the best ranked replies',
  );
  const top2 = await recordsOut(['--top-k', '2']);
  t.equal(
    top2.records.length,
    sum(all, (x) => countSft(x, topK(2))),
  );
  t.ok(top1.records.length < top2.records.length, `${top1.records.length} < ${top2.records.length}`);

  const rl = await recordsOut(['--mode', 'rl']);
  t.equal(rl.records.length, sum(all, countPrompts), 'rl: every conversation ending on a user turn');
  for (const r of rl.records) {
    const prompt = r.prompt as Array<{ role: string }>;
    if (prompt.at(-1)!.role !== 'user') t.fail(`${String(r.id)} ends on ${prompt.at(-1)!.role}`);
  }
  t.same(Object.keys(rl.records[0]!).sort(), ['id', 'meta', 'prompt']);
});

t.test('--split puts each tree wholly on one side, the same way for the same seed', { skip }, async (t) => {
  const a = await recordsOut(['--split', '0.8', '--seed', '3']);
  const again = await recordsOut(['--split', '0.8', '--seed', '3']);
  const other = await recordsOut(['--split', '0.8', '--seed', '4']);
  const sides = new Map<string, Set<unknown>>();
  for (const r of a.records) {
    const tree = (r.meta as { tree_id: string }).tree_id;
    if (!sides.has(tree)) sides.set(tree, new Set());
    sides.get(tree)!.add(r.split);
  }
  t.ok(
    [...sides.values()].every((s) => s.size === 1),
    `${sides.size} trees, none on both sides`,
  );
  const train = [...sides.values()].filter((s) => s.has('train')).length;
  t.ok(train / sides.size > 0.7 && train / sides.size < 0.9, `${train} of ${sides.size} trees on the train side`);
  t.same(
    again.records.map((r) => r.split),
    a.records.map((r) => r.split),
    'the same seed, the same split',
  );
  t.not(JSON.stringify(other.records.map((r) => r.split)), JSON.stringify(a.records.map((r) => r.split)), 'another seed, another split');
  t.equal((a.stats.split_train as number) + (a.stats.split_validation as number), a.records.length);
});

t.test('synthetic messages go with their subtrees unless kept; option mistakes are usage errors', async (t) => {
  const tree = {
    message_tree_id: 't1',
    tree_state: 'ready_for_export',
    prompt: {
      message_id: 'p',
      role: 'prompter',
      text: 'Hi',
      replies: [
        { message_id: 'a1', role: 'assistant', text: 'Hello!', rank: 0 },
        { message_id: 'a2', role: 'assistant', text: 'Model text', rank: 1, synthetic: true, replies: [{ message_id: 'p2', role: 'prompter', text: 'More?' }] },
      ],
    },
  };
  const input = `${JSON.stringify(tree)}\n`;
  const dir = t.testdir({});
  const dropped = await runCli(['oasst', '--stats', join(dir, 's.json')], { input });
  t.equal(dropped.code, 0, dropped.stderr);
  t.same(
    lines(dropped.stdout).map((r) => r.id),
    ['a1'],
  );
  const stats = JSON.parse(readFileSync(join(dir, 's.json'), 'utf8')) as { pruned_synthetic: number; conserved: boolean };
  t.same([stats.pruned_synthetic, stats.conserved], [2, true]);
  const keptRun = await runCli(['oasst', '--keep-synthetic'], { input });
  t.same(
    lines(keptRun.stdout).map((r) => r.id),
    ['a1', 'a2'],
  );
  for (const [args, message] of [
    [['--top-k', '0'], /--top-k takes a whole number/],
    [['--split', '1.5'], /--split takes the train share/],
    [['--mode', 'rl', '--format', 'sharegpt'], /--mode rl writes prompts/],
  ] as const) {
    const res = await runCli(['oasst', ...args], { input });
    t.equal(res.code, 2);
    t.match(res.stderr, message);
  }
});
