import t from 'tap';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { withFreshReference } from '../../lib/docs/readme.js';
import { graphReference } from '../../lib/docs/reference.js';
import { ModelSchema } from '../../lib/llm/model-schema.js';
import { nodeTypes } from '../../lib/nodes/registry.js';
import { ROOT } from '../cli-process.js';

t.test('the README reference is what the schemas generate (run `npm run docs` after changing one)', async (t) => {
  const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
  t.equal(withFreshReference(readme, nodeTypes.values()), readme, 'README.md graph reference is stale: run `npm run docs`');
});

t.test('the reference names every node type, every node key and every model key', async (t) => {
  const text = graphReference(nodeTypes.values());
  for (const d of nodeTypes.values()) {
    t.match(text, `#### \`type: ${d.type}\``);
    for (const key of Object.keys(d.schema.properties)) if (key !== 'type' && key !== 'description') t.match(text, `| \`${key}\` |`, `${d.type}.${key}`);
  }
  for (const key of Object.keys(ModelSchema.properties)) t.match(text, `| \`${key}\` |`);
  t.match(text, /\| `method` \| `"exact"` \\\| `"minhash"` \\\| `"semantic"` \|/, 'unions read as alternatives');
  t.match(text, /\| `when` \| string \| yes \|/, 'required keys are marked');
});
