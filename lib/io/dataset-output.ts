import { once } from 'node:events';
import { mkdir, readdir, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { renderCard, type DatasetLayout, type PipelineInfo } from '../report/card.js';
import { SummaryBuilder } from '../report/summary.js';
import { AtomicFile } from './atomic-file.js';
import type { OutputFile } from './output-file.js';
import { huggingFaceFeatures, shapeOfRows, type Shape } from './parquet-schema.js';
import type { GroupEncoderFactory } from './column-shredding.js';
import { GROUP_ROWS, ParquetOutput } from './table-output.js';

export interface DatasetFolderOptions {
  /** The split the records are written as (`train` unless told). */
  split: string;
  /** Records per shard. */
  shardRecords: number;
  format: 'parquet' | 'jsonl';
  /** The card's title. */
  title: string;
  /** What made the data, for the card (asked at the end, when the run's figures are known). */
  pipeline?: () => PipelineInfo | null;
  /** Where Parquet shards of scalar columns are encoded, when not on this thread (see ParquetOutput). */
  parquetThreads?: GroupEncoderFactory;
}

interface Shard {
  /** Hidden while written: a reader of the folder never sees a half-written shard. */
  path: string;
  stream: Writable;
  parquet: ParquetOutput | null;
  records: number;
  /** Ends the shard and puts it at `path`. */
  finish(): Promise<void>;
}

/**
 * --output DIR/: the records as a dataset folder in the Hugging Face Hub's layout, ready
 * to upload: shards `data/train-00000-of-00003.parquet` of `shardRecords` records each
 * (one schema for all: the first shard's), and a README.md card whose YAML front matter
 * declares the config, its data files, the features, the languages and the size. Shards
 * are written under hidden names and renamed once the last is done (the count in their
 * names is known only then); the split's shards from an earlier run are replaced.
 */
export class DatasetFolderOutput implements OutputFile {
  readonly stream: Writable;
  private shard: Shard | null = null;
  private readonly written: string[] = [];
  private shapes: Map<string, Shape> | null = null;
  private readonly summary = new SummaryBuilder();
  private carry = '';
  private records = 0;
  /** Records held back until the schema is fixed. */
  private sample: Array<Record<string, unknown>> = [];

  constructor(
    readonly dir: string,
    private readonly options: DatasetFolderOptions,
  ) {
    this.stream = Object.assign(
      new Writable({
        objectMode: true,
        write: (chunk: Buffer | string | Array<Record<string, unknown>>, _enc, done) => {
          this.take(chunk).then(() => done(), done);
        },
        final: (done) => {
          const rest = this.carry;
          this.carry = '';
          (rest.trim() === '' ? Promise.resolve() : this.record(JSON.parse(rest) as Record<string, unknown>))
            .then(() => (this.sample.length > 0 ? this.fixSchema() : undefined))
            .then(() => done(), done);
        },
      }),
      // The run's sink hands over records (see RecordsWritable), not NDJSON bytes.
      { acceptsRecords: true as const },
    );
  }

  async ready(): Promise<void> {
    await mkdir(join(this.dir, 'data'), { recursive: true });
  }

  private async take(chunk: Buffer | string | Array<Record<string, unknown>>): Promise<void> {
    if (Array.isArray(chunk)) {
      if (this.shapes || this.options.format !== 'parquet') {
        for (const record of chunk) this.summary.add(record);
        await this.putAll(chunk);
      } else for (const record of chunk) await this.record(record);
      return;
    }
    const lines = (this.carry + chunk.toString()).split('\n');
    this.carry = lines.pop() ?? '';
    for (const line of lines) if (line !== '') await this.record(JSON.parse(line) as Record<string, unknown>);
  }

  private async record(record: Record<string, unknown>): Promise<void> {
    this.summary.add(record);
    // The schema of every shard comes from the first 10,000 records, however small a shard.
    if (this.options.format === 'parquet' && !this.shapes) {
      this.sample.push(record);
      if (this.sample.length >= GROUP_ROWS) await this.fixSchema();
      return;
    }
    await this.put(record);
  }

  /** Fixes the schema from the records held back, then writes them. */
  private async fixSchema(): Promise<void> {
    const sample = this.sample;
    this.sample = [];
    this.shapes = shapeOfRows(sample, [...new Set(sample.flatMap((r) => Object.keys(r)))]);
    await this.putAll(sample);
  }

  private put(record: Record<string, unknown>): Promise<void> {
    return this.putAll([record]);
  }

  /** Writes records to the shards, a slice per shard, starting a new shard when one is full. */
  private async putAll(records: Array<Record<string, unknown>>): Promise<void> {
    let at = 0;
    while (at < records.length) {
      if (!this.shard) this.shard = this.openShard(this.written.length);
      const shard = this.shard;
      const slice = records.slice(at, at + this.options.shardRecords - shard.records);
      const chunk = shard.parquet ? slice : slice.map((r) => `${JSON.stringify(r)}\n`).join('');
      if (!shard.stream.write(chunk)) await Promise.race([once(shard.stream, 'drain'), once(shard.stream, 'error').then(([err]) => Promise.reject(err as Error))]);
      shard.records += slice.length;
      this.records += slice.length;
      at += slice.length;
      if (shard.records >= this.options.shardRecords) await this.closeShard();
    }
  }

  private openShard(index: number): Shard {
    const path = join(this.dir, 'data', `.${this.options.split}-${String(index).padStart(5, '0')}.${this.options.format}`);
    if (this.options.format === 'parquet') {
      const parquet = new ParquetOutput(path, this.shapes, this.options.parquetThreads ?? null);
      const finish = async (): Promise<void> => {
        const ended = once(parquet, 'finish');
        parquet.end();
        await ended;
      };
      return { path, stream: parquet, parquet, records: 0, finish };
    }
    const file = new AtomicFile(path);
    return { path, stream: file.stream, parquet: null, records: 0, finish: () => file.commit() };
  }

  private async closeShard(): Promise<void> {
    const shard = this.shard;
    if (!shard) return;
    this.shard = null;
    await shard.finish();
    this.written.push(shard.path);
  }

  async commit(): Promise<void> {
    if (!this.stream.writableFinished) {
      const finished = once(this.stream, 'finish');
      this.stream.end();
      await finished;
    }
    await this.closeShard();
    const { split, format } = this.options;
    const total = this.written.length;
    const finalName = (i: number): string => `${split}-${String(i).padStart(5, '0')}-of-${String(total).padStart(5, '0')}.${format}`;
    // This split's shards from an earlier run go; other splits stay.
    const mine = new RegExp(`^${split.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-\\d{5}-of-\\d{5}\\.(parquet|jsonl)$`);
    for (const name of await readdir(join(this.dir, 'data'))) {
      if (mine.test(name)) await unlink(join(this.dir, 'data', name));
    }
    for (const [i, path] of this.written.entries()) await rename(path, join(this.dir, 'data', finalName(i)));
    // The card declares every split in the folder: this one, and those earlier runs wrote.
    const others = new Set<string>();
    for (const name of await readdir(join(this.dir, 'data'))) {
      const m = /^(.+)-\d{5}-of-\d{5}\.(parquet|jsonl)$/.exec(name);
      if (m && m[1] !== split) others.add(m[1]!);
    }
    const layout: DatasetLayout = {
      splits: [{ name: split, path: `data/${split}-*`, records: this.records }, ...[...others].sort().map((name) => ({ name, path: `data/${name}-*`, records: null }))],
      features: this.shapes ? huggingFaceFeatures(this.shapes) : null,
    };
    const card = new AtomicFile(join(this.dir, 'README.md'));
    await card.ready();
    card.stream.write(renderCard(this.summary.summary(), this.options.title, this.options.pipeline?.() ?? null, layout));
    await card.commit();
  }

  async abort(): Promise<void> {
    const shard = this.shard;
    this.shard = null;
    shard?.stream.destroy();
    await shard?.parquet?.abort();
    for (const path of [...this.written, ...(shard ? [shard.path] : [])]) await unlink(path).catch(() => undefined);
  }
}
