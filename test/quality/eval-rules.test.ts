import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { ROOT } from '../cli-process.js';

// `npm run eval:rules` on the shared OASST2 messages, held to what #17 asks of the default
// rules: they agree with human reviewers. The script prints Markdown; the figures are read
// from the row of the default set and the line on the language rule.
const DATA = join(ROOT, '..', 'shared', 'data', 'oasst2', 'messages.jsonl');

t.test('the default rules agree with human reviewers on OASST2', { skip: existsSync(DATA) ? false : `no data at ${DATA}` }, async (t) => {
  const res = spawnSync(process.execPath, [join(ROOT, 'dist', 'scripts', 'eval-rules.js'), DATA], { encoding: 'utf8' });
  t.equal(res.status, 0, res.stderr);
  const approved = /Approved: (\d+) assistant replies/.exec(res.stdout);
  const row = /^\| \*\*the default set\*\* \| (\d+) \([^)]*\) \| (\d+) \([^)]*\) \| (\d+) \([^)]*\) \|/m.exec(res.stdout);
  t.ok(approved && row, 'the table has the default set');
  if (!approved || !row) return;
  const [failing, spam, failsTask] = row.slice(1, 4).map(Number) as [number, number, number];
  t.ok(failing <= Number(approved[1]) * 0.03, `${failing} of ${approved[1]} approved replies fail: at most 3%`);
  t.ok(spam >= 13, `${spam} spam replies caught: no fewer than the 13 of 18 before the rules were recalibrated`);
  t.ok(failsTask >= 30, `${failsTask} fails_task replies caught: no fewer than 30 of 91`);
  const language = /it fails (\d+) \(([\d.]+)%\) of the replies reviewers marked lang_mismatch .* of the (\d+) approved replies whose tag has a region .*?, (\d+) fail for the region/.exec(res.stdout);
  t.ok(language, 'the language line is there');
  if (!language) return;
  t.ok(Number(language[2]) >= 50, `the language rule flags ${language[1]} (${language[2]}%) of the lang_mismatch replies: at least half`);
  t.ok(Number(language[3]) > 0, `${language[3]} approved replies have a region tag`);
  t.equal(Number(language[4]), 0, 'none of them fails for its region (pt-BR against pt)');
});
