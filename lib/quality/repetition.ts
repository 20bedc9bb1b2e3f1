/**
 * Word n-gram repetition (Gopher's rules): the coverage of the most frequent 2-, 3- and
 * 4-gram, and of duplicated 5- to 10-grams, from one chain of passes over word hashes.
 *
 * Only a repeated n-gram counts towards either measure, and every occurrence of a repeated
 * (n+1)-gram starts where a repeated n-gram does. So after a full pass for n = 2, the pass
 * for n+1 visits only the starts of n-grams that repeated, and the chain stops as soon as
 * nothing repeats. On prose that makes the nine passes cost about one and a half.
 */

import { KeyCounter } from '../hashing/key-counter.js';

export interface Repetition {
  /** Coverage of the most frequent n-gram, for n = 2, 3, 4 (index n − 2). */
  readonly top: readonly number[];
  /** How often the most frequent n-gram occurs, for n = 2, 3, 4 (0 when none repeats). */
  readonly topCount: readonly number[];
  /** Coverage of repeats of earlier n-grams, for n = 5 … 10 (index n − 5). */
  readonly duplicate: readonly number[];
  /** The characters those repeats cover, for n = 5 … 10. */
  readonly duplicateChars: readonly number[];
}

const table = new KeyCounter();
let keyAs = new Int32Array(256);
let keyBs = new Int32Array(256);
let slotsOf = new Int32Array(256);
let startsOf = new Int32Array(256);
let prefixes = new Int32Array(257);

/** The number of distinct values among `hashes` (a reused table, no Set). */
export function distinctCount(hashes: Int32Array, from = 0, to = hashes.length): number {
  table.reset(to - from);
  let distinct = 0;
  for (let i = from; i < to; i++) if (table.counts[table.add(hashes[i]!, 0)] === 1) distinct++;
  return distinct;
}

/** Sequential type counting for MTLD: `begin()` starts a fresh set, `add()` says whether the word is new. */
export const typeCounter = {
  begin(capacity: number): void {
    table.reset(capacity);
  },
  isNew(hash: number): boolean {
    return table.counts[table.add(hash, 0)] === 1;
  },
};

/**
 * Repetition measures of a text given its word hashes, word lengths and its length (all in
 * UTF-16 code units). Coverage is the characters of the words covered over all the text's
 * characters, as Gopher defines it (white space and punctuation count in the length). Equal hashes are taken for equal words; two
 * 26-bit n-gram hashes make a false match within one text vanishingly rare.
 */
export function repetition(hashes: Int32Array, lengths: Int32Array, textLength: number): Repetition {
  const m = hashes.length;
  if (keyAs.length < m) {
    const size = Math.max(m, keyAs.length * 2);
    keyAs = new Int32Array(size);
    keyBs = new Int32Array(size);
    slotsOf = new Int32Array(size);
    startsOf = new Int32Array(size);
    prefixes = new Int32Array(size + 1);
  }
  // The loops read these through locals: a module-level `let`, read inside a loop, is
  // loaded and checked for initialisation at every read.
  const keyA = keyAs;
  const keyB = keyBs;
  const slots = slotsOf;
  const starts = startsOf;
  const prefix = prefixes;
  // Word lengths summed (integers: a float sum made each step wait on the last longer).
  prefix[0] = 0;
  for (let i = 0; i < m; i++) prefix[i + 1] = prefix[i]! + lengths[i]!;
  const total = textLength;
  const top = [0, 0, 0];
  const topCount = [0, 0, 0];
  const duplicate = [0, 0, 0, 0, 0, 0];
  const duplicateChars = [0, 0, 0, 0, 0, 0];
  if (m < 2 || total === 0) return { top, topCount, duplicate, duplicateChars };
  // The first pass (2-grams) visits every start, so it makes each start's keys from the
  // word hashes as it goes, rather than after a pass of its own.
  table.reset(m - 1);
  let best = -1;
  let bestCount = 0;
  for (let i = 0; i + 2 <= m; i++) {
    const w0 = hashes[i]!;
    const w1 = hashes[i + 1]!;
    const a = (keyA[i] = (Math.imul((Math.imul(17, 0x01000193) + w0) & 0x3ffffff, 0x01000193) + w1) & 0x3ffffff);
    const b = (keyB[i] = (Math.imul((Math.imul(31, 0x5bd1e995) + Math.imul(w0, 7919)) & 0x3ffffff, 0x5bd1e995) + Math.imul(w1, 7919)) & 0x3ffffff);
    const slot = table.add(a, b);
    slots[i] = slot;
    if (table.counts[slot]! > bestCount) {
      best = i;
      bestCount = table.counts[slot]!;
    }
  }
  topCount[0] = bestCount < 2 ? 0 : bestCount;
  top[0] = bestCount < 2 ? 0 : (bestCount * (prefix[best + 2]! - prefix[best]!)) / total;
  let candidates = 0;
  for (let i = 0; i + 2 <= m; i++) if (table.counts[slots[i]!]! > 1) starts[candidates++] = i;
  for (let n = 3; n <= 10; n++) {
    // Starts of n-grams that fit in the text and whose (n−1)-gram repeated.
    while (candidates > 0 && starts[candidates - 1]! + n > m) candidates--;
    if (candidates === 0) break;
    table.reset(candidates);
    let best = -1;
    let bestCount = 0;
    let covered = 0;
    let coverEnd = 0;
    for (let c = 0; c < candidates; c++) {
      const i = starts[c]!;
      const w = hashes[i + n - 1]!;
      const a = (keyA[i] = (Math.imul(keyA[i]!, 0x01000193) + w) & 0x3ffffff);
      const b = (keyB[i] = (Math.imul(keyB[i]!, 0x5bd1e995) + Math.imul(w, 7919)) & 0x3ffffff);
      const slot = table.add(a, b);
      slots[c] = slot;
      const count = table.counts[slot]!;
      if (n <= 4) {
        if (count > bestCount) {
          best = i;
          bestCount = count;
        }
      } else if (count > 1) {
        // Starts ascend, so the covered words are a union of intervals growing to the right.
        const from = Math.max(i, coverEnd);
        if (i + n > from) covered += prefix[i + n]! - prefix[from]!;
        coverEnd = i + n;
      }
    }
    if (n <= 4) {
      topCount[n - 2] = bestCount < 2 ? 0 : bestCount;
      top[n - 2] = bestCount < 2 ? 0 : (bestCount * (prefix[best + n]! - prefix[best]!)) / total;
    } else {
      duplicateChars[n - 5] = covered;
      duplicate[n - 5] = covered / total;
    }
    let next = 0;
    for (let c = 0; c < candidates; c++) if (table.counts[slots[c]!]! > 1) starts[next++] = starts[c]!;
    candidates = next;
  }
  return { top, topCount, duplicate, duplicateChars };
}
