#!/usr/bin/env node
import module from 'node:module';

// Node 22.1+ keeps the compiled code of the modules on disk and starts faster the next
// time (NODE_COMPILE_CACHE chooses the folder); Node 20 has no such cache. It must be on
// before the rest loads, so the CLI itself is imported after.
(module as { enableCompileCache?: () => unknown }).enableCompileCache?.();
const { main } = await import('../lib/cli/main.js');

process.exitCode = await main(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
});
// Done: if something a graph's own code started (a timer, a socket) would keep the process
// alive, it ends anyway after a grace period for the output to drain.
setTimeout(() => process.exit(), 2000).unref();
