import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { graphReference } from './reference.js';
import { nodeTable } from './node-table.js';
import { flagTable } from './flag-table.js';
import { allNodeTypes } from '../nodes/registry.js';
import { rulesTable } from '../quality/rules-doc.js';
import { runBuilder } from '../cli/run-options.js';

const nodeTypes = await allNodeTypes();

/**
 * The generated parts of the documentation, by name. In a page, each sits between
 * `<!-- generated:NAME ... -->` and `<!-- /generated:NAME -->`; `npm run docs` rewrites
 * them, and a test fails while any page holds a stale one.
 */
export const SECTIONS: Readonly<Record<string, () => string>> = {
  'graph-reference': () => graphReference(nodeTypes.values()),
  'node-table': () => nodeTable(nodeTypes.values()),
  'rules-table': () => rulesTable(),
  'run-flags': () => flagTable(runBuilder),
};

const MARKER = /<!-- generated:([a-z-]+)[^>]*-->\n[\s\S]*?<!-- \/generated:\1 -->/g;

/** The page with every generated section it holds made afresh. */
export function withFreshSections(page: string): string {
  return page.replace(MARKER, (whole, name: string) => {
    const make = SECTIONS[name];
    if (!make) throw new Error(`unknown generated section "${name}"`);
    const open = whole.slice(0, whole.indexOf('-->') + 3);
    return `${open}\n\n${make()}\n<!-- /generated:${name} -->`;
  });
}

/** The names of the generated sections a page holds. */
export function sectionsIn(page: string): string[] {
  return [...page.matchAll(MARKER)].map((m) => m[1]!);
}

/** The pages that may hold generated sections: the README and every page of docs/. */
export function documentationPages(root: string): string[] {
  return [
    join(root, 'README.md'),
    ...readdirSync(join(root, 'docs'))
      .filter((f) => f.endsWith('.md'))
      .sort()
      .map((f) => join(root, 'docs', f)),
  ];
}
