import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

/**
 * import(), for what is loaded at run time rather than bundled: the graph's own modules
 * and the packages kept out of the bundle (lmdb, eld, gpt-tokenizer).
 *
 * Why not import() itself: the `sygra-stream` command runs its bundle as a vm script (for
 * V8's code cache, see bin/compile-cache.ts), and a vm script cannot import() on Node 20
 * without an experimental flag. The command's entry, a real ES module, lends its import()
 * under IMPORTER; everywhere else (the library, the tests) import() works as it is.
 */
export const IMPORTER = Symbol.for('sygra-stream.import');

type Importer = (specifier: string) => Promise<unknown>;

export function importModule<T>(specifier: string): Promise<T> {
  const lent = (globalThis as { [IMPORTER]?: Importer })[IMPORTER];
  return (lent ? lent(specifier) : import(specifier)) as Promise<T>;
}

/** The exports of the module in `file`, an absolute path. */
export function importFile(file: string): Promise<Record<string, unknown>> {
  return importModule<Record<string, unknown>>(pathToFileURL(file).href);
}

const requireFromHere = createRequire(import.meta.url);

/**
 * require(), for packages loaded at run time whose CommonJS build starts faster than their
 * ES modules (lmdb: one file against a tree of them, 9 ms), or that are needed at once
 * (libphonenumber). Resolved from the package's own node_modules, bundled or not.
 */
export function requireModule<T>(specifier: string): T {
  return requireFromHere(specifier) as T;
}
