import type { Writable } from 'node:stream';
import type { OutputFormat } from './format-names.js';
import { DatasetFolderOutput, type DatasetFolderOptions } from './dataset-output.js';
import type { GroupEncoderFactory } from './column-shredding.js';
import { openOutputFile, type OutputFile } from './output-file.js';
import { SideOutput } from './side-output.js';

export interface OutputPaths {
  /** --output; stdout when absent. */
  output?: string;
  /** How --output is written (default NDJSON). */
  format?: OutputFormat;
  errors?: string;
  rejected?: string;
  /** --output is a dataset folder: shards and a card (see DatasetFolderOutput). */
  dataset?: DatasetFolderOptions;
  /** Where Parquet output of scalar columns is encoded, when not on this thread (see ParquetOutput). */
  parquetThreads?: GroupEncoderFactory;
}

/**
 * How the files are written: `replace` writes each under a temporary name and renames it
 * into place at the end; `resume` appends to what an earlier run wrote; `resume-retry-errors`
 * appends too but starts the errors file afresh (its records are being done again).
 */
export type OutputMode = 'replace' | 'resume' | 'resume-retry-errors';

/**
 * Where a command's records go: the output (a file or stdout) and the side files for
 * errors and rejected records. One class for run, oasst and queue drain, so every command
 * opens, commits and cleans up its files the same way.
 */
export class RunOutputs {
  readonly output: Writable;
  /** The output's name for messages: its path, or "stdout". */
  readonly outputName: string;
  readonly errors?: SideOutput;
  readonly rejected?: SideOutput;
  private readonly files: Array<OutputFile | SideOutput>;

  constructor(paths: OutputPaths, stdout: Writable, mode: OutputMode = 'replace') {
    const threads = paths.parquetThreads ?? null;
    const outputFile = !paths.output
      ? null
      : paths.dataset
        ? new DatasetFolderOutput(paths.output, { ...paths.dataset, ...(threads ? { parquetThreads: threads } : {}) })
        : openOutputFile(paths.output, paths.format ?? 'jsonl', mode !== 'replace', threads);
    this.output = outputFile ? outputFile.stream : stdout;
    this.outputName = paths.output ?? 'stdout';
    const side = mode === 'replace' ? 'atomic' : 'append';
    this.errors = paths.errors ? new SideOutput(paths.errors, mode === 'resume-retry-errors' ? 'truncate' : side) : undefined;
    this.rejected = paths.rejected ? new SideOutput(paths.rejected, side) : undefined;
    this.files = [outputFile, this.errors, this.rejected].filter((f): f is OutputFile | SideOutput => f !== null && f !== undefined);
  }

  /** Resolves once every file is open; otherwise removes what was created and rejects. */
  async ready(): Promise<void> {
    try {
      await Promise.all(this.files.map((f) => f.ready()));
    } catch (err) {
      await this.abort();
      throw err;
    }
  }

  /** Ends every file and moves it into place. */
  async commit(): Promise<void> {
    await Promise.all(this.files.map((f) => f.commit()));
  }

  /** After a failure: keeps what was written where it can (an interrupted run's output is worth reading). */
  async keepWhatWasWritten(): Promise<void> {
    await Promise.all(this.files.map((f) => f.commit().catch(() => undefined)));
  }

  /** Removes the temporary files; nothing is moved into place. */
  async abort(): Promise<void> {
    await Promise.all(this.files.map((f) => f.abort().catch(() => undefined)));
  }
}
