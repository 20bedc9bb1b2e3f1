import t from 'tap';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './cli-process.js';

// Biome's lint rules and formatting (biome.jsonc) over the TypeScript sources: `npm run lint`
// says the same, and `npm run format` fixes the formatting.
t.test('the sources pass biome check (lint and format)', async (t) => {
  const res = spawnSync(join(ROOT, 'node_modules', '.bin', 'biome'), ['check', '.', '--colors=off', '--max-diagnostics=20'], { cwd: ROOT, encoding: 'utf8' });
  t.equal(res.status, 0, `${res.stdout}${res.stderr}`.slice(0, 4000));
});
