// The options of `sygra-stream queue`, all the command line needs to parse it; the command's work is in
// queue-command.ts, imported only when it runs.
import type { Argv } from 'yargs';

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
