import t from 'tap';
import { importFile, importModule, IMPORTER, requireModule } from '../../lib/config/import-module.js';

type Lender = { [IMPORTER]?: (specifier: string) => Promise<unknown> };

t.test('without a lent import(), modules load with import() itself', async (t) => {
  const dir = t.testdir({ 'step.mjs': 'export const answer = 42;\n' });
  t.equal((await importFile(`${dir}/step.mjs`)).answer, 42);
  const path = await importModule<typeof import('node:path')>('node:path');
  t.equal(path.join('a', 'b'), 'a/b');
});

t.test("the entry's lent import() is used when there is one, with the file's URL", async (t) => {
  const asked: string[] = [];
  (globalThis as Lender)[IMPORTER] = async (specifier) => {
    asked.push(specifier);
    return { lent: true };
  };
  t.teardown(() => delete (globalThis as Lender)[IMPORTER]);
  t.same(await importFile('/graphs/steps/normalize.js'), { lent: true });
  t.same(await importModule('eld/medium'), { lent: true });
  t.same(asked, ['file:///graphs/steps/normalize.js', 'eld/medium']);
});

t.test("requireModule loads a package's CommonJS build, from the package's own node_modules", async (t) => {
  const lmdb = requireModule<typeof import('lmdb')>('lmdb');
  t.type(lmdb.open, 'function');
  const dir = t.testdir({});
  const db = lmdb.open<string, string>({ path: `${dir}/db` });
  await db.put('k', 'v');
  t.equal(db.get('k'), 'v');
  await db.close();
  t.throws(() => requireModule('no-such-package-here'), { code: 'MODULE_NOT_FOUND' });
});
