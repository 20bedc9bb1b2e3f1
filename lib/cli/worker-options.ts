// The options of `sygra-stream worker`, all the command line needs to parse it; the command's work is in
// worker-command.ts, imported only when it runs.
import type { Argv } from 'yargs';
import { redisOptions } from './queue-options.js';

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
