// The options of `sygra-stream run`, all the command line needs to parse it; the command's work is in
// run-command.ts, imported only when it runs.
import type { Argv } from 'yargs';
import { INPUT_FORMATS, OUTPUT_FORMATS, type InputFormat, type OutputFormat } from '../io/format-names.js';

export interface RunArgs {
  graph: string;
  input?: string;
  output?: string;
  errors?: string;
  rejected?: string;
  stats?: string;
  unordered: boolean;
  'fail-fast': boolean;
  'max-line-mb': number;
  progress: boolean;
  quiet: boolean;
  'cache-dir': string;
  cache: boolean;
  'cache-read-only': boolean;
  preflight: boolean;
  seed: number;
  generate?: number;
  'dry-run'?: number;
  batch: boolean;
  'log-requests'?: string;
  'log-cache-hits': boolean;
  split?: string[];
  'shard-size'?: number;
  'output-split'?: string;
  /** Set here, not by yargs: the dataset folder --output names. */
  datasetOutput?: { split: string; shardRecords: number; title: string };
  'metrics-port'?: number;
  'metrics-host': string;
  resume: boolean;
  redis?: string;
  'max-cost'?: number;
  provenance: boolean;
  'input-format'?: InputFormat;
  'output-format'?: OutputFormat;
  'max-requests'?: number;
  'id-field': string;
  'retry-errors': boolean;
  /** A count, or 'auto' (resolved by run-command before the run). */
  threads: number | 'auto';
}

export function runBuilder(y: Argv): Argv<RunArgs> {
  return y
    .positional('graph', { type: 'string', describe: 'Graph file (YAML)', demandOption: true })
    .option('input', {
      alias: 'i',
      type: 'string',
      describe:
        'Read records from FILE instead of stdin; a folder is read as a dataset in the Hugging Face layout (its shards in order), and hf://datasets/OWNER/NAME[@REV][/PATH] is fetched from the Hub into its cache (HF_TOKEN, HF_ENDPOINT)',
    })
    .option('split', {
      type: 'string',
      array: true,
      coerce: (values: string[]) => values.flatMap((v) => v.split(',')).filter((v) => v !== ''),
      describe: "With a dataset folder as --input: the split(s) to read (train, test, …; 'a,b' or repeated), in that order",
    })
    .option('output', {
      alias: 'o',
      type: 'string',
      describe: 'Write records to FILE (atomically: temp file, then rename; appended in place with --resume) instead of stdout; DIR/ writes a dataset folder (Parquet shards and a README card)',
    })
    .option('shard-size', { type: 'number', describe: 'With --output DIR/: records per shard (default 100,000)' })
    .option('output-split', { type: 'string', describe: 'With --output DIR/: the split the records are written as (default train)' })
    .option('input-format', { choices: INPUT_FORMATS, describe: 'jsonl, json (an array, streamed), csv, tsv or parquet; default: from the file name (.gz and .zst are decompressed), else jsonl' })
    .option('output-format', { choices: OUTPUT_FORMATS, describe: 'jsonl, csv, tsv or parquet; default: from the file name, else jsonl' })
    .option('errors', { type: 'string', describe: 'Write failed records to FILE as {line, node, error, input}' })
    .option('rejected', { type: 'string', describe: 'Write filtered records to FILE as {line, node, reason, record}' })
    .option('stats', { type: 'string', describe: 'Write run statistics (JSON) to FILE' })
    .option('unordered', { type: 'boolean', default: false, describe: 'Let fast records pass slow ones (output order may differ from input)' })
    .option('fail-fast', { type: 'boolean', default: false, describe: 'Stop at the first record error (exit 1)' })
    .option('max-line-mb', { type: 'number', default: 64, describe: 'Longest input line, in MiB: a longer one is an error record (line number, first 200 characters), and reading goes on' })
    .option('progress', { type: 'boolean', default: false, describe: 'Show progress on stderr even when it is not a terminal' })
    .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'Print nothing on stderr but errors' })
    .option('seed', { type: 'number', default: 0, describe: 'Seed for sampler nodes: the same seed and input give the same output' })
    .option('generate', { type: 'number', describe: 'Feed N empty records {id: 0..N-1} instead of reading input (for graphs that start from a sampler)' })
    .option('dry-run', { type: 'number', describe: 'Validate, then print the exact LLM requests for the first N records as NDJSON, calling no model' })
    .option('log-requests', {
      type: 'string',
      describe: 'Write one NDJSON line per request sent to a model (each retry too) to FILE: node, input line and id, the request as sent, attempt, answer or error, tokens, latency, cost (no keys)',
    })
    .option('log-cache-hits', {
      type: 'boolean',
      default: false,
      describe: 'With --log-requests: also a line for each call answered by the cache (hit) or by an identical request in flight (coalesced)',
    })
    .option('metrics-port', { type: 'number', describe: 'Serve Prometheus metrics of the run at http://127.0.0.1:PORT/metrics while it runs (0: a free port, said on stderr)' })
    .option('metrics-host', { type: 'string', default: '127.0.0.1', describe: 'With --metrics-port: the address to listen on (loopback unless told otherwise)' })
    .option('batch', {
      type: 'boolean',
      default: false,
      describe: "Send the chat requests of every OpenAI or Anthropic model through the provider's batch API at half price (answers take minutes to hours; a killed run polls the same batches again)",
    })
    .option('resume', {
      type: 'boolean',
      default: false,
      describe:
        'Pass over records an earlier run finished (named in OUTPUT.resume, the journal kept beside --output, else found by id in the files) and append the rest; files are written in place, so start long runs with it',
    })
    .option('id-field', { type: 'string', default: 'id', describe: "With --resume: the field holding each record's id (records without one are known by a hash of their line)" })
    .option('retry-errors', { type: 'boolean', default: false, describe: 'With --resume: do the records in --errors again (the errors file starts afresh)' })
    .option('threads', {
      type: 'string',
      default: '1',
      coerce: (value: string): number | 'auto' => (value === 'auto' ? 'auto' : Number(value)),
      describe:
        "Run the graph on N threads (about one per core): the main thread and N-1 workers, for CPU-bound graphs of synchronous nodes (quality_rules, decontaminate, filter, map, code); output order is kept unless --unordered. 'auto': one per core (up to 8) when a node does heavy work a record (quality_rules, decontaminate) and the input is not small, else one (said on stderr)",
    })
    .option('provenance', { type: 'boolean', default: false, describe: 'Add _sygra to each output record: graph hash, nodes visited, models, tokens, cache use, latency, time, version' })
    .option('max-cost', { type: 'number', describe: "Stop (exit 3) before LLM spending would pass USD, from the models' `price`" })
    .option('max-requests', { type: 'number', describe: 'Stop (exit 3) before making more than N model requests (cache hits are free)' })
    .option('redis', { type: 'string', describe: 'Share the LLM cache through Redis at URL (memory, then Redis, then disk): runs on several machines pay once per request' })
    .option('cache-dir', { type: 'string', default: '.sygra-cache', describe: 'Folder of the persistent cache: LLM responses, and the indexes of decontaminate nodes' })
    .option('cache', { type: 'boolean', default: true, describe: 'Cache LLM responses (--no-cache: every request goes to the model)' })
    .option('cache-read-only', { type: 'boolean', default: false, describe: 'Use cached responses but store no new ones' })
    .option('preflight', { type: 'boolean', default: true, describe: 'Check every model endpoint answers before reading records (--no-preflight skips)' })
    .example('$0 run fixtures/graphs/filter.yaml < fixtures/records.jsonl', 'Filter and annotate records from stdin to stdout')
    .example('$0 run graph.yaml -i in.jsonl -o out.jsonl --errors errors.jsonl --stats stats.json', 'Files in and out, failed records kept with their line numbers')
    .example('$0 run graph.yaml -i in.jsonl -o out.jsonl --errors err.jsonl --resume', 'Run again after a crash: finished ids are passed over, the rest appended') as unknown as Argv<RunArgs>;
}
