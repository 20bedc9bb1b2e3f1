import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * The batches a model submitted, kept in the cache folder: one line when a batch is
 * submitted (its id and custom ids), one when it ends. A run killed while its batches
 * were pending finds them here and polls them again: nothing is submitted twice, and
 * nothing paid for is lost.
 */
export class BatchJournal {
  private constructor(
    private readonly file: string,
    /** Custom id → the batch that holds it, for batches that did not fail. */
    readonly known: Map<string, string>,
    /** Batch id → how it ended, for those that did. */
    readonly ended: Map<string, string>,
  ) {}

  /** The custom ids a batch of an earlier run holds. */
  members(id: string): string[] {
    const members: string[] = [];
    for (const [customId, batch] of this.known) if (batch === id) members.push(customId);
    return members;
  }

  static async open(file: string): Promise<BatchJournal> {
    const known = new Map<string, string>();
    const ended = new Map<string, string>();
    let text = '';
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    const failed = new Set<string>();
    const lines = text.split('\n');
    lines.pop(); // empty, or torn by a kill
    for (const line of lines) {
      let entry: { id?: string; custom_ids?: string[]; ended?: string; failed?: string };
      try {
        entry = JSON.parse(line) as typeof entry;
      } catch {
        continue;
      }
      if (typeof entry.id !== 'string') continue;
      for (const customId of entry.custom_ids ?? []) known.set(customId, entry.id);
      if (entry.ended) ended.set(entry.id, entry.ended);
      if (entry.failed) failed.add(entry.id);
    }
    for (const [customId, id] of known) if (failed.has(id)) known.delete(customId);
    await mkdir(dirname(file), { recursive: true });
    return new BatchJournal(file, known, ended);
  }

  async submitted(id: string, customIds: readonly string[]): Promise<void> {
    await appendFile(this.file, `${JSON.stringify({ id, submitted_at: new Date().toISOString(), custom_ids: customIds })}\n`);
  }

  async finished(id: string, state: { ended: string } | { failed: string }): Promise<void> {
    if ('ended' in state) this.ended.set(id, state.ended);
    await appendFile(this.file, `${JSON.stringify({ id, ...state })}\n`);
  }
}
