import t from 'tap';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './cli-process.js';

// The layering of lib/ (.dependency-cruiser.cjs): a folder imports only from lower layers.
t.test('lib/ keeps its layers (npm run lint:layers)', async (t) => {
  const bin = join(ROOT, 'node_modules', '.bin', 'depcruise');
  const res = spawnSync(bin, ['lib', '--config', '.dependency-cruiser.cjs', '--output-type', 'json'], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20 });
  t.equal(res.status, 0, res.stderr);
  const report = JSON.parse(res.stdout) as { summary: { violations: Array<{ rule: { name: string }; from: string; to: string }>; totalCruised: number } };
  t.ok(report.summary.totalCruised > 100, 'the modules of lib/ were read');
  t.same(
    report.summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`),
    [],
    'no import runs against the layers',
  );
});
