#!/usr/bin/env node
// The command: runs the CLI's bundle through the compile cache (see compile-cache.ts).
import { COMMANDS } from '../lib/cli/commands.js';
import { loadBundle } from './compile-cache.js';
import type { Terminal } from '../lib/cli/terminal.js';

type Main = (argv: string[], term: Terminal) => Promise<number>;

const argv = process.argv.slice(2);
// One cache per command: `run` and `view` compile different code.
const command = COMMANDS.includes(argv[0] ?? '') ? argv[0]! : 'other';
const { main } = loadBundle(new URL('./bundle/cli.cjs', import.meta.url), command) as { main: Main };

const term = {
  // Opened by the commands that read it: opening stdin costs a start 3 ms.
  get stdin() {
    return process.stdin;
  },
  stdout: process.stdout,
  stderr: process.stderr,
};
process.exitCode = await main(argv, term);
// Done: if something a graph's own code started (a timer, a socket) would keep the process
// alive, it ends anyway after a grace period for the output to drain.
setTimeout(() => process.exit(), 2000).unref();
