import { readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { Readable } from 'node:stream';
import { formatOfPath, openInput } from './formats.js';
import { INPUT_FORMATS, type InputFormat } from './format-names.js';

/** One data file of a dataset folder in the Hugging Face Hub's layout. */
export interface DataFile {
  path: string;
  /** Relative to the folder, with forward slashes: what messages name. */
  name: string;
  split: string;
  format: InputFormat;
}

/** JSON files that describe a dataset (`datasets` metadata, save_to_disk state) rather than hold it. */
const NOT_DATA = new Set(['dataset_infos.json', 'dataset_info.json', 'dataset_dict.json', 'state.json']);

/** The usual splits first, in this order; others after them, by name. */
const SPLIT_ORDER = ['train', 'validation', 'valid', 'dev', 'test'];

/**
 * The split a data file belongs to, by the Hub's naming conventions: a shard
 * `train-00000-of-00003.parquet`, a file `test.jsonl` or `train_part1.csv`, or a
 * folder `validation/` on its path. Files that name no split are `train`, as the Hub
 * takes them.
 */
export function splitOfName(name: string): string {
  const parts = name.split('/');
  const file = parts
    .at(-1)!
    .replace(/\.(gz|zst)$/i, '')
    .replace(/\.[^.]+$/, '');
  const shard = /^(.+?)-\d{5}-of-\d{5}$/.exec(file);
  if (shard) return shard[1]!;
  const known = (word: string): string | null => {
    const lower = word.toLowerCase();
    const hit = SPLIT_ORDER.find((s) => lower === s || lower.startsWith(`${s}-`) || lower.startsWith(`${s}_`) || lower.startsWith(`${s}.`));
    return hit ?? null;
  };
  const byFile = known(file);
  if (byFile) return byFile;
  for (const dir of parts.slice(0, -1).reverse()) if (dir !== 'data' && known(dir)) return known(dir)!;
  return 'train';
}

/** Every data file under `dir` (hidden folders and README/card files left out), in shard order. */
export async function datasetFiles(dir: string): Promise<DataFile[]> {
  const found: Array<{ name: string; path: string }> = [];
  const walk = async (at: string): Promise<void> => {
    const entries = await readdir(at, { withFileTypes: true });
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const path = join(at, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile()) found.push({ name: relative(dir, path).split(sep).join('/'), path });
    }
  };
  await walk(dir);
  return dataFilesOf(found);
}

/**
 * The data files among `entries` (name relative to the dataset's root, and where the file
 * is), with their splits and formats, sorted: each split's files together, in the usual
 * order of splits, shards in numeric order (00002 before 00010).
 */
export function dataFilesOf(entries: ReadonlyArray<{ name: string; path: string }>): DataFile[] {
  const files: DataFile[] = [];
  for (const { name, path } of entries) {
    if (name.split('/').some((part) => part.startsWith('.')) || NOT_DATA.has(name.split('/').at(-1)!)) continue;
    const { format } = formatOfPath(name);
    if (!(INPUT_FORMATS as readonly string[]).includes(format)) continue;
    files.push({ path, name, split: splitOfName(name), format: format as InputFormat });
  }
  return files.sort((a, b) => splitRank(a.split) - splitRank(b.split) || a.split.localeCompare(b.split) || a.name.localeCompare(b.name, 'en', { numeric: true }));
}

function splitRank(split: string): number {
  const at = SPLIT_ORDER.indexOf(split);
  return at === -1 ? SPLIT_ORDER.length : at;
}

/** The splits present, in reading order. */
export function splitsOf(files: readonly DataFile[]): string[] {
  return [...new Set(files.map((f) => f.split))];
}

/**
 * The files of the splits asked for (in the order asked), or why none can be chosen: a
 * folder with several splits needs --split, so train and test never mix by accident.
 */
export function chooseSplits(dir: string, files: readonly DataFile[], wanted: readonly string[] | undefined): { files: DataFile[] } | { error: string } {
  const splits = splitsOf(files);
  if (files.length === 0) return { error: `${dir} holds no data files (.parquet, .jsonl, .json, .csv, .tsv, optionally .gz or .zst)` };
  if (!wanted || wanted.length === 0) {
    if (splits.length === 1) return { files: [...files] };
    return { error: `${dir} has the splits ${splits.join(', ')}: choose with --split (e.g. --split ${splits[0]})` };
  }
  const unknown = wanted.filter((w) => !splits.includes(w));
  if (unknown.length > 0) return { error: `${dir} has no split ${unknown.join(', ')} (it has ${splits.join(', ')})` };
  return { files: wanted.flatMap((w) => files.filter((f) => f.split === w)) };
}

/** Where each input line came from: a shard and its own line number. */
export class ShardLines {
  private readonly starts: number[] = [];
  private readonly names: string[] = [];

  /** The shard that begins at global line `firstLine` (1-based). */
  begin(name: string, firstLine: number): void {
    this.starts.push(firstLine);
    this.names.push(name);
  }

  /** `data/train-00001-of-00003.parquet:12` for a global line number. */
  name(line: number): string | null {
    let lo = 0;
    let hi = this.starts.length - 1;
    if (hi < 0 || line < this.starts[0]!) return null;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= line) lo = mid;
      else hi = mid - 1;
    }
    return `${this.names[lo]}:${line - this.starts[lo]! + 1}`;
  }
}

/** A Parquet file's contents for the run: NDJSON bytes, or arrays of records (the run takes them as they are). */
export type ParquetChunks = (path: string) => AsyncIterable<Buffer | Array<Record<string, unknown>>>;

/**
 * The files read one after another as one stream, each in its own format: never more than
 * one file open, nothing loaded whole. JSONL and the like come as NDJSON bytes (a file
 * whose last line has no newline gets one, so it cannot run into the next); Parquet as
 * `readParquet` gives it, else as NDJSON too.
 */
export function openDataFiles(files: readonly DataFile[], shards: ShardLines, stdin: Readable, readParquet?: ParquetChunks): Readable {
  async function* chunks(): AsyncGenerator<Buffer | Array<Record<string, unknown>>> {
    let lineCount = 0;
    for (const file of files) {
      shards.begin(file.name, lineCount + 1);
      if (readParquet && file.format === 'parquet') {
        for await (const chunk of readParquet(file.path)) {
          if (Array.isArray(chunk)) lineCount += chunk.length;
          else for (let at = chunk.indexOf(0x0a); at !== -1; at = chunk.indexOf(0x0a, at + 1)) lineCount++;
          yield chunk;
        }
        continue;
      }
      let last = 0x0a;
      for await (const chunk of await openInput(file.path, file.format, stdin)) {
        const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
        if (bytes.length === 0) continue;
        for (let at = bytes.indexOf(0x0a); at !== -1; at = bytes.indexOf(0x0a, at + 1)) lineCount++;
        last = bytes[bytes.length - 1]!;
        yield bytes;
      }
      if (last !== 0x0a) {
        lineCount++;
        yield Buffer.from('\n');
      }
    }
  }
  return Readable.from(chunks());
}
