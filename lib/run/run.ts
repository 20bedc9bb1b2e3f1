import { statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import h from 'highland';
import type { Batch, JsonObject } from '../record/item.js';
import { Readable, type Writable } from 'node:stream';
import type { Graph } from '../graph/graph.js';
import { writeStatsFile } from '../io/stats-file.js';
import { openDataFiles, ShardLines, type DataFile } from '../io/dataset-folder.js';
import { formatOfPath, openInput, parquetRecordBatches } from '../io/formats.js';
import { parquetNdjson } from '../io/parquet-ndjson.js';
import type { InputFormat, OutputFormat } from '../io/format-names.js';
import { RunOutputs } from '../io/outputs.js';
import { FinishedIds, recordId, scanFinished } from '../io/resume.js';
import { type FinishedKeys, journalPathOf, ResumeJournal, resumeFromJournal, type ResumeStart } from '../io/resume-journal.js';
import { getPath, type FieldPath } from '../record/path.js';
import { batchSource } from '../io/source.js';
import { parseUnparsed } from '../io/line-framer.js';
import { generatedSource } from '../io/generate-source.js';
import { ProgressLine } from '../metrics/progress.js';
import { newTrace } from '../record/trace.js';
import { RunStats, type RunStatsReport } from '../metrics/run-stats.js';
import { graphStage, sourceStage, threadedGraph } from '../engine/pipeline.js';
import { describeIoError, runRecords } from './records-run.js';
// Imported when used: they load node:worker_threads and node:http, which a plain run does not need.
import type { ThreadPool, threadStage } from './thread-pool.js';
import type { MetricsServer } from './metrics-server.js';
import { PARQUET_THREAD_MIN_BYTES, parquetOnThread } from './parquet-thread.js';
import { parquetEncoderOnThread } from './parquet-encode-thread.js';

export interface RunOptions {
  graph: Graph;
  version: string;
  /** File to read; stdin when absent. */
  inputPath?: string;
  /** A dataset folder's files to read instead, one after another (a folder given as --input). */
  dataset?: DataFile[];
  /** How the input is written (default: from the file name, else NDJSON). */
  inputFormat?: InputFormat;
  /** How the output is written (default: from the file name, else NDJSON). */
  outputFormat?: OutputFormat;
  /** File to write atomically; stdout when absent. */
  outputPath?: string;
  /** --output is a dataset folder: its split, shard size and card title. */
  datasetOutput?: { split: string; shardRecords: number; title: string };
  errorsPath?: string;
  rejectedPath?: string;
  statsPath?: string;
  ordered: boolean;
  /** The longest input line (--max-line-mb); a longer one is an error record. */
  maxLineBytes?: number;
  failFast: boolean;
  progress: boolean;
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
  /** Aborted on SIGINT: stop reading, finish what is in flight, report. */
  interrupt: AbortSignal;
  /** `--generate N`: N empty records instead of input. */
  generate?: number;
  /** Take only the first N records (--dry-run). */
  limit?: number;
  /** --resume: pass over records an earlier run finished; write output and side files in place. */
  resume?: ResumeOptions;
  /** Aborted when --max-cost / --max-requests refuses a request: stop reading. */
  budgetSpent?: AbortSignal;
  /** --provenance: each output record gets `_sygra` (see provenanceOf). */
  provenance?: boolean;
  /** --threads N (N > 1): worker threads run the graph; the caller checked threadBlocker. */
  threads?: { count: number; seed: number };
  /** --metrics-port: Prometheus metrics of the run at http://HOST:PORT/metrics while it runs. */
  metrics?: { port: number; host: string };
}

export interface ResumeOptions {
  idPath: FieldPath;
  /** --retry-errors: records in the errors file are done again (and the file starts afresh). */
  retryErrors: boolean;
}

export type RunStatus = { kind: 'ok' } | { kind: 'interrupted' } | { kind: 'budget'; message: string } | { kind: 'failed'; message: string };

export interface RunResult {
  status: RunStatus;
  report: RunStatsReport;
}

/** Runs records from input through the graph to output, counting every one. */
export async function runGraph(options: RunOptions): Promise<RunResult> {
  const stats = new RunStats();
  if (!options.metrics) return runWith(options, stats);
  let metrics: MetricsServer;
  try {
    const { startMetricsServer } = await import('./metrics-server.js');
    metrics = await startMetricsServer(options.metrics.port, options.metrics.host, { stats, models: options.graph.models });
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    return { status: { kind: 'failed', message: `cannot serve metrics on ${options.metrics.host}:${options.metrics.port}: ${reason}` }, report: stats.report(options.version, options.graph.file) };
  }
  options.stderr.write(`sygra-stream: metrics on ${metrics.url}\n`);
  try {
    return await runWith(options, stats);
  } finally {
    await metrics.close();
  }
}

async function runWith(options: RunOptions, stats: RunStats): Promise<RunResult> {
  const stopReading = new AbortController();
  let failFastMessage: string | null = null;
  options.interrupt.addEventListener('abort', () => stopReading.abort(), { once: true });
  const fatal = options.graph.models.fatal.signal;
  fatal.addEventListener('abort', () => stopReading.abort(), { once: true });
  options.budgetSpent?.addEventListener('abort', () => stopReading.abort(), { once: true });
  const report = (): RunStatsReport => stats.report(options.version, options.graph.file, options.graph.models.report(), options.graph.sha256);

  const resume = options.resume;
  // Before the outputs open: --retry-errors empties the errors file the journal measures.
  let start: ResumeStart | null = null;
  if (resume && options.outputPath) {
    try {
      start = await findFinished(options, resume, options.outputPath);
    } catch (err) {
      return { status: { kind: 'failed', message: `cannot resume: ${describeIoError(err as Error)}` }, report: report() };
    }
  }
  const outputs = new RunOutputs(
    {
      output: options.outputPath,
      format: options.outputFormat,
      errors: options.errorsPath,
      rejected: options.rejectedPath,
      dataset: options.datasetOutput && {
        ...options.datasetOutput,
        format: options.outputFormat === 'jsonl' ? 'jsonl' : 'parquet',
        pipeline: () => ({ version: options.version, graph: options.graph.file, graph_sha256: options.graph.sha256, models: Object.fromEntries(options.graph.models.inUse().map((m) => [m, {}])) }),
      },
      parquetThreads: parquetEncoderOnThread,
    },
    options.stdout,
    !resume ? 'replace' : resume.retryErrors ? 'resume-retry-errors' : 'resume',
  );
  let resumed: { finished: FinishedKeys; journal: ResumeJournal } | null = null;
  if (resume && start && options.outputPath) {
    try {
      await outputs.ready();
      resumed = { finished: start.finished, journal: await startJournal(options, resume, options.outputPath, outputs, start.finished) };
    } catch (err) {
      await outputs.abort();
      return { status: { kind: 'failed', message: `cannot resume: ${describeIoError(err as Error)}` }, report: report() };
    }
  }
  const progress = options.progress
    ? new ProgressLine(stats, options.stderr, {
        llm: () => (options.graph.models.inUse().length > 0 ? options.graph.models.progress() : null),
        // Bytes read only measure progress through a plain NDJSON file (not one decompressed or converted).
        inputBytes:
          options.inputPath && options.generate === undefined && (options.inputFormat ?? 'jsonl') === 'jsonl' && formatOfPath(options.inputPath).compression === null
            ? fileSize(options.inputPath)
            : undefined,
      })
    : null;
  const graph = options.graph;
  // A dataset folder's shards: which one each input line came from, for --errors and --rejected.
  const shards = new ShardLines();
  // Started once the input is open: the workers load the graph while nothing else waits.
  let threads: { pool: ThreadPool; stage: typeof threadStage } | null = null;
  const result = await runRecords({
    openInput: () =>
      options.generate !== undefined
        ? Promise.resolve(options.stdin)
        : options.dataset
          ? Promise.resolve(openDataFiles(options.dataset, shards, options.stdin, (path) => parquetChunks(path, !options.threads)))
          : options.inputFormat === 'parquet' && options.inputPath
            ? Promise.resolve(Readable.from(parquetChunks(options.inputPath, !options.threads)))
            : openInput(options.inputPath, options.inputFormat ?? 'jsonl', options.stdin),
    outputs,
    stats,
    stopReading,
    source: (input) =>
      options.generate !== undefined
        ? generatedSource(options.generate, graph.entry, stats, stopReading.signal)
        : batchSource(input, graph.entry, stats, stopReading.signal, threads === null, options.maxLineBytes),
    pipeline: (lines) => {
      const converted = sourceStage(graph, stats)(lines);
      const limited = options.limit === undefined ? converted : firstRecords(converted, options.limit, stats, stopReading);
      const unfinished = resume && resumed ? passOverFinished(limited, resume.idPath, resumed.finished, stats) : limited;
      const records = options.provenance ? unfinished.map(startTraces) : unfinished;
      // Four batches per thread: one being worked on, the rest queued, so no thread waits for the reader.
      return threads ? threads.stage(threads.pool, options.threads!.count * 4, options.ordered)(records) : graphStage(graph, { ordered: options.ordered, stats })(records);
    },
    sink: {
      lineSource: options.dataset ? (line) => shards.name(line) : undefined,
      provenance: options.provenance ? { version: options.version, graphSha256: graph.sha256 } : undefined,
      idPath: resume?.idPath,
      journal: resumed?.journal,
      onError: options.failFast
        ? (line, message) => {
            failFastMessage ??= `stopped at the first error (--fail-fast): line ${line}: ${message}`;
            stopReading.abort();
          }
        : undefined,
    },
    started: async () => {
      await progress?.start();
      if (options.threads) {
        // The main thread is one of the N: it runs the graph too when the workers have enough in hand.
        const { count, seed } = options.threads;
        const { ThreadPool, threadStage } = await import('./thread-pool.js');
        const pool = new ThreadPool(
          count - 1,
          { graphPath: graph.file, seed, keepFiltered: outputs.rejected !== undefined, keepFailed: outputs.errors !== undefined },
          stats,
          mainThreadRunner(graph, stats),
        );
        threads = { pool, stage: threadStage };
      }
    },
    drained: async () => {
      await threads?.pool.close();
      progress?.stop();
      stats.interrupted = options.interrupt.aborted;
    },
  });
  await resumed?.journal.close();
  if (resumed && resumed.finished.repeats > 0) {
    options.stderr.write(
      `sygra-stream: resume: ${resumed.finished.repeats} input records repeat an earlier record's id; each is known by its id and occurrence (the k-th record with that id in the input)\n`,
    );
  }
  // A run that replaced the output leaves no journal describing the file it replaced.
  if (!resume && options.outputPath && result.ok) await rm(journalPathOf(options.outputPath), { force: true });
  const final = report();
  if (!result.ok && result.opening) return { status: { kind: 'failed', message: result.message }, report: final };
  if (options.statsPath) {
    try {
      await writeStatsFile(options.statsPath, final);
    } catch (err) {
      // The disk that refused the output may refuse the stats too: they go to stderr instead.
      options.stderr.write(`sygra-stream: ${(err as Error).message}; the statistics follow on stderr\n${JSON.stringify(final)}\n`);
      if (result.ok) return { status: { kind: 'failed', message: (err as Error).message }, report: final };
    }
  }

  if (!result.ok) return { status: { kind: 'failed', message: result.message }, report: final };
  if (fatal.aborted) return { status: { kind: 'failed', message: String(fatal.reason) }, report: final };
  if (failFastMessage) return { status: { kind: 'failed', message: failFastMessage }, report: final };
  if (options.budgetSpent?.aborted) return { status: { kind: 'budget', message: String(options.budgetSpent.reason) }, report: final };
  if (options.interrupt.aborted) return { status: { kind: 'interrupted' }, report: final };
  return { status: { kind: 'ok' }, report: final };
}

/**
 * --resume: reads the journal (or, without one that fits, the ids in the files) and cuts
 * the files back to what it vouches for.
 */
async function findFinished(options: RunOptions, resume: ResumeOptions, output: string): Promise<ResumeStart> {
  const files = { output, errors: options.errorsPath, rejected: options.rejectedPath };
  const start = await resumeFromJournal(files, resume.idPath.join('.'), resume.retryErrors, async (finished) => {
    const scanned = async (path: string | undefined, idOf: (r: JsonObject) => unknown, failed: boolean): Promise<void> => {
      if (path === undefined) return;
      const ids = new FinishedIds();
      await scanFinished(path, idOf, ids);
      finished.addCounted(ids, failed);
    };
    await scanned(output, (r) => getPath(r, resume.idPath), false);
    await scanned(options.rejectedPath, (r) => r.id, false);
    if (!resume.retryErrors) await scanned(options.errorsPath, (r) => r.id, true);
  });
  if (start.journalNotUsed) options.stderr.write(`sygra-stream: resume: ${start.journalNotUsed}\n`);
  return start;
}

/** --resume, once the outputs are open: this run's journal, starting with what is finished. */
function startJournal(options: RunOptions, resume: ResumeOptions, output: string, outputs: RunOutputs, finished: FinishedKeys): Promise<ResumeJournal> {
  return ResumeJournal.start(
    {
      output,
      errors: options.errorsPath === undefined ? undefined : { path: options.errorsPath, bytes: () => outputs.errors?.bytes ?? 0 },
      rejected: options.rejectedPath === undefined ? undefined : { path: options.rejectedPath, bytes: () => outputs.rejected?.bytes ?? 0 },
    },
    resume.idPath.join('.'),
    finished,
  );
}

/**
 * --resume: drops records an earlier run finished (counted as skipped) and tags the others
 * with their id, which the sink writes with them, and their journal entry.
 */
function passOverFinished(stream: Highland.Stream<Batch>, idPath: FieldPath, finished: FinishedKeys, stats: RunStats): Highland.Stream<Batch> {
  return stream.map((batch) => {
    const kept: Batch = [];
    for (const item of batch) {
      const id = recordId(item, idPath);
      const entry = finished.next(id);
      if (entry === null) continue;
      item.id = id;
      item.resume = entry;
      kept.push(item);
    }
    const skipped = batch.length - kept.length;
    stats.skipped += skipped;
    stats.inFlight -= skipped;
    return kept;
  });
}

/** With --threads, the graph as the main thread runs it on a batch of lines the framer left unparsed. */
function mainThreadRunner(graph: Graph, stats: RunStats): (batch: Batch) => Batch {
  const run = threadedGraph(graph, stats);
  return (batch) => run(batch.map((item) => parseUnparsed(item, graph.entry)));
}

function startTraces(batch: Batch): Batch {
  for (const item of batch) item.trace = newTrace();
  return batch;
}

/** Passes the first `limit` records on, then stops reading; the rest never count as read. */
function firstRecords(stream: Highland.Stream<Batch>, limit: number, stats: RunStats, stopReading: AbortController): Highland.Stream<Batch> {
  let left = limit;
  return stream.consume<Batch>((err, batch, push, next) => {
    if (err) return void (push(err), next());
    if (h.isNil(batch) || left <= 0) {
      if (!h.isNil(batch)) stats.replaced(batch.length, 0);
      stopReading.abort();
      return void push(null, h.nil);
    }
    const kept = batch.slice(0, left);
    stats.replaced(batch.length - kept.length, 0);
    left -= kept.length;
    push(null, kept);
    next();
  });
}

/**
 * A Parquet file's records for the run: a large file decoded to NDJSON on a worker thread
 * (see parquet-thread.ts); a small one read here, as records when the run takes them
 * (not with --threads, whose workers are sent lines), else as NDJSON.
 */
async function* parquetChunks(path: string, asRecords: boolean): AsyncGenerator<Buffer | Array<Record<string, unknown>>> {
  if ((fileSize(path) ?? 0) >= PARQUET_THREAD_MIN_BYTES) yield* parquetOnThread(path);
  else if (asRecords) yield* parquetRecordBatches(path);
  else yield* parquetNdjson(path);
}

function fileSize(path: string): number | undefined {
  try {
    return statSync(path).size;
  } catch {
    return undefined;
  }
}
