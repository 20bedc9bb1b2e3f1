import type { AsyncBuffer, Compressors, FileMetaData, ParquetParsers } from 'hyparquet';
import { PARQUET_ROUND_TRIP_KEY } from './parquet-schema.js';

/** What a file we wrote says about its columns: which hold JSON text, and where a null means "absent". */
export interface RoundTrip {
  json: Set<string>;
  absent: Set<string>;
}

const TEXT = new TextDecoder('utf-8', { ignoreBOM: true });

/**
 * Text as the value holds it: hyparquet's own decoder drops a leading U+FEFF (a byte order
 * mark to TextDecoder), so a value that began with one came back without it.
 */
const TEXT_AS_IS: Partial<ParquetParsers> = { stringFromBytes: (bytes: Uint8Array) => bytes && TEXT.decode(bytes) };

/** A Parquet file opened for reading: its bytes, its metadata, what it says about round trips. */
export interface OpenedParquet {
  file: AsyncBuffer;
  metadata: FileMetaData;
  trip: RoundTrip;
  compressors: Compressors;
}

export async function openParquetRead(path: string): Promise<OpenedParquet> {
  const { asyncBufferFromFile, parquetMetadataAsync } = await import('hyparquet');
  // Snappy in WebAssembly (hysnappy) decompresses a quarter faster than hyparquet's JS one.
  const { snappyUncompressor } = await import('hysnappy');
  const compressors = { SNAPPY: snappyUncompressor() };
  const file = await asyncBufferFromFile(path);
  const metadata = await parquetMetadataAsync(file);
  const noted = metadata.key_value_metadata?.find((kv) => kv.key === PARQUET_ROUND_TRIP_KEY)?.value;
  const parsed = noted ? (JSON.parse(noted) as { json?: string[]; absent?: string[] }) : {};
  return { file, metadata, compressors, trip: { json: new Set(parsed.json ?? []), absent: new Set(parsed.absent ?? []) } };
}

/**
 * A Parquet file's rows a row group at a time, as hyparquet gives them (`parsers` override
 * its decoding of text, dates and the like), with what the file says about round trips.
 */
export async function* parquetRowGroups(source: string | OpenedParquet, parsers: Partial<ParquetParsers> = TEXT_AS_IS): AsyncGenerator<{ rows: Array<Record<string, unknown>>; trip: RoundTrip }> {
  const { parquetReadObjects } = await import('hyparquet');
  const { file, metadata, compressors, trip } = typeof source === 'string' ? await openParquetRead(source) : source;
  let rowStart = 0;
  for (const group of metadata.row_groups) {
    const rowEnd = rowStart + Number(group.num_rows);
    const rows = await parquetReadObjects({ file, metadata, rowStart, rowEnd, compressors, parsers });
    yield { rows: rows as Array<Record<string, unknown>>, trip };
    rowStart = rowEnd;
  }
}
