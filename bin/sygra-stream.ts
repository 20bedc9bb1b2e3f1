#!/usr/bin/env node
import { main } from '../lib/cli/main.js';

process.exitCode = await main(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
});
// Done: if something a graph's own code started (a timer, a socket) would keep the process
// alive, it ends anyway after a grace period for the output to drain.
setTimeout(() => process.exit(), 2000).unref();
