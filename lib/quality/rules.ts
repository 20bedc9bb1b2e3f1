import { KeyCounter } from '../hashing/key-counter.js';
import { wordHashes, type TextFeatures } from './text-features.js';
import { findPii } from './pii.js';
import { PhraseCounter } from '../text/phrase-counter.js';
import { bestStopWordList, distinctStopWords } from './stop-words.js';

/** Options a rule may take in the graph file (each rule reads the ones it knows). */
export interface RuleOptions {
  min?: number;
  max?: number;
  phrases?: string[];
  /** stop_words: one list that replaces the built-in ones. */
  words?: string[];
}

export interface Turn {
  role: string;
  content: string;
}

interface RuleBase {
  readonly name: string;
  /** The formula, as documented in the README. */
  readonly formula: string;
  /** Where the rule comes from (Gopher, C4, FineWeb, NeMo Curator), and how ours differs on purpose, if it does. */
  readonly source: string;
  readonly min?: number;
  readonly max?: number;
  /** Off unless the graph file names it (data characteristics are tagged, never filtered, by default). */
  readonly optIn?: boolean;
}

/** A rule measured on one text: each assistant turn, and all assistant text together. */
export interface TextRule extends RuleBase {
  readonly scope: 'text';
  /** For a rule that looks for phrases: the list it searches, given its options. */
  phrases?(options: RuleOptions): readonly string[];
  compute(f: TextFeatures, options: RuleOptions, finishReason: string | null): number | null;
}

/** The word hashes of each turn of one conversation, made when first asked for and shared by the rules. */
export class TurnWords {
  private readonly words: Array<Int32Array | undefined> = [];

  constructor(private readonly turns: readonly Turn[]) {}

  /** Hands over hashes already made for turn `i` (the assistant turns, measured first). */
  know(i: number, hashes: Int32Array): void {
    this.words[i] = hashes;
  }

  of(i: number): Int32Array {
    return (this.words[i] ??= wordHashes(this.turns[i]!.content));
  }
}

/** A rule measured on a whole conversation. */
export interface ConversationRule extends RuleBase {
  readonly scope: 'conversation';
  compute(turns: readonly Turn[], options: RuleOptions, words?: TurnWords): number | null;
}

export type Rule = TextRule | ConversationRule;

const ratio = (n: number, d: number): number => (d === 0 ? 0 : n / d);

const MIN_WORDS_FOR_NGRAMS = 50;

/**
 * Phrases with which a model refuses or disclaims being a model, in the languages most
 * common in chat data. No brand names: a reply may well be about a company.
 */
export const DEFAULT_REFUSALS = [
  'as an ai language model',
  'as an ai model',
  'as an ai assistant',
  'as a language model',
  'as a large language model',
  "i'm just an ai",
  'i am just an ai',
  "i'm only an ai",
  "i'm sorry, but i can't",
  'i am sorry, but i cannot',
  "i'm sorry, but i cannot",
  'i cannot fulfill',
  "i can't fulfill",
  "i can't assist with",
  'i cannot assist with',
  "i'm not able to help with",
  "i'm unable to help with",
  'i do not have personal opinions',
  "i don't have personal opinions",
  'my knowledge cutoff',
  'como modelo de lenguaje',
  'como un modelo de lenguaje',
  'soy un modelo de lenguaje',
  'como um modelo de linguagem',
  'sou um modelo de linguagem',
  'en tant que modèle de langage',
  'je suis un modèle de langage',
  'als ki-sprachmodell',
  'als sprachmodell',
  'ich bin ein sprachmodell',
  'come modello linguistico',
  'sono un modello linguistico',
  'как языковая модель',
  'как большая языковая модель',
  'я языковая модель',
  '作为一个人工智能语言模型',
  '作为一个ai语言模型',
  '作为一个语言模型',
  '作为人工智能语言模型',
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

function piiCount(text: string): number {
  return findPii(text).length;
}

/** Characters inside URLs; the regex runs only on text that could hold one. */
function urlChars(text: string): number {
  if (!text.includes('http') && !text.includes('www.')) return 0;
  let n = 0;
  for (const m of text.matchAll(URL)) n += m[0].length;
  return n;
}

/**
 * Counts non-overlapping occurrences of any of `phrases` (see PhraseCounter: case-insensitive,
 * a straight or curly apostrophe matching either, the longest phrase at the leftmost start).
 * Lists prepared together (refusals and boilerplate) are counted in the same pass.
 */
function phraseCount(f: TextFeatures, phrases: readonly string[]): number {
  let search = phraseSearches.get(phrases);
  if (!search) {
    const problem = preparePhrases([phrases]);
    if (problem) throw new Error(problem);
    search = phraseSearches.get(phrases)!;
  }
  return f.measureCounts(search.key, search.count)[search.index]!;
}

/** A phrase list's place in a search it shares with the lists prepared with it. */
interface PhraseSearch {
  /** Names the lists searched together, so a text's counts are remembered. */
  key: string;
  /** Counts every list of the search in a text. */
  count: (text: string) => number[];
  index: number;
}

const phraseSearches = new WeakMap<readonly string[], PhraseSearch>();

/**
 * Builds one search for the phrase lists of a graph's rules, before the first record, so
 * that a text is read once for all of them. Returns why it cannot be built (lists too
 * large for the automaton), or null. Each list object is then found ready.
 */
export function preparePhrases(lists: ReadonlyArray<readonly string[]>): string | null {
  let counter: PhraseCounter;
  try {
    counter = new PhraseCounter(lists, { whole: true });
  } catch (err) {
    return (err as Error).message;
  }
  const key = `phrases:${JSON.stringify(lists)}`;
  const count = (text: string): number[] => counter.counts(text);
  lists.forEach((list, index) => phraseSearches.set(list, { key, count, index }));
  return null;
}

const URL = /\bhttps?:\/\/[^\s<>()]+|\bwww\.[^\s<>()]+/g;

const GOPHER = 'Gopher (Rae et al. 2021, table A1)';

/** The text a rule reads, for the few rules that read the text itself rather than its measures. */
function textOf(f: TextFeatures): string {
  return typeof f.source === 'string' ? f.source : f.source.map(textOf).join('\n');
}

/** The script of a text's letters when half or more are Latin or Cyrillic, else null. */
function stopWordScript(f: TextFeatures): 'latin' | 'cyrillic' | null {
  if (f.letters === 0) return null;
  if (f.latinLetters * 2 >= f.letters) return 'latin';
  if (f.cyrillicLetters * 2 >= f.letters) return 'cyrillic';
  return null;
}

const customStopWords = new WeakMap<readonly string[], ReadonlySet<string>>();

function textRules(): TextRule[] {
  const rule = (r: Omit<TextRule, 'scope'>): TextRule => ({ ...r, scope: 'text' });
  const rules: TextRule[] = [
    rule({
      name: 'word_count',
      formula: 'number of words',
      min: 3,
      max: 4000,
      source: `${GOPHER}: 50 to 100,000 words per document. A chat turn is far shorter, so 3 to 4,000.`,
      compute: (f) => f.wordCount,
    }),
    rule({
      name: 'mean_word_length',
      formula: 'mean characters per word, over words of scripts written with spaces (null when words of Han or kana are as many)',
      min: 2,
      max: 12,
      source: `${GOPHER}: 3 to 10. Widened for chat (short answers, code identifiers); not measured on Chinese or Japanese text, whose words are single characters.`,
      compute: (f) => (f.spacedWords === 0 || f.wordCount - f.spacedWords >= f.spacedWords ? null : f.spacedWordChars / f.spacedWords),
    }),
    rule({
      name: 'symbol_word_ratio',
      formula: 'the larger of ("#" not marking a Markdown heading) / words and ("..." or "…") / words',
      max: 0.1,
      source: `${GOPHER}: the hash ratio and the ellipsis ratio each fail alone above 0.1. Heading marks ("## Title") are formatting in chat, not hashtags, so they are not counted.`,
      compute: (f) => (f.wordCount === 0 ? 0 : Math.max(f.hashes - f.headingHashes, f.ellipses) / f.wordCount),
    }),
    rule({
      name: 'ellipsis_line_fraction',
      formula: 'non-empty lines ending with "..." or "…" / non-empty lines',
      max: 0.3,
      source: `${GOPHER}.`,
      compute: (f) => ratio(f.ellipsisLines, f.nonEmptyLines),
    }),
    rule({
      name: 'bullet_line_fraction',
      formula: 'non-empty lines starting with a bullet (- * • ‣ ⁃ ⁌ ⁍ ∙ ○ ● ◘ ◦ ⦾ ⦿ · –; not numbers) / non-empty lines; tagged only by default',
      max: 1,
      source: `${GOPHER} (bullets of NeMo Curator and datatrove): documents over 0.9 fail. A chat reply that is one list is a normal answer, so the rule only tags by default; set max: 0.9 for web text.`,
      compute: (f) => ratio(f.bulletLines, f.nonEmptyLines),
    }),
    rule({
      name: 'alpha_fraction',
      formula: 'letters / characters other than white space',
      min: 0.25,
      source: 'C4-style character filter; NeMo Curator drops text over 25% non-alphanumeric (letters here, digits not counted).',
      compute: (f) => (f.visibleChars === 0 ? null : f.letters / f.visibleChars),
    }),
    rule({
      name: 'alpha_words',
      formula: 'words holding at least one letter / words (null without words)',
      min: 0.8,
      source: `${GOPHER}: 80% of words must hold an alphabetic character. Words are this table's words (runs of letters, digits and marks), so punctuation and bullets are not words.`,
      compute: (f) => (f.wordCount === 0 ? null : f.alphaWords / f.wordCount),
    }),
    rule({
      name: 'stop_words',
      formula: 'distinct stop words written in lower case, for the language list (of the text\'s script) that finds most; null unless half the letters are Latin or Cyrillic (`words` gives one list instead)',
      min: 2,
      source: `${GOPHER}: at least two of the, be, to, of, and, that, have, with (case as written, as in datatrove and NeMo Curator). Lists for 23 languages of their 20 to 32 most frequent function words (as FineWeb-2 takes a list per language), since a short chat reply seldom holds two of Gopher's eight; never applied to Chinese, Japanese or other scripts without a list.`,
      compute: (f, o) => {
        if (o.words) {
          let list = customStopWords.get(o.words);
          if (!list) customStopWords.set(o.words, (list = new Set(o.words)));
          return distinctStopWords(textOf(f), list);
        }
        const script = stopWordScript(f);
        return script === null ? null : bestStopWordList(f.stopWordBits, script).count;
      },
    }),
    rule({
      name: 'duplicate_line_fraction',
      formula: 'lines (of 3+ visible characters) repeating an earlier line / such lines',
      max: 0.3,
      source: `${GOPHER}. Lines under three characters (braces, "---") are not compared.`,
      compute: (f) => ratio(f.repeatedLines, f.comparedLines),
    }),
    rule({
      name: 'duplicate_paragraph_fraction',
      formula: 'paragraphs (split at blank lines) repeating an earlier paragraph, lines compared trimmed / paragraphs',
      max: 0.3,
      source: `${GOPHER}.`,
      compute: (f) => ratio(f.repeatedParagraphs, f.paragraphs),
    }),
    ...([
      [2, 0.2],
      [3, 0.18],
      [4, 0.16],
    ] as const).map(([n, max]) =>
      rule({
        name: `top_${n}gram_coverage`,
        formula: `word characters of the most frequent word ${n}-gram (case-insensitive) × its count / all characters (null under ${MIN_WORDS_FOR_NGRAMS} words)`,
        max,
        source: `${GOPHER}, over all characters as Gopher divides. Not measured on texts under ${MIN_WORDS_FOR_NGRAMS} words, where one repeated phrase is a large share.`,
        compute: (f) => (f.wordCount < MIN_WORDS_FOR_NGRAMS ? null : f.repetition().top[n - 2]!),
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
        formula: `word characters inside repeats of a word ${n}-gram (case-insensitive) seen earlier in the text / all characters (null under ${MIN_WORDS_FOR_NGRAMS} words)`,
        max,
        source: `${GOPHER}, over all characters as Gopher divides (datatrove and NeMo Curator alike).`,
        compute: (f) => (f.wordCount < MIN_WORDS_FOR_NGRAMS ? null : f.repetition().duplicate[n - 5]!),
      }),
    ),
    rule({
      name: 'url_fraction',
      formula: 'characters inside URLs / characters',
      max: 0.2,
      source: 'NeMo Curator (UrlsFilter, 0.2).',
      compute: (f) => ratio(f.measure('url', urlChars), f.length),
    }),
    rule({
      name: 'control_chars',
      formula: 'count of control characters other than tab, newline and carriage return, plus U+FFFD',
      max: 0,
      source: 'Ours: broken encodings and binary junk.',
      compute: (f) => f.controls,
    }),
    rule({
      name: 'longest_char_run',
      formula: 'longest run of one repeated non-space character',
      max: 100,
      source: 'Ours: degenerate generation ("!!!!…").',
      compute: (f) => f.longestRun,
    }),
    rule({
      name: 'code_fences_balanced',
      formula: '1 if the count of ``` is even, else 0',
      min: 1,
      source: 'Ours: a reply cut inside a code block.',
      compute: (f) => (f.fences % 2 === 0 ? 1 : 0),
    }),
    rule({
      name: 'truncated',
      formula: '1 if finish_reason is "length", or the text stops where no complete text can (inside a code block, on , ; : - ( [ “ or a CJK comma, or on a lower-case conjunction or article such as "and", "the", "y", "und"), else 0',
      max: 0,
      source: 'Ours, decided from the end of the text, not its length: a short complete reply ("No", "海南省") is not truncated, and a missing full stop alone is not a cut (see no_end_mark_fraction).',
      compute: (f, _o, finish) => (finish === 'length' || f.endsDangling || f.fences % 2 === 1 ? 1 : 0),
    }),
    rule({
      name: 'refusal',
      formula: 'occurrences of refusal phrases ("as an AI language model", "como modelo de lenguaje", …; `phrases` replaces the list) as whole phrases, case-insensitive, not overlapping',
      max: 0,
      source: 'Ours, in the manner of the phrase lists used to clean ShareGPT-style data; whole phrases only, and no brand names.',
      phrases: (o) => o.phrases ?? DEFAULT_REFUSALS,
      compute: (f, o) => phraseCount(f, o.phrases ?? DEFAULT_REFUSALS),
    }),
    rule({
      name: 'boilerplate',
      formula: 'occurrences of boilerplate strings ("lorem ipsum", "terms of use", …; `phrases` replaces the list) as whole phrases, case-insensitive, not overlapping',
      max: 0,
      source: 'C4 (lorem ipsum, "terms of use", "privacy policy", cookies, JavaScript notices); NeMo Curator drops paragraphs over 40% boilerplate, we count occurrences.',
      phrases: (o) => o.phrases ?? DEFAULT_BOILERPLATE,
      compute: (f, o) => phraseCount(f, o.phrases ?? DEFAULT_BOILERPLATE),
    }),
    rule({ name: 'digit_fraction', formula: 'digits / characters', max: 0.3, source: 'NeMo Curator (NumbersFilter, 0.15); 0.3 here, as chat answers hold tables and arithmetic.', compute: (f) => ratio(f.digits, f.length) }),
    rule({ name: 'whitespace_fraction', formula: 'white-space characters / characters', max: 0.5, source: 'NeMo Curator (WhiteSpaceFilter, 0.25); 0.5 here, as code and tables are indented.', compute: (f) => ratio(f.length - f.visibleChars, f.length) }),
    rule({ name: 'parenthesis_fraction', formula: 'characters among ()[]{} / characters', max: 0.1, source: 'NeMo Curator (ParenthesesFilter, 0.1).', compute: (f) => ratio(f.parentheses, f.length) }),
    rule({
      name: 'longest_word',
      formula: 'characters in the longest run without white space',
      max: 1000,
      source: 'NeMo Curator (LongWordFilter, 1,000).',
      compute: (f) => f.longestNonSpace,
    }),
    rule({
      name: 'no_end_mark_fraction',
      formula: 'non-empty lines (outside code fences, not list items or headings) without an end mark / such lines; tagged only by default',
      max: 1,
      source: 'C4 keeps only lines ending in terminal punctuation; FineWeb drops documents with too few. Chat answers end lines without marks (titles, table cells), so tagged only.',
      compute: (f) => ratio(f.bareProseLines, f.proseLines),
    }),
    rule({
      name: 'pii',
      formula: 'emails + phone numbers + IPv4 addresses + card numbers passing the Luhn check',
      max: 0,
      source: 'Ours (regular expressions with checks).',
      compute: (f) => f.measure('pii', piiCount),
    }),
  ];
  return rules;
}

function conversationRules(): ConversationRule[] {
  const rule = (r: Omit<ConversationRule, 'scope'>): ConversationRule => ({ ...r, scope: 'conversation' });
  return [
    rule({
      name: 'empty_turns',
      formula: 'turns whose content is empty or white space',
      source: 'Ours.',
      max: 0,
      compute: (turns) => {
        let empty = 0;
        for (const t of turns) if (t.content.trim() === '') empty++;
        return empty;
      },
    }),
    rule({
      name: 'role_alternation',
      formula: '1 if roles alternate user/assistant (after an optional system turn), else 0',
      source: 'Ours: what chat templates require.',
      min: 1,
      compute: (turns) => {
        const start = turns[0]?.role === 'system' ? 1 : 0;
        for (let i = start; i < turns.length; i++) if (turns[i]!.role !== ((i - start) % 2 === 0 ? 'user' : 'assistant')) return 0;
        return 1;
      },
    }),
    rule({
      name: 'prompt_copy',
      formula: 'largest share, over assistant turns, of the reply\'s word 3-grams (case-insensitive) found in the user turn before it',
      source: 'Ours: a reply that parrots its prompt.',
      max: 0.8,
      compute: (turns, _o, words = new TurnWords(turns)) => {
        let worst: number | null = null;
        for (let i = 1; i < turns.length; i++) {
          if (turns[i]!.role !== 'assistant' || turns[i - 1]!.role !== 'user') continue;
          const reply = words.of(i);
          if (reply.length < 3) continue;
          const prompt = words.of(i - 1);
          promptTrigrams.reset(prompt.length);
          for (let k = 0; k + 3 <= prompt.length; k++) promptTrigrams.add(trigramA(prompt, k), trigramB(prompt, k));
          let copied = 0;
          for (let k = 0; k + 3 <= reply.length; k++) if (promptTrigrams.has(trigramA(reply, k), trigramB(reply, k))) copied++;
          worst = Math.max(worst ?? 0, copied / (reply.length - 2));
        }
        return worst;
      },
    }),
    rule({ name: 'num_turns', formula: 'number of turns; tagged, a rule only when configured', source: 'Ours.', optIn: true, compute: (turns) => turns.length }),
  ];
}

/** A key for the word 3-gram at `k` (three 32-bit word hashes folded to 52 bits). */
// The word 3-gram at `k` as two independent 32-bit hashes of its three word hashes.
const trigramA = (words: Int32Array, k: number): number => Math.imul(Math.imul(words[k]!, 0x01000193) ^ words[k + 1]!, 0x01000193) ^ words[k + 2]!;
const trigramB = (words: Int32Array, k: number): number => Math.imul(words[k]!, 0x5bd1e995) + Math.imul(words[k + 1]!, 7919) + words[k + 2]! | 0;
const promptTrigrams = new KeyCounter();

/** Every rule, by name. `language` and the token and diversity measures live in the node. */
export const RULES: ReadonlyMap<string, Rule> = new Map<string, Rule>([...textRules(), ...conversationRules()].map((r) => [r.name, r]));
