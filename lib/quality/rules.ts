import { duplicateNgramCoverage, topNgramCoverage, type TextFeatures } from './text-features.js';
import { findPii } from './pii.js';

/** Options a rule may take in the graph file (each rule reads the ones it knows). */
export interface RuleOptions {
  min?: number;
  max?: number;
  phrases?: string[];
}

export interface Turn {
  role: string;
  content: string;
}

interface RuleBase {
  readonly name: string;
  /** The formula, as documented in the README. */
  readonly formula: string;
  readonly min?: number;
  readonly max?: number;
  /** Off unless the graph file names it (data characteristics are tagged, never filtered, by default). */
  readonly optIn?: boolean;
}

/** A rule measured on one text: each assistant turn, and all assistant text together. */
export interface TextRule extends RuleBase {
  readonly scope: 'text';
  compute(f: TextFeatures, options: RuleOptions, finishReason: string | null): number | null;
}

/** A rule measured on a whole conversation. */
export interface ConversationRule extends RuleBase {
  readonly scope: 'conversation';
  compute(turns: readonly Turn[], options: RuleOptions): number | null;
}

export type Rule = TextRule | ConversationRule;

const ratio = (n: number, d: number): number => (d === 0 ? 0 : n / d);

/**
 * Duplicated n-gram coverage for n = 5..10 on one text, computed in order and remembered:
 * a repeated n-gram contains a repeated (n−1)-gram, so once a level finds no repeat, the
 * longer ones are 0 without counting.
 */
const coverageCache = new WeakMap<TextFeatures, Map<number, number>>();
function duplicateCoverage(f: TextFeatures, n: number): number {
  let known = coverageCache.get(f);
  if (!known) coverageCache.set(f, (known = new Map()));
  const hit = known.get(n);
  if (hit !== undefined) return hit;
  const shorter = n > 5 ? duplicateCoverage(f, n - 1) : 1;
  const value = shorter === 0 ? 0 : duplicateNgramCoverage(f.words, n);
  known.set(n, value);
  return value;
}
const countChars = (text: string, re: RegExp): number => text.match(re)?.length ?? 0;
const MIN_WORDS_FOR_NGRAMS = 50;

export const DEFAULT_REFUSALS = [
  'as an ai language model',
  'as an ai model',
  'as a language model',
  "i'm sorry, but i can't",
  'i am sorry, but i cannot',
  "i'm sorry, but i cannot",
  'i cannot fulfill',
  "i can't assist with",
  'i cannot assist with',
  "i'm not able to help with",
  'i do not have personal opinions',
  "i don't have personal opinions",
  'my knowledge cutoff',
  'openai',
];

export const DEFAULT_BOILERPLATE = [
  'lorem ipsum',
  'terms of use',
  'terms of service',
  'privacy policy',
  'cookie policy',
  'all rights reserved',
  'javascript is disabled',
  'enable javascript',
  'click here to',
  'sign up for our newsletter',
];

/** The lower-cased text (curly apostrophes straightened) of a feature set, made once for every phrase rule. */
const lowered = new WeakMap<TextFeatures, string>();
function lowerText(f: TextFeatures): string {
  let lower = lowered.get(f);
  if (lower === undefined) lowered.set(f, (lower = f.text.toLowerCase().replace(/[’]/g, "'")));
  return lower;
}

function phraseCount(f: TextFeatures, phrases: readonly string[]): number {
  const lower = lowerText(f);
  let n = 0;
  for (const p of phrases) {
    let at = lower.indexOf(p);
    while (at !== -1) {
      n++;
      at = lower.indexOf(p, at + p.length);
    }
  }
  return n;
}

const END_MARK = /[.!?。！？…"'”’»)\]}`*:;\p{So}\p{Sk}]$/u;
const URL = /\bhttps?:\/\/[^\s<>()]+|\bwww\.[^\s<>()]+/g;
const BULLET = /^\s*(?:[-*•‣◦·–]|\d+[.)])\s/;

function textRules(): TextRule[] {
  const rule = (r: Omit<TextRule, 'scope'>): TextRule => ({ ...r, scope: 'text' });
  const rules: TextRule[] = [
    rule({ name: 'word_count', formula: 'number of words', min: 3, max: 4000, compute: (f) => f.words.length }),
    rule({
      name: 'mean_word_length',
      formula: 'mean characters per word, over words of scripts written with spaces (null for CJK-only text)',
      min: 2,
      max: 12,
      compute: (f) => (f.spacedWords.length === 0 ? null : f.spacedWords.reduce((s, w) => s + w.length, 0) / f.spacedWords.length),
    }),
    rule({
      name: 'symbol_word_ratio',
      formula: '(count of "#" + count of "..." or "…") / words',
      max: 0.1,
      compute: (f) => ratio(f.hashes + countChars(f.text, /\.\.\.|…/g), f.words.length),
    }),
    rule({
      name: 'ellipsis_line_fraction',
      formula: 'non-empty lines ending with "..." or "…" / non-empty lines',
      max: 0.3,
      compute: (f) => ratio(f.nonEmptyLines.filter((l) => /(?:\.\.\.|…)\s*$/.test(l)).length, f.nonEmptyLines.length),
    }),
    rule({
      name: 'bullet_line_fraction',
      formula: 'non-empty lines starting with a bullet (-, *, •, 1.) / non-empty lines',
      max: 0.9,
      compute: (f) => ratio(f.nonEmptyLines.filter((l) => BULLET.test(l)).length, f.nonEmptyLines.length),
    }),
    rule({
      name: 'alpha_fraction',
      formula: 'letters / characters other than white space',
      min: 0.25,
      compute: (f) => (f.visibleChars === 0 ? null : f.letters / f.visibleChars),
    }),
    rule({
      name: 'duplicate_line_fraction',
      formula: 'lines (of 3+ visible characters) repeating an earlier line / such lines',
      max: 0.3,
      compute: (f) => {
        const lines = f.nonEmptyLines.map((l) => l.trim()).filter((l) => l.length >= 3);
        return ratio(lines.length - new Set(lines).size, lines.length);
      },
    }),
    rule({
      name: 'duplicate_paragraph_fraction',
      formula: 'paragraphs repeating an earlier paragraph / paragraphs',
      max: 0.3,
      compute: (f) => {
        const ps = f.paragraphs.map((p) => p.trim());
        return ratio(ps.length - new Set(ps).size, ps.length);
      },
    }),
    ...([
      [2, 0.2],
      [3, 0.18],
      [4, 0.16],
    ] as const).map(([n, max]) =>
      rule({
        name: `top_${n}gram_coverage`,
        formula: `characters of the most frequent word ${n}-gram × its count / word characters (null under ${MIN_WORDS_FOR_NGRAMS} words)`,
        max,
        compute: (f) => (f.words.length < MIN_WORDS_FOR_NGRAMS ? null : topNgramCoverage(f.words, n)),
      }),
    ),
    ...([
      [5, 0.15],
      [6, 0.14],
      [7, 0.13],
      [8, 0.12],
      [9, 0.11],
      [10, 0.1],
    ] as const).map(([n, max]) =>
      rule({
        name: `duplicate_${n}gram_coverage`,
        formula: `word characters inside repeats of a ${n}-gram seen earlier in the text / word characters (null under ${MIN_WORDS_FOR_NGRAMS} words)`,
        max,
        compute: (f) => (f.words.length < MIN_WORDS_FOR_NGRAMS ? null : duplicateCoverage(f, n)),
      }),
    ),
    rule({ name: 'url_fraction', formula: 'characters inside URLs / characters', max: 0.2, compute: (f) => ratio((f.text.match(URL) ?? []).join('').length, f.text.length) }),
    rule({
      name: 'control_chars',
      formula: 'count of control characters other than tab, newline and carriage return, plus U+FFFD',
      max: 0,
      compute: (f) => f.controls,
    }),
    rule({
      name: 'longest_char_run',
      formula: 'longest run of one repeated non-space character',
      max: 100,
      compute: (f) => f.longestRun,
    }),
    rule({ name: 'code_fences_balanced', formula: '1 if the count of ``` is even, else 0', min: 1, compute: (f) => (countChars(f.text, /```/g) % 2 === 0 ? 1 : 0) }),
    rule({
      name: 'truncated',
      formula: '1 if finish_reason is "length", or the text does not end with an end mark (. ! ? … closing quote, bracket, ``` or a symbol), else 0',
      max: 0,
      compute: (f, _o, finish) => (finish === 'length' || (f.text.trim() !== '' && !END_MARK.test(f.text.trimEnd())) ? 1 : 0),
    }),
    rule({
      name: 'refusal',
      formula: 'occurrences of refusal phrases ("as an AI language model", …; `phrases` replaces the list), case-insensitive',
      max: 0,
      compute: (f, o) => phraseCount(f, o.phrases ?? DEFAULT_REFUSALS),
    }),
    rule({
      name: 'boilerplate',
      formula: 'occurrences of boilerplate strings ("lorem ipsum", "terms of use", …; `phrases` replaces the list)',
      max: 0,
      compute: (f, o) => phraseCount(f, o.phrases ?? DEFAULT_BOILERPLATE),
    }),
    rule({ name: 'digit_fraction', formula: 'digits / characters', max: 0.3, compute: (f) => ratio(f.digits, f.text.length) }),
    rule({ name: 'whitespace_fraction', formula: 'white-space characters / characters', max: 0.5, compute: (f) => ratio(f.text.length - f.visibleChars, f.text.length) }),
    rule({ name: 'parenthesis_fraction', formula: 'characters among ()[]{} / characters', max: 0.1, compute: (f) => ratio(f.parentheses, f.text.length) }),
    rule({
      name: 'longest_word',
      formula: 'characters in the longest run without white space',
      max: 1000,
      compute: (f) => f.text.split(/\s+/).reduce((m, w) => Math.max(m, w.length), 0),
    }),
    rule({
      name: 'no_end_mark_fraction',
      formula: 'non-empty lines (outside code fences, not bullets or headings) without an end mark / such lines; tagged only by default',
      max: 1,
      compute: (f) => {
        let inCode = false;
        let counted = 0;
        let bare = 0;
        for (const line of f.nonEmptyLines) {
          if (line.trimStart().startsWith('```')) {
            inCode = !inCode;
            continue;
          }
          if (inCode || BULLET.test(line) || /^\s*#/.test(line)) continue;
          counted++;
          if (!END_MARK.test(line.trimEnd())) bare++;
        }
        return ratio(bare, counted);
      },
    }),
    rule({ name: 'pii', formula: 'emails + phone numbers + IPv4 addresses + card numbers passing the Luhn check', max: 0, compute: (f) => findPii(f.text).length }),
  ];
  return rules;
}

function conversationRules(): ConversationRule[] {
  const rule = (r: Omit<ConversationRule, 'scope'>): ConversationRule => ({ ...r, scope: 'conversation' });
  return [
    rule({ name: 'empty_turns', formula: 'turns whose content is empty or white space', max: 0, compute: (turns) => turns.filter((t) => t.content.trim() === '').length }),
    rule({
      name: 'role_alternation',
      formula: '1 if roles alternate user/assistant (after an optional system turn), else 0',
      min: 1,
      compute: (turns) => {
        const start = turns[0]?.role === 'system' ? 1 : 0;
        return turns.slice(start).every((t, i) => t.role === (i % 2 === 0 ? 'user' : 'assistant')) ? 1 : 0;
      },
    }),
    rule({
      name: 'prompt_copy',
      formula: 'largest share, over assistant turns, of the reply\'s word 3-grams found in the user turn before it',
      max: 0.8,
      compute: (turns) => {
        let worst: number | null = null;
        for (let i = 1; i < turns.length; i++) {
          if (turns[i]!.role !== 'assistant' || turns[i - 1]!.role !== 'user') continue;
          const reply = trigrams(turns[i]!.content);
          if (reply.length === 0) continue;
          const prompt = new Set(trigrams(turns[i - 1]!.content));
          const share = reply.filter((g) => prompt.has(g)).length / reply.length;
          worst = Math.max(worst ?? 0, share);
        }
        return worst;
      },
    }),
    rule({ name: 'num_turns', formula: 'number of turns; tagged, a rule only when configured', optIn: true, compute: (turns) => turns.length }),
  ];
}

function trigrams(text: string): string[] {
  const w = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  const out: string[] = [];
  for (let i = 0; i + 3 <= w.length; i++) out.push(`${w[i]} ${w[i + 1]} ${w[i + 2]}`);
  return out;
}

/** Every rule, by name. `language` and the token and diversity measures live in the node. */
export const RULES: ReadonlyMap<string, Rule> = new Map<string, Rule>([...textRules(), ...conversationRules()].map((r) => [r.name, r]));
