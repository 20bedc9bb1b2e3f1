// npm run bundle (after tsc) — builds what the `sygra-stream` command runs:
//   dist/bundle/cli.cjs, dist/bundle/thread-worker.cjs  the CLI and the --threads worker,
//       each one CommonJS file, so that bin/compile-cache.ts can load it with V8's code
//       cache (node:vm caches scripts, not ES modules, on Node 20);
//   dist/sygra-stream.mjs, dist/thread-worker.mjs      the two small entries that do so.
import { readFile, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type BuildOptions, type Plugin } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dist = join(root, 'dist');

/**
 * yargs measures help text with string-width, whose Unicode regexes V8 compiles on every
 * start, help shown or not; lib/text/display-width.ts builds them only when it is. The ES
 * module imports of string-width (yargs and its layout packages) get it; a CommonJS
 * require (cli-progress's older copy) keeps the package, whose export it matches.
 */
const displayWidthForYargs: Plugin = {
  name: 'display-width-for-yargs',
  setup(build) {
    build.onResolve({ filter: /^string-width$/ }, (args) => (args.kind === 'import-statement' ? { path: join(root, 'lib', 'text', 'display-width.ts') } : undefined));
  },
};

const bundle: BuildOptions = {
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  minify: true,
  keepNames: false,
  sourcemap: true,
  logLevel: 'warning',
  // Licence comments go to a .LEGAL.txt file beside the bundle, which stays ASCII (below).
  legalComments: 'external',
  // A native addon, and two packages that read their data files beside their own code.
  external: ['lmdb', 'eld', 'gpt-tokenizer'],
  plugins: [displayWidthForYargs],
  // The modules are ES modules that find files beside themselves: in the bundle, "beside
  // themselves" is beside the bundle.
  define: { 'import.meta.url': 'importMetaUrl' },
  banner: { js: 'var importMetaUrl = require("node:url").pathToFileURL(__filename).href;' },
};

await rm(join(dist, 'chunks'), { recursive: true, force: true });
const bundles = [join(dist, 'bundle', 'cli.cjs'), join(dist, 'bundle', 'thread-worker.cjs')];
await Promise.all([
  build({ ...bundle, entryPoints: ['lib/cli/main.ts'], outfile: bundles[0] }),
  build({ ...bundle, entryPoints: ['lib/run/thread-worker.ts'], outfile: bundles[1] }),
  build({
    absWorkingDir: root,
    entryPoints: ['bin/sygra-stream.ts', 'bin/thread-worker.ts'],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    outdir: dist,
    outExtension: { '.js': '.mjs' },
    logLevel: 'warning',
  }),
]);

// The loader reads the bundles as Latin-1, twice as fast as UTF-8 and the same text while
// every byte is ASCII: esbuild escapes strings, but not characters in regex literals.
for (const file of bundles) {
  const bytes = await readFile(file);
  const at = bytes.findIndex((byte) => byte > 0x7f);
  if (at !== -1) {
    console.error(`${file}: a non-ASCII character at byte ${at}, near ${JSON.stringify(bytes.subarray(Math.max(0, at - 60), at + 4).toString())}; write it as a \\u escape`);
    process.exitCode = 1;
  }
}
