import { access } from 'node:fs/promises';
import { say, type Terminal } from './terminal.js';

/** True when `--input` names a file that exists; otherwise says so on stderr. */
export async function inputFileExists(path: string | undefined, term: Terminal): Promise<boolean> {
  if (path === undefined) return true;
  try {
    await access(path);
    return true;
  } catch {
    say(term, `--input ${path}: no such file`);
    return false;
  }
}
