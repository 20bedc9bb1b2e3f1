import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import t from 'tap';
import { parquetNdjson } from '../../lib/io/parquet-ndjson.js';
import { ParquetOutput } from '../../lib/io/table-output.js';
import { parquetOnThread } from '../../lib/run/parquet-thread.js';

async function parquetFile(dir: string, records: number): Promise<string> {
  const path = join(dir, 'in.parquet');
  const out = new ParquetOutput(path);
  for (let i = 0; i < records; i += 1000) out.write(Array.from({ length: Math.min(1000, records - i) }, (_, j) => ({ id: i + j, text: `record ${i + j} "quoted" 🙂 `.repeat(20) })));
  out.end();
  await finished(out);
  return path;
}

async function bytesOf(chunks: AsyncIterable<Buffer>): Promise<Buffer> {
  const all: Buffer[] = [];
  for await (const chunk of chunks) all.push(chunk);
  return Buffer.concat(all);
}

t.test('a worker thread gives the same NDJSON bytes as reading here, in order', async (t) => {
  const path = await parquetFile(t.testdir(), 25_000);
  const here = await bytesOf(parquetNdjson(path));
  t.ok(here.length > 10 * 256 * 1024, `many chunks (${here.length} bytes)`);
  t.ok((await bytesOf(parquetOnThread(path))).equals(here));
});

t.test('a reader that stops early ends the thread, and the next read starts afresh', async (t) => {
  const path = await parquetFile(t.testdir(), 25_000);
  let taken = 0;
  for await (const _chunk of parquetOnThread(path)) {
    taken++;
    break;
  }
  t.equal(taken, 1);
  t.equal((await bytesOf(parquetOnThread(path))).toString().split('\n').length, 25_001);
});

t.test("a file that is not Parquet fails the read with the reader's message", async (t) => {
  const path = join(t.testdir(), 'bad.parquet');
  await writeFile(path, 'this is not a parquet file at all');
  await t.rejects(bytesOf(parquetOnThread(path)), /parquet/i);
});
