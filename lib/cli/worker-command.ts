import type { WorkerArgs } from './worker-options.js';
import { ModelRuntime } from '../llm/models.js';
import { writeStatsFile } from '../io/stats-file.js';
import { hostname } from 'node:os';
import { RunStats } from '../metrics/run-stats.js';
import { startMetricsServer } from '../run/metrics-server.js';
import { queueKeys } from '../redis/connect.js';
import { runWorker } from '../redis/worker.js';
import { ExitCode } from './exit-codes.js';
import { loadGraphOrReport } from './load-graph-or-report.js';
import { connectOrReport, redisSharedCache } from './redis.js';
import { pathsAreDistinct } from './input-file.js';
import { say, type Terminal } from './terminal.js';
import { packageVersion } from './version.js';

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
