import t from 'tap';
import { lines, ndjson, runCli } from '../cli-process.js';

t.test('quality_rules mode clean through the CLI: lines dropped, records kept, what went recorded', async (t) => {
  const input = ndjson([
    { id: 1, text: 'Tides follow the moon.\n=====\nCookie Policy: we use cookies.' },
    { id: 2, text: 'Nothing to drop here.' },
  ]);
  const graph = 'nodes:\n  rules:\n    type: quality_rules\n    mode: clean\n    target: text\n    stats: false\n';
  const res = await runCli(['run', 'g.yaml'], { cwd: t.testdir({ 'g.yaml': graph }), input });
  t.equal(res.code, 0, res.stderr);
  const out = lines(res.stdout) as Array<{ id: number; text: string; quality: { cleaned?: unknown } }>;
  t.same(
    out.map((r) => r.id),
    [1, 2],
    'every record is kept, in order',
  );
  t.equal(out[0]!.text, 'Tides follow the moon.');
  t.same(out[0]!.quality.cleaned, [
    { line: 2, reason: 'symbol_line', text: '=====' },
    { line: 3, reason: 'boilerplate', text: 'Cookie Policy: we use cookies.' },
  ]);
  t.equal(out[1]!.quality.cleaned, undefined);
});
