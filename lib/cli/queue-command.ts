import type { QueueArgs } from './queue-options.js';
import { inputFormatOf, openInput } from '../io/formats.js';
import { writeStatsFile } from '../io/stats-file.js';
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
