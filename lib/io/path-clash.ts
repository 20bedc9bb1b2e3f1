import { realpathSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

/** A file a command reads or writes, with the flag that named it. */
export interface NamedPath {
  flag: string;
  path: string | undefined;
  reads?: boolean;
}

/**
 * Why these paths cannot be used together, or null: an output that names the input (it
 * would be destroyed, or read while written), or two outputs that name one file (one
 * would overwrite the other). Paths are compared as the files they name: symbolic links
 * followed, `./a` and `a` alike. Devices and FIFOs (/dev/null, /dev/stdout) may be named
 * more than once: writing there replaces nothing.
 */
export function pathClash(paths: readonly NamedPath[]): string | null {
  const seen = new Map<string, NamedPath>();
  for (const p of paths) {
    if (p.path === undefined || p.path === '-') continue;
    const id = fileIdentity(p.path);
    if (id === null) continue;
    const earlier = seen.get(id);
    if (earlier) {
      const what = earlier.reads || p.reads ? 'the input would be destroyed' : 'one would overwrite the other';
      return `${p.flag} ${p.path} names the same file as ${earlier.flag} ${earlier.path}: ${what}`;
    }
    seen.set(id, p);
  }
  return null;
}

/** Device and inode of an existing regular file, the resolved path of a new one; null for devices and FIFOs. */
function fileIdentity(path: string): string | null {
  try {
    const s = statSync(path);
    return s.isFile() ? `${s.dev}:${s.ino}` : null;
  } catch {
    // Not there yet: two outputs may still name it twice, through different spellings of its folder.
    try {
      return join(realpathSync(dirname(resolve(path))), basename(path));
    } catch {
      return resolve(path);
    }
  }
}
