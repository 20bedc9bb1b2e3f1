import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES, lines, runCli } from '../cli-process.js';

type Rating = { response: number; overall: number };

t.test('ultrafeedback.yaml: four responses rated in one request each; the best against one a point below, as TRL preference data', async (t) => {
  const dir = t.testdir({});
  const input = readFileSync(join(FIXTURES, 'graphs', 'ultrafeedback.input.jsonl'), 'utf8');
  const graph = join(FIXTURES, 'graphs', 'ultrafeedback.yaml');
  const raw = await runCli(['run', graph, '--seed', '7', '--cache-dir', dir], { input: input });
  t.equal(raw.code, 0, raw.stderr);
  const pairs = lines(raw.stdout);
  t.ok(pairs.length >= 3, `${pairs.length} pairs from 6 prompts`);
  const dry = await runCli(['run', graph, '--seed', '7', '--dry-run', '6'], { input });
  const rateRequests = lines(dry.stdout).filter((r) => r.model === 'rater');
  t.equal(rateRequests.length, 6, 'one rating request per prompt, whatever k');
  for (const pair of pairs) {
    t.same(Object.keys(pair).sort(), ['chosen', 'id', 'meta', 'prompt', 'rejected']);
    const prompt = pair.prompt as Array<{ role: string; content: string }>;
    t.equal(prompt.at(-1)!.role, 'user', 'the prompt ends with the user');
    const [chosen, rejected] = [pair.chosen, pair.rejected] as Array<Array<{ role: string; content: string }>>;
    t.same([chosen!.length, chosen![0]!.role, rejected!.length, rejected![0]!.role], [1, 'assistant', 1, 'assistant']);
    t.not(chosen![0]!.content, rejected![0]!.content);
    const ratings = (pair.meta as { ratings: Rating[] }).ratings;
    t.equal(ratings.length, 4, 'k = 4 responses rated');
    const best = Math.max(...ratings.map((r) => r.overall));
    t.ok(
      ratings.some((r) => r.overall <= best - 1),
      'a response at least the margin below the best exists',
    );
  }
});
