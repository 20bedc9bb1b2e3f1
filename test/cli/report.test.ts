import t from 'tap';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FIXTURES, ndjson, ROOT, runCli } from '../cli-process.js';

const DATA = join(ROOT, '..', 'shared', 'data', 'oasst2', 'trees.jsonl');
const CHROMIUM = ['chromium', 'chromium-browser', 'google-chrome'].find((c) => spawnSync(c, ['--version']).status === 0);

/** Loads a page in headless Chromium; returns the DOM after its scripts ran. */
function browse(file: string, screenshot?: string): string {
  const flags = ['--headless', '--no-sandbox', '--disable-gpu', '--allow-file-access-from-files'];
  if (screenshot) spawnSync(CHROMIUM!, [...flags, '--window-size=1200,2000', `--screenshot=${screenshot}`, `file://${file}`], { timeout: 60_000 });
  return spawnSync(CHROMIUM!, [...flags, '--dump-dom', `file://${file}`], { timeout: 60_000, encoding: 'utf8' }).stdout;
}

const tagged = [
  {
    id: 'a',
    lang: 'en',
    messages: [
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: 'Hello!' },
    ],
    quality: { score: 8.5, rules_passed: true, rules: { word_count: { value: 1, pass: true } }, judge: { helpfulness: { score: 9, rationale: 'x' } } },
  },
  {
    id: 'b',
    lang: 'de',
    messages: [
      { role: 'user', content: 'Hallo' },
      { role: 'assistant', content: 'Tag' },
      { role: 'user', content: '?' },
      { role: 'assistant', content: '!' },
    ],
    quality: { score: 2, rules_passed: false, rules: { word_count: { value: 1, pass: false } }, judge: { helpfulness: { score: 2, rationale: 'y' } } },
  },
  {
    id: 'c',
    messages: [
      { role: 'user', content: 'Q' },
      { role: 'assistant', content: 'A' },
    ],
    meta: { lang: 'en', quality: { score: 10, judge: { helpfulness: { score: 10 } } } },
  },
  { id: 'd', prompt: 'no messages' },
];

t.test('--text: counts, score bins, criteria, rule pass rates, languages and turns', async (t) => {
  const res = await runCli(['report', '--text'], { input: ndjson(tagged) + 'not json\n' });
  t.equal(res.code, 0, res.stderr);
  t.match(res.stdout, /^4 records, 3 scored, mean quality\.score 6\.83\n1 of 2 passed every heuristic rule\n/);
  t.match(res.stdout, /quality\.score\n {3}1–2 {34}0\n {3}2–3 {2}█{30} {2}1\n/, 'a score of 2 is in [2, 3)');
  t.match(res.stdout, / {2}9–10 {2}█+ +1\n/, '10 goes in the last bin, with 9.x');
  t.match(res.stdout, /rule pass rates\n {2}word_count {3}50% {2}of 2\n/);
  t.match(res.stdout, /languages\n {7}en {2}█{30} {2}2\n {7}de {2}█{15} +1\n {2}unknown {2}█{15} +1\n/, 'lang, meta.lang, else unknown');
  t.match(res.stdout, /turns per conversation\n {5}2 {2}█{30} {2}2\n {5}4 {2}█{15} +1\n {2}none {2}█{15} +1\n/);
  t.match(res.stdout, /lowest scores\n {6}2 {2}b {2}Hallo\n/);
  t.match(res.stderr, /stdin:5: not a JSON object; such lines are left out/);
});

t.test('--html on hostile record text: the text stays text, the page draws its charts in Chromium', { skip: CHROMIUM ? false : 'no chromium installed (apt-get install chromium)' }, async (t) => {
  const hostile = {
    id: 'x</script><script>document.documentElement.dataset.error="xss"</script>',
    messages: [
      { role: 'user', content: '<img src=x onerror="document.documentElement.dataset.error=1">' },
      { role: 'assistant', content: 'ok' },
    ],
    quality: { score: 5 },
  };
  const dir = t.testdir({});
  const res = await runCli(['report', '--html', 'r.html'], { cwd: dir, input: ndjson([...tagged, hostile]) });
  t.equal(res.code, 0, res.stderr);
  const html = await readFile(join(dir, 'r.html'), 'utf8');
  t.notMatch(html, /x<\/script><script>/, 'record text cannot close the script element');
  t.notMatch(html, /<(script|link|img|iframe)[^>]+(src|href)=/i, 'nothing to fetch at view time');
  const dom = browse(join(dir, 'r.html'));
  t.match(dom, /<html lang="en" data-charts="5">/, 'score, one criterion, rules, languages, turns: drawn');
  t.notMatch(dom, /data-error/);
  t.match(dom, /&lt;img src=x onerror=/, 'hostile markup shown as text');
});

t.test(
  'shared OASST2 data tagged by the mock judge: report renders in Chromium; card names the graph',
  { skip: !existsSync(DATA) ? `no data at ${DATA}` : CHROMIUM ? false : 'no chromium installed (apt-get install chromium)' },
  async (t) => {
    const dir = t.testdir({});
    const run = await runCli(['run', join(FIXTURES, 'graphs', 'oasst-curation.yaml'), '-i', DATA, '-o', 'tagged.jsonl', '--stats', 'stats.json', '-q', '--no-cache'], { cwd: dir });
    t.equal(run.code, 0, run.stderr);
    const res = await runCli(['report', 'tagged.jsonl', '--html', 'report.html', '--card', 'README.md', '--stats', 'stats.json', '--title', 'OASST2 curated'], { cwd: dir });
    t.equal(res.code, 0, res.stderr);
    const dom = browse(join(dir, 'report.html'), join(dir, 'shot.png'));
    t.match(dom, /data-charts="7"/, 'score, three criteria, rules, languages, turns');
    t.notMatch(dom, /data-error/);
    const png = await readFile(join(dir, 'shot.png'));
    t.ok(png.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) && png.length > 20_000, `a screenshot of ${png.length} bytes`);
    const card = await readFile(join(dir, 'README.md'), 'utf8');
    const stats = JSON.parse(await readFile(join(dir, 'stats.json'), 'utf8')) as { graph_sha256: string };
    t.match(card, /^---\nlicense: other # TODO[^\n]*\nlanguage:\n- en\n- es\n/);
    t.match(card, /size_categories:\n- n<1K\n/);
    t.match(card, /# OASST2 curated\n\n## Dataset summary\n\n494 records, \d+ of them scored by an LLM judge/);
    t.match(card, new RegExp(`sha256 \`${stats.graph_sha256}\``));
    t.match(card, /Models: `judge_model`\./);
  },
);
