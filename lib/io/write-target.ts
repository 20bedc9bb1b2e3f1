import { lstatSync, readlinkSync, realpathSync, statSync, type Stats } from 'node:fs';
import { chmod, chown, rename } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';

/**
 * How an output path is written. A regular file (or a new one) is written under a
 * temporary name beside it and renamed into place, keeping its mode and owner; a symbolic
 * link is followed, so the file it names is replaced and the link stays. Anything else (a
 * device such as /dev/null, a FIFO, /dev/stdout) is written in place and never replaced.
 */
export type WriteTarget = { kind: 'in-place'; path: string } | { kind: 'replace'; path: string; temp: string; keep: Stats | null };

export function writeTarget(path: string): WriteTarget {
  const existing = statOrNull(path);
  // A folder is "written in place" too: opening it fails at once with EISDIR, before any record.
  if (existing && !existing.isFile()) return { kind: 'in-place', path };
  return replaceAt(realTarget(path), existing);
}

/** Gives the finished temporary file the old file's mode and owner, then moves it into place. */
export async function replace(target: Extract<WriteTarget, { kind: 'replace' }>): Promise<void> {
  if (target.keep) {
    await chmod(target.temp, target.keep.mode & 0o7777);
    // Only root can give a file away; others keep their own ownership, as editors do.
    if (process.getuid?.() === 0) await chown(target.temp, target.keep.uid, target.keep.gid).catch(() => undefined);
  }
  await rename(target.temp, target.path);
}

function replaceAt(path: string, keep: Stats | null): WriteTarget {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  return { kind: 'replace', path, temp, keep };
}

/** The file a path names, symbolic links followed (a dangling link names the file it would create). */
function realTarget(path: string): string {
  let lstat: Stats;
  try {
    lstat = lstatSync(path);
  } catch {
    return path;
  }
  if (!lstat.isSymbolicLink()) return path;
  try {
    return realpathSync(path);
  } catch {
    return resolve(dirname(path), readlinkSync(path));
  }
}

function statOrNull(path: string): Stats | null {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}
