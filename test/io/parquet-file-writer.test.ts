import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { parquetFileWriter } from '../../lib/io/parquet-file-writer.js';

type Writer = Parameters<typeof import('hyparquet-writer').parquetWrite>[0]['writer'];

/** Three row groups, the second larger than the writer's first buffer (8 MiB). */
async function writeGroups(writer: Writer): Promise<void> {
  const { ParquetWriter } = await import('hyparquet-writer');
  const parquet = new ParquetWriter({
    writer,
    schema: [
      { name: 'root', num_children: 1 },
      { name: 'text', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
    ],
    codec: 'UNCOMPRESSED',
  });
  for (const [rows, size] of [
    [1000, 100],
    [3000, 4000],
    [10, 5],
  ] as const) {
    const data = Array.from({ length: rows }, (_, i) => (i % 7 === 0 ? null : `${i}:`.padEnd(size, 'abcdefg')));
    await parquet.write({ columnData: [{ name: 'text', data, encoding: 'PLAIN' }], rowGroupSize: rows });
  }
  await parquet.finish();
}

t.test("the file holds the same bytes as hyparquet-writer's own file writer gives, across groups larger than its buffer", async (t) => {
  const dir = t.testdir();
  const { fileWriter } = await import('hyparquet-writer');
  await writeGroups(fileWriter(join(dir, 'theirs.parquet')));
  await writeGroups(await parquetFileWriter(join(dir, 'ours.parquet')));
  const ours = readFileSync(join(dir, 'ours.parquet'));
  t.ok(ours.length > 9 << 20, `${ours.length} bytes, most in one group`);
  t.ok(ours.equals(readFileSync(join(dir, 'theirs.parquet'))));
});

t.test('a file that cannot be opened fails at once; closing twice is harmless', async (t) => {
  const dir = t.testdir();
  mkdirSync(join(dir, 'folder'));
  await t.rejects(parquetFileWriter(join(dir, 'folder')), /EISDIR/);
  const writer = await parquetFileWriter(join(dir, 'x.parquet'));
  await writer.close();
  await writer.close();
  t.throws(() => writer.getBytes(), /no bytes to give/);
});
