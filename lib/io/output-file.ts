import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { AppendFile } from './append-file.js';
import { AtomicFile } from './atomic-file.js';
import type { OutputFormat } from './format-names.js';
import type { GroupEncoderFactory } from './column-shredding.js';
import { CsvOutput, ParquetOutput } from './table-output.js';

/** The --output file, in any format: where the engine's NDJSON bytes go. */
export interface OutputFile {
  readonly stream: Writable;
  ready(): Promise<void>;
  commit(): Promise<void>;
  abort(): Promise<void>;
}

/**
 * NDJSON is written atomically (or appended in place with --resume); CSV, TSV and Parquet
 * are converted on the way (Parquet's scalar columns encoded by `parquetThreads` if given).
 */
export function openOutputFile(path: string, format: OutputFormat, append: boolean, parquetThreads: GroupEncoderFactory | null = null): OutputFile {
  if (format === 'jsonl') return append ? new AppendFile(path) : new AtomicFile(path);
  if (format === 'parquet') {
    const table = new ParquetOutput(path, null, parquetThreads);
    return {
      stream: table,
      ready: async () => undefined,
      commit: () => finished(table),
      abort: async () => {
        table.destroy();
        await table.abort();
      },
    };
  }
  const file = new AtomicFile(path);
  const table = new CsvOutput(file, format === 'tsv' ? '\t' : ',');
  table.on('error', (err) => file.stream.destroy(err));
  return {
    stream: table,
    ready: () => file.ready(),
    commit: async () => {
      await finished(table);
      await file.commit();
    },
    abort: async () => {
      table.destroy();
      await file.abort();
    },
  };
}

async function finished(stream: Writable): Promise<void> {
  if (stream.writableFinished) return;
  if (stream.destroyed) throw stream.errored ?? new Error('output closed');
  const done = once(stream, 'finish');
  stream.end();
  await done;
}
