import t from 'tap';
import { readFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { documentationPages, sectionsIn, SECTIONS, withFreshSections } from '../../lib/docs/sections.js';
import { graphReference } from '../../lib/docs/reference.js';
import { nodeTable } from '../../lib/docs/node-table.js';
import { flagTable } from '../../lib/docs/flag-table.js';
import { ModelSchema } from '../../lib/llm/model-schema.js';
import { allNodeTypes } from '../../lib/nodes/registry.js';
import { ROOT } from '../cli-process.js';

const nodeTypes = await allNodeTypes();

t.test('every generated section of README.md and docs/ is fresh (run `npm run docs` after changing what it describes)', async (t) => {
  const used = new Set<string>();
  for (const page of documentationPages(ROOT)) {
    const text = await readFile(page, 'utf8');
    for (const name of sectionsIn(text)) used.add(name);
    t.equal(withFreshSections(text), text, `${relative(ROOT, page)} is stale: run \`npm run docs\``);
  }
  t.same([...used].sort(), Object.keys(SECTIONS).sort(), 'each generated section appears in some page');
});

t.test('README.md is a front page of at most 12 KB', async (t) => {
  const readme = await readFile(`${ROOT}/README.md`);
  t.ok(readme.length <= 12 * 1024, `${readme.length} bytes`);
});

t.test('links between pages point at headings that exist', async (t) => {
  const slug = (heading: string): string =>
    heading
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\- _]/gu, '')
      .replaceAll(' ', '-');
  const pages = new Map<string, string>();
  for (const page of documentationPages(ROOT)) pages.set(relative(ROOT, page), await readFile(page, 'utf8'));
  const anchors = new Map(
    [...pages].map(([name, text]) => [
      name,
      new Set(
        withoutCode(text)
          .split('\n')
          .filter((l) => /^#{1,6} /.test(l))
          .map((l) => slug(l.replace(/^#+ /, ''))),
      ),
    ]),
  );
  for (const [name, text] of pages) {
    for (const m of withoutCode(text).matchAll(/\]\(([^)\s]*?\.md)?(?:#([^)\s]+))?\)/g)) {
      if (m[1] === undefined && m[2] === undefined) continue;
      const target = m[1] === undefined ? name : relative(ROOT, `${ROOT}/${name.includes('/') ? 'docs/' : ''}${m[1]}`);
      t.ok(pages.has(target), `${name}: page ${m[1]} exists`);
      if (m[2] !== undefined && pages.has(target)) t.ok(anchors.get(target)!.has(m[2]), `${name}: ${target}#${m[2]} exists`);
    }
  }
});

function withoutCode(text: string): string {
  return text.replace(/```[\s\S]*?```/g, '');
}

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

t.test('every key of every node type says what it means', async (t) => {
  const silent = [...nodeTypes.values()].flatMap((d) =>
    Object.entries(d.schema.properties as Record<string, { description?: string }>)
      .filter(([k, v]) => k !== 'type' && !v.description)
      .map(([k]) => `${d.type}.${k}`),
  );
  t.same(silent, [], 'keys without a description have an empty row in the reference');
});

t.test('the node table has a row for every node type, linked to its reference', async (t) => {
  const table = nodeTable(nodeTypes.values());
  for (const d of nodeTypes.values()) t.match(table, `| [\`${d.type}\`](#type-${d.type}) |`);
});

t.test('the flag table is read from the yargs builder the CLI uses', async (t) => {
  const table = flagTable((y) => y.option('input', { alias: 'i', type: 'string', describe: 'Read | from FILE' }).option('threads', { type: 'number', default: 1, describe: 'N' }).example('x', 'y'));
  t.equal(table, '| option | value | default | meaning |\n|---|---|---|---|\n| `-i`, `--input` | string |  | Read \\| from FILE |\n| `--threads` | number | `1` | N |\n');
});
