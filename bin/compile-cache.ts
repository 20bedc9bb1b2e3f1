// Loads one of the CommonJS bundles (dist/bundle/*.cjs) with V8's code cache, so that a
// start does not parse and compile the same megabytes of JavaScript again: the same idea
// as Node 22's module.enableCompileCache, which Node 20 lacks and which ES modules cannot
// get from node:vm without an experimental flag. Without the cache, compiling the CLI
// takes about as long as starting Node itself.
//
// The cache of a bundle is written once, when the first process (or worker thread, which
// is asked to exit rather than stopped, see lib/run/end-worker.ts) that lacked it exits,
// so it holds the functions that run compiled too, not only the top level; each command has
// its own, since `run` and `view` compile different code. A cache V8 refuses (another Node,
// other flags, a damaged file) is written afresh. It lives in NODE_COMPILE_CACHE when that
// is set, else in a folder of the temp dir that only this user may write;
// NODE_DISABLE_COMPILE_CACHE=1 turns it off.
import { chmodSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { Script } from 'node:vm';
import { IMPORTER } from '../lib/config/import-module.js';

type CommonJsWrapper = (exports: object, require: NodeJS.Require, module: { exports: object }, filename: string, dirname: string) => void;

/** Runs the bundle `bundleUrl` (a URL beside the caller) and returns its exports. */
export function loadBundle(bundleUrl: URL, cacheName: string): Record<string, unknown> {
  const file = fileURLToPath(bundleUrl);
  // The bundle is ASCII (scripts/bundle.ts checks), which Latin-1 reads twice as fast.
  const source = readFileSync(file, 'latin1');
  const cacheFile = cachePath(file, cacheName);
  // V8 drops the bytecode of functions that have not run for a while, and the cache is made
  // at exit: a long run's would lack most of the start-up code (one of 17 s wrote a cache 25%
  // smaller, and every start after it took 60% longer). Kept, it costs a few MB at most.
  if (cacheFile !== null) setFlagsFromString('--no-flush-bytecode');
  const cachedData = cacheFile === null ? undefined : readCache(cacheFile);
  // The wrapper is on the bundle's first line, so line numbers in stack traces stay right.
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: file,
    ...(cachedData ? { cachedData } : {}),
  });
  if (cacheFile !== null && (cachedData === undefined || script.cachedDataRejected)) {
    process.once('exit', () => writeCache(cacheFile, cachePrefix(file, cacheName), script));
  }
  // A vm script has no import() of its own (on Node 20, not without an experimental flag):
  // it borrows this module's, for graph code and the packages kept out of the bundle.
  (globalThis as { [IMPORTER]?: (specifier: string) => Promise<unknown> })[IMPORTER] ??= (specifier) => import(specifier);
  const wrapper = script.runInThisContext() as CommonJsWrapper;
  const module = { exports: {} };
  wrapper.call(module.exports, module.exports, createRequire(file), module, file, dirname(file));
  return module.exports as Record<string, unknown>;
}

/** Where the cache of this build of the bundle is, or null when caching is off or impossible. */
function cachePath(file: string, cacheName: string): string | null {
  if (process.env.NODE_DISABLE_COMPILE_CACHE === '1') return null;
  try {
    const dir = process.env.NODE_COMPILE_CACHE || join(tmpdir(), `sygra-stream-compile-cache-${process.getuid?.() ?? 'user'}`);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const folder = statSync(dir);
    // A cache is compiled code: never take it from a folder another user could write.
    if (process.getuid && (folder.uid !== process.getuid() || (folder.mode & 0o022) !== 0)) return null;
    const bundle = statSync(file);
    // V8 checks the cache against the source's length only: the build's size and time say
    // which build it belongs to, and V8 itself refuses one made by another version or flags.
    const build = `${bundle.size.toString(36)}-${Math.trunc(bundle.mtimeMs).toString(36)}`;
    return join(dir, `${cachePrefix(file, cacheName)}${build}.${process.version}.v8`);
  } catch {
    return null;
  }
}

/**
 * The start of the names of a bundle's caches for one command, whatever the build: the
 * bundle's folder is in it, so two installs (two versions, two checkouts) keep a cache each
 * instead of replacing each other's on every start.
 */
function cachePrefix(file: string, cacheName: string): string {
  return `${basename(file, '.cjs')}-${fnv1a(dirname(file))}.${cacheName}.`;
}

/** A short hash of a path (FNV-1a, 32 bits): node:crypto would cost the start more than it saves. */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return (hash >>> 0).toString(36);
}

function readCache(path: string): Buffer | undefined {
  try {
    return readFileSync(path);
  } catch {
    return undefined;
  }
}

function writeCache(path: string, prefix: string, script: Script): void {
  try {
    // Written aside, then renamed: processes starting at the same time never read half a file.
    const temp = `${path}.${process.pid}.tmp`;
    writeFileSync(temp, script.createCachedData());
    chmodSync(temp, 0o600);
    renameSync(temp, path);
    // The caches of earlier builds of the same bundle and command will not be read again.
    for (const other of readdirSync(dirname(path))) {
      if (other.startsWith(prefix) && other.endsWith('.v8') && other !== basename(path)) rmSync(join(dirname(path), other), { force: true });
    }
  } catch {
    // A cache that cannot be written only costs the next start its compile time.
  }
}
