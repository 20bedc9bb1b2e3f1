import { createReadStream, fstatSync } from 'node:fs';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { INPUT_FORMATS, OUTPUT_FORMATS, type InputFormat, type OutputFormat } from './format-names.js';
import { JsonArrayToLines } from './json-array.js';
import { restoreRecord } from './parquet-schema.js';
import { parquetRowGroups } from './parquet-read.js';
import { parquetNdjson } from './parquet-ndjson.js';

export type Compression = 'gzip' | 'zstd' | null;

/** A file's format and compression from its name: data.csv.gz → csv, gzip. */
export function formatOfPath(path: string): { format: string; compression: Compression } {
  let name = path.toLowerCase();
  let compression: Compression = null;
  if (name.endsWith('.gz')) [name, compression] = [name.slice(0, -3), 'gzip'];
  else if (name.endsWith('.zst')) [name, compression] = [name.slice(0, -4), 'zstd'];
  const ext = name.slice(name.lastIndexOf('.') + 1);
  const format = ext === 'ndjson' || ext === 'jsonl' ? 'jsonl' : ext;
  return { format, compression };
}

/** The input format to use: --input-format, else the file's extension, else NDJSON. */
export function inputFormatOf(path: string | undefined, explicit: InputFormat | undefined): InputFormat {
  if (explicit) return explicit;
  if (!path) return 'jsonl';
  const { format } = formatOfPath(path);
  return (INPUT_FORMATS as readonly string[]).includes(format) ? (format as InputFormat) : 'jsonl';
}

/** The output format to use: --output-format, else the file's extension, else NDJSON. */
export function outputFormatOf(path: string | undefined, explicit: OutputFormat | undefined): OutputFormat {
  if (explicit) return explicit;
  if (!path) return 'jsonl';
  const { format } = formatOfPath(path);
  return (OUTPUT_FORMATS as readonly string[]).includes(format) ? (format as OutputFormat) : 'jsonl';
}

/**
 * Opens an input file as a stream of NDJSON bytes, whatever its format: gzip and zstd are
 * decompressed on the fly, a JSON array is cut into lines as it streams, CSV/TSV rows
 * become objects keyed by the header (values stay strings), and Parquet is read a row
 * group at a time. The engine downstream only ever sees NDJSON.
 */
export async function openInput(path: string | undefined, format: InputFormat, stdin: Readable): Promise<Readable> {
  if (format === 'parquet') {
    if (!path) throw new Error('Parquet is read from a file (--input FILE), not from stdin');
    return Readable.from(parquetNdjson(path), { objectMode: false });
  }
  let bytes: Readable = path ? createReadStream(path, { highWaterMark: FILE_READ_BYTES }) : fromStdin(stdin);
  const { compression } = path ? formatOfPath(path) : { compression: null };
  // zlib is loaded only for gzip input: it costs every other start half a millisecond.
  if (compression === 'gzip') bytes = bytes.pipe(process.getBuiltinModule('node:zlib').createGunzip());
  else if (compression === 'zstd') bytes = bytes.pipe(await zstdDecompressor());
  if (format === 'json') return bytes.pipe(new JsonArrayToLines());
  if (format === 'csv' || format === 'tsv') {
    const { parse } = await import('csv-parse');
    const rows = bytes.pipe(parse({ columns: true, delimiter: format === 'tsv' ? '\t' : ',', bom: true, skip_empty_lines: true, relax_quotes: format === 'tsv' }));
    return rows.pipe(new ObjectsToLines());
  }
  return bytes;
}

/**
 * Bytes per read from a regular file. Each read becomes one batch, and a batch has a fixed
 * cost (stage hand-offs, and with --threads two messages between threads): 256 KiB
 * instead of Node's 64 KiB cut the CPU of a rules run by about a tenth. Pipes and
 * terminals keep their own size, so records from a slow producer are not held back.
 */
const FILE_READ_BYTES = 256 * 1024;

/** Stdin as given, or, when it is a regular file (`< records.jsonl`), read in bigger pieces. */
function fromStdin(stdin: Readable): Readable {
  const fd = (stdin as Readable & { fd?: unknown }).fd;
  if (typeof fd !== 'number') return stdin;
  try {
    if (!fstatSync(fd).isFile()) return stdin;
  } catch {
    return stdin;
  }
  return createReadStream('', { fd, autoClose: false, highWaterMark: FILE_READ_BYTES });
}

/** Objects in, NDJSON bytes out. */
class ObjectsToLines extends Transform {
  constructor() {
    super({ writableObjectMode: true });
  }
  override _transform(row: unknown, _enc: BufferEncoding, done: TransformCallback): void {
    done(null, JSON.stringify(row) + '\n');
  }
}

/** Records per batch from a Parquet file: about what a 256 KiB NDJSON read holds. */
const RECORDS_PER_BATCH = 256;

/**
 * A Parquet file's records, a row group at a time, as objects: the run reads them without
 * a trip through NDJSON text (each record would be stringified here and parsed again).
 */
export async function* parquetRecordBatches(path: string): AsyncGenerator<Array<Record<string, unknown>>> {
  for await (const { rows: records, trip } of parquetRowGroups(path)) {
    // The reader's row objects are ours: given back in place (a copy of each cost a tenth of a read).
    for (const record of records) restoreRecord(record, trip);
    // Batches the size an NDJSON read makes: a whole row group in each stage of the run at once would hold ten times the memory.
    for (let at = 0; at < records.length; at += RECORDS_PER_BATCH) yield records.slice(at, at + RECORDS_PER_BATCH);
  }
}

/** zstd: Node 20 has none built in; fzstd is a small pure-JS streaming decoder. */
async function zstdDecompressor(): Promise<Transform> {
  const { Decompress } = await import('fzstd');
  const transform = new Transform({
    transform(chunk: Buffer, _enc, done) {
      try {
        decoder.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        done();
      } catch (err) {
        done(err as Error);
      }
    },
    flush(done) {
      try {
        decoder.push(new Uint8Array(0), true);
        done();
      } catch (err) {
        done(err as Error);
      }
    },
  });
  const decoder = new Decompress((data) => {
    transform.push(Buffer.from(data));
  });
  return transform;
}
