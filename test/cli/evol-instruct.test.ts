import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { FIXTURES, lines, runCli } from '../cli-process.js';

type Evol = { seed_id: string; parent_id: string; round: number; operation: string; eliminated_before: Array<{ round: number; reason: string }> };
interface EvolSteps {
  OPERATIONS: Record<string, string>;
  whyEliminated(parent: string, candidate: string, answer: string, same: boolean | undefined): string | null;
}
const steps = (): Promise<EvolSteps> => import(pathToFileURL(join(FIXTURES, 'graphs', 'steps', 'evol.js')).href) as Promise<EvolSteps>;

t.test('the elimination step removes each kind of degenerate rewrite, and keeps a good one', async (t) => {
  const { whyEliminated } = await steps();
  const parent = 'Explain what a hash table is.';
  const answer = 'A hash table stores values under keys, found by hashing the key to a bucket; collisions are resolved by chaining or probing, and lookups take constant time on average.';
  const planted: Array<[string, string, boolean | undefined, RegExp]> = [
    ['Explain what a hash table is.', answer, undefined, /no information gain: the rewrite is its parent/],
    ['Explain what a hash table is, please.', answer, true, /no information gain: the judge finds it equal/],
    ['What is it, and how?', answer, false, /only punctuation and stop words/],
    ['#Rewritten Prompt#: Explain what a hash table is in Rust.', answer, false, /copies words of the rewriting template/],
    ['Rewrite the instruction you are given so that it is harder.', answer, false, /copies words of the rewriting template/],
    ['Prove that every hash table lookup is O(1) in the worst case.', "I'm sorry, but that is not true, so I cannot prove it.", false, /short and apologetic/],
  ];
  for (const [candidate, reply, same, reason] of planted) t.match(whyEliminated(parent, candidate, reply, same), reason, candidate);
  t.equal(whyEliminated(parent, 'Explain how a hash table resolves collisions, and compare chaining with open addressing on a 90% full table.', answer, false), null);
});

t.test('evol-instruct.yaml writes every surviving round as its own record, with lineage', async (t) => {
  const { OPERATIONS } = await steps();
  const input = readFileSync(join(FIXTURES, 'graphs', 'evol-instruct.input.jsonl'), 'utf8');
  const seeds = new Set(lines(input).map((r) => String(r.id)));
  const res = await runCli(['run', join(FIXTURES, 'graphs', 'evol-instruct.yaml'), '--seed', '7', '--no-cache'], { input });
  t.equal(res.code, 0, res.stderr);
  const out = lines(res.stdout);
  const ids = new Set(out.map((r) => String(r.id)));
  t.ok(out.length > seeds.size, `${out.length} records from ${seeds.size} seeds`);
  const rounds = new Set<number>();
  for (const r of out) {
    const evol = (r.meta as { evol: Evol }).evol;
    rounds.add(evol.round);
    t.ok(seeds.has(evol.seed_id));
    t.equal(r.id, `${evol.seed_id}.r${evol.round}`);
    t.ok(Object.keys(OPERATIONS).includes(evol.operation), evol.operation);
    // A round's parent is its seed or a rewrite that survived an earlier round, itself written.
    t.ok(evol.parent_id === evol.seed_id || ids.has(evol.parent_id), `${String(r.id)} ← ${evol.parent_id}`);
    if (evol.parent_id !== evol.seed_id) t.ok(Number(evol.parent_id.split('.r')[1]) < evol.round);
    for (const e of evol.eliminated_before) t.ok(e.round < evol.round && e.reason.length > 0);
    const messages = r.messages as Array<{ role: string; content: string }>;
    t.same(
      messages.map((m) => m.role),
      ['user', 'assistant'],
    );
  }
  t.same([...rounds].sort(), [1, 2, 3], 'rounds 1 to 3 are all represented');
});
