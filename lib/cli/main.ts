import yargs, { type Argv } from 'yargs';
import { didYouMean } from '../config/suggest.js';
import type { GraphFormat } from '../graph/render.js';
import { EXIT_CODES_HELP, ExitCode } from './exit-codes.js';
import { cacheBuilder, type CacheArgs } from './cache-options.js';
import { mockServerBuilder, type MockServerArgs } from './mock-server-options.js';
import { oasstBuilder, type OasstArgs } from './oasst-options.js';
import { pushBuilder, type PushArgs } from './push-options.js';
import { queueBuilder, type QueueArgs } from './queue-options.js';
import { reportBuilder, type ReportArgs } from './report-options.js';
import { runBuilder, type RunArgs } from './run-options.js';
import { viewBuilder, type ViewArgs } from './view-options.js';
import { workerBuilder, type WorkerArgs } from './worker-options.js';
import { COMMANDS } from './commands.js';
import { say, type Terminal } from './terminal.js';
import { packageVersion } from './version.js';

/**
 * Parses arguments, runs one command, and returns the process exit code. A command's code
 * is imported when it runs: the options of every command are all a start has to load.
 */
export async function main(argv: string[], term: Terminal): Promise<number> {
  let exitCode: number = ExitCode.ok;
  let usageError = false;
  const debug = argv.includes('--debug');

  // Each command's work, run once yargs has parsed and validated the whole command line.
  const handlers: Record<string, (args: Record<string, unknown>) => unknown> = {
    run: async (args) => {
      const { runHandler } = await import('./run-command.js');
      exitCode = await runHandler(args as unknown as RunArgs, term);
    },
    validate: async (args) => {
      const { loadGraphOrReport } = await import('./load-graph-or-report.js');
      const graph = await loadGraphOrReport(String(args.graph), term);
      if (!graph) exitCode = ExitCode.usage;
      else {
        const fanouts = graph.fanouts.map((f) => `, a fan-out of ${f.heads.length} branches from ${f.from} joined ${f.join === null ? 'at END' : `before ${f.join}`}`).join('');
        term.stdout.write(`ok: ${args.graph} (${graph.nodes.length} nodes${fanouts})\n`);
      }
    },
    graph: async (args) => {
      const [{ loadGraphOrReport }, { renderGraph }] = await Promise.all([import('./load-graph-or-report.js'), import('../graph/render.js')]);
      const graph = await loadGraphOrReport(String(args.graph), term);
      if (!graph) exitCode = ExitCode.usage;
      else term.stdout.write(renderGraph(graph, args.format as GraphFormat));
    },
    schema: async () => {
      const [{ graphJsonSchema }, { allNodeTypes }] = await Promise.all([import('../graph/schema.js'), import('../nodes/registry.js')]);
      const nodeTypes = await allNodeTypes();
      term.stdout.write(JSON.stringify(graphJsonSchema(nodeTypes.values()), null, 2) + '\n');
    },
    oasst: async (args) => {
      const { oasstHandler } = await import('./oasst-command.js');
      exitCode = await oasstHandler(args as unknown as OasstArgs, term);
    },
    rules: async () => {
      const { rulesTable } = await import('../quality/rules-doc.js');
      term.stdout.write(rulesTable());
    },
    'mock-server': async (args) => {
      const { mockServerHandler } = await import('./mock-server-command.js');
      exitCode = await mockServerHandler(args as unknown as MockServerArgs, term);
    },
    cache: async (args) => {
      const { cacheHandler } = await import('./cache-command.js');
      exitCode = await cacheHandler(args as unknown as CacheArgs, term);
    },
    report: async (args) => {
      const { reportHandler } = await import('./report-command.js');
      exitCode = await reportHandler(args as unknown as ReportArgs, term);
    },
    push: async (args) => {
      const { pushHandler } = await import('./push-command.js');
      exitCode = await pushHandler(args as unknown as PushArgs, term);
    },
    view: async (args) => {
      const { viewHandler } = await import('./view-command.js');
      exitCode = await viewHandler(args as unknown as ViewArgs, term);
    },
    queue: async (args) => {
      const { queueHandler } = await import('./queue-command.js');
      exitCode = await queueHandler(args as unknown as QueueArgs, term);
    },
    worker: async (args) => {
      const { workerHandler } = await import('./worker-command.js');
      exitCode = await workerHandler(args as unknown as WorkerArgs, term);
    },
  };

  const cli = yargs(argv)
    .scriptName('sygra-stream')
    .usage(
      [
        'sygra-stream: generate, tag and curate LLM training data as a Unix stream.',
        '',
        'Records are NDJSON objects, read from stdin (or --input) and written to stdout',
        '(or --output). Logs, progress and statistics go to stderr.',
        '',
        'Usage: $0 <command> [options]',
      ].join('\n'),
    )
    .command('run <graph>', 'Run records through a graph', (y) => runBuilder(y))
    .command('validate <graph>', 'Check a graph file and report every problem as file:line:col', (y) =>
      y
        .positional('graph', { type: 'string', demandOption: true, describe: 'Graph file (YAML)' })
        .example('$0 validate fixtures/graphs/filter.yaml', 'Prints "ok" or one line per problem; exit 2 on problems'),
    )
    .command('graph <graph>', 'Draw a graph file as Mermaid or Graphviz DOT', (y) =>
      y
        .positional('graph', { type: 'string', demandOption: true, describe: 'Graph file (YAML)' })
        .option('format', { choices: ['mermaid', 'dot'] as const, default: 'mermaid' as const, describe: 'Output format' })
        .example('$0 graph fixtures/graphs/filter.yaml --format dot | dot -Tsvg > graph.svg', 'Render with Graphviz'),
    )
    .command('schema', 'Print the JSON Schema of graph files (for editor completion)', (y) => y.example('$0 schema > sygra-graph.schema.json', "Then point your editor's YAML plugin at it"))
    .command('oasst', 'Turn OASST trees or flat messages into SFT conversations or DPO pairs', (y) => oasstBuilder(y))
    .command('rules', 'Print the quality rules with their formulas and default thresholds (Markdown)', (y) => y.example('$0 rules', 'The table docs/quality.md shows'))
    .command('mock-server', 'Serve an OpenAI-compatible mock model on 127.0.0.1 (for tests, benchmarks and offline runs)', (y) => mockServerBuilder(y))
    .command('cache <action> [key]', 'Show, export or clear the persistent LLM response cache', (y) => cacheBuilder(y))
    .command('report [file]', 'Summarise tagged records: a terminal summary, an HTML report (--html) or a dataset card (--card)', (y) => reportBuilder(y))
    .command('push <folder> <target>', 'Push a dataset folder (shards and card) to the Hugging Face Hub in one commit', (y) => pushBuilder(y))
    .command('view <files..>', 'Browse, filter and label records (outputs, --rejected, --errors) in a local web viewer', (y) => viewBuilder(y))
    .command('queue <action>', 'Scale out: push records to a Redis queue, or drain its results', (y) => queueBuilder(y))
    .command('worker <graph>', 'Scale out: run a graph on records from a Redis queue (start any number, on any machine)', (y) => workerBuilder(y))
    .completion('completion', 'Print a bash/zsh completion script (add `source <(sygra-stream completion)` to your shell profile)')
    .option('debug', { type: 'boolean', default: false, describe: 'Show stack traces for unexpected failures', global: true })
    .demandCommand(1, `Name a command: ${COMMANDS.join(', ')}.`)
    .strict()
    .epilogue(EXIT_CODES_HELP)
    .version(packageVersion())
    .help()
    .alias('h', 'help')
    // yargs lays out the help text of a command even when it is not shown: skip the
    // width calculations unless help is asked for.
    .wrap(argv.includes('--help') || argv.includes('-h') ? Math.min(100, process.stdout.columns ?? 100) : null)
    .fail((message, err) => {
      if (err) throw err;
      usageError = true;
      say(term, improveUsageMessage(message ?? 'invalid usage', cli, argv));
      term.stderr.write(`Try 'sygra-stream --help' or 'sygra-stream <command> --help'.\n`);
    });

  // After parsing, yargs lays out the whole help text of the command in case its handler
  // shows it later (36 ms of every start of `run`, with its fifty options); ours never do:
  // help is shown by --help alone, which does not go through this.
  const internals = (cli as unknown as { getInternalMethods?: () => { getUsageInstance(): { cacheHelpMessage: () => void } } }).getInternalMethods?.();
  if (internals) internals.getUsageInstance().cacheHelpMessage = () => undefined;

  // run and oasst watch their own output; other commands write stdout directly, and a
  // write that fails (a full disk) is reported here. `| head` closing it stays quiet.
  let stdoutFailure: string | null = null;
  const ownOutput = argv[0] === 'run' || argv[0] === 'oasst';
  const onStdoutError = (err: NodeJS.ErrnoException): void => {
    if (err.code !== 'EPIPE') stdoutFailure ??= `cannot write stdout: ${err.message}`;
  };
  if (!ownOutput) term.stdout.on('error', onStdoutError);
  try {
    const args = await cli.parseAsync();
    if (usageError) return ExitCode.usage;
    await handlers[String(args._[0])]?.(args);
    if (!ownOutput && !term.stdout.destroyed) await new Promise<void>((resolve) => term.stdout.write('', () => resolve()));
    if (stdoutFailure) {
      say(term, stdoutFailure);
      return ExitCode.runtime;
    }
  } catch (err) {
    if (debug) term.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
    else say(term, (err as Error).message ?? String(err));
    return ExitCode.runtime;
  }
  return usageError ? ExitCode.usage : exitCode;
}

/** Adds "did you mean" to yargs' unknown-argument messages, and tells a stray word from a flag. */
function improveUsageMessage(message: string, y: Argv, argv: readonly string[]): string {
  const match = /^Unknown arguments?: (.+)$/.exec(message);
  if (!match) return message;
  if (argv[0] === match[1]!.split(', ')[0]) return `unknown command "${argv[0]}"${didYouMean(argv[0]!, COMMANDS)} (commands: ${COMMANDS.join(', ')})`;
  const known = Object.keys((y as unknown as { getOptions(): { key: Record<string, unknown> } }).getOptions().key);
  const words = match[1]!.split(', ').filter((name) => argv.includes(name));
  if (words.length > 0) return `unexpected argument${words.length > 1 ? 's' : ''}: ${words.join(', ')}`;
  const parts = match[1]!.split(', ').map((name) => {
    const flag = name.length === 1 ? `-${name}` : `--${name}`;
    const hint = didYouMean(name, known).replace(/"([^"]+)"/, (_, k: string) => `--${k}`);
    return `${flag}${hint}`;
  });
  return `unknown option${parts.length > 1 ? 's' : ''}: ${parts.join(', ')}`;
}
