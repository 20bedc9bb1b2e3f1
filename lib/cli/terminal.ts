import type { Readable, Writable } from 'node:stream';

/** The process's streams, passed in so commands never reach for globals (and tests can). */
export interface Terminal {
  stdin: Readable & { isTTY?: boolean };
  stdout: Writable;
  stderr: Writable & { isTTY?: boolean };
}

/** Writes a one-line message for a person on stderr. */
export function say(term: Terminal, message: string): void {
  term.stderr.write(`sygra-stream: ${message}\n`);
}
