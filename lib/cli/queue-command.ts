import { inputFormatOf, openInput } from '../io/formats.js';
import { writeStatsFile } from '../io/stats-file.js';
import type { Argv } from 'yargs';
import { parsePath } from '../record/path.js';
import { RunOutputs } from '../io/outputs.js';
import { redactUrl } from '../config/redact-url.js';
import { queueKeys } from '../redis/connect.js';
import { connectOrReport } from './redis.js';
import { drainResults } from '../redis/drain.js';
import { pushRecords } from '../redis/push.js';
import { ExitCode } from './exit-codes.js';
import { inputFileExists, pathsAreDistinct } from './input-file.js';
import { say, type Terminal } from './terminal.js';

export interface QueueArgs {
  action: 'push' | 'drain';
  redis: string;
  queue: string;
  input?: string;
  output?: string;
  errors?: string;
  rejected?: string;
  stats?: string;
  'id-field': string;
  'max-backlog': number;
  quiet: boolean;
}

/** --redis and --queue, shared by `queue` and `worker`. */
export function redisOptions<T>(y: Argv<T>) {
  return y
    .option('redis', { type: 'string', default: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', describe: 'Redis URL (default $REDIS_URL, else redis://127.0.0.1:6379)' })
    .option('queue', { type: 'string', demandOption: true, describe: 'Queue name: its streams are sygra:NAME:in, :out and :dead' });
}

export function queueBuilder(y: Argv): Argv<QueueArgs> {
  return redisOptions(y)
    .positional('action', { choices: ['push', 'drain'] as const, demandOption: true, describe: 'push: records in; drain: results out' })
    .option('input', { alias: 'i', type: 'string', describe: 'push: read records from FILE instead of stdin' })
    .option('output', { alias: 'o', type: 'string', describe: 'drain: write records to FILE (atomically) instead of stdout' })
    .option('errors', { type: 'string', describe: 'drain: write failed and dead-lettered records to FILE' })
    .option('rejected', { type: 'string', describe: 'drain: write filtered records to FILE' })
    .option('stats', { type: 'string', describe: 'drain: write counts (JSON) to FILE' })
    .option('id-field', { type: 'string', default: 'id', describe: "push: the field holding each record's id (else a hash of its line)" })
    .option('max-backlog', { type: 'number', default: 100_000, describe: 'push: wait while more records than this are waiting for a worker' })
    .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'No summary on stderr' })
    .example('$0 queue push --queue q1 < records.jsonl', 'Put records on queue q1')
    .example('$0 queue drain --queue q1 > out.jsonl', 'Results of q1, each input record once, until all are in') as unknown as Argv<QueueArgs>;
}

export async function queueHandler(args: QueueArgs, term: Terminal): Promise<number> {
  if (args.action === 'push' && !(await inputFileExists(args.input, term))) return ExitCode.usage;
  const named = [
    { flag: '--input', path: args.action === 'push' ? args.input : undefined, reads: true },
    { flag: '--output', path: args.output },
    { flag: '--errors', path: args.errors },
    { flag: '--rejected', path: args.rejected },
    { flag: '--stats', path: args.stats },
  ];
  if (!pathsAreDistinct(named, term)) return ExitCode.usage;
  const idPath = parsePath(args['id-field']);
  if ('error' in idPath) {
    say(term, `--id-field: ${idPath.error}`);
    return ExitCode.usage;
  }
  const redis = await connectOrReport(args.redis, term);
  if (!redis) return ExitCode.runtime;
  const keys = queueKeys(args.queue);
  const stop = new AbortController();
  const onSignal = (): void => stop.abort();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    if (args.action === 'push') {
      // Read as `run` reads: .gz and .zst are decompressed, a JSON array is streamed.
      const input = await openInput(args.input, inputFormatOf(args.input, undefined), term.stdin);
      const pushed = await pushRecords({ redis, keys, input, idPath, maxBacklog: args['max-backlog'], stop: stop.signal });
      if (!args.quiet) say(term, `pushed ${pushed} records to queue "${args.queue}" at ${redactUrl(args.redis)}`);
      return stop.signal.aborted ? ExitCode.interrupted : ExitCode.ok;
    }
    const outputs = new RunOutputs({ output: args.output, errors: args.errors, rejected: args.rejected }, term.stdout);
    let report: Awaited<ReturnType<typeof drainResults>>;
    // Outputs open before anything is taken from the queue, and their temp files go on failure.
    await outputs.ready();
    try {
      report = await drainResults({ redis, keys, output: outputs.output, errors: outputs.errors, rejected: outputs.rejected, stop: stop.signal });
      await outputs.commit();
    } catch (err) {
      await outputs.abort();
      throw err;
    }
    if (args.stats) await writeStatsFile(args.stats, report);
    if (!args.quiet) {
      say(
        term,
        `drained queue "${args.queue}": ${report.messages} of ${report.pushed} records, ${report.records_out} out, ${report.filtered} filtered, ${report.errors} errors, ${report.duplicates} duplicate results left out`,
      );
    }
    return stop.signal.aborted ? ExitCode.interrupted : ExitCode.ok;
  } catch (err) {
    say(term, `queue ${args.action}: ${(err as Error).message}`);
    return ExitCode.runtime;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    redis.disconnect();
  }
}
