// npm run docs — rewrites the README's graph file reference from the JSON Schema.
// `npm test` fails while the README is stale (test/docs/reference.test.ts).
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { withFreshReference } from '../lib/docs/readme.js';
import { nodeTypes } from '../lib/nodes/registry.js';

const readmePath = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'README.md');
const before = await readFile(readmePath, 'utf8');
const after = withFreshReference(before, nodeTypes.values());
if (after !== before) await writeFile(readmePath, after);
console.log(after === before ? 'README reference is up to date' : 'README reference rewritten');
