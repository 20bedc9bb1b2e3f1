import t from 'tap';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough, Readable, Writable } from 'node:stream';
import { RunOutputs } from '../../lib/io/outputs.js';
import { batchSource } from '../../lib/io/source.js';
import { RunStats } from '../../lib/metrics/run-stats.js';
import type { Batch } from '../../lib/record/item.js';
import { runRecords } from '../../lib/run/records-run.js';

const upper = (records: Highland.Stream<Batch>) =>
  records.map((batch: Batch) => {
    for (const item of batch) {
      if (item.outcome) continue;
      if (typeof item.record.text !== 'string') item.outcome = { kind: 'error', node: 'upper', error: 'no text' };
      else {
        item.record = { text: item.record.text.toUpperCase() };
        item.bytes = undefined; // changed: written from the record, not the input's bytes
      }
    }
    return batch;
  });

function run(input: string, outputs: RunOutputs, stats = new RunStats(), openInput?: () => Promise<Readable>) {
  const stop = new AbortController();
  return runRecords({
    openInput: openInput ?? (async () => Readable.from([input])),
    outputs,
    stats,
    stopReading: stop,
    source: (stream) => batchSource(stream, null, stats, stop.signal),
    pipeline: upper,
  });
}

t.test('input → pipeline → output, errors to their file with their line, every record counted once', async (t) => {
  const dir = t.testdir({});
  const stats = new RunStats();
  const outputs = new RunOutputs({ output: join(dir, 'out.jsonl'), errors: join(dir, 'errors.jsonl') }, new PassThrough());
  const result = await run('{"text":"a"}\n{"n":1}\nnot json\n{"text":"b"}\n', outputs, stats);
  t.same(result, { ok: true });
  t.equal(readFileSync(join(dir, 'out.jsonl'), 'utf8'), '{"text":"A"}\n{"text":"B"}\n');
  t.match(
    readFileSync(join(dir, 'errors.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l)),
    [{ line: 2, error: 'no text' }, { line: 3 }],
  );
  t.match(stats.report('test', 'g', {}, null), { records_in: 4, records_out: 2, errors: 2, conserved: true });
});

t.test('an input that cannot be opened: nothing is written, no temporary file is left', async (t) => {
  const dir = t.testdir({});
  const outputs = new RunOutputs({ output: join(dir, 'out.jsonl'), rejected: join(dir, 'rejected.jsonl') }, new PassThrough());
  const result = await run('', outputs, new RunStats(), async () => {
    throw new Error('ENOENT: no such file, open in.jsonl');
  });
  t.same(result, { ok: false, opening: true, message: 'cannot read input: ENOENT: no such file, open in.jsonl' });
  t.same(readdirSync(dir), []);
});

t.test('stdout closed early (| head) stops the run quietly; another write failure is reported', async (t) => {
  const closing = (code: string) =>
    new Writable({
      write(_chunk, _enc, done) {
        done(Object.assign(new Error(code), { code }));
      },
    });
  const many = Array.from({ length: 5000 }, (_, i) => `{"text":"line ${i}"}\n`).join('');
  t.same(await run(many, new RunOutputs({}, closing('EPIPE'))), { ok: true });
  t.same(await run(many, new RunOutputs({}, closing('EIO'))), { ok: false, opening: false, message: 'cannot write stdout: EIO' });
});

t.test('a file that cannot be written (a full disk) fails the run naming it, and no temporary file is left', async (t) => {
  const dir = t.testdir({});
  const path = join(dir, 'out.jsonl');
  const outputs = new RunOutputs({ output: path, errors: join(dir, 'errors.jsonl') }, new PassThrough());
  const stats = new RunStats();
  const stop = new AbortController();
  let batches = 0;
  const result = await runRecords({
    // Ten chunks: ten batches, the second of which finds the disk full.
    openInput: async () => Readable.from(Array.from({ length: 10 }, (_, c) => Array.from({ length: 300 }, (_, i) => `{"text":"line ${c * 300 + i}"}\n`).join(''))),
    outputs,
    stats,
    stopReading: stop,
    source: (stream) => batchSource(stream, null, stats, stop.signal),
    pipeline: (records) =>
      upper(records).map((batch: Batch) => {
        if (++batches === 2) outputs.output.destroy(Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }));
        return batch;
      }),
  });
  t.same(result, { ok: false, opening: false, message: `cannot write ${path}: ENOSPC: no space left on device, write` });
  t.same(readdirSync(dir), [], 'no output, no side file, no temporary file');
});
