// Spawns the built CLI over real pipes, as a user's shell would.
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (tests run from dist/test/...). */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The bundled CLI, as installed by npm (the bin in package.json). */
export const CLI = join(ROOT, 'dist', 'sygra-stream.mjs');
export const FIXTURES = join(ROOT, 'fixtures');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  /** Written to stdin, which is then closed. Omitted: stdin is closed at once. */
  input?: string | Buffer;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

export function startCli(args: string[], options: CliOptions = {}): ChildProcess {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: options.cwd ?? ROOT,
    env: { ...process.env, ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  // A CLI that stops early (an error, SIGINT) closes stdin under a writer: that is expected.
  child.stdin!.on('error', () => undefined);
  return child;
}

export function runCli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  const child = startCli(args, options);
  return collect(child, options.input);
}

export function collect(child: ChildProcess, input?: string | Buffer): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  child.stdin!.end(input ?? '');
  return new Promise((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** Parses NDJSON text into objects (throws on any bad line, which fails the test). */
export function lines(text: string): Array<Record<string, unknown>> {
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

export function ndjson(records: readonly object[]): string {
  return records.map((r) => JSON.stringify(r) + '\n').join('');
}

/**
 * A run whose stdin the test writes a little at a time, waiting on what the run prints
 * (`--threads` workers get batches only once they are up, so a test that needs one to run
 * something feeds records one by one until a worker's output shows it is).
 */
export function feed(args: string[], options: Omit<CliOptions, 'input'> = {}) {
  const child = startCli(args, options);
  let stdout = '';
  let stderr = '';
  let ended = false;
  const waiting: Array<() => void> = [];
  const wake = (): void => {
    for (const w of waiting.splice(0)) w();
  };
  child.stdout!.setEncoding('utf8').on('data', (d: string) => ((stdout += d), wake()));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => ((stderr += d), wake()));
  const done = new Promise<CliResult>((resolve) =>
    child.on('close', (code, signal) => {
      ended = true;
      wake();
      resolve({ code, signal, stdout, stderr });
    }),
  );
  return {
    /** What the run has written to stdout and stderr so far. */
    printed: async (): Promise<string> => stdout,
    printedErr: async (): Promise<string> => stderr,
    write: (text: string): void => void child.stdin!.write(text),
    end: (text = ''): Promise<CliResult> => (child.stdin!.end(text), done),
    /** Resolves true once `seen` holds of what was printed, false if the run ends first. */
    async until(seen: (out: string, err: string) => boolean): Promise<boolean> {
      for (;;) {
        if (seen(stdout, stderr)) return true;
        if (ended) return false;
        await new Promise<void>((resolve) => waiting.push(resolve));
      }
    },
  };
}
