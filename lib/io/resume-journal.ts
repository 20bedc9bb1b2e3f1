import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { open, rename, rm, stat, truncate } from 'node:fs/promises';
import { HashSet64 } from '../dedup/hash-set64.js';
import { hash64 } from '../hashing/string-hash.js';
import { isJsonObject, type Batch, type ResumeEntry } from '../record/item.js';
import type { FinishedIds } from './resume.js';

/**
 * The --resume journal: a file beside the output that says which input records are
 * finished and how long each output file was when they were. The sink appends a line once
 * a batch is in the files; a resumed run cuts the files back to the last line's sizes (a
 * kill between the two left a batch without its line) and passes over the records it
 * names. Records are known by their id and occurrence number (the k-th record with that
 * id in the input), so records that share an id, fan-out and --unordered resume exactly.
 */

/** The files a run writes, as the journal names them. */
export type JournalFile = 'output' | 'errors' | 'rejected';
export type FileSizes = Partial<Record<JournalFile, number>>;

const VERSION = 1;
/** Keys per line when the journal is rewritten at the start of a run. */
const KEYS_PER_LINE = 4096;
const DONE = 1;
const FAILED = 2;

export function journalPathOf(output: string): string {
  return `${output}.resume`;
}

/** The key of the `occurrence`-th record (from 1) whose id hashes to (hi, lo). */
function keyOf(hi: number, lo: number, occurrence: number, out: Uint32Array): void {
  out[0] = (hi ^ Math.imul(occurrence, 0x9e3779b1)) >>> 0;
  out[1] = (lo + occurrence) >>> 0;
}

const HEX_BYTE = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));

/** The key as 16 hex digits (a byte table: this runs once per record, and toString(16) showed in profiles). */
function hex(hi: number, lo: number): string {
  return (
    HEX_BYTE[hi >>> 24]! +
    HEX_BYTE[(hi >>> 16) & 255]! +
    HEX_BYTE[(hi >>> 8) & 255]! +
    HEX_BYTE[hi & 255]! +
    HEX_BYTE[lo >>> 24]! +
    HEX_BYTE[(lo >>> 16) & 255]! +
    HEX_BYTE[(lo >>> 8) & 255]! +
    HEX_BYTE[lo & 255]!
  );
}

/**
 * Input records finished in earlier runs, by key, each as done (written or filtered) or
 * failed (in --errors); and, as this run reads its input, how many times each id was met.
 */
export class FinishedKeys {
  private readonly keys = new HashSet64(2 ** 40);
  private readonly met = new HashSet64(2 ** 40);
  private readonly hash = new Uint32Array(2);
  private readonly key = new Uint32Array(2);
  /** Input records whose id an earlier input record had. */
  repeats = 0;

  get size(): number {
    return this.keys.size;
  }

  add(hexKey: string, failed: boolean): void {
    this.keys.add(Number.parseInt(hexKey.slice(0, 8), 16), Number.parseInt(hexKey.slice(8, 16), 16), failed ? FAILED : DONE);
  }

  /** Ids found in files without a journal: an id finished k times finishes its first k records. */
  addCounted(ids: FinishedIds, failed: boolean): void {
    ids.forEach((hi, lo, count) => {
      for (let k = 1; k <= count; k++) {
        keyOf(hi, lo, k, this.key);
        this.keys.add(this.key[0]!, this.key[1]!, failed ? FAILED : DONE);
      }
    });
  }

  /** Meets the next record with this id: null when an earlier run finished it, else its entry. */
  next(id: string): ResumeEntry | null {
    hash64(id, this.hash);
    const hi = this.hash[0]!;
    const lo = this.hash[1]!;
    const seen = this.met.get(hi, lo);
    if (seen === undefined) this.met.add(hi, lo, 1);
    else {
      this.met.set(hi, lo, seen + 1);
      this.repeats++;
    }
    keyOf(hi, lo, (seen ?? 0) + 1, this.key);
    if (this.keys.get(this.key[0]!, this.key[1]!) !== undefined) return null;
    return { hi: this.key[0]!, lo: this.key[1]!, left: 1, kept: false, failed: false };
  }

  /** Every finished key as hex, with whether it failed. */
  forEach(fn: (hexKey: string, failed: boolean) => void): void {
    this.keys.forEach((hi, lo, kind) => {
      fn(hex(hi, lo), kind === FAILED);
    });
  }
}

/** What a journal says, once read. */
interface JournalContents {
  idField: string;
  inodes: FileSizes;
  sizes: FileSizes;
  done: string[];
  failed: string[];
}

/**
 * Reads a journal; null when there is none. Only complete lines count: a last line torn by
 * a kill is ignored (the sizes before it apply). A damaged line elsewhere is an error.
 */
async function readJournal(path: string): Promise<JournalContents | null> {
  let text: string;
  try {
    const chunks: Buffer[] = [];
    for await (const chunk of createReadStream(path)) chunks.push(chunk as Buffer);
    text = Buffer.concat(chunks).toString('utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  const lines = text.split('\n');
  lines.pop(); // after the last newline: empty, or a torn line
  const contents: JournalContents = { idField: '', inodes: {}, sizes: {}, done: [], failed: [] };
  lines.forEach((line, i) => {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new Error(`${path}:${i + 1}: not a JSON line`);
    }
    if (!isJsonObject(value)) throw new Error(`${path}:${i + 1}: not a journal line`);
    if (i === 0) {
      if (value.sygra_resume !== VERSION || typeof value.id_field !== 'string') throw new Error(`${path}: not a sygra-stream resume journal (version ${VERSION})`);
      contents.idField = value.id_field;
      contents.inodes = value.inodes as FileSizes;
    }
    if (isJsonObject(value.sizes)) contents.sizes = value.sizes as FileSizes;
    if (Array.isArray(value.done)) for (const key of value.done) contents.done.push(String(key));
    if (Array.isArray(value.failed)) for (const key of value.failed) contents.failed.push(String(key));
  });
  if (lines.length === 0) throw new Error(`${path}: empty`);
  return contents;
}

export interface ResumeFiles {
  output: string;
  errors?: string;
  rejected?: string;
}

export interface ResumeStart {
  finished: FinishedKeys;
  /** Why the journal was not used (a note for stderr), or null. */
  journalNotUsed: string | null;
}

/**
 * Before a resumed run: reads the journal and cuts the files back to its sizes, or, when
 * there is no journal that fits the files (a first --resume, an output from a run without
 * it, files changed since), finds the finished records by the ids in the files (`scan`).
 */
export async function resumeFromJournal(files: ResumeFiles, idField: string, retryErrors: boolean, scan: (finished: FinishedKeys) => Promise<void>): Promise<ResumeStart> {
  const path = journalPathOf(files.output);
  const finished = new FinishedKeys();
  let journal: JournalContents | null;
  let why: string | null = null;
  try {
    journal = await readJournal(path);
  } catch (err) {
    journal = null;
    why = (err as Error).message;
  }
  if (journal) {
    why = await fitFiles(journal, files, idField);
    if (why === null) {
      for (const key of journal.done) finished.add(key, false);
      if (!retryErrors) for (const key of journal.failed) finished.add(key, true);
      return { finished, journalNotUsed: null };
    }
  }
  await scan(finished);
  return { finished, journalNotUsed: why === null ? null : `${path} was not used (${why}); finished records were found by their ids in the files` };
}

/**
 * Checks that each file is the one the journal describes, no shorter than it says, and
 * cuts what lies beyond (a batch written just before a kill, whose line never came). What
 * lies beyond must be NDJSON lines, perhaps a torn last one: anything else means the file
 * was changed by hand, and is not cut. Returns why the journal does not fit, or null.
 */
async function fitFiles(journal: JournalContents, files: ResumeFiles, idField: string): Promise<string | null> {
  if (journal.idField !== idField) return `it was written with --id-field ${journal.idField}`;
  const named: Array<[JournalFile, string | undefined]> = [
    ['output', files.output],
    ['errors', files.errors],
    ['rejected', files.rejected],
  ];
  const cuts: Array<[string, number]> = [];
  for (const [role, file] of named) {
    const size = journal.sizes[role];
    if ((file === undefined) !== (size === undefined)) return `it was written ${file === undefined ? 'with' : 'without'} --${role}`;
    if (file === undefined || size === undefined) continue;
    let info: { ino: number; size: number };
    try {
      info = await stat(file);
    } catch {
      return `${file} is missing`;
    }
    if (info.ino !== journal.inodes[role]) return `${file} was replaced since`;
    if (info.size < size) return `${file} is shorter than it says`;
    if (info.size > size) {
      await checkTail(file, size);
      cuts.push([file, size]);
    }
  }
  for (const [file, size] of cuts) await truncate(file, size);
  return null;
}

/** Throws, naming the line, when the bytes of `file` after `from` hold a complete line that is not JSON. */
async function checkTail(file: string, from: number): Promise<void> {
  const handle = await open(file, 'r');
  try {
    const size = (await handle.stat()).size;
    const tail = Buffer.alloc(size - from);
    await handle.read(tail, 0, tail.length, from);
    const lines = tail.toString('utf8').split('\n');
    lines.pop();
    const bad = lines.findIndex((line) => {
      if (line.trim() === '') return false;
      try {
        JSON.parse(line);
        return false;
      } catch {
        return true;
      }
    });
    if (bad < 0) return;
    let before = 0;
    for await (const chunk of createReadStream('', { fd: handle.fd, autoClose: false, start: 0, end: from - 1 })) {
      for (const byte of chunk as Buffer) if (byte === 10) before++;
    }
    throw new Error(`${file}:${before + bad + 1}: not a JSON line; cannot resume from a damaged file`);
  } finally {
    await handle.close();
  }
}

/** The files as the journal tracks them: where each stands now, and bytes written since. */
export interface JournalTargets {
  output: string;
  errors?: { path: string; bytes: () => number };
  rejected?: { path: string; bytes: () => number };
}

/**
 * The journal of this run: started (rewritten whole, then renamed into place) once the
 * files are open, then appended to after each batch the sink wrote.
 */
export class ResumeJournal {
  private outputBytes = 0;
  private failedWrite = false;

  private constructor(
    private readonly stream: WriteStream,
    private readonly base: Required<Pick<FileSizes, 'output'>> & FileSizes,
    private readonly targets: JournalTargets,
  ) {
    stream.on('error', () => {
      this.failedWrite = true;
    });
  }

  static async start(targets: JournalTargets, idField: string, finished: FinishedKeys): Promise<ResumeJournal> {
    const path = journalPathOf(targets.output);
    const sizes: FileSizes = {};
    const inodes: FileSizes = {};
    const roles: Array<[JournalFile, string | undefined]> = [
      ['output', targets.output],
      ['errors', targets.errors?.path],
      ['rejected', targets.rejected?.path],
    ];
    for (const [role, file] of roles) {
      if (file === undefined) continue;
      const info = await stat(file);
      sizes[role] = info.size;
      inodes[role] = info.ino;
    }
    const temp = `${path}.tmp-${process.pid}`;
    const fresh = createWriteStream(temp);
    try {
      const write = async (line: string): Promise<void> => {
        if (!fresh.write(line)) await once(fresh, 'drain');
      };
      await write(`${JSON.stringify({ sygra_resume: VERSION, id_field: idField, inodes, sizes })}\n`);
      let done: string[] = [];
      let failed: string[] = [];
      const lines: string[] = [];
      const flush = (): void => {
        lines.push(`${JSON.stringify({ done, failed })}\n`);
        done = [];
        failed = [];
      };
      finished.forEach((key, isFailed) => {
        (isFailed ? failed : done).push(key);
        if (done.length + failed.length >= KEYS_PER_LINE) flush();
      });
      if (done.length + failed.length > 0) flush();
      for (const line of lines) await write(line);
      fresh.end();
      await once(fresh, 'finish');
      await rename(temp, path);
    } catch (err) {
      fresh.destroy();
      await rm(temp, { force: true });
      throw err;
    }
    const stream = createWriteStream(path, { flags: 'a' });
    await once(stream, 'open');
    return new ResumeJournal(stream, { ...sizes, output: sizes.output ?? 0 }, targets);
  }

  /**
   * Holds back the items of an input record until the last of them reaches the sink (fan-out
   * can spread them over batches), so that a record's items are written in one batch, and
   * the journal can say the record is finished after that batch.
   */
  gather(batch: Batch): Batch {
    let out: Batch | null = null;
    for (let i = 0; i < batch.length; i++) {
      const item = batch[i]!;
      const entry = item.resume;
      if (entry === undefined || (--entry.left === 0 && entry.held === undefined)) {
        out?.push(item);
        continue;
      }
      out ??= batch.slice(0, i);
      if (entry.left > 0) (entry.held ??= []).push(item);
      else {
        for (const held of entry.held!) out.push(held);
        entry.held = undefined;
        out.push(item);
      }
    }
    return out ?? batch;
  }

  /**
   * After a batch from `gather` is in the files (`outputBytes` of it in the output): notes
   * its input records as finished, with the files' sizes.
   */
  async afterBatch(batch: Batch, outputBytes: number): Promise<void> {
    this.outputBytes += outputBytes;
    if (this.failedWrite) return;
    for (const item of batch) {
      const entry = item.resume;
      if (entry === undefined) continue;
      if (item.outcome === undefined || item.outcome.kind === 'filtered') entry.kept = true;
      else if (this.targets.errors) entry.failed = true;
    }
    const done: string[] = [];
    const failed: string[] = [];
    for (const item of batch) {
      const entry = item.resume;
      // Each record once (its items sit together); one none of whose items was kept or
      // written to --errors is done again next time.
      if (entry === undefined || entry.left < 0) continue;
      entry.left = -1;
      if (entry.kept) done.push(hex(entry.hi, entry.lo));
      else if (entry.failed) failed.push(hex(entry.hi, entry.lo));
    }
    if (done.length === 0 && failed.length === 0 && outputBytes === 0) return;
    const sizes: FileSizes = { output: this.base.output + this.outputBytes };
    if (this.targets.errors) sizes.errors = (this.base.errors ?? 0) + this.targets.errors.bytes();
    if (this.targets.rejected) sizes.rejected = (this.base.rejected ?? 0) + this.targets.rejected.bytes();
    if (!this.stream.write(`${JSON.stringify({ sizes, done, failed })}\n`)) await once(this.stream, 'drain');
  }

  /** No more writes that count: a batch whose files failed to take it is not noted. */
  stopNoting(): void {
    this.failedWrite = true;
  }

  async close(): Promise<void> {
    if (this.stream.destroyed) return;
    this.stream.end();
    await once(this.stream, 'close').catch(() => undefined);
  }
}
