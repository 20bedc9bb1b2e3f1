// npm run docs — rewrites the generated sections of README.md and docs/*.md (the graph
// reference, the node table, the rules table, the run flags) from the code they describe.
// `npm test` fails while any page is stale (test/docs/sections.test.ts).
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { documentationPages, withFreshSections } from '../lib/docs/sections.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
for (const page of documentationPages(root)) {
  const before = await readFile(page, 'utf8');
  const after = withFreshSections(before);
  if (after !== before) await writeFile(page, after);
  console.log(`${relative(root, page)}: ${after === before ? 'up to date' : 'rewritten'}`);
}
