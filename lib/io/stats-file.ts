import { AtomicFile } from './atomic-file.js';

/**
 * Writes a command's statistics (`--stats FILE`) as indented JSON, atomically: a reader
 * never sees half a file, and a run that fails while writing leaves the old one in place.
 */
export async function writeStatsFile(path: string, report: unknown): Promise<void> {
  const file = new AtomicFile(path);
  try {
    await file.ready();
    file.stream.write(JSON.stringify(report, null, 2) + '\n');
    await file.commit();
  } catch (err) {
    await file.abort();
    const e = err as NodeJS.ErrnoException;
    throw new Error(`cannot write --stats ${path}: ${e.code ?? e.message}`);
  }
}
