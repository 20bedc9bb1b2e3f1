import { access } from 'node:fs/promises';
import { say, type Terminal } from './terminal.js';
import { pathClash, type NamedPath } from '../io/path-clash.js';

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

/**
 * False (and says why on stderr) when an output names the input, the graph, or another
 * output: checked before anything is read or written.
 */
export function pathsAreDistinct(paths: readonly NamedPath[], term: Terminal): boolean {
  const clash = pathClash(paths);
  if (clash) say(term, `${clash}; name another file`);
  return clash === null;
}
