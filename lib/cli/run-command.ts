import type { RunArgs } from './run-options.js';
import { RequestLog } from '../llm/request-log.js';
import { callSites } from '../record/trace.js';
import { ModelRuntime } from '../llm/models.js';
import type { Graph } from '../graph/graph.js';
import { stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { basename, join } from 'node:path';
import { chooseSplits, datasetFiles, type DataFile } from '../io/dataset-folder.js';
import { pushDatasetFolder } from '../io/hf-push.js';
import { fetchHubDataset, hubAccessFrom, parseHfUrl } from '../io/hf-source.js';
import { Writable } from 'node:stream';
import { parsePath, type FieldPath } from '../record/path.js';
import { inputFormatOf, outputFormatOf } from '../io/formats.js';
import type { InputFormat, OutputFormat } from '../io/format-names.js';
import { Budget } from '../llm/budget.js';
import type { RedisClient } from '../redis/connect.js';
import { connectOrReport, redisSharedCache } from './redis.js';
import { threadBlocker, threadChoice } from '../engine/pipeline.js';
import { runGraph } from '../run/run.js';
import { ExitCode } from './exit-codes.js';
import { inputFileExists, pathsAreDistinct } from './input-file.js';
import { loadGraphOrReport } from './load-graph-or-report.js';
import { say, type Terminal } from './terminal.js';
import { packageVersion } from './version.js';

export async function runHandler(args: RunArgs, term: Terminal): Promise<number> {
  const hub = args.output !== undefined ? parseHfUrl(args.output) : null;
  if (!hub) return runLocal(args, term);
  if ('error' in hub) {
    say(term, hub.error);
    return ExitCode.usage;
  }
  // --output hf://…: the run writes a dataset folder beside the Hub cache, then it is pushed in one commit.
  const access = hubAccessFrom(process.env);
  if (!access.accessToken) {
    say(term, `${args.output}: pushing needs HF_TOKEN (a token with write access); nothing was read`);
    return ExitCode.usage;
  }
  const staging = join(access.cacheDir, '..', 'sygra-stream-push', `${hub.repo.replace('/', '--')}@${hub.revision}`);
  const code = await runLocal({ ...args, output: `${staging}/` }, term);
  if (code !== ExitCode.ok) return code;
  const pushed = await pushDatasetFolder(staging, hub, access, (message) => {
    if (!args.quiet) say(term, message);
  });
  if ('error' in pushed) {
    say(term, `${pushed.error}; the files are in ${staging}: push them again with \`sygra-stream push ${staging} ${args.output}\``);
    return ExitCode.runtime;
  }
  return ExitCode.ok;
}

async function runLocal(args: RunArgs, term: Terminal): Promise<number> {
  if (!args.input?.startsWith('hf://') && !(await inputFileExists(args.input, term))) return ExitCode.usage;
  const named = [
    { flag: '--input', path: args.input, reads: true },
    { flag: 'the graph', path: args.graph, reads: true },
    { flag: '--output', path: args.output },
    { flag: '--errors', path: args.errors },
    { flag: '--rejected', path: args.rejected },
    { flag: '--stats', path: args.stats },
    { flag: '--log-requests', path: args['log-requests'] },
  ];
  if (!pathsAreDistinct(named, term)) return ExitCode.usage;
  if (args['log-cache-hits'] && args['log-requests'] === undefined) {
    say(term, '--log-cache-hits goes with --log-requests FILE');
    return ExitCode.usage;
  }
  if (args.generate !== undefined && (!Number.isInteger(args.generate) || args.generate < 0 || args.input !== undefined)) {
    say(term, args.input !== undefined ? '--generate and --input cannot go together' : '--generate takes a whole number of records');
    return ExitCode.usage;
  }
  const dryRun = args['dry-run'];
  if (dryRun !== undefined && (!Number.isInteger(dryRun) || dryRun < 1)) {
    say(term, '--dry-run takes a number of records (1 or more)');
    return ExitCode.usage;
  }
  if (args.resume && (args.output === undefined || dryRun !== undefined)) {
    say(term, args.output === undefined ? '--resume needs --output FILE: the ids already done are read from it' : '--resume and --dry-run cannot go together');
    return ExitCode.usage;
  }
  let dataset: DataFile[] | undefined;
  const hub = args.input !== undefined ? parseHfUrl(args.input) : null;
  if (hub && 'error' in hub) {
    say(term, hub.error);
    return ExitCode.usage;
  }
  if (hub) {
    const fetched = await fetchHubDataset(hub, args.split, hubAccessFrom(process.env), (message) => {
      if (!args.quiet) say(term, message);
    });
    if ('error' in fetched) {
      say(term, fetched.error);
      return /choose with --split|has no split|holds no data files/.test(fetched.error) ? ExitCode.usage : ExitCode.runtime;
    }
    dataset = fetched.files;
  } else if (args.input !== undefined && (await isDirectory(args.input))) {
    const chosen = chooseSplits(args.input, await datasetFiles(args.input), args.split);
    if ('error' in chosen) {
      say(term, chosen.error);
      return ExitCode.usage;
    }
    dataset = chosen.files;
    if (!args.quiet) say(term, `reading ${describeFiles(chosen.files)} from ${args.input}`);
  } else if (args.split !== undefined) {
    say(term, '--split chooses splits of a dataset folder: give the folder as --input');
    return ExitCode.usage;
  }
  const inputFormat = inputFormatOf(args.input, args['input-format']);
  // An output that ends in / or is a folder: a dataset folder (Parquet shards and a card, unless --output-format says jsonl).
  const datasetOutput = args.output !== undefined && (args.output.endsWith('/') || (await isDirectory(args.output)));
  if (!datasetOutput && (args['shard-size'] !== undefined || args['output-split'] !== undefined)) {
    say(term, `${args['shard-size'] !== undefined ? '--shard-size' : '--output-split'} goes with a dataset folder as --output (a path ending in /)`);
    return ExitCode.usage;
  }
  if (datasetOutput && (args.resume || (args['output-format'] !== undefined && args['output-format'] !== 'parquet' && args['output-format'] !== 'jsonl'))) {
    say(term, args.resume ? '--resume appends to one NDJSON file, not to a dataset folder' : 'a dataset folder holds parquet or jsonl shards');
    return ExitCode.usage;
  }
  if (args['shard-size'] !== undefined && !(Number.isInteger(args['shard-size']) && args['shard-size'] > 0)) {
    say(term, '--shard-size takes a whole number of records, above 0');
    return ExitCode.usage;
  }
  const outputFormat = datasetOutput ? (args['output-format'] ?? 'parquet') : outputFormatOf(args.output, args['output-format']);
  if (datasetOutput) args.datasetOutput = { split: args['output-split'] ?? 'train', shardRecords: args['shard-size'] ?? 100_000, title: basename(args.output!.replace(/\/+$/, '')) || 'dataset' };
  if (args.resume && outputFormat !== 'jsonl') {
    say(term, `--resume appends to NDJSON output; ${outputFormat} is written whole at the end (convert afterwards)`);
    return ExitCode.usage;
  }
  if (args.output === undefined && outputFormat !== 'jsonl') {
    say(term, `--output-format ${outputFormat} needs --output FILE (stdout carries NDJSON)`);
    return ExitCode.usage;
  }
  if ((args['retry-errors'] || args['id-field'] !== 'id') && !args.resume) {
    say(term, `${args['retry-errors'] ? '--retry-errors' : '--id-field'} only applies with --resume`);
    return ExitCode.usage;
  }
  for (const flag of ['max-cost', 'max-requests'] as const) {
    const v = args[flag];
    if (v !== undefined && (!Number.isFinite(v) || v < 0 || (flag === 'max-requests' && !Number.isInteger(v)))) {
      say(term, `--${flag} takes ${flag === 'max-cost' ? 'an amount in US dollars' : 'a whole number'} of 0 or more`);
      return ExitCode.usage;
    }
  }
  if (args.threads !== 'auto' && (!Number.isInteger(args.threads) || args.threads < 1)) {
    say(term, "--threads takes a whole number of threads (1 or more), or 'auto'");
    return ExitCode.usage;
  }
  if (args.threads !== 'auto' && args.threads > 1) {
    const clash = oneThreadFlag(args, dryRun);
    if (clash) {
      say(term, `--threads and ${clash} cannot go together (yet): run with one thread`);
      return ExitCode.usage;
    }
  }
  if (!(args['max-line-mb'] > 0)) {
    say(term, '--max-line-mb takes a size in MiB, more than 0');
    return ExitCode.usage;
  }
  const idPath = parsePath(args['id-field']);
  if ('error' in idPath) {
    say(term, `--id-field: ${idPath.error}`);
    return ExitCode.usage;
  }
  let redis: RedisClient | null = null;
  if (args.redis && args.cache && dryRun === undefined) {
    redis = await connectOrReport(args.redis, term, 'cache');
    if (!redis) return ExitCode.runtime;
  }
  try {
    return await runWithGraph(args, term, dryRun, idPath, redis, inputFormat, outputFormat, dataset);
  } finally {
    redis?.disconnect();
  }
}

async function runWithGraph(
  args: RunArgs,
  term: Terminal,
  dryRun: number | undefined,
  idPath: FieldPath,
  redis: RedisClient | null,
  inputFormat: InputFormat,
  outputFormat: OutputFormat,
  dataset: DataFile[] | undefined,
): Promise<number> {
  const budget = args['max-cost'] !== undefined || args['max-requests'] !== undefined ? new Budget(args['max-cost'], args['max-requests']) : undefined;
  const requestLog = args['log-requests'] !== undefined && dryRun === undefined ? new RequestLog(args['log-requests'], args['log-cache-hits']) : undefined;
  // Model calls learn which node and record they serve only when they are logged.
  callSites.enabled = requestLog !== undefined;
  // The command owns the model runtime: opened here, closed in this finally and nowhere else.
  const runtime = new ModelRuntime({
    cacheDir: args.cache ? args['cache-dir'] : null,
    cacheReadOnly: args['cache-read-only'],
    cache: args.cache,
    env: process.env,
    shared: redis ? redisSharedCache(redis, args['cache-read-only']) : undefined,
    budget,
    batch: args.batch,
    requestLog,
    // A dry run prints each request where records would go, and sends none.
    dryRun: dryRun === undefined ? undefined : (model, request) => void term.stdout.write(JSON.stringify({ model, request }) + '\n'),
  });
  try {
    const graph = await loadGraphOrReport(args.graph, term, runtime, args.seed);
    if (!graph) return ExitCode.usage;
    const code = await runLoadedGraph(args, term, graph, runtime, dryRun, idPath, budget, inputFormat, outputFormat, dataset);
    try {
      await requestLog?.close();
    } catch (err) {
      say(term, (err as Error).message);
      return code === ExitCode.ok ? ExitCode.runtime : code;
    }
    return code;
  } finally {
    await runtime.close();
    await requestLog?.close().catch(() => undefined);
  }
}

async function runLoadedGraph(
  args: RunArgs,
  term: Terminal,
  graph: Graph,
  runtime: ModelRuntime,
  dryRun: number | undefined,
  idPath: FieldPath,
  budget: Budget | undefined,
  inputFormat: InputFormat,
  outputFormat: OutputFormat,
  dataset: DataFile[] | undefined,
): Promise<number> {
  let threads: number;
  if (args.threads === 'auto') {
    const choice = await autoThreads(args, graph, dryRun, dataset);
    threads = choice.threads;
    if (!args.quiet) say(term, `--threads auto: ${threads === 1 ? 'one thread' : `${threads} threads`} (${choice.why})`);
  } else threads = args.threads;
  const notThreadable = threads > 1 ? threadBlocker(graph) : null;
  if (notThreadable) {
    say(term, `--threads: ${notThreadable}; run it with one thread`);
    return ExitCode.usage;
  }
  const mocked = graph.models.mockModels();
  if (mocked.length > 0 && !args.quiet && dryRun === undefined) {
    say(
      term,
      `no endpoint configured for model${mocked.length > 1 ? 's' : ''} ${mocked.map((m) => `"${m}"`).join(', ')}: ` +
        'using the built-in mock model (deterministic, offline). Set base_url in the graph file or OPENAI_BASE_URL for a real server.',
    );
  }
  const cacheProblem = graph.models.inUse().length > 0 ? await runtime.ready() : null;
  if (cacheProblem) {
    say(term, cacheProblem);
    return ExitCode.runtime;
  }
  if (args.preflight && dryRun === undefined) {
    const problems = await graph.models.preflight();
    if (problems.length > 0) {
      for (const p of problems) say(term, p);
      say(term, 'no record was read (use --no-preflight to skip this check)');
      return ExitCode.runtime;
    }
  }
  if (args.input === undefined && args.generate === undefined && term.stdin.isTTY && !args.quiet) {
    say(term, 'reading records from the terminal; pipe NDJSON in or use --input FILE (Ctrl-D ends input)');
  }

  const interrupt = new AbortController();
  const onSigint = (): void => {
    if (interrupt.signal.aborted) process.exit(ExitCode.interrupted);
    if (!args.quiet) say(term, 'interrupted: finishing records in flight (Ctrl-C again to quit at once)');
    interrupt.abort();
  };
  // SIGTERM (timeout, docker stop, systemd, Kubernetes) is a first Ctrl-C with a deadline:
  // records in flight finish and everything is written, unless that takes longer than the grace.
  const onSigterm = (): void => {
    if (!args.quiet) say(term, `terminated: finishing records in flight (at most ${TERM_GRACE_MS / 1000} s)`);
    setTimeout(() => process.exit(ExitCode.interrupted), TERM_GRACE_MS).unref();
    interrupt.abort();
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigterm);
  try {
    const result = await runGraph({
      graph,
      version: packageVersion(),
      inputPath: dataset ? undefined : args.input,
      dataset,
      inputFormat,
      outputFormat,
      outputPath: args.output,
      datasetOutput: args.datasetOutput,
      errorsPath: args.errors,
      rejectedPath: args.rejected,
      statsPath: args.stats,
      ordered: !args.unordered,
      maxLineBytes: Math.round(args['max-line-mb'] * 1024 * 1024),
      failFast: args['fail-fast'],
      progress: args.progress || (term.stderr.isTTY === true && !args.quiet),
      // Read only when there is no --input: opening stdin costs a start 3 ms.
      get stdin() {
        return term.stdin;
      },
      stdout: dryRun === undefined ? term.stdout : new Writable({ write: (_c, _e, done) => done() }),
      stderr: term.stderr,
      interrupt: interrupt.signal,
      generate: args.generate,
      limit: dryRun,
      resume: args.resume ? { idPath, retryErrors: args['retry-errors'] } : undefined,
      budgetSpent: budget?.spent.signal,
      provenance: args.provenance,
      threads: threads > 1 ? { count: threads, seed: args.seed } : undefined,
      metrics: args['metrics-port'] === undefined ? undefined : { port: args['metrics-port'], host: args['metrics-host'] },
    });
    const r = result.report;
    const summary = `${r.records_in} in, ${r.records_out} out, ${r.filtered} filtered, ${r.errors} errors${r.fanout ? `, ${r.fanout} fanned out` : ''}${r.skipped ? `, ${r.skipped} done before` : ''} in ${(r.wall_ms / 1000).toFixed(2)}s`;
    switch (result.status.kind) {
      case 'ok':
        if (args.resume && !args.quiet) say(term, `resumed: ${summary}`);
        if (r.errors > 0 && !args.errors && !args.quiet) {
          say(term, `${r.errors} record${r.errors === 1 ? '' : 's'} failed; keep them with --errors FILE`);
        }
        return ExitCode.ok;
      case 'interrupted':
        say(term, `interrupted: ${summary}`);
        return ExitCode.interrupted;
      case 'budget':
        say(term, `stopped: ${result.status.message}; ${summary}. Records read but not finished are errors "not processed"; run again with --resume to go on.`);
        return ExitCode.budget;
      case 'failed':
        say(term, result.status.message);
        say(term, summary);
        return ExitCode.runtime;
    }
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigterm);
  }
}

/** How long a SIGTERM leaves the run to finish its records in flight before it exits anyway. */
const TERM_GRACE_MS = 10_000;

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

/** "split train: 3 files (data/train-00000-of-00003.parquet …)" for a person. */
function describeFiles(files: readonly DataFile[]): string {
  const splits = [...new Set(files.map((f) => f.split))];
  const first = files[0]!.name;
  return `split${splits.length > 1 ? 's' : ''} ${splits.join(', ')}: ${files.length} file${files.length > 1 ? 's' : ''} (${first}${files.length > 1 ? ' …' : ''})`;
}

/** The flag that keeps a run on one thread (their records' state lives in the main thread), if any. */
function oneThreadFlag(args: RunArgs, dryRun: number | undefined): string | null {
  return args.resume ? '--resume' : args.provenance ? '--provenance' : args.generate !== undefined ? '--generate' : dryRun !== undefined ? '--dry-run' : null;
}

/** Below this, a file is done before a worker thread has started (about 0.2 s) and paid for itself. */
const SMALL_INPUT_BYTES = 8 * 1024 * 1024;

/** What --threads auto comes to for this run, and why. */
async function autoThreads(args: RunArgs, graph: Graph, dryRun: number | undefined, dataset: DataFile[] | undefined): Promise<{ threads: number; why: string }> {
  const flag = oneThreadFlag(args, dryRun);
  if (flag) return { threads: 1, why: `${flag} runs on one thread` };
  const blocker = threadBlocker(graph);
  if (blocker) return { threads: 1, why: blocker };
  if (args.input !== undefined && dataset === undefined && !args.input.startsWith('hf://')) {
    const size = await stat(args.input).then(
      (s) => s.size,
      () => Number.POSITIVE_INFINITY,
    );
    if (size < SMALL_INPUT_BYTES) return { threads: 1, why: 'the input is under 8 MB: done before another thread would start' };
  }
  // Past eight, the main thread, which reads, frames and writes every line, is the limit.
  return threadChoice(graph, Math.min(availableParallelism(), 8));
}
