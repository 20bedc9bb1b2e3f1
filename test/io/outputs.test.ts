import t from 'tap';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { RunOutputs } from '../../lib/io/outputs.js';

t.test('replace: nothing at the targets until commit, then every file in place', async (t) => {
  const dir = t.testdir({});
  const outputs = new RunOutputs({ output: join(dir, 'out.jsonl'), errors: join(dir, 'errors.jsonl'), rejected: join(dir, 'rejected.jsonl') }, new PassThrough());
  await outputs.ready();
  outputs.output.write('{"a":1}\n');
  await outputs.errors!.write({ line: 2, error: 'bad' });
  t.same(
    readdirSync(dir).filter((f) => !f.startsWith('.')),
    [],
    'only temporary files while writing',
  );
  await outputs.commit();
  t.same(readdirSync(dir).sort(), ['errors.jsonl', 'out.jsonl', 'rejected.jsonl']);
  t.equal(readFileSync(join(dir, 'out.jsonl'), 'utf8'), '{"a":1}\n');
  t.equal(readFileSync(join(dir, 'errors.jsonl'), 'utf8'), '{"line":2,"error":"bad"}\n');
});

t.test('a file that cannot be opened fails ready() and leaves no temporary file behind', async (t) => {
  const dir = t.testdir({});
  const outputs = new RunOutputs({ output: join(dir, 'out.jsonl'), errors: join(dir, 'no-such-folder', 'errors.jsonl') }, new PassThrough());
  await t.rejects(outputs.ready(), { code: 'ENOENT' });
  t.same(readdirSync(dir), []);
});

t.test('abort removes the temporary files; stdout is used when there is no --output', async (t) => {
  const dir = t.testdir({});
  const stdout = new PassThrough();
  const outputs = new RunOutputs({ rejected: join(dir, 'rejected.jsonl') }, stdout);
  t.equal(outputs.output, stdout);
  await outputs.ready();
  await outputs.rejected!.write({ line: 1 });
  await outputs.abort();
  t.same(readdirSync(dir), []);
});

t.test('resume appends to what an earlier run wrote; resume-retry-errors starts the errors afresh', async (t) => {
  const dir = t.testdir({ 'out.jsonl': '{"id":1}\n', 'errors.jsonl': '{"id":2}\n' });
  const paths = { output: join(dir, 'out.jsonl'), errors: join(dir, 'errors.jsonl') };
  const resumed = new RunOutputs(paths, new PassThrough(), 'resume');
  await resumed.ready();
  resumed.output.write('{"id":3}\n');
  await resumed.errors!.write({ id: 4 });
  await resumed.commit();
  t.equal(readFileSync(paths.output, 'utf8'), '{"id":1}\n{"id":3}\n');
  t.equal(readFileSync(paths.errors, 'utf8'), '{"id":2}\n{"id":4}\n');
  writeFileSync(paths.errors, '{"id":2}\n');
  const retried = new RunOutputs(paths, new PassThrough(), 'resume-retry-errors');
  await retried.ready();
  await retried.commit();
  t.equal(readFileSync(paths.errors, 'utf8'), '', 'the errors are being done again');
  t.equal(readFileSync(paths.output, 'utf8'), '{"id":1}\n{"id":3}\n');
});
