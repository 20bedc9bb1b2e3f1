import t, { type Test } from 'tap';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { FIXTURES, lines, ndjson, runCli } from '../cli-process.js';

const filterGraph = join(FIXTURES, 'graphs', 'filter.yaml');

/** A graph with filter, map and code nodes written into a test folder. */
function pipelineDir(t: Test, steps = ''): string {
  return t.testdir({
    'graph.yaml': [
      'nodes:',
      '  keep_even:',
      '    type: filter',
      '    when: "record.n % 2 === 0"',
      '  label:',
      '    type: map',
      '    set: { half: "record.n / 2", "meta.kind": "\'even\'" }',
      '  step:',
      '    type: code',
      '    module: ./steps.js',
      '    export: step',
      '',
    ].join('\n'),
    'steps.js':
      steps ||
      [
        'export function step(record) {',
        '  if (record.n === 4) throw new Error("four is not allowed");',
        '  if (record.n === 6) return [{ ...record, copy: 1 }, { ...record, copy: 2 }];',
        '  if (record.n === 8) return null;',
        '  return record;',
        '}',
        '',
      ].join('\n'),
  });
}

t.test('filter, map and code nodes with every outcome, conserved and reported', async (t) => {
  const dir = pipelineDir(t);
  const input = ndjson(Array.from({ length: 10 }, (_, n) => ({ n })));
  const res = await runCli(['run', 'graph.yaml', '--errors', 'errors.jsonl', '--rejected', 'rejected.jsonl', '--stats', 'stats.json'], { cwd: dir, input });
  t.equal(res.code, 0, res.stderr);
  t.same(lines(res.stdout), [
    { n: 0, half: 0, meta: { kind: 'even' } },
    { n: 2, half: 1, meta: { kind: 'even' } },
    { n: 6, half: 3, meta: { kind: 'even' }, copy: 1 },
    { n: 6, half: 3, meta: { kind: 'even' }, copy: 2 },
  ]);
  const errors = lines(await readFile(join(dir, 'errors.jsonl'), 'utf8'));
  t.same(errors, [{ line: 5, node: 'step', error: 'four is not allowed', input: { n: 4, half: 2, meta: { kind: 'even' } } }]);
  const rejected = lines(await readFile(join(dir, 'rejected.jsonl'), 'utf8'));
  t.equal(rejected.length, 6);
  t.same(rejected[0], { line: 2, node: 'keep_even', reason: 'when "record.n % 2 === 0" was false', record: { n: 1 } });
  t.same(
    rejected.find((r) => r.node === 'step'),
    { line: 9, node: 'step', reason: 'returned null', record: { n: 8, half: 4, meta: { kind: 'even' } } },
  );
  const stats = JSON.parse(await readFile(join(dir, 'stats.json'), 'utf8')) as Record<string, unknown>;
  t.match(stats, { records_in: 10, records_out: 4, filtered: 6, errors: 1, fanout: 1, conserved: true });
  const { createHash } = await import('node:crypto');
  t.equal(
    stats.graph_sha256,
    createHash('sha256')
      .update(await readFile(join(dir, 'graph.yaml')))
      .digest('hex'),
    'the exact graph is named by its hash',
  );
  t.match(stats.nodes, {
    keep_even: { in: 10, out: 5, filtered: 5, errors: 0 },
    label: { in: 5, out: 5 },
    step: { in: 5, out: 4, filtered: 1, errors: 1, fanout: 1 },
  });
  t.same(await readdir(dir).then((f) => f.filter((n) => n.endsWith('.tmp'))), [], 'no temp files left');
});

t.test('empty input, a single record, and inputs smaller and larger than a batch', async (t) => {
  const dir = pipelineDir(t, 'export function step(r) { return r }\n');
  const empty = await runCli(['run', 'graph.yaml', '--stats', 's0.json'], { cwd: dir, input: '' });
  t.equal(empty.code, 0);
  t.equal(empty.stdout, '');
  t.match(JSON.parse(await readFile(join(dir, 's0.json'), 'utf8')), { records_in: 0, records_out: 0, conserved: true });

  const one = await runCli(['run', 'graph.yaml'], { cwd: dir, input: '{"n": 2}' });
  t.same(lines(one.stdout), [{ n: 2, half: 1, meta: { kind: 'even' } }], 'one record, no final newline');

  for (const count of [3, 5000, 60000]) {
    const input = ndjson(Array.from({ length: count }, (_, n) => ({ n, pad: 'x'.repeat(n % 50) })));
    const res = await runCli(['run', 'graph.yaml', '--stats', 's.json'], { cwd: dir, input });
    const out = lines(res.stdout);
    t.equal(out.length, Math.ceil(count / 2), `${count} records: every even one out`);
    t.ok(
      out.every((r, i) => r.n === i * 2),
      `${count} records: in input order`,
    );
    t.match(JSON.parse(await readFile(join(dir, 's.json'), 'utf8')), { records_in: count, conserved: true });
  }
});

t.test('unchanged records are written back exactly as read', async (t) => {
  const dir = t.testdir({ 'graph.yaml': 'nodes:\n  keep:\n    type: filter\n    when: "record.keep"\n' });
  const input = '{ "keep" : true,  "big": 12345678901234567890, "s": "caf\\u00e9" }\n{"keep": false}\n{"keep":1}\r\n';
  const res = await runCli(['run', 'graph.yaml'], { cwd: dir, input });
  t.equal(res.stdout, '{ "keep" : true,  "big": 12345678901234567890, "s": "caf\\u00e9" }\n{"keep":1}\n');
});

t.test('malformed, non-object, BOM and invalid UTF-8 input go to --errors with line numbers', async (t) => {
  const dir = t.testdir({ 'graph.yaml': 'nodes:\n  all:\n    type: filter\n    when: "true"\n' });
  const input = Buffer.concat([Buffer.from('\ufeff{"a":1}\nnot json\n[1]\n\n'), Buffer.from([0x7b, 0x22, 0x62, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d, 0x0a]), Buffer.from('{"a":2}')]);
  const res = await runCli(['run', 'graph.yaml', '--errors', 'e.jsonl', '--stats', 's.json'], { cwd: dir, input });
  t.equal(res.code, 0);
  t.same(lines(res.stdout), [{ a: 1 }, { a: 2 }]);
  const errors = lines(await readFile(join(dir, 'e.jsonl'), 'utf8'));
  t.match(errors, [
    { line: 2, node: null, error: /^malformed JSON/, input: 'not json' },
    { line: 3, node: null, error: 'expected a JSON object, got an array', input: '[1]' },
    { line: 5, node: null, error: 'invalid UTF-8 byte sequence' },
  ]);
  t.match(JSON.parse(await readFile(join(dir, 's.json'), 'utf8')), { records_in: 5, records_out: 2, errors: 3, conserved: true });
});

t.test('without --errors, failures are counted and a hint is printed', async (t) => {
  const res = await runCli(['run', filterGraph], { input: 'oops\n' });
  t.equal(res.code, 0);
  t.match(res.stderr, /1 record failed; keep them with --errors FILE/);
});

t.test('--fail-fast stops at the first error with exit 1', async (t) => {
  const dir = pipelineDir(t);
  const input = ndjson(Array.from({ length: 10 }, (_, n) => ({ n })));
  const res = await runCli(['run', 'graph.yaml', '--fail-fast', '--errors', 'e.jsonl'], { cwd: dir, input });
  t.equal(res.code, 1);
  t.match(res.stderr, /stopped at the first error \(--fail-fast\): line 5: four is not allowed/);
  t.notMatch(res.stderr, /\n\s+at /, 'no stack trace');
  t.equal(lines(await readFile(join(dir, 'e.jsonl'), 'utf8')).length, 1);
});

t.test('--input and --output files; output is written atomically', async (t) => {
  const dir = pipelineDir(t, 'export function step(r) { return r }\n');
  const { writeFile } = await import('node:fs/promises');
  await writeFile(join(dir, 'in.jsonl'), ndjson([{ n: 2 }, { n: 3 }]));
  const res = await runCli(['run', 'graph.yaml', '-i', 'in.jsonl', '-o', 'out.jsonl'], { cwd: dir });
  t.equal(res.code, 0, res.stderr);
  t.equal(res.stdout, '', 'nothing on stdout');
  t.same(lines(await readFile(join(dir, 'out.jsonl'), 'utf8')), [{ n: 2, half: 1, meta: { kind: 'even' } }]);
  t.same(
    (await readdir(dir)).filter((n) => n.includes('.tmp')),
    [],
  );

  const missing = await runCli(['run', 'graph.yaml', '-i', 'nope.jsonl'], { cwd: dir });
  t.equal(missing.code, 2);
  t.match(missing.stderr, /--input nope\.jsonl: no such file/);

  const badOut = await runCli(['run', 'graph.yaml', '-i', 'in.jsonl', '-o', 'no/such/dir/out.jsonl'], { cwd: dir });
  t.equal(badOut.code, 1);
  t.match(badOut.stderr, /cannot open output: .*ENOENT/);
});

t.test('config errors exit 2 before reading any record', async (t) => {
  const dir = t.testdir({ 'graph.yaml': 'nodes:\n  a:\n    type: filter\n    when: "record.x >"\n' });
  const res = await runCli(['run', 'graph.yaml'], { cwd: dir, input: '{"x":1}\n' });
  t.equal(res.code, 2);
  t.equal(res.stdout, '');
  t.match(res.stderr, /^graph\.yaml:4:11 nodes\.a\.when: expression does not compile/);
});

t.test('unknown flags and commands are usage errors with a suggestion', async (t) => {
  const flag = await runCli(['run', filterGraph, '--outptu', 'x']);
  t.equal(flag.code, 2);
  t.match(flag.stderr, /unknown option: --outptu \(did you mean --output\?\)/);
  const cmd = await runCli(['rnu', filterGraph]);
  t.equal(cmd.code, 2);
  t.match(cmd.stderr, /^sygra-stream: unknown command "rnu" \(did you mean "run"\?\) \(commands: run, validate, /);
  t.equal(cmd.stderr.split('\n').filter(Boolean).length, 2, 'one message, then where to look');
  const stray = await runCli(['validate', filterGraph, 'extra']);
  t.equal(stray.code, 2);
  t.match(stray.stderr, /^sygra-stream: unexpected argument: extra\n/);
  const none = await runCli([]);
  t.equal(none.code, 2);
  t.match(none.stderr, /Name a command: run, validate, graph, schema, oasst, rules, report, view, push, mock-server, cache, queue, worker, completion/);
});

t.test('--help teaches: commands, examples and exit codes', async (t) => {
  const top = await runCli(['--help']);
  t.equal(top.code, 0);
  t.match(top.stdout, /run <graph>/);
  t.match(top.stdout, /Exit codes:[\s\S]*130/);
  const run = await runCli(['run', '--help']);
  t.match(run.stdout, /--unordered/);
  t.match(run.stdout, /Examples:/);
  const version = await runCli(['--version']);
  t.match(version.stdout, /^\d+\.\d+\.\d+/);
  const completion = await runCli(['completion']);
  t.equal(completion.code, 0);
  t.match(completion.stdout, /sygra-stream-completions/);
});

t.test('a code node that returns garbage produces error records, not a crash', async (t) => {
  const dir = pipelineDir(t, 'export function step(r) { return r.n === 2 ? "text" : r.n === 0 ? [1] : r }\n');
  const res = await runCli(['run', 'graph.yaml', '--errors', 'e.jsonl'], { cwd: dir, input: ndjson([{ n: 0 }, { n: 2 }, { n: 4 }]) });
  t.equal(res.code, 0);
  t.equal(lines(res.stdout).length, 1);
  t.match(lines(await readFile(join(dir, 'e.jsonl'), 'utf8')), [
    { line: 1, error: 'returned an array with a non-object element' },
    { line: 2, error: 'returned string; expected an object, an array of objects, or null' },
  ]);
});
