import { parquetFileWriter } from './parquet-file-writer.js';
import { plainIfDistinct } from './parquet-encoding.js';
import { huggingFaceFeatures, PARQUET_ROUND_TRIP_KEY, parquetSchema, roundTripOf, type Shape } from './parquet-schema.js';

type ParquetWriterT = InstanceType<typeof import('hyparquet-writer').ParquetWriter>;

/** A Parquet file being written: hyparquet-writer's writer, and the file under it. */
export interface ParquetFile {
  writer: ParquetWriterT;
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
  return { writer, close: () => file.close() };
}

/**
 * Writes one row group of column values (in the shapes' order). Statistics (min and max)
 * help readers skip row groups by number; on text and nested columns they cost a fifth of
 * the write and serve no such filter. Resolves once the group before is in the file.
 */
export function writeRowGroup(file: ParquetFile, shapes: Map<string, Shape>, values: unknown[][]): Promise<void> | void {
  let c = 0;
  const columnData = [...shapes].map(([name, shape]) => {
    const data = values[c++]!;
    const text = shape.kind === 'string' || shape.kind === 'json' || shape.kind === 'null';
    return { name, data, statistics: shape.kind === 'float64' || shape.kind === 'bool', encoding: text ? plainIfDistinct(data) : undefined };
  });
  return file.writer.write({ columnData, rowGroupSize: values[0]?.length ?? 0 });
}
