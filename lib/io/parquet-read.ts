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
  path: string;
  file: AsyncBuffer;
  metadata: FileMetaData;
  trip: RoundTrip;
  compressors: Compressors;
}

/**
 * An error met reading a Parquet file, as the run reports it: naming the file and, when
 * one was being read, the row group. A system error (a missing file, a failed read) names
 * its path already and is left as it is.
 */
export function parquetReadError(path: string, err: unknown, group?: { index: number; count: number }): Error {
  if (err instanceof Error && 'code' in err && typeof err.code === 'string' && err.code.startsWith('E')) return err;
  const message = err instanceof Error ? err.message : String(err);
  const where = group ? ` (row group ${group.index + 1} of ${group.count})` : '';
  return new Error(`${path}: not a readable Parquet file${where}: ${message}`);
}

export async function openParquetRead(path: string): Promise<OpenedParquet> {
  const { asyncBufferFromFile, parquetMetadataAsync } = await import('hyparquet');
  // Snappy in WebAssembly (hysnappy) decompresses a quarter faster than hyparquet's JS one.
  const { snappyUncompressor } = await import('hysnappy');
  const compressors = { SNAPPY: snappyUncompressor() };
  const file = await asyncBufferFromFile(path);
  let metadata: FileMetaData;
  try {
    metadata = await parquetMetadataAsync(file);
  } catch (err) {
    throw parquetReadError(path, err);
  }
  const noted = metadata.key_value_metadata?.find((kv) => kv.key === PARQUET_ROUND_TRIP_KEY)?.value;
  const parsed = noted ? (JSON.parse(noted) as { json?: string[]; absent?: string[] }) : {};
  return { path, file, metadata, compressors, trip: { json: new Set(parsed.json ?? []), absent: new Set(parsed.absent ?? []) } };
}

/**
 * A Parquet file's rows a row group at a time, as hyparquet gives them (`parsers` override
 * its decoding of text, dates and the like), with what the file says about round trips.
 */
export async function* parquetRowGroups(source: string | OpenedParquet, parsers: Partial<ParquetParsers> = TEXT_AS_IS): AsyncGenerator<{ rows: Array<Record<string, unknown>>; trip: RoundTrip }> {
  const { parquetReadObjects } = await import('hyparquet');
  const { path, file, metadata, compressors, trip } = typeof source === 'string' ? await openParquetRead(source) : source;
  let rowStart = 0;
  for (const [index, group] of metadata.row_groups.entries()) {
    const rowEnd = rowStart + Number(group.num_rows);
    let rows: unknown[];
    try {
      rows = await parquetReadObjects({ file, metadata, rowStart, rowEnd, compressors, parsers });
    } catch (err) {
      throw parquetReadError(path, err, { index, count: metadata.row_groups.length });
    }
    yield { rows: rows as Array<Record<string, unknown>>, trip };
    rowStart = rowEnd;
  }
}
