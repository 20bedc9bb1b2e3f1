import { ModelRuntime } from '../llm/models.js';
import { writeStatsFile } from '../io/stats-file.js';
import { hostname } from 'node:os';
import type { Argv } from 'yargs';
import { RunStats } from '../metrics/run-stats.js';
import { startMetricsServer } from '../run/metrics-server.js';
import { queueKeys } from '../redis/connect.js';
import { runWorker } from '../redis/worker.js';
import { ExitCode } from './exit-codes.js';
import { loadGraphOrReport } from './load-graph-or-report.js';
import { redisOptions } from './queue-command.js';
import { connectOrReport, redisSharedCache } from './redis.js';
import { pathsAreDistinct } from './input-file.js';
import { say, type Terminal } from './terminal.js';
import { packageVersion } from './version.js';

export interface WorkerArgs {
  graph: string;
  redis: string;
  queue: string;
  consumer?: string;
  batch: number;
  prefetch: number;
  'claim-idle-ms': number;
  'max-deliveries': number;
  'exit-when-done': boolean;
  'on-lost': 'stop' | 'wait';
  'cache-dir': string;
  cache: boolean;
  preflight: boolean;
  seed: number;
  stats?: string;
  'metrics-port'?: number;
  'metrics-host': string;
  quiet: boolean;
}

export function workerBuilder(y: Argv): Argv<WorkerArgs> {
  return redisOptions(y)
    .positional('graph', { type: 'string', demandOption: true, describe: 'Graph file (YAML)' })
    .option('consumer', { type: 'string', describe: "This worker's name in the group (default host:pid)" })
    .option('batch', { type: 'number', default: 64, describe: 'Messages taken per read' })
    .option('prefetch', { type: 'number', default: 4, describe: 'Batches in flight at once' })
    .option('claim-idle-ms', { type: 'number', default: 30_000, describe: 'Take over messages a worker left unacknowledged this long (it died)' })
    .option('max-deliveries', { type: 'number', default: 3, describe: 'Then a message goes to the dead-letter stream sygra:NAME:dead' })
    .option('exit-when-done', { type: 'boolean', default: false, describe: 'Exit once the pushers are done and every message is acknowledged' })
    .option('on-lost', {
      choices: ['stop', 'wait'] as const,
      default: 'stop' as const,
      describe: 'When the queue is gone from Redis (restarted without persistence): stop with exit 1, or make it again and wait for records',
    })
    .option('cache-dir', { type: 'string', default: '.sygra-cache', describe: 'Folder of the local LLM cache (behind the shared Redis one)' })
    .option('cache', { type: 'boolean', default: true, describe: 'Cache LLM responses (--no-cache: neither Redis nor disk)' })
    .option('preflight', { type: 'boolean', default: true, describe: 'Check every model endpoint answers before taking messages' })
    .option('seed', { type: 'number', default: 0, describe: 'Seed for sampler and dedup nodes' })
    .option('stats', { type: 'string', describe: "Write this worker's statistics (JSON) to FILE at exit" })
    .option('metrics-port', { type: 'number', describe: "Serve this worker's Prometheus metrics at http://127.0.0.1:PORT/metrics (0: a free port, said on stderr)" })
    .option('metrics-host', { type: 'string', default: '127.0.0.1', describe: 'With --metrics-port: the address to listen on (loopback unless told otherwise)' })
    .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'Print nothing on stderr but errors' })
    .example('$0 worker graph.yaml --queue q1 --redis redis://10.0.0.5:6379', 'Join the workers of queue q1; run as many as you like, on any machine') as unknown as Argv<WorkerArgs>;
}

export async function workerHandler(args: WorkerArgs, term: Terminal): Promise<number> {
  for (const [flag, value] of [
    ['batch', args.batch],
    ['prefetch', args.prefetch],
    ['max-deliveries', args['max-deliveries']],
    ['claim-idle-ms', args['claim-idle-ms']],
  ] as const) {
    if (!Number.isInteger(value) || value < 1) {
      say(term, `--${flag} takes a whole number of 1 or more`);
      return ExitCode.usage;
    }
  }
  if (
    !pathsAreDistinct(
      [
        { flag: 'the graph', path: args.graph, reads: true },
        { flag: '--stats', path: args.stats },
      ],
      term,
    )
  )
    return ExitCode.usage;
  const redis = await connectOrReport(args.redis, term);
  if (!redis) return ExitCode.runtime;
  try {
    // The command owns the model runtime: opened here, closed in the finally below and nowhere else.
    const runtime = new ModelRuntime({
      cacheDir: args.cache ? args['cache-dir'] : null,
      cacheReadOnly: false,
      cache: args.cache,
      env: process.env,
      shared: args.cache ? redisSharedCache(redis, false) : undefined,
    });
    try {
      const graph = await loadGraphOrReport(args.graph, term, runtime, args.seed);
      if (!graph) return ExitCode.usage;
      if (graph.source) {
        say(term, `${args.graph}: a worker takes records, not OASST trees: convert them first (sygra-stream oasst < trees.jsonl | sygra-stream queue push ...) and drop \`source:\``);
        return ExitCode.usage;
      }
      const cacheProblem = graph.models.inUse().length > 0 ? await runtime.ready() : null;
      const problems = cacheProblem ? [cacheProblem] : args.preflight ? await graph.models.preflight() : [];
      if (problems.length > 0) {
        for (const p of problems) say(term, p);
        return ExitCode.runtime;
      }
      const stop = new AbortController();
      const onSignal = (): void => {
        if (!args.quiet) say(term, 'stopping: finishing the batches in flight');
        stop.abort();
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      const stats = new RunStats();
      const consumer = args.consumer ?? `${hostname()}:${process.pid}`;
      const metrics = args['metrics-port'] === undefined ? null : await startMetricsServer(args['metrics-port'], args['metrics-host'], { stats, models: graph.models });
      if (metrics) say(term, `metrics on ${metrics.url}`);
      try {
        const report = await runWorker({
          graph,
          redis,
          keys: queueKeys(args.queue),
          consumer,
          batch: args.batch,
          prefetch: args.prefetch,
          claimIdleMs: args['claim-idle-ms'],
          maxDeliveries: args['max-deliveries'],
          exitWhenDone: args['exit-when-done'],
          onLost: args['on-lost'],
          onRecreated: (message) => say(term, `worker: ${message}`),
          stop: stop.signal,
          stats,
        });
        const r = stats.report(packageVersion(), graph.file, graph.models.report(), graph.sha256);
        if (args.stats) await writeStatsFile(args.stats, { ...r, worker: { consumer, ...report } });
        if (!args.quiet)
          say(term, `worker ${consumer}: ${r.records_in} in, ${r.records_out} out, ${r.filtered} filtered, ${r.errors} errors; ${report.claimed} taken over, ${report.deadLettered} dead-lettered`);
        return stop.signal.aborted ? ExitCode.interrupted : ExitCode.ok;
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        await metrics?.close();
      }
    } finally {
      await runtime.close();
    }
  } catch (err) {
    say(term, `worker: ${(err as Error).message}`);
    return ExitCode.runtime;
  } finally {
    redis.disconnect();
  }
}
