import { fmix32 } from '../hashing/string-hash.js';
import { HashSet64 } from './hash-set64.js';

/** Where an n-gram of a record was found: which reference set, which of its rows, and the record's words that matched. */
export interface Overlap {
  benchmark: number;
  row: number;
  span: string;
}

/** Characters beyond ASCII that separate words: white space, punctuation and symbols (as dedup's normalisation removes them). */
const SEPARATOR = /[\s\p{P}\p{S}]/u;

/** 1 for ASCII letters and digits, the ASCII characters words are made of. */
const ASCII_WORD = new Uint8Array(128).map((_, c) => ((c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) ? 1 : 0));

/** Beyond ASCII, each BMP character's class as first tested: 0 not yet, 1 word, 2 separator (a regex test is slow). */
const BMP_CLASS = new Uint8Array(0x10000);
/** The same for characters beyond the BMP (emoji and the like): true for a word character. */
const ASTRAL_CLASS = new Map<number, boolean>();

/** Whether the character at `i` belongs to a word: ASCII letters and digits by code, others by their Unicode class. */
function isWordChar(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  if (c < 0x80) return ASCII_WORD[c] === 1;
  // A surrogate pair is one character: tested whole (the low half goes with the high one).
  if (c >= 0xdc00 && c <= 0xdfff) return i > 0 && isWordChar(text, i - 1);
  if (c >= 0xd800 && c <= 0xdbff) {
    const code = text.codePointAt(i)!;
    let word = ASTRAL_CLASS.get(code);
    if (word === undefined) ASTRAL_CLASS.set(code, (word = !SEPARATOR.test(String.fromCodePoint(code))));
    return word;
  }
  let known = BMP_CLASS[c]!;
  if (known === 0) BMP_CLASS[c] = known = SEPARATOR.test(String.fromCharCode(c)) ? 2 : 1;
  return known === 1;
}
/** ASCII codes lower-cased (A–Z to a–z, the rest as they are). */
const ASCII_LOWER = new Uint8Array(128).map((_, c) => (c >= 0x41 && c <= 0x5a ? c + 0x20 : c));

/** The words of a text, as ranges of its normalised form and two 32-bit hashes each; reused from call to call. */
class Words {
  text = '';
  count = 0;
  starts = new Int32Array(256);
  ends = new Int32Array(256);
  a = new Int32Array(256);
  b = new Int32Array(256);

  read(raw: string): this {
    // NFKC and lower case, as dedup normalises; punctuation and white space only separate
    // words. ASCII text is read as it stands, lower-cased code by code; a text with any
    // other character is normalised first and read again.
    if (!this.scan(raw, true)) this.scan(raw.normalize('NFKC').toLowerCase(), false);
    return this;
  }

  /** Cuts `text` into words; with `ascii`, gives up (false) at the first character beyond ASCII. */
  private scan(text: string, ascii: boolean): boolean {
    this.text = text;
    this.count = 0;
    const length = text.length;
    let i = 0;
    while (i < length) {
      // A scan of character codes (a regex with Unicode classes cost three times as much);
      // ASCII is decided here, anything else by its Unicode class.
      for (; i < length; i++) {
        const c = text.charCodeAt(i);
        if (c >= 0x80 && ascii) return false;
        if (c < 0x80 ? ASCII_WORD[c] === 1 : isWordChar(text, i)) break;
      }
      if (i >= length) break;
      const start = i;
      // Two independent hashes of the word in one pass over its characters.
      let a = 0x811c9dc5;
      let b = 0x2545f491;
      for (; i < length; i++) {
        let c = text.charCodeAt(i);
        if (c < 0x80) {
          if (ASCII_WORD[c] !== 1) break;
          c = ASCII_LOWER[c]!;
        } else if (ascii) return false;
        else if (!isWordChar(text, i)) break;
        a = Math.imul(a ^ c, 0x01000193);
        b = Math.imul((b ^ c) + (b >>> 15), 0x5bd1e995);
      }
      const end = i;
      if (this.count === this.starts.length) this.grow();
      this.starts[this.count] = start;
      this.ends[this.count] = end;
      this.a[this.count] = fmix32(a ^ (end - start));
      this.b[this.count] = fmix32(b ^ Math.imul(a, 0x27d4eb2d));
      this.count++;
    }
    return true;
  }

  /** Words `from` to `to` (exclusive), as the normalised text has them, one space apart. */
  span(from: number, to: number): string {
    let out = '';
    for (let i = from; i < to; i++) out += (i > from ? ' ' : '') + this.text.slice(this.starts[i], this.ends[i]);
    // An ASCII text is read as it stands; lower-case it like the others.
    return out.toLowerCase();
  }

  private grow(): void {
    const size = this.starts.length * 2;
    for (const key of ['starts', 'ends', 'a', 'b'] as const) {
      const grown = new Int32Array(size);
      grown.set(this[key]);
      this[key] = grown;
    }
  }
}

const P1 = 0x01000193;
const P2 = 0x5bd1e995;

/** P1 and P2 to the power length - 1, to take the word leaving a window of `length` out of the rolling hash. */
function topPowers(length: number): [number, number] {
  let top1 = 1;
  let top2 = 1;
  for (let i = 1; i < length; i++) {
    top1 = Math.imul(top1, P1);
    top2 = Math.imul(top2, P2);
  }
  return [top1, top2];
}
/** The 64-bit hashes (two 32-bit halves) of every run of words in a text; its arrays are reused from call to call. */
class Windows {
  hi = new Uint32Array(256);
  lo = new Uint32Array(256);

  /** Hashes each run of `length` words (a rolling hash: one multiply-add a word); the run starting at word w goes in slot w. Returns the number of runs. */
  hash(words: Words, length: number): number {
    const { a, b, count } = words;
    const runs = count - length + 1;
    if (runs <= 0) return 0;
    if (runs > this.hi.length) {
      this.hi = new Uint32Array(runs * 2);
      this.lo = new Uint32Array(runs * 2);
    }
    const { hi, lo } = this;
    const [top1, top2] = topPowers(length);
    const mix = Math.imul(length, 0x9e3779b1);
    let h1 = 0;
    let h2 = 0;
    for (let i = 0; i < count; i++) {
      if (i >= length) {
        h1 = (h1 - Math.imul(a[i - length]!, top1)) | 0;
        h2 = (h2 - Math.imul(b[i - length]!, top2)) | 0;
      }
      h1 = (Math.imul(h1, P1) + a[i]!) | 0;
      h2 = (Math.imul(h2, P2) + b[i]!) | 0;
      if (i >= length - 1) {
        hi[i - length + 1] = fmix32(h1 ^ length);
        lo[i - length + 1] = fmix32(h2 ^ mix);
      }
    }
    return runs;
  }
}

/** The value of a slot: the reference set in the top 8 bits, its row in the low 24. */
const ROW_BITS = 24;
const ROW_MASK = (1 << ROW_BITS) - 1;

/**
 * The word n-grams of reference texts (benchmark questions, say), for finding records
 * that copy them, as GPT-3's and NeMo Curator's decontamination do: texts are normalised
 * as dedup does (NFKC, lower case, punctuation and extra white space removed), cut into
 * words, and every run of `n` words is kept as a 64-bit hash, 12 bytes a slot. A
 * reference shorter than `n` words (but at least `minWords`) is kept whole, at its own
 * length, so a short question copied whole is found too.
 */
export class NgramIndex {
  private readonly set: HashSet64;
  /** Window lengths in use: n, and the lengths of shorter references. */
  readonly lengths = new Set<number>();
  private readonly words = new Words();
  private readonly windows = new Windows();
  /** References left out for having fewer than minWords words. */
  tooShort = 0;

  constructor(
    readonly n: number,
    readonly minWords: number,
    maxBytes = 1 << 30,
    set?: HashSet64,
  ) {
    this.set = set ?? new HashSet64(maxBytes);
    this.lengths.add(n);
  }

  get size(): number {
    return this.set.size;
  }

  /** Adds a reference text; false when it is too short to index. */
  add(text: string, benchmark: number, row: number): boolean {
    const words = this.words.read(text);
    if (words.count < this.minWords) {
      this.tooShort++;
      return false;
    }
    const length = Math.min(this.n, words.count);
    this.lengths.add(length);
    const value = (benchmark << ROW_BITS) | (row & ROW_MASK);
    this.filter = null;
    const count = this.windows.hash(words, length);
    const { hi, lo } = this.windows;
    for (let w = 0; w < count; w++) {
      if (this.set.get(hi[w]!, lo[w]!) === undefined && !this.set.add(hi[w]!, lo[w]!, value)) throw new Error('the decontamination index is over its memory budget (1 GiB)');
    }
    return true;
  }

  /**
   * One bit per slot of a bit array about 16 times the entries, set for each n-gram: a
   * record's n-grams are nearly all absent, and a bit answers that with one memory read
   * where the table's probe took two or three (the table is too big for the caches).
   * Made at the first lookup, after the references are in.
   */
  private filter: Uint32Array | null = null;
  private filterMask = 0;

  private buildFilter(): Uint32Array {
    let bits = 1 << 20;
    while (bits < this.set.size * 16 && bits < 1 << 30) bits *= 2;
    const filter = new Uint32Array(bits / 32);
    const mask = bits - 1;
    this.set.forEach((_hi, lo) => {
      const bit = lo & mask;
      filter[bit >>> 5]! |= 1 << (bit & 31);
    });
    this.filterMask = mask;
    this.filter = filter;
    return filter;
  }

  /** The first overlap of each reference set with `text`, in the order found. */
  find(text: string): Overlap[] {
    const words = this.words.read(text);
    const filter = this.filter ?? this.buildFilter();
    const mask = this.filterMask;
    let found: Map<number, Overlap> | null = null;
    const set = this.set;
    for (const length of this.lengths) {
      const count = this.windows.hash(words, length);
      const { hi, lo } = this.windows;
      for (let w = 0; w < count; w++) {
        const bit = lo[w]! & mask;
        if ((filter[bit >>> 5]! & (1 << (bit & 31))) === 0) continue;
        const value = set.get(hi[w]!, lo[w]!);
        if (value === undefined) continue;
        const benchmark = value >>> ROW_BITS;
        found ??= new Map();
        if (!found.has(benchmark)) found.set(benchmark, { benchmark, row: value & ROW_MASK, span: words.span(w, w + length) });
      }
    }
    return found ? [...(found as Map<number, Overlap>).values()] : [];
  }

  /** The index as bytes, to keep on disk: a JSON header line, then the table. */
  serialize(): Buffer {
    const table = this.set.snapshot();
    const header = Buffer.from(`${JSON.stringify({ n: this.n, minWords: this.minWords, lengths: [...this.lengths], tooShort: this.tooShort, size: table.size, slots: table.hi.length })}\n`);
    return Buffer.concat([header, Buffer.from(table.hi.buffer), Buffer.from(table.lo.buffer), Buffer.from(table.values.buffer)]);
  }

  static deserialize(bytes: Buffer): NgramIndex {
    const nl = bytes.indexOf(0x0a);
    const meta = JSON.parse(bytes.subarray(0, nl).toString()) as { n: number; minWords: number; lengths: number[]; tooShort: number; size: number; slots: number };
    const body = bytes.subarray(nl + 1);
    // A copy into fresh, aligned memory: the file's bytes may sit at any offset.
    const words = new Uint32Array(meta.slots * 3);
    new Uint8Array(words.buffer).set(body.subarray(0, meta.slots * 12));
    const set = HashSet64.restore({ hi: words.subarray(0, meta.slots), lo: words.subarray(meta.slots, 2 * meta.slots), values: words.subarray(2 * meta.slots), size: meta.size });
    const index = new NgramIndex(meta.n, meta.minWords, 1 << 30, set);
    for (const l of meta.lengths) index.lengths.add(l);
    index.tooShort = meta.tooShort;
    return index;
  }
}
