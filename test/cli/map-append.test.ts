import t from 'tap';
import { lines, runCli } from '../cli-process.js';

// A map that sets only top-level fields has each record written as its input line with the
// fields appended: what comes out must be the record a full stringify would give.
t.test('a map setting top-level fields writes each line with them appended, equal to the record as JSON', async (t) => {
  const dir = t.testdir({
    'g.yaml': [
      'nodes:',
      '  tag:',
      '    type: map',
      '    set:',
      '      words: "record.text.split(\' \').length"',
      '      nested: "({ a: [1, { b: null }] })"',
      '      gone: "undefined"',
      '      fn: "() => 1"',
      '      text: "record.text.toUpperCase()"',
      '',
    ].join('\n'),
  });
  const input = ['{ "text" : "two words" }', '{"text":"already", "words": 99}', '{"text":"x y z","unicode":"é中"}', '{"text":"","gone":1}', ''].join('\n');
  const res = await runCli(['run', 'g.yaml'], { cwd: dir, input });
  t.equal(res.code, 0, res.stderr);
  const out = lines(res.stdout);
  t.same(out, [
    { text: 'TWO WORDS', words: 2, nested: { a: [1, { b: null }] } },
    { text: 'ALREADY', words: 1, nested: { a: [1, { b: null }] } },
    { text: 'X Y Z', unicode: 'é中', words: 3, nested: { a: [1, { b: null }] } },
    { text: '', words: 1, nested: { a: [1, { b: null }] } },
  ]);
  // `text` is one of the fields set and the record has it: every line here is restringified, so its keys appear once.
  for (const line of res.stdout.trim().split('\n')) t.equal((line.match(/"text"/g) ?? []).length, 1, line);
});

t.test('a map adding new fields only keeps the input line and appends them', async (t) => {
  const dir = t.testdir({ 'g.yaml': ['nodes:', `  tag: { type: map, set: { n: "(record.text ?? '').length", none: "undefined" } }`, ''].join('\n') });
  const res = await runCli(['run', 'g.yaml'], { cwd: dir, input: '{ "text" : "abc" }\n{}\n' });
  t.equal(res.code, 0, res.stderr);
  t.equal(res.stdout, '{ "text" : "abc" ,"n":3}\n{"n":0}\n', 'the line as read, with the new field before its closing brace');
});
