import t from 'tap';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { allNodeTypes } from '../../lib/nodes/registry.js';
import { lines, ROOT, runCli } from '../cli-process.js';

const nodeTypes = await allNodeTypes();

const STEPS = `export const shout = (r) => ({ ...r, question: r.question.toUpperCase() });
export const lookup = ({ word }) => ({ word, meaning: 'the blue above' });
`;
const INNER = 'nodes:\n  up: { type: map, set: { text: "record.text.toUpperCase()" } }\n';
const LABELS = '{"file":"out.jsonl","line":1,"id":1,"label":"accept","note":""}\n';
const BENCH = '{"question":"A train leaves at nine and travels at sixty miles per hour for two and a half hours. How far does it go?"}\n';

t.test('the minimal examples of docs/graph-file.md cover every node type, validate and run', async (t) => {
  const page = await readFile(join(ROOT, 'docs', 'graph-file.md'), 'utf8');
  const section = page.slice(page.indexOf('## Minimal examples'), page.indexOf('## Validation'));
  const blocks = [...section.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!);
  const covered = new Set(blocks.flatMap((b) => [...b.matchAll(/type: ([a-z_]+)/g)].map((m) => m[1]!)));
  t.same([...covered].filter((c) => nodeTypes.has(c)).sort(), [...nodeTypes.keys()].sort(), 'one example for every node type');
  for (const [i, yaml] of blocks.entries()) {
    const dir = t.testdir({ 'g.yaml': yaml, 'steps.mjs': STEPS, 'inner.yaml': INNER, 'labels.jsonl': LABELS, 'bench.jsonl': BENCH });
    const res = await runCli(['run', 'g.yaml', '--no-cache', '-q', '--errors', 'err.jsonl'], { cwd: dir, input: '{"id": 1, "question": "Why is the sky blue?", "text": "Rayleigh scattering."}\n' });
    t.equal(res.code, 0, `example ${i + 1}: ${res.stderr}`);
    t.equal(lines(res.stdout).length, 1, `example ${i + 1} gives its record:\n${yaml}`);
  }
});
