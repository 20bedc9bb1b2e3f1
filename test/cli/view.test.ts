import { once } from 'node:events';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import type { Browser, Page } from 'playwright-core';
import { ARTIFACTS, CHROMIUM, launchBrowser, NO_CHROMIUM } from '../browser.js';
import { FIXTURES, lines, runCli, startCli } from '../cli-process.js';

/** Starts `sygra-stream view` over files in `dir`; resolves with the URL, its first line on stdout. */
async function view(t: Test, dir: string, files: string[]): Promise<string> {
  const child = startCli(['view', ...files], { cwd: dir });
  child.stdin!.end();
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  t.teardown(async () => {
    if (child.exitCode === null) {
      child.kill('SIGINT');
      await once(child, 'exit');
    }
  });
  return new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      if (out.includes('\n')) resolve(out.split('\n')[0]!);
    });
    child.once('exit', (code) => reject(new Error(`view exited ${code}: ${stderr}`)));
  });
}

/** Opens a view of the viewer and waits until the page says it has drawn it. */
async function open(page: Page, url: string, viewName = 'list'): Promise<void> {
  await page.goto(url);
  await ready(page, viewName);
}
/** Waits until the text of `selector` matches `pattern` (the page's own script changes it). */
async function textMatches(page: Page, selector: string, pattern: RegExp): Promise<void> {
  await page.locator(selector, { hasText: pattern }).waitFor();
}
async function ready(page: Page, viewName: string): Promise<void> {
  await page.waitForSelector(`body[data-view="${viewName}"][data-ready="1"]`);
}

let browser: Browser | null = null;
t.before(async () => {
  if (CHROMIUM) browser = await launchBrowser();
});
t.teardown(() => browser?.close());

async function newPage(t: Test): Promise<{ page: Page; problems: string[] }> {
  const page = await browser!.newPage({ viewport: { width: 1280, height: 900 } });
  t.teardown(() => page.close());
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('dialog', (d) => {
    problems.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  return { page, problems };
}

t.test('filter by a failed rule, open a record, label it from the keyboard: the label is in the sidecar', { skip: CHROMIUM ? false : NO_CHROMIUM }, async (t) => {
  const dir = t.testdir({});
  const run = await runCli(['run', join(FIXTURES, 'graphs', 'oasst-curation.yaml'), '-i', join(FIXTURES, 'graphs', 'oasst-curation.input.jsonl'), '-o', 'out.jsonl', '-q', '--no-cache'], { cwd: dir });
  t.equal(run.code, 0, run.stderr);
  const url = await view(t, dir, ['out.jsonl']);
  t.match(url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
  const { page, problems } = await newPage(t);
  await open(page, url);
  t.equal(await page.locator('#records tr[data-n]').count(), 6);
  // Filters fill once the records are read; the page polls for them.
  await page.waitForSelector('select[name=rule] option[value="rule:word_count"]', { state: 'attached' });
  await page.selectOption('select[name=rule]', 'rule:word_count');
  await textMatches(page, '#status', /^1 records match/);
  await ready(page, 'list');
  t.match(page.url(), /#\/list\?file=0&tag=rule%3Aword_count$/, 'the filter is in the URL');
  t.same(await page.locator('#records tr[data-n] td:nth-child(2)').allTextContents(), ['a4']);
  await page.screenshot({ path: join(ARTIFACTS, 'view-list-filtered.png') });
  await page.keyboard.press('Enter');
  await ready(page, 'record');
  t.match(await page.textContent('#record-title'), /out\.jsonl:3 · id a4/);
  t.match(await page.textContent('#conversation'), /How do plants make food\?/);
  t.match(await page.textContent('#rules tr.fail'), /word_count/, 'the failed rule is shown as failed');
  await page.fill('#note', 'too short to teach anything');
  await page.locator('#note').blur();
  await page.keyboard.press('r');
  await page.waitForSelector('#label-state[data-saved="reject"]');
  await page.screenshot({ path: join(ARTIFACTS, 'view-record-labelled.png'), fullPage: true });
  const sidecar = (await readFile(join(dir, 'out.jsonl.labels.jsonl'), 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  t.match(sidecar, [{ file: 'out.jsonl', line: 3, id: 'a4', label: 'reject', note: 'too short to teach anything' }]);
  await page.keyboard.press('Escape');
  await ready(page, 'list');
  t.same(await page.locator('#records tr[data-n] td:nth-child(6)').allTextContents(), ['reject'], 'the list shows the label');
  t.same(problems, []);
  // A later graph joins the labels on id and leaves out what the reviewer rejected.
  await writeFile(
    join(dir, 'reviewed.yaml'),
    'nodes:\n  review: { type: lookup, file: out.jsonl.labels.jsonl, into: review, fields: [label, note] }\n  keep: { type: filter, when: "record.review?.label !== \'reject\'" }\nedges:\n  - { from: START, to: review }\n  - { from: review, to: keep }\n  - { from: keep, to: END }\n',
  );
  const joined = await runCli(['run', 'reviewed.yaml', '-i', 'out.jsonl', '--rejected', 'dropped.jsonl', '-q'], { cwd: dir });
  t.equal(joined.code, 0, joined.stderr);
  t.same(
    lines(joined.stdout).map((r) => r.id),
    ['a3', 'a2', 'a8', 'a10', 'a11'],
  );
  t.match(lines(await readFile(join(dir, 'dropped.jsonl'), 'utf8')), [{ node: 'keep', record: { id: 'a4', review: { label: 'reject', note: 'too short to teach anything' } } }]);
});

t.test('keyboard: j/k move through the list and from record to record; pages of 50', { skip: CHROMIUM ? false : NO_CHROMIUM }, async (t) => {
  const dir = t.testdir({});
  const records = Array.from({ length: 120 }, (_, i) => ({ id: `r${i}`, prompt: `question ${i}`, quality: { score: (i * 7) % 10 } }));
  await writeFile(join(dir, 'many.jsonl'), records.map((r) => JSON.stringify(r)).join('\n') + '\n');
  const url = await view(t, dir, ['many.jsonl']);
  const { page, problems } = await newPage(t);
  await open(page, url);
  await page.keyboard.press(']');
  await textMatches(page, '#status', /^120 records match · 51–100$/);
  await ready(page, 'list');
  await page.keyboard.press('j');
  await page.keyboard.press('j');
  await page.keyboard.press('k');
  await page.keyboard.press('Enter');
  await ready(page, 'record');
  t.match(await page.textContent('#record-title'), /many\.jsonl:52 · id r51/);
  await page.keyboard.press('j');
  await textMatches(page, '#record-title', /id r52$/);
  await page.keyboard.press('k');
  await page.keyboard.press('k');
  await textMatches(page, '#record-title', /id r50$/);
  // Reviewing what is not labelled yet: a labelled record leaves the list, and j goes to the one after it.
  await open(page, `${url}#/list?file=0&label=none`);
  await page.keyboard.press('Enter');
  await ready(page, 'record');
  t.match(await page.textContent('#record-title'), /id r0$/);
  await page.keyboard.press('a');
  await page.waitForSelector('#label-state[data-saved="accept"]');
  await page.keyboard.press('j');
  await textMatches(page, '#record-title', /id r1$/);
  await textMatches(page, '.nav', /record 1 of 119/);
  // Sorted by score, high first: next follows the sorted list.
  await open(page, `${url}#/list?file=0&sort=-score`);
  t.same(await page.locator('#records tr[data-n] td:nth-child(3)').first().textContent(), '9');
  await page.keyboard.press('Enter');
  await ready(page, 'record');
  await page.keyboard.press('j');
  await textMatches(page, '.nav', /record 2 of 120/);
  t.same(problems, []);
});

t.test('a DPO pair side by side, Markdown and code rendered, reasoning folded', { skip: CHROMIUM ? false : NO_CHROMIUM }, async (t) => {
  const dir = t.testdir({});
  const dpo = {
    id: 'p1',
    prompt: [{ role: 'user', content: 'Sort a list in Python?' }],
    chosen: [{ role: 'assistant', content: 'Use **sorted**:\n\n```python\nprint(sorted([3, 1, 2]))\n```\n\n- stable\n- returns a new list' }],
    rejected: [{ role: 'assistant', content: 'You cannot.', reasoning_content: 'I should refuse.' }],
  };
  await writeFile(join(dir, 'dpo.jsonl'), `${JSON.stringify(dpo)}\n`);
  const url = await view(t, dir, ['dpo.jsonl']);
  const { page, problems } = await newPage(t);
  await open(page, `${url}#/record?file=0&n=0&at=0`, 'record');
  t.same(await page.locator('#dpo-pair .side h3').allTextContents(), ['chosen', 'rejected']);
  t.equal(await page.textContent('#dpo-pair .side:first-child pre code'), 'print(sorted([3, 1, 2]))');
  t.equal(await page.getAttribute('#dpo-pair .side:first-child pre code', 'data-lang'), 'python');
  t.equal(await page.textContent('#dpo-pair .side:first-child strong'), 'sorted');
  t.equal(await page.locator('#dpo-pair .side:first-child li').count(), 2);
  t.equal(await page.textContent('#dpo-pair .side:last-child details.reasoning summary'), 'reasoning');
  const [left, right] = await page.locator('#dpo-pair .side').evaluateAll((els) => els.map((e) => e.getBoundingClientRect().left));
  t.ok(right! > left! + 300, 'the two answers sit side by side');
  await page.screenshot({ path: join(ARTIFACTS, 'view-dpo.png'), fullPage: true });
  t.same(problems, []);
});

t.test('hostile record text stays text: no script runs, nothing is fetched, no javascript: links', { skip: CHROMIUM ? false : NO_CHROMIUM }, async (t) => {
  const dir = t.testdir({});
  const payload = '<img src=x onerror="window.pwned=1;alert(1)"><script>window.pwned=2;alert(2)</script>';
  const hostile = {
    id: `x</script><script>alert(3)</script>`,
    lang: '<svg onload=alert(4)>',
    messages: [
      { role: `user"><img src=x onerror=alert(5)>`, content: payload },
      { role: 'assistant', content: `[click me](javascript:alert(6)) and [ok](https://example.org) **<b onmouseover=alert(7)>bold</b>**\n\n\`\`\`html\n${payload}\n\`\`\`` },
    ],
    quality: { score: 1, rules: { '<img src=x onerror=alert(8)>': { value: '<script>alert(9)</script>', pass: false } }, judge: { '<i>c</i>': { score: 1, rationale: payload } } },
  };
  const rejected = { line: 2, node: '<script>alert(10)</script>', reason: payload, record: hostile };
  await writeFile(join(dir, 'out.jsonl'), `${JSON.stringify(hostile)}\n`);
  await writeFile(join(dir, 'rej.jsonl'), `${JSON.stringify(rejected)}\n`);
  const url = await view(t, dir, ['out.jsonl', 'rej.jsonl']);
  const { page, problems } = await newPage(t);
  const requests: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  await open(page, url);
  await page.waitForSelector('select[name=rule]', { state: 'attached' });
  await open(page, `${url}#/record?file=0&n=0&at=0`, 'record');
  t.match(await page.textContent('#conversation'), payload, 'the markup is shown as text');
  t.equal(await page.locator('#conversation img, #conversation script, #conversation b, #rules img, #judge script').count(), 0, 'no element made from record text');
  t.equal(await page.locator('a[href^="javascript"]').count(), 0);
  t.equal(await page.getAttribute('#conversation a', 'href'), 'https://example.org');
  await open(page, `${url}#/list?file=1`);
  t.match(await page.textContent('#records'), 'rejected at <script>alert(10)</script>');
  await open(page, `${url}#/record?file=1&n=0&at=0`, 'record');
  t.match(await page.textContent('.cause'), 'Filtered by <script>alert(10)</script>');
  await page.goto(`${url}report?file=0`);
  await page.waitForSelector('html[data-charts]');
  t.equal(await page.evaluate('typeof window.pwned'), 'undefined', 'window.pwned was never set');
  t.same(problems, [], 'no dialog, no page error');
  const origin = new URL(url).origin;
  t.same(
    requests.filter((r) => !r.startsWith(origin)),
    [],
    'nothing fetched from elsewhere',
  );
});

t.test('the report served by view links each chart bin to the filtered list', { skip: CHROMIUM ? false : NO_CHROMIUM }, async (t) => {
  const dir = t.testdir({});
  const records = [
    {
      id: 'a',
      lang: 'en',
      messages: [
        { role: 'user', content: 'q' },
        { role: 'assistant', content: 'a' },
      ],
      quality: { score: 9.5, rules: { truncated: { value: 0, pass: true } }, judge: { helpfulness: { score: 9 } } },
    },
    {
      id: 'b',
      lang: 'de',
      messages: [
        { role: 'user', content: 'q' },
        { role: 'assistant', content: 'a' },
      ],
      quality: { score: 2, rules: { truncated: { value: 1, pass: false } }, judge: { helpfulness: { score: 2 } } },
    },
    {
      id: 'c',
      lang: 'de',
      messages: [
        { role: 'user', content: 'q' },
        { role: 'assistant', content: 'a' },
      ],
      quality: { score: 2.5, rules: { truncated: { value: 0, pass: true } }, judge: { helpfulness: { score: 2 } } },
    },
  ];
  await writeFile(join(dir, 'out.jsonl'), records.map((r) => JSON.stringify(r)).join('\n') + '\n');
  const url = await view(t, dir, ['out.jsonl']);
  const { page, problems } = await newPage(t);
  const ids = () => page.locator('#records tr[data-n] td:nth-child(2)').allTextContents();
  const follow = async (selector: string): Promise<string[]> => {
    await page.goto(`${url}report?file=0`);
    await page.waitForSelector('html[data-charts]');
    await page.click(selector);
    await ready(page, 'list');
    return ids();
  };
  t.same(await follow('a[data-bin="2–3"]'), ['b', 'c'], 'score bin [2, 3)');
  t.same(await follow('a[data-bin="9–10"]'), ['a'], 'the last score bin holds 9.5');
  t.same(await follow('#rules a[data-bin="truncated"]'), ['b'], 'a rule: the records that failed it');
  t.same(await follow('#mix a[data-bin="de"]'), ['b', 'c'], 'a language');
  t.same(await follow('#criteria a[data-bin="2"]'), ['b', 'c'], 'a judge score');
  await page.goto(`${url}report?file=0`);
  await page.waitForSelector('html[data-charts]');
  await page.screenshot({ path: join(ARTIFACTS, 'view-report.png'), fullPage: true });
  t.same(problems, []);
});

t.test('usage errors: a missing file, a labels file that is a viewed file', async (t) => {
  const dir = t.testdir({ 'a.jsonl': '{"id":1}\n' });
  const missing = await runCli(['view', 'nope.jsonl'], { cwd: dir });
  t.equal(missing.code, 2);
  t.match(missing.stderr, /--input nope\.jsonl: no such file/);
  const clash = await runCli(['view', 'a.jsonl', '--labels', 'a.jsonl'], { cwd: dir });
  t.equal(clash.code, 2);
  t.match(clash.stderr, /--labels a\.jsonl is one of the viewed files; name another file/);
});
