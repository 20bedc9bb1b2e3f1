import { createReadStream } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { HashSet64 } from '../dedup/hash-set64.js';
import { isJsonObject, type Item, type JsonObject } from '../record/item.js';
import { getPath, type FieldPath } from '../record/path.js';
import { hash64 } from '../hashing/string-hash.js';

/**
 * The id of an input record for --resume: its id field (a string or a number), else a
 * hash of its input line, so that any NDJSON can be resumed.
 */
export function recordId(item: Item, idPath: FieldPath): string {
  const value = item.outcome === undefined ? getPath(item.record, idPath) : undefined;
  if (typeof value === 'string' || typeof value === 'number') return String(value);
  const line = item.bytes ? item.bytes.toString('utf8').replace(/\r?\n$/, '') : (item.raw ?? JSON.stringify(item.record));
  return `line:${lineHash(line)}`;
}

const hashOut = new Uint32Array(2);
function lineHash(line: string): string {
  hash64(line, hashOut);
  return hashOut[0]!.toString(16).padStart(8, '0') + hashOut[1]!.toString(16).padStart(8, '0');
}

/**
 * Ids of records finished in earlier runs, as 64-bit hashes (about 17 bytes each, whatever
 * the id), each with how many times it was finished: records that share an id are matched
 * by occurrence, the k-th with an id in the input to the k-th finished.
 */
export class FinishedIds {
  private readonly set = new HashSet64(2 ** 40);
  private readonly hash = new Uint32Array(2);
  /** Finished lines whose id an earlier finished line had already. */
  repeated = 0;

  get size(): number {
    return this.set.size;
  }

  add(id: string): void {
    hash64(id, this.hash);
    const count = this.set.get(this.hash[0]!, this.hash[1]!);
    if (count === undefined) this.set.add(this.hash[0]!, this.hash[1]!, 1);
    else {
      this.set.set(this.hash[0]!, this.hash[1]!, count + 1);
      this.repeated++;
    }
  }

  /** Whether a record with this id was finished, counting it off: the next one with the id is asked afresh. */
  take(id: string): boolean {
    hash64(id, this.hash);
    const count = this.set.get(this.hash[0]!, this.hash[1]!);
    if (!count) return false;
    this.set.set(this.hash[0]!, this.hash[1]!, count - 1);
    return true;
  }

  /** Calls `fn` with each finished id's hash and how many times it was finished. */
  forEach(fn: (hi: number, lo: number, count: number) => void): void {
    this.set.forEach(fn);
  }

  /** Whether a record with this id was finished (and not yet counted off). */
  has(id: string): boolean {
    hash64(id, this.hash);
    return (this.set.get(this.hash[0]!, this.hash[1]!) ?? 0) > 0;
  }
}

export interface ScanResult {
  /** Complete lines read. */
  lines: number;
  /** Bytes of a torn last line cut off (a run killed mid-write). */
  truncated: number;
}

/**
 * Reads an NDJSON file left by an earlier run and adds the id of every complete line to
 * `finished`: output lines by their id field, error and rejected lines by their `id`. A
 * last line without its newline was torn by a crash: the file is cut back to the newline
 * before it. A missing file is an empty one. A line in the middle that is not JSON stops
 * the resume with its file and line number: appending to a damaged file would hide it.
 */
export async function scanFinished(path: string, idOf: (value: JsonObject) => unknown, finished: FinishedIds): Promise<ScanResult> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r+');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { lines: 0, truncated: 0 };
    throw err;
  }
  try {
    const size = (await handle.stat()).size;
    let carry = '';
    let offset = 0;
    let lineNo = 0;
    for await (const chunk of createReadStream('', { fd: handle.fd, autoClose: false, start: 0, encoding: 'utf8', highWaterMark: 1 << 20 }) as AsyncIterable<string>) {
      const parts = (carry + chunk).split('\n');
      carry = parts.pop() ?? '';
      for (const line of parts) {
        lineNo++;
        offset += Buffer.byteLength(line) + 1;
        if (line.trim() === '') continue;
        let value: unknown;
        try {
          value = JSON.parse(line);
        } catch {
          throw new Error(`${path}:${lineNo}: not a JSON line; cannot resume from a damaged file`);
        }
        const id = isJsonObject(value) ? idOf(value) : undefined;
        if (typeof id === 'string' || typeof id === 'number') finished.add(String(id));
      }
    }
    const truncated = size - offset;
    if (truncated > 0) await handle.truncate(offset);
    return { lines: lineNo, truncated };
  } finally {
    await handle.close();
  }
}
