import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { ROOT } from '../cli-process.js';
import { allNodeTypes, NODE_TYPE_NAMES, nodeType } from '../../lib/nodes/registry.js';

t.test('each node type loads by its name, and is the definition of that name', async (t) => {
  for (const name of NODE_TYPE_NAMES) {
    const definition = await nodeType(name);
    t.equal(definition?.type, name, name);
    t.type(definition?.compile, 'function', `${name} compiles`);
  }
});

t.test('a name that is no node type gives nothing, whatever it looks like', async (t) => {
  for (const name of ['nope', 'Filter', '', '__proto__', 'constructor', 'toString', 'hasOwnProperty']) t.equal(await nodeType(name), undefined, JSON.stringify(name));
});

t.test('every file of lib/nodes that defines a node type is registered', async (t) => {
  const dir = join(ROOT, 'lib', 'nodes');
  const defined = readdirSync(dir)
    .filter((f) => f.endsWith('.ts'))
    .flatMap((f) => [...readFileSync(join(dir, f), 'utf8').matchAll(/^export const \w+Node\b[^=]*= defineNode\(\{\s*type: '([a-z_]+)'/gm)].map((m) => m[1]!));
  t.ok(defined.length >= 19, `${defined.length} definitions found`);
  t.same([...defined].sort(), [...NODE_TYPE_NAMES].sort());
  t.same([...(await allNodeTypes()).keys()], NODE_TYPE_NAMES, 'allNodeTypes keeps the order of the names');
});
