import type { MockServerArgs } from './mock-server-options.js';
import { readFileSync } from 'node:fs';
import { MockServer } from '../llm/mock/server.js';
import { ExitCode } from './exit-codes.js';
import { say, type Terminal } from './terminal.js';

/** Serves until SIGINT or SIGTERM; the URL is stdout's first line, requests are not logged. */

export async function mockServerHandler(args: MockServerArgs, term: Terminal): Promise<number> {
  const apiKey = args['api-key-env'] ? process.env[args['api-key-env']] : undefined;
  if (args['api-key-env'] && !apiKey) {
    say(term, `environment variable ${args['api-key-env']} is not set`);
    return ExitCode.usage;
  }
  const requireHeaders: Record<string, string> = {};
  for (const written of args['require-header']) {
    const colon = written.indexOf(':');
    if (colon <= 0) {
      say(term, `--require-header takes 'Name: value', not '${written}'`);
      return ExitCode.usage;
    }
    requireHeaders[written.slice(0, colon).trim().toLowerCase()] = written.slice(colon + 1).trim();
  }
  if ((args['tls-cert'] === undefined) !== (args['tls-key'] === undefined)) {
    say(term, '--tls-cert and --tls-key go together');
    return ExitCode.usage;
  }
  let tls: { key: string; cert: string } | undefined;
  try {
    tls = args['tls-cert'] && args['tls-key'] ? { cert: readFileSync(args['tls-cert'], 'utf8'), key: readFileSync(args['tls-key'], 'utf8') } : undefined;
  } catch (err) {
    say(term, `cannot read the TLS files: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    return ExitCode.usage;
  }
  const server = new MockServer({
    port: args.port,
    host: args.host,
    latencyMs: args['latency-ms'],
    jitterMs: args['jitter-ms'],
    errorRate: args['error-rate'],
    rateLimitRpm: args['rate-limit-rpm'],
    badJsonFirst: args['bad-json-first'],
    jsonStyle: args['json-style'],
    jsonFault: args['json-fault'],
    jsonFaultFirst: args['json-fault-first'],
    failFirst: args['fail-first'],
    failRequests: args['fail-requests'],
    failStatus: args['fail-status'],
    resetFirst: args['reset-first'],
    apiKey,
    requireHeaders,
    reasoning: args.reasoning,
    tls,
    batch: { delayMs: args['batch-delay-ms'], failEvery: args['batch-fail-every'], expire: args['batch-expire'] },
    seed: args.seed,
  });
  let url: string;
  try {
    url = await server.listen();
  } catch (err) {
    say(term, `cannot listen on ${args.host}:${args.port}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    return ExitCode.runtime;
  }
  term.stdout.write(`${url}\n`);
  say(term, `mock server on ${url} (GET ${url.replace(/\/v1$/, '')}/stats for counters); Ctrl-C stops it`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await server.close();
  return ExitCode.ok;
}
