import { type GroupEncoder, type ShreddedGroup, slotValuesOf } from './column-shredding.js';
import { parquetFileWriter } from './parquet-file-writer.js';
import { plainIfDistinct } from './parquet-encoding.js';
import { huggingFaceFeatures, PARQUET_ROUND_TRIP_KEY, parquetSchema, roundTripOf, type Shape } from './parquet-schema.js';

type ParquetWriterT = InstanceType<typeof import('hyparquet-writer').ParquetWriter>;
type WriteColumn = typeof import('hyparquet-writer/src/column.js').writeColumn;
type SchemaElement = ParquetWriterT['schema'][number];

/** A Parquet file being written: hyparquet-writer's writer, and the file under it. */
export interface ParquetFile {
  writer: ParquetWriterT;
  /** hyparquet-writer's column chunk writer, for groups shredded here (writeShreddedGroup). */
  writeColumn: WriteColumn;
  close(): Promise<void>;
}

/**
 * Opens a Parquet file for columns of these shapes, with the `huggingface` features in its
 * metadata and what our reader needs to give the records back exactly (parquet-schema.ts).
 */
export async function openParquetFile(path: string, shapes: Map<string, Shape>): Promise<ParquetFile> {
  const { ParquetWriter } = await import('hyparquet-writer');
  // hysnappy: Snappy in WebAssembly, from hyparquet's authors; the JS compressor took 40% of a write.
  // One compressor for the file: its `snappyCompress` compiles and instantiates the module
  // (with fresh memory, grown to the page) for every page, a sixth of a write.
  const { snappyCompressor } = await import('hysnappy');
  const { writeColumn } = await import('hyparquet-writer/src/column.js');
  const file = await parquetFileWriter(path);
  const writer =
    shapes.size === 0
      ? new ParquetWriter({ writer: file, schema: [{ name: 'root', num_children: 0 }] })
      : new ParquetWriter({
          writer: file,
          compressors: { SNAPPY: snappyCompressor() },
          schema: parquetSchema(shapes),
          kvMetadata: [
            { key: 'huggingface', value: JSON.stringify({ info: { features: huggingFaceFeatures(shapes) } }) },
            { key: PARQUET_ROUND_TRIP_KEY, value: JSON.stringify(roundTripOf(shapes)) },
          ],
          createdBy: 'sygra-stream',
        });
  return { writer, writeColumn, close: () => file.close() };
}

/** Each leaf column's path of schema elements, root first, in the schema's order. */
function leafPaths(schema: SchemaElement[]): SchemaElement[][] {
  const out: SchemaElement[][] = [];
  let at = 1;
  const walk = (above: SchemaElement[]): void => {
    const element = schema[at++]!;
    const path = [...above, element];
    if (element.type !== undefined) out.push(path);
    else for (let i = 0; i < (element.num_children ?? 0); i++) walk(path);
  };
  for (let i = 0; i < (schema[0]?.num_children ?? 0); i++) walk(schema.slice(0, 1));
  return out;
}

/**
 * Writes one row group shredded by ShreddedGroupBuilder: each leaf's levels and values go
 * to hyparquet-writer's column chunk writer as they are, where its `write` would walk the
 * rows' objects again for every leaf (its Dremel encoding). The group is recorded in the
 * writer as `write` records it, so its `finish` writes the footer. Statistics (min and
 * max) are kept for number and boolean columns only: they help readers skip row groups by
 * number, and on text and nested columns they cost a fifth of the write and serve no such
 * filter. Resolves once the group before is in the file.
 */
export function writeShreddedGroup(file: ParquetFile, shapes: Map<string, Shape>, group: ShreddedGroup): Promise<void> | void {
  const { writer } = file;
  const paths = leafPaths(writer.schema);
  if (paths.length !== group.leaves.length) throw new Error(`a row group of ${group.leaves.length} leaf columns for a schema of ${paths.length}`);
  const sink = writer.writer;
  const groupStart = sink.offset;
  const chunks = paths.map((schemaPath, i) => {
    const leaf = group.leaves[i]!;
    const top = shapes.get(schemaPath[1]!.name)!;
    const values = slotValuesOf(leaf);
    const result = file.writeColumn({
      writer: sink,
      column: {
        columnName: schemaPath
          .slice(1)
          .map((e) => e.name)
          .join('.'),
        element: schemaPath.at(-1)!,
        schemaPath,
        codec: writer.codec,
        compressors: writer.compressors,
        stats: top.kind === 'float64' || top.kind === 'bool',
        statisticsTruncateLength: writer.statisticsTruncateLength,
        pageSize: 1 << 20,
        columnIndex: false,
        offsetIndex: true,
        encoding: leaf.kind === 'text' ? plainIfDistinct(values) : undefined,
      },
      // The levels stay typed arrays: the writer only indexes and slices them.
      pageData: { values, definitionLevels: leaf.defs as unknown as number[], repetitionLevels: leaf.reps as unknown as number[], maxDefinitionLevel: leaf.maxDef },
    });
    writer.pendingIndexes.push(result);
    return result.chunk;
  });
  let total = 0n;
  for (const { meta_data } of chunks) total += meta_data?.total_uncompressed_size ?? 0n;
  const rows = BigInt(group.rows);
  writer.num_rows += rows;
  writer.row_groups.push({ columns: chunks, total_byte_size: total, num_rows: rows, total_compressed_size: BigInt(sink.offset - groupStart) });
  return sink.flush?.();
}

/** A GroupEncoder that encodes each row group on this thread, as it is handed over. */
export async function parquetEncoderHere(file: { path: string; shapes: Map<string, Shape> }): Promise<GroupEncoder> {
  const opened = await openParquetFile(file.path, file.shapes);
  return {
    async write(group) {
      await writeShreddedGroup(opened, file.shapes, group);
    },
    async finish() {
      await opened.writer.finish();
    },
    abort: () => opened.close(),
  };
}
