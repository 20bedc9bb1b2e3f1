// The options of `sygra-stream mock-server`, all the command line needs to parse it; the command's work is in
// mock-server-command.ts, imported only when it runs.
import type { Argv } from 'yargs';
import type { ReasoningStyle } from '../llm/mock/server.js';

export interface MockServerArgs {
  port: number;
  host: string;
  'latency-ms': number;
  'jitter-ms': number;
  'error-rate': number;
  'rate-limit-rpm'?: number;
  'bad-json-first': number;
  'json-style': 'plain' | 'prose' | 'fence';
  'json-fault': 'none' | 'out-of-range' | 'drop-key';
  'json-fault-first': number;
  'fail-first': number;
  'fail-requests': number;
  'fail-status': number;
  'reset-first': number;
  'api-key-env'?: string;
  'require-header': string[];
  reasoning: ReasoningStyle;
  'batch-delay-ms': number;
  'batch-fail-every': number;
  'batch-expire': boolean;
  'tls-cert'?: string;
  'tls-key'?: string;
  seed: number;
}

export function mockServerBuilder(y: Argv): Argv<MockServerArgs> {
  return y
    .option('port', { type: 'number', default: 0, describe: 'Port on 127.0.0.1 (0: any free port)' })
    .option('host', { type: 'string', default: '127.0.0.1', describe: 'Address to listen on (loopback by default)' })
    .option('latency-ms', { type: 'number', default: 0, describe: 'Delay before each answer' })
    .option('jitter-ms', { type: 'number', default: 0, describe: 'Random ± spread around the latency' })
    .option('error-rate', { type: 'number', default: 0, describe: 'Fraction of requests answered with HTTP 500' })
    .option('rate-limit-rpm', { type: 'number', describe: 'Answer 429 with Retry-After beyond N requests a minute' })
    .option('fail-first', { type: 'number', default: 0, describe: 'Answer the first N requests of each prompt with 503' })
    .option('fail-requests', { type: 'number', default: 0, describe: 'Answer the first N chat requests, whatever their prompt, with --fail-status (a storm)' })
    .option('fail-status', { type: 'number', default: 503, describe: 'Status of --fail-first failures (429 comes with Retry-After: 1)' })
    .option('reset-first', { type: 'number', default: 0, describe: 'Reset the connection of the first N requests of each prompt' })
    .option('bad-json-first', { type: 'number', default: 0, describe: 'Answer the first N JSON-schema requests of each prompt with invalid JSON' })
    .option('json-style', { choices: ['plain', 'prose', 'fence'] as const, default: 'plain' as const, describe: 'Present JSON answers bare, inside prose, or in a ```json fence' })
    .option('json-fault', { choices: ['none', 'out-of-range', 'drop-key'] as const, default: 'none' as const, describe: 'Fault put into the first --json-fault-first JSON answers of each prompt' })
    .option('json-fault-first', { type: 'number', default: 0, describe: 'How many JSON answers per prompt get --json-fault' })
    .option('api-key-env', { type: 'string', describe: 'Require the API key held in this environment variable' })
    .option('require-header', { type: 'string', array: true, default: [] as string[], describe: "Refuse (400) requests without this header, written 'Name: value' (repeatable)" })
    .option('reasoning', {
      choices: ['none', 'reasoning_content', 'reasoning', 'think'] as const,
      default: 'none' as const,
      describe: 'Put thinking in chat answers: as reasoning_content (vLLM, DeepSeek), reasoning (OpenRouter), or a leading <think> block; Anthropic answers get thinking blocks',
    })
    .option('batch-delay-ms', { type: 'number', default: 100, describe: 'Batch APIs: a batch ends this long after it is made' })
    .option('batch-fail-every', { type: 'number', default: 0, describe: 'Batch APIs: every Nth request of a batch fails' })
    .option('batch-expire', { type: 'boolean', default: false, describe: 'Batch APIs: batches expire with only their first half answered' })
    .option('tls-cert', { type: 'string', describe: 'Serve HTTPS with this PEM certificate (with --tls-key), to try ca_file:' })
    .option('tls-key', { type: 'string', describe: 'The PEM private key of --tls-cert' })
    .option('seed', { type: 'number', default: 1, describe: 'Seed for injected latency jitter and errors' })
    .example('$0 mock-server --port 8000 --latency-ms 50 --jitter-ms 10', 'Serve http://127.0.0.1:8000/v1')
    .example('$0 mock-server --api-key-env KEY --require-header "X-Team: data"', 'Check the key (Bearer, api-key or x-api-key by the path asked) and a header')
    .example('OPENAI_BASE_URL=$(…first line of its stdout…) $0 run graph.yaml < in.jsonl', 'Point a run at it') as unknown as Argv<MockServerArgs>;
}
