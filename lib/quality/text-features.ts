import { KeyCounter } from '../hashing/key-counter.js';
import { fmix32 } from '../hashing/string-hash.js';
import { codePointClass, DIGIT, END_MARK, LETTER, lowerUnit, MARK, SPACE, UNSPACED, unitClass, WORD } from '../text/char-class.js';
import { distinctCount, repetition, typeCounter, type Repetition } from './repetition.js';
import { stopWordTable, STOP_WORD_LANGUAGES, type StopWordTable } from './stop-words.js';

const NO_WORDS = new Int32Array(0);

/**
 * Measurements of one text, made in a single pass over its characters and shared by every
 * rule. Words are runs of letters, digits and marks (joined across an apostrophe followed
 * by a letter, as in "it's"); each Han, Hiragana or Katakana character is a word of its
 * own, since those scripts put no spaces between words. White space is what `\s` matches.
 */
export class TextFeatures {
  /** Characters other than white space (UTF-16 code units, like `text.length`). */
  visibleChars = 0;
  letters = 0;
  digits = 0;
  parentheses = 0;
  hashes = 0;
  /** Of `hashes`, those marking a Markdown heading ("## Title"): formatting, not hashtags. */
  headingHashes = 0;
  /** Words holding at least one letter (Gopher's alphabetic words). */
  alphaWords = 0;
  /** Letters of the Latin script (ASCII and the Latin blocks), and of the Cyrillic script. */
  latinLetters = 0;
  cyrillicLetters = 0;
  /** Occurrences of "..." or "…". */
  ellipses = 0;
  /** Occurrences of "```". */
  fences = 0;
  /** Control characters other than tab, newline and carriage return, and U+FFFD. */
  controls = 0;
  /** Longest run of one repeated character other than a space. */
  longestRun = 0;
  /** Longest run of characters without white space. */
  longestNonSpace = 0;
  /** Code units in the longest word (a run of letters, digits and marks). */
  longestWord = 0;
  /** Total characters in words. */
  wordChars = 0;
  /** Words from scripts written with spaces, and their characters (for mean word length). */
  spacedWords = 0;
  spacedWordChars = 0;
  /** Lines holding something other than white space. */
  nonEmptyLines = 0;
  ellipsisLines = 0;
  bulletLines = 0;
  /** Lines of 3+ characters once trimmed, and those repeating an earlier such line. */
  comparedLines = 0;
  repeatedLines = 0;
  /** Lines outside code fences that are neither bullets nor headings, and those of them without an end mark. */
  proseLines = 0;
  bareProseLines = 0;
  paragraphs = 0;
  repeatedParagraphs = 0;
  /** Whether the last visible character may end a sentence; null for blank text. */
  endsWithMark: boolean | null = null;
  /**
   * Whether the text stops where no complete text can: on a comma, a colon, an opening
   * bracket or quote, a hyphen, or a lower-case conjunction, article or preposition.
   */
  endsDangling = false;
  /** Per stop-word language (see stop-words.ts), a bit for each of its words seen written in lower case; null when none was. */
  stopWordBits: Int32Array | null = null;
  /** A hash of each word, lower-cased, in order. */
  wordHashes: Int32Array = NO_WORDS;
  /** Each word's length in UTF-16 code units. */
  wordLengths: Int32Array = NO_WORDS;
  /** Two hashes per compared line, and per paragraph, side by side (to count repeats across texts). */
  lineKeys: number[] = [];
  paragraphKeys: number[] = [];
  private repetitionCache: Repetition | undefined;
  private measured: Map<string, number[]> | undefined;

  constructor(
    /** The text measured; for texts taken together, their parts. */
    readonly source: string | readonly TextFeatures[],
    /** Characters (UTF-16 code units), not counting what joins the parts. */
    readonly length: number,
  ) {}

  get wordCount(): number {
    return this.wordHashes.length;
  }

  repetition(): Repetition {
    return (this.repetitionCache ??= repetition(this.wordHashes, this.wordLengths, this.length));
  }

  /**
   * A count made by `count` on the text, remembered under `key`; for texts taken together,
   * the sum over the parts (each remembered too, so no part is searched twice).
   */
  measure(key: string, count: (text: string) => number): number {
    return this.measureCounts(key, (text) => [count(text)])[0]!;
  }

  /** Like `measure`, for several counts made in one pass (summed one by one over parts). */
  measureCounts(key: string, count: (text: string) => number[]): number[] {
    let value = this.measured?.get(key);
    if (value === undefined) {
      if (typeof this.source === 'string') value = count(this.source);
      else {
        value = [];
        for (const part of this.source) {
          const counts = part.measureCounts(key, count);
          for (let k = 0; k < counts.length; k++) value[k] = (value[k] ?? 0) + counts[k]!;
        }
      }
      (this.measured ??= new Map()).set(key, value);
    }
    return value;
  }
}

/**
 * Adds a part's counts to the whole's, field by field. A loop over the field names (keyed
 * access) made combinedFeatures take 2.5 times as long, and it runs for every conversation
 * of several turns (3.6 against 1.4 µs on the OASST sample's).
 */
function addCounts(all: TextFeatures, p: TextFeatures): void {
  all.visibleChars += p.visibleChars;
  all.letters += p.letters;
  all.digits += p.digits;
  all.parentheses += p.parentheses;
  all.hashes += p.hashes;
  all.headingHashes += p.headingHashes;
  all.alphaWords += p.alphaWords;
  all.latinLetters += p.latinLetters;
  all.cyrillicLetters += p.cyrillicLetters;
  all.ellipses += p.ellipses;
  all.fences += p.fences;
  all.controls += p.controls;
  all.wordChars += p.wordChars;
  all.spacedWords += p.spacedWords;
  all.spacedWordChars += p.spacedWordChars;
  all.nonEmptyLines += p.nonEmptyLines;
  all.ellipsisLines += p.ellipsisLines;
  all.bulletLines += p.bulletLines;
  all.comparedLines += p.comparedLines;
  all.proseLines += p.proseLines;
  all.bareProseLines += p.bareProseLines;
  all.paragraphs += p.paragraphs;
}

/**
 * Several texts (the assistant turns of a conversation) taken together, from their own
 * features without measuring them again: counts add up, longest runs take the maximum,
 * words run on from one text into the next (so n-grams span turns), and lines and
 * paragraphs count as repeats when they repeat one from any earlier text. Each text keeps
 * its own code-fence state, since a turn is a message of its own.
 */
export function combinedFeatures(parts: readonly TextFeatures[]): TextFeatures {
  if (parts.length === 1) return parts[0]!;
  let length = 0;
  for (const p of parts) length += p.length;
  const all = new TextFeatures(parts, length);
  let words = 0;
  for (const p of parts) {
    addCounts(all, p);
    all.longestRun = Math.max(all.longestRun, p.longestRun);
    all.longestNonSpace = Math.max(all.longestNonSpace, p.longestNonSpace);
    all.longestWord = Math.max(all.longestWord, p.longestWord);
    if (p.endsWithMark !== null) {
      all.endsWithMark = p.endsWithMark;
      all.endsDangling = p.endsDangling;
    }
    if (p.stopWordBits) {
      all.stopWordBits ??= newStopWordBits();
      for (let l = 0; l < p.stopWordBits.length; l++) all.stopWordBits[l]! |= p.stopWordBits[l]!;
    }
    words += p.wordCount;
  }
  all.wordHashes = joinedWords(parts, words, false);
  all.wordLengths = joinedWords(parts, words, true);
  seenLines.reset(64);
  seenParagraphs.reset(16);
  for (const p of parts) {
    all.repeatedLines += repeats(p.lineKeys, seenLines);
    all.repeatedParagraphs += repeats(p.paragraphKeys, seenParagraphs);
  }
  return all;
}

/**
 * The parts' word hashes (or lengths) end to end: a view across them when they lie side by
 * side in one chunk, as the words of texts measured one after another do, else a copy.
 */
function joinedWords(parts: readonly TextFeatures[], words: number, lengths: boolean): Int32Array {
  const first = lengths ? parts[0]!.wordLengths : parts[0]!.wordHashes;
  let end = first.byteOffset + first.byteLength;
  let adjacent = true;
  for (let k = 1; k < parts.length && adjacent; k++) {
    const next = lengths ? parts[k]!.wordLengths : parts[k]!.wordHashes;
    adjacent = next.buffer === first.buffer && (next.byteOffset === end || next.length === 0);
    end += next.byteLength;
  }
  if (adjacent) return new Int32Array(first.buffer, first.byteOffset, words);
  const joined = new Int32Array(words);
  let at = 0;
  for (const p of parts) {
    const part = lengths ? p.wordLengths : p.wordHashes;
    joined.set(part, at);
    at += part.length;
  }
  return joined;
}

/** Adds the key pairs to the counter; returns how many of them it had seen before. */
function repeats(keys: readonly number[], counter: KeyCounter): number {
  let repeated = 0;
  for (let i = 0; i < keys.length; i += 2) if (counter.counts[counter.add(keys[i]!, keys[i + 1]!)]! > 1) repeated++;
  return repeated;
}

/**
 * Words are written straight into chunks shared by many texts, and each text keeps a view
 * of its own stretch: a typed array of its own per text cost 0.3 to 0.6 µs to allocate
 * (each with a store outside the heap), a view about 0.07 µs, and a conversation takes
 * several (each turn, the whole, the prompts). Stretches are never written again, so a
 * view stays valid; a full chunk is left to the views still holding it.
 */
const WORD_CHUNK = 1 << 16;
let hashBuffer = new Int32Array(WORD_CHUNK);
let lengthBuffer = new Int32Array(WORD_CHUNK);
let chunkUsed = 0;

/** Where the words of a text of `n` code units (at most `n` words) start in the chunk, which is replaced when they may not fit. */
function reserveWords(n: number): number {
  if (chunkUsed + n > hashBuffer.length) {
    const size = Math.max(WORD_CHUNK, n);
    hashBuffer = new Int32Array(size);
    lengthBuffer = new Int32Array(size);
    chunkUsed = 0;
  }
  return chunkUsed;
}
const seenLines = new KeyCounter();
const seenParagraphs = new KeyCounter();

/** 1 for the ASCII characters of words (letters and digits): most text is ASCII, and these skip the class lookup. */
const ASCII_WORD = new Uint8Array(128);
const ASCII_CLASS = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  ASCII_CLASS[c] = unitClass(c);
  ASCII_WORD[c] = (ASCII_CLASS[c]! & WORD) !== 0 ? 1 : 0;
}

const FNV_OFFSET = 0x811c9dc5 | 0;
const FNV_PRIME = 0x01000193;
/** The seeds and multipliers of a line's two hashes. */
const LINE_A = 0x811c9dc5 | 0;
const LINE_B = 0x2545f491;
const LINE_PRIME_A = 0x01000193;
const LINE_PRIME_B = 0x5bd1e995;

export function textFeatures(text: string): TextFeatures {
  // The stop-word table hashes its words with wordHashes, which writes into the shared word
  // buffer: it must be built before this text's words go there, never in the middle.
  beginStopWords();
  const n = text.length;
  const first = reserveWords(n);
  const f = new TextFeatures(text, n);
  let words = first;
  let hash = FNV_OFFSET;
  let visible = 0;
  let letters = 0;
  let latin = 0;
  let cyrillic = 0;
  let digits = 0;
  let run = 0;
  let prev = -1;
  let longestRun = 0;
  let nonSpace = 0;
  let longestNonSpace = 0;
  let dots = 0;
  let ticks = 0;
  let firstVisible = -1;
  let lastVisible = -1;
  // Two running hashes of the line from its first visible character, and their values at
  // its last visible one so far: the trimmed line's hashes, made as the characters go by.
  // A pass of their own over each line, at its end, took an eighth of this function.
  let la = LINE_A;
  let lb = LINE_B;
  let lineA = 0;
  let lineB = 0;
  const lines = new LineState(text, f);

  for (let i = 0; i < n; i++) {
    let c = text.charCodeAt(i);
    let read = c < 128 ? ASCII_CLASS[c]! | 0x100 : classAt(text, i, c);
    let units = read >>> 8;
    let cls = read & 0xff;

    run = c === prev && c !== 32 ? run + 1 : 1;
    if (run > longestRun) longestRun = run;
    prev = c;
    if (c < 32 ? c !== 9 && c !== 10 && c !== 13 : (c >= 0x7f && c <= 0x9f) || c === 0xfffd) f.controls++;
    if (c === 46) dots++;
    else if (dots > 0) {
      f.ellipses += (dots / 3) | 0;
      dots = 0;
    }
    if (c === 96) ticks++;
    else if (ticks > 0) {
      f.fences += (ticks / 3) | 0;
      ticks = 0;
    }

    // Words. A word of a spaced script is read to its end in this inner loop: most
    // characters are letters inside words, and they need none of the checks below.
    if ((cls & WORD) !== 0 && (cls & UNSPACED) === 0) {
      const start = i;
      const lettersBefore = letters;
      hash = FNV_OFFSET;
      if (firstVisible < 0) firstVisible = i;
      for (;;) {
        la = Math.imul(la ^ c, LINE_PRIME_A);
        lb = Math.imul(lb ^ c, LINE_PRIME_B);
        lb ^= lb >>> 13;
        if (c < 128) {
          // An ASCII word character is a letter or a digit, and | 0x20 lower-cases it.
          hash = Math.imul(hash ^ (c | 0x20), FNV_PRIME);
          if (c >= 65) {
            letters++;
            latin++;
          } else digits++;
          i++;
        } else {
          hash = Math.imul(hash ^ lowerUnit(c), FNV_PRIME);
          if (units === 2) {
            const low = text.charCodeAt(i + 1);
            hash = Math.imul(hash ^ low, FNV_PRIME);
            la = Math.imul(la ^ low, LINE_PRIME_A);
            lb = Math.imul(lb ^ low, LINE_PRIME_B);
            lb ^= lb >>> 13;
          }
          if ((cls & LETTER) !== 0) {
            letters++;
            if (c < 0x250 || (c >= 0x1e00 && c <= 0x1eff)) latin++;
            else if (c >= 0x400 && c <= 0x52f) cyrillic++;
          } else if ((cls & DIGIT) !== 0) digits++;
          i += units;
        }
        if (i >= n) break;
        c = text.charCodeAt(i);
        if (c >= 128 || ASCII_WORD[c] === 0) {
          read = classAt(text, i, c);
          units = read >>> 8;
          cls = read & 0xff;
          if ((cls & WORD) === 0 || (cls & UNSPACED) !== 0) {
            // An apostrophe followed by a letter stays inside the word ("it's").
            if ((c !== 39 && c !== 0x2019) || i + 1 >= n || !joinsWord(text, i + 1)) break;
            hash = Math.imul(hash ^ 39, FNV_PRIME);
            la = Math.imul(la ^ c, LINE_PRIME_A);
            lb = Math.imul(lb ^ c, LINE_PRIME_B);
            lb ^= lb >>> 13;
            i++;
            c = text.charCodeAt(i);
            read = classAt(text, i, c);
            units = read >>> 8;
            cls = read & 0xff;
          }
        }
        run = c === prev ? run + 1 : 1;
        if (run > longestRun) longestRun = run;
        prev = c;
      }
      words = pushWord(words, hash, i - start, f, true);
      if (letters > lettersBefore) f.alphaWords++;
      noteStopWord(f, text, start, i - start, hashBuffer[words - 1]!);
      visible += i - start;
      nonSpace += i - start;
      if (nonSpace > longestNonSpace) longestNonSpace = nonSpace;
      lastVisible = i - 1;
      lineA = la;
      lineB = lb;
      if (i >= n) break;
      // c, cls and units now describe the character after the word: go on with it below.
      run = c === prev && c !== 32 ? run + 1 : 1;
      if (run > longestRun) longestRun = run;
      prev = c;
      if (c < 32 ? c !== 9 && c !== 10 && c !== 13 : (c >= 0x7f && c <= 0x9f) || c === 0xfffd) f.controls++;
      if (c === 46) dots++;
      if (c === 96) ticks++;
    }
    if ((cls & UNSPACED) !== 0) {
      words = pushWord(words, Math.imul(FNV_OFFSET ^ c, FNV_PRIME), units, f, false);
      if ((cls & LETTER) !== 0) f.alphaWords++;
    }

    if ((cls & SPACE) !== 0) {
      nonSpace = 0;
      if (c === 10) {
        lines.end(i, firstVisible, lastVisible, lineA, lineB);
        firstVisible = -1;
        lastVisible = -1;
        la = LINE_A;
        lb = LINE_B;
      } else if (firstVisible >= 0) {
        la = Math.imul(la ^ c, LINE_PRIME_A);
        lb = Math.imul(lb ^ c, LINE_PRIME_B);
        lb ^= lb >>> 13;
      }
    } else {
      la = Math.imul(la ^ c, LINE_PRIME_A);
      lb = Math.imul(lb ^ c, LINE_PRIME_B);
      lb ^= lb >>> 13;
      if (units === 2) {
        const low = text.charCodeAt(i + 1);
        la = Math.imul(la ^ low, LINE_PRIME_A);
        lb = Math.imul(lb ^ low, LINE_PRIME_B);
        lb ^= lb >>> 13;
      }
      lineA = la;
      lineB = lb;
      visible += units;
      nonSpace += units;
      if (nonSpace > longestNonSpace) longestNonSpace = nonSpace;
      if (firstVisible < 0) firstVisible = i;
      lastVisible = i + units - 1;
      if ((cls & LETTER) !== 0) letters++;
      else if ((cls & DIGIT) !== 0) digits++;
      else if (c === 40 || c === 41 || c === 91 || c === 93 || c === 123 || c === 125) f.parentheses++;
      else if (c === 35) f.hashes++;
      else if (c === 0x2026) f.ellipses++;
    }
    i += units - 1;
  }
  f.ellipses += (dots / 3) | 0;
  f.fences += (ticks / 3) | 0;
  lines.end(n, firstVisible, lastVisible, lineA, lineB);
  lines.finish();

  f.visibleChars = visible;
  f.letters = letters;
  f.latinLetters = latin;
  f.cyrillicLetters = cyrillic;
  f.digits = digits;
  f.longestRun = longestRun;
  f.longestNonSpace = longestNonSpace;
  f.wordHashes = hashBuffer.subarray(first, words);
  f.wordLengths = lengthBuffer.subarray(first, words);
  chunkUsed = words;
  return f;
}

/**
 * The word hashes of a text, exactly as `textFeatures` makes them, without its other
 * measures: for texts that only need their words. A test checks that both read the same words.
 */
export function wordHashes(text: string): Int32Array {
  return readWords(text, 0, true).words;
}

/** What a text's language is told from: its letters by script, and the stop words it holds. */
export interface LanguageSignature {
  letters: number;
  latinLetters: number;
  cyrillicLetters: number;
  stopWordBits: Int32Array | null;
}

/**
 * The language signature of the words starting in the first `limit` code units of a text
 * (each read whole), measuring nothing else: for a prompt, whose other measures no rule
 * needs. A test holds it to textFeatures' letters and stop words.
 */
export function languageSignature(text: string, limit = 300): LanguageSignature {
  return readWords(text, limit, false).signature;
}

/**
 * Reads a text's words as textFeatures reads them: the language signature of those
 * starting in its first `limit` code units, and, with `all`, every word's hash. A prompt
 * needs both (prompt_copy its words, reply_language its signature), and one reading costs
 * less than two. The loops repeat textFeatures' word loop on purpose: textFeatures reading
 * its words in a pass of their own measured 12.2 ns per character against 10.3 for the
 * single pass. The second loop, past the signature's words, only hashes.
 */
export function readWords(text: string, limit: number, all: boolean): { words: Int32Array; signature: LanguageSignature } {
  // The stop-word table is built with this function (limit 0): it is needed only for a signature.
  if (limit > 0) beginStopWords();
  const n = text.length;
  const first = all ? reserveWords(n) : chunkUsed;
  const signed = Math.min(n, limit);
  const sig: LanguageSignature = { letters: 0, latinLetters: 0, cyrillicLetters: 0, stopWordBits: null };
  const end = signWords(text, signed, sig, all ? first : -1);
  if (!all) return { words: NO_WORDS, signature: sig };
  const words = hashWords(text, end, wordsRead);
  chunkUsed = words;
  return { words: hashBuffer.subarray(first, words), signature: sig };
}

/** Where signWords put its last word: the next free place in the chunk. */
let wordsRead = 0;

/**
 * readWords' first loop: the signature of the words starting before `signed`, each read
 * whole; their hashes go to the chunk from `words` unless it is −1. Returns where it stopped.
 */
function signWords(text: string, signed: number, sig: LanguageSignature, words: number): number {
  const n = text.length;
  const all = words >= 0;
  let i = 0;
  while (i < signed) {
    let c = text.charCodeAt(i);
    if (c < 128 && ASCII_WORD[c] === 0) {
      i++;
      continue;
    }
    let read = c < 128 ? WORD | LETTER | 0x100 : classAt(text, i, c);
    let cls = read & 0xff;
    if ((cls & UNSPACED) !== 0) {
      if ((cls & LETTER) !== 0) sig.letters++;
      if (all) hashBuffer[words++] = fmix32(Math.imul(FNV_OFFSET ^ c, FNV_PRIME) ^ (read >>> 8)) | 0;
      i += read >>> 8;
      continue;
    }
    if ((cls & WORD) === 0) {
      i += read >>> 8;
      continue;
    }
    const start = i;
    let hash = FNV_OFFSET;
    for (;;) {
      if (c < 128) {
        hash = Math.imul(hash ^ (c | 0x20), FNV_PRIME);
        if (c >= 65) {
          sig.letters++;
          sig.latinLetters++;
        }
        i++;
      } else {
        hash = Math.imul(hash ^ lowerUnit(c), FNV_PRIME);
        if (read >>> 8 === 2) hash = Math.imul(hash ^ text.charCodeAt(i + 1), FNV_PRIME);
        if ((cls & LETTER) !== 0) {
          sig.letters++;
          if (c < 0x250 || (c >= 0x1e00 && c <= 0x1eff)) sig.latinLetters++;
          else if (c >= 0x400 && c <= 0x52f) sig.cyrillicLetters++;
        }
        i += read >>> 8;
      }
      if (i >= n) break;
      c = text.charCodeAt(i);
      if (c < 128 && ASCII_WORD[c] !== 0) continue;
      read = classAt(text, i, c);
      cls = read & 0xff;
      if ((cls & WORD) === 0 || (cls & UNSPACED) !== 0) {
        if ((c !== 39 && c !== 0x2019) || i + 1 >= n || !joinsWord(text, i + 1)) break;
        hash = Math.imul(hash ^ 39, FNV_PRIME);
        i++;
        c = text.charCodeAt(i);
        read = classAt(text, i, c);
        cls = read & 0xff;
      }
    }
    const word = fmix32(hash ^ (i - start)) | 0;
    noteStopWord(sig, text, start, i - start, word);
    if (all) hashBuffer[words++] = word;
  }
  wordsRead = words;
  return i;
}

/** readWords' second loop: the hashes of the words from `i` on, into the chunk from `words`; returns where the words end. */
function hashWords(text: string, i: number, words: number): number {
  const n = text.length;
  while (i < n) {
    let c = text.charCodeAt(i);
    if (c < 128 && ASCII_WORD[c] === 0) {
      i++;
      continue;
    }
    let read = c < 128 ? WORD | 0x100 : classAt(text, i, c);
    let cls = read & 0xff;
    if ((cls & UNSPACED) !== 0) {
      hashBuffer[words++] = fmix32(Math.imul(FNV_OFFSET ^ c, FNV_PRIME) ^ (read >>> 8)) | 0;
      i += read >>> 8;
      continue;
    }
    if ((cls & WORD) === 0) {
      i += read >>> 8;
      continue;
    }
    const start = i;
    let hash = FNV_OFFSET;
    for (;;) {
      if (c < 128) {
        hash = Math.imul(hash ^ (c | 0x20), FNV_PRIME);
        i++;
      } else {
        hash = Math.imul(hash ^ lowerUnit(c), FNV_PRIME);
        if (read >>> 8 === 2) hash = Math.imul(hash ^ text.charCodeAt(i + 1), FNV_PRIME);
        i += read >>> 8;
      }
      if (i >= n) break;
      c = text.charCodeAt(i);
      if (c < 128 && ASCII_WORD[c] !== 0) continue;
      read = classAt(text, i, c);
      cls = read & 0xff;
      if ((cls & WORD) === 0 || (cls & UNSPACED) !== 0) {
        if ((c !== 39 && c !== 0x2019) || i + 1 >= n || !joinsWord(text, i + 1)) break;
        hash = Math.imul(hash ^ 39, FNV_PRIME);
        i++;
        c = text.charCodeAt(i);
        read = classAt(text, i, c);
      }
    }
    hashBuffer[words++] = fmix32(hash ^ (i - start)) | 0;
  }
  return words;
}

let stopWords: StopWordTable | undefined;
/** Per slot of the stop-word table: the number of the text in which its word was last noted. */
let notedIn = new Int32Array(0);
let textNumber = 0;

/** Readies the stop-word table (built on first use) for a new text. */
function beginStopWords(): void {
  if (!stopWords) {
    stopWords = stopWordTable();
    notedIn = new Int32Array(stopWords.keys.length);
  }
  if (++textNumber === 0x7fffffff) {
    notedIn.fill(0);
    textNumber = 1;
  }
}

/**
 * Notes a word of a spaced script that is a stop word of some language, when it is written
 * in lower case: a bit per (language, word) in the text's features. Stop words are short,
 * so a longer word is never looked up; and a stop word is noted once a text, however often
 * it occurs (prose repeats its function words: a third of its words are repeats of them).
 */
function noteStopWord(f: { stopWordBits: Int32Array | null }, text: string, start: number, length: number, hash: number): void {
  if (length > 8) return;
  const table = stopWords!;
  const slot = table.find(hash);
  if (slot < 0 || notedIn[slot] === textNumber) return;
  for (let k = start; k < start + length; k++) {
    const c = text.charCodeAt(k);
    if (c < 128 ? c >= 65 && c <= 90 : lowerUnit(c) !== c) return;
  }
  notedIn[slot] = textNumber;
  const bits = (f.stopWordBits ??= newStopWordBits());
  for (let p = table.first[slot]!, end = p + table.count[slot]!; p < end; p++) {
    const pair = table.pairs[p]!;
    bits[pair >>> 5]! |= 1 << (pair & 31);
  }
}

// Stop-word bits (a word per language) are views of a shared chunk too, as words are.
const BITS_PER_CHUNK = 1024;
let bitsChunk = new Int32Array(0);
let bitsUsed = 0;

/** Zeroed stop-word bits for one text: a view of a stretch of a chunk never handed out before. */
function newStopWordBits(): Int32Array {
  const n = STOP_WORD_LANGUAGES.length;
  if (bitsUsed + n > bitsChunk.length) {
    bitsChunk = new Int32Array(n * BITS_PER_CHUNK);
    bitsUsed = 0;
  }
  bitsUsed += n;
  return bitsChunk.subarray(bitsUsed - n, bitsUsed);
}

/** Records one word in the shared buffers; `spaced` when it counts towards mean word length. */
function pushWord(words: number, hash: number, length: number, f: TextFeatures, spaced: boolean): number {
  hashBuffer[words] = fmix32(hash ^ length) | 0;
  lengthBuffer[words] = length;
  f.wordChars += length;
  if (length > f.longestWord) f.longestWord = length;
  if (spaced) {
    f.spacedWords++;
    f.spacedWordChars += length;
  }
  return words + 1;
}

/**
 * The classes of the character starting at `i` (whose first code unit is `c`), with the
 * number of code units it takes (1, or 2 for a surrogate pair) above the low 8 bits.
 * A lone surrogate has no class.
 */
function classAt(text: string, i: number, c: number): number {
  if (c < 0xd800 || c > 0xdfff) return unitClass(c) | 0x100;
  const d = c <= 0xdbff && i + 1 < text.length ? text.charCodeAt(i + 1) : 0;
  if (d >= 0xdc00 && d <= 0xdfff) return codePointClass(((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000) | 0x200;
  return 0x100;
}

/** An apostrophe inside a word continues it when a letter or mark of a spaced script follows at `next` (one outside the BMP too). */
function joinsWord(text: string, next: number): boolean {
  const cls = classAt(text, next, text.charCodeAt(next)) & 0xff;
  return (cls & (LETTER | MARK)) !== 0 && (cls & UNSPACED) === 0;
}

/** Per-line and per-paragraph measures, fed one line at a time. */
class LineState {
  private inCode = false;
  private paragraphFirst = -1;
  private lastVisible = -1;
  /** The paragraph so far, as two hashes folded over its trimmed lines. */
  private paragraphA = 0;
  private paragraphB = 0;

  constructor(
    private readonly text: string,
    private readonly f: TextFeatures,
  ) {
    seenLines.reset(64);
    seenParagraphs.reset(16);
  }

  /**
   * One line, ending at `end` (its newline or the end of the text), with its first and last
   * visible characters (−1 if blank) and the two running hashes of its characters from the
   * first visible one to the last (see textFeatures).
   */
  end(end: number, first: number, last: number, lineA: number, lineB: number): void {
    const { text, f } = this;
    if (first < 0) {
      this.closeParagraph();
      return;
    }
    this.lastVisible = last;
    f.nonEmptyLines++;
    // The trimmed line's hashes, compared instead of the line itself (no copy, no string hashing).
    const length = last - first + 1;
    const a = fmix32(lineA ^ length) | 0;
    const b = fmix32(lineB ^ Math.imul(a, 0x27d4eb2d)) | 0;
    if (this.paragraphFirst < 0) {
      this.paragraphFirst = first;
      this.paragraphA = 0x3c6ef372;
      this.paragraphB = 0x1b873593;
    }
    this.paragraphA = Math.imul(this.paragraphA ^ a, 0x01000193);
    this.paragraphB = Math.imul(this.paragraphB ^ b, 0x5bd1e995) ^ (this.paragraphB >>> 15);
    const lastCode = text.charCodeAt(last);
    if (lastCode === 0x2026 || (lastCode === 46 && last - 2 >= first && text.charCodeAt(last - 1) === 46 && text.charCodeAt(last - 2) === 46)) f.ellipsisLines++;
    if (length >= 3) {
      f.comparedLines++;
      f.lineKeys.push(a, b);
      if (seenLines.counts[seenLines.add(a, b)]! > 1) f.repeatedLines++;
    }
    const item = listItem(text, first, end);
    if (item === BULLET) f.bulletLines++;
    f.headingHashes += headingMarks(text, first, end);
    if (text.startsWith('```', first)) this.inCode = !this.inCode;
    else if (!this.inCode && item === 0 && text.charCodeAt(first) !== 35) {
      f.proseLines++;
      if (!endsWithMark(text, last)) f.bareProseLines++;
    }
  }

  finish(): void {
    this.closeParagraph();
    this.f.endsWithMark = this.lastVisible < 0 ? null : endsWithMark(this.text, this.lastVisible);
    this.f.endsDangling = this.lastVisible >= 0 && endsDangling(this.text, this.lastVisible);
  }

  private closeParagraph(): void {
    if (this.paragraphFirst < 0) return;
    this.f.paragraphs++;
    this.f.paragraphKeys.push(this.paragraphA, this.paragraphB);
    if (seenParagraphs.counts[seenParagraphs.add(this.paragraphA, this.paragraphB)]! > 1) this.f.repeatedParagraphs++;
    this.paragraphFirst = -1;
  }
}

// The bullets of NeMo Curator's list (• ‣ ⁃ ⁌ ⁍ ∙ ○ ● ◘ ◦ ⦾ ⦿) and datatrove's "-", with
// Markdown's "*" and the middle dot and en dash seen in chat text.
const BULLETS = new Set([45, 42, 0x2022, 0x2023, 0x2043, 0x204c, 0x204d, 0x2219, 0x25cb, 0x25cf, 0x25d8, 0x25e6, 0x29be, 0x29bf, 0xb7, 0x2013]);
const BULLET = 1;
const NUMBERED = 2;

/**
 * What starts a line: a bullet ("-", "•", "●", … followed by white space), a number
 * ("1." or "1)" followed by white space), or neither (0). Numbered items are list items for
 * the prose measures, but not bullets: Gopher's rule counts bullet points only.
 */
function listItem(text: string, first: number, end: number): number {
  let at = first;
  let kind = BULLET;
  if (BULLETS.has(text.charCodeAt(at))) at++;
  else {
    while (at < end && text.charCodeAt(at) >= 48 && text.charCodeAt(at) <= 57) at++;
    if (at === first || at >= end) return 0;
    const c = text.charCodeAt(at);
    if (c !== 46 && c !== 41) return 0;
    at++;
    kind = NUMBERED;
  }
  return at < end && (unitClass(text.charCodeAt(at)) & SPACE) !== 0 ? kind : 0;
}

/** The "#" marks of a Markdown heading starting the line (after any ">" quote marks), else 0. */
function headingMarks(text: string, first: number, end: number): number {
  let at = first;
  while (at < end && (text.charCodeAt(at) === 62 || text.charCodeAt(at) === 32)) at++;
  const from = at;
  while (at < end && text.charCodeAt(at) === 35) at++;
  return at > from && at - from <= 6 && (at === end || (unitClass(text.charCodeAt(at)) & SPACE) !== 0) ? at - from : 0;
}

/** Characters after which a text is cut off: , ; : - – — ( [ { « “ ‘ / & and the CJK comma, enumeration comma, colon and opening brackets. */
const DANGLING_MARKS = new Set([...',;:-–—([{«“‘/&，、：（「『【《'].map((ch) => ch.charCodeAt(0)));
/**
 * Lower-case words that cannot end a sentence: conjunctions, articles and prepositions of
 * some languages. Prepositions that a question may strand ("what is it for", "help with")
 * and words that are also verbs or pronouns elsewhere ("do", "die", "das", "zu") are left out.
 */
const DANGLING_WORDS = new Set(
  (
    'and or but the a an whose than nor ' +
    'y o de la el los las con por para un una del al pero ' +
    'e ou um uma com ' +
    'et le les des du une au aux ' +
    'und oder der ein eine einer ' +
    'il gli di della ' +
    'и или в на с по к от для но ' +
    'і або у з та від'
  ).split(' '),
);
/** CJK particles and conjunctions that cannot end a sentence: 和 与 及 或 并 (and, or), を や (object marker, "and"). */
const DANGLING_CJK = new Set([...'和与及或并をや'].map((ch) => ch.charCodeAt(0)));

/** Whether the text, whose last visible character is at `last`, stops where no complete text can. */
function endsDangling(text: string, last: number): boolean {
  const c = text.charCodeAt(last);
  if (DANGLING_MARKS.has(c)) {
    // A rule of three or more dashes is a Markdown separator, not a cut word.
    return !(c === 45 && last >= 2 && text.charCodeAt(last - 1) === 45 && text.charCodeAt(last - 2) === 45);
  }
  if (DANGLING_CJK.has(c)) return true;
  if (c >= 128 ? (unitClass(c) & LETTER) === 0 : !((c >= 97 && c <= 122) || (c >= 65 && c <= 90))) return false;
  let start = last;
  while (start > 0 && last - start < 8) {
    const p = text.charCodeAt(start - 1);
    if (p < 128 ? !((p >= 97 && p <= 122) || (p >= 65 && p <= 90)) : (unitClass(p) & LETTER) === 0) break;
    start--;
  }
  const word = text.slice(start, last + 1);
  return word === word.toLowerCase() && DANGLING_WORDS.has(word);
}

/** Whether the character ending at `last` (a code point, possibly two units) is an end mark. */
function endsWithMark(text: string, last: number): boolean {
  const c = text.charCodeAt(last);
  if (c >= 0xdc00 && c <= 0xdfff && last > 0) {
    const cp = text.codePointAt(last - 1)!;
    if (cp > 0xffff) return (codePointClass(cp) & END_MARK) !== 0;
  }
  return (unitClass(c) & END_MARK) !== 0;
}

/** Type-token ratio: distinct words over words (case-insensitive). */
export function typeTokenRatio(f: TextFeatures): number | null {
  return f.wordCount === 0 ? null : distinctCount(f.wordHashes) / f.wordCount;
}

/**
 * MTLD (McCarthy & Jarvis 2010): the mean length of word runs whose running type-token
 * ratio stays above 0.72, averaged over a forward and a backward pass.
 */
export function mtld(f: TextFeatures, threshold = 0.72): number | null {
  if (f.wordHashes.length < 10) return null;
  return (mtldPass(f.wordHashes, threshold, true) + mtldPass(f.wordHashes, threshold, false)) / 2;
}

/** One MTLD pass: the words over the number of factors (runs whose type-token ratio fell to the threshold). */
function mtldPass(words: Int32Array, threshold: number, forward: boolean): number {
  const n = words.length;
  let factors = 0;
  let types = 0;
  let tokens = 0;
  typeCounter.begin(n);
  for (let k = 0; k < n; k++) {
    tokens++;
    if (typeCounter.isNew(words[forward ? k : n - 1 - k]!)) types++;
    if (types / tokens <= threshold) {
      factors++;
      types = 0;
      tokens = 0;
      typeCounter.begin(n);
    }
  }
  if (tokens > 0) factors += (1 - types / tokens) / (1 - threshold);
  return factors === 0 ? n : n / factors;
}
