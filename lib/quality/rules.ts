import { KeyCounter } from '../hashing/key-counter.js';
import { languageSignature, readWords, wordHashes, type LanguageSignature, type TextFeatures } from './text-features.js';
import { asksForLanguage, languageShift, proseOf } from './turn-language.js';
import { findPii, DEFAULT_PHONE_COUNTRIES, type PiiOptions } from './pii.js';
import type { CountryCode } from 'libphonenumber-js/max';
import { PhraseCounter } from '../text/phrase-counter.js';
import { bestStopWordList, distinctStopWords } from './stop-words.js';

/** Options a rule may take in the graph file (each rule reads the ones it knows). */
export interface RuleOptions {
  min?: number;
  max?: number;
  phrases?: string[];
  /** stop_words: one list that replaces the built-in ones. */
  words?: string[];
  /** pii: countries whose numbering plans read a phone number written without a country code. */
  countries?: string[];
}

export interface Turn {
  role: string;
  content: string;
}

interface RuleBase {
  readonly name: string;
  /** The formula, as documented in docs/quality.md. */
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
  /** The minimum for this text, for a rule whose minimum grows with the text (given the configured one). */
  minFor?(f: TextFeatures, min: number): number;
  /**
   * Whether one turn of a conversation surely measures at most `max`, told from what was
   * measured on the whole conversation (whose words include the turn's) without a pass
   * over the turn: a shortcut for a rule whose measure of a turn costs a pass of its own.
   * False means only "measure it".
   */
  turnWithin?(turn: TextFeatures, whole: TextFeatures, max: number): boolean;
}

/**
 * What the conversation rules measure on each turn, made when first asked for and shared
 * by the rules: the words of a turn, and the language signature of its prose (outside code fences).
 * Assistant turns, measured first by the text rules, are handed over.
 */
export class TurnMeasures {
  private readonly words: Array<Int32Array | undefined> = [];
  private readonly prose: Array<LanguageSignature | undefined> = [];

  constructor(private readonly turns: readonly Turn[]) {}

  /** Hands over the features already taken of turn `i`. */
  know(i: number, f: TextFeatures): void {
    this.words[i] = f.wordHashes;
    if (f.fences === 0) this.prose[i] = f;
  }

  wordsOf(i: number): Int32Array {
    if (this.words[i] === undefined) this.read(i);
    return this.words[i]!;
  }

  /** The language signature of the turn's prose (outside code fences), from its words starting in the first 300 characters when it must be read anew. */
  languageOf(i: number): LanguageSignature {
    if (this.prose[i] === undefined) this.read(i);
    return this.prose[i]!;
  }

  /**
   * Reads a turn not measured yet: its words, and with them the signature of a text without
   * code fences (a prompt, mostly), in one reading; the signature of a text with fences is
   * read from its prose apart.
   */
  private read(i: number): void {
    const content = this.turns[i]!.content;
    if (content.includes('```')) {
      this.words[i] ??= wordHashes(content);
      this.prose[i] ??= languageSignature(proseOf(content.length > 4000 ? content.slice(0, 4000) : content));
      return;
    }
    const read = readWords(content, PROMPT_SIGNATURE_LIMIT, this.words[i] === undefined);
    this.words[i] ??= read.words;
    this.prose[i] ??= read.signature;
  }
}

/** A prompt's language is told from its words starting in its first 300 characters. */
const PROMPT_SIGNATURE_LIMIT = 300;

/** A rule measured on a whole conversation. */
export interface ConversationRule extends RuleBase {
  readonly scope: 'conversation';
  compute(turns: readonly Turn[], options: RuleOptions, measures?: TurnMeasures): number | null;
}

export type Rule = TextRule | ConversationRule;

const ratio = (n: number, d: number): number => (d === 0 ? 0 : n / d);

const MIN_WORDS_FOR_NGRAMS = 50;

/**
 * Phrases with which a model declines a request, in the languages most common in chat
 * data. No brand names: a reply may well be about a company.
 */
export const DEFAULT_REFUSALS = [
  "i'm sorry, but i can't",
  'i am sorry, but i cannot',
  "i'm sorry, but i cannot",
  'i cannot fulfill',
  "i can't fulfill",
  "i can't assist with",
  'i cannot assist with',
  "i'm not able to help with",
  "i'm unable to help with",
  "i can't help with that",
  'i cannot help with that',
  "i'm not going to",
  'i am not going to',
  "i'm not gonna",
  'i am not gonna',
  'i refuse to',
  "i'm programmed not to",
  'i am programmed not to',
  'no puedo ayudarte con',
  'no puedo ayudar con',
  'lo siento, pero no puedo',
  'desculpe, mas não posso',
  'não posso ajudar com',
  'je ne peux pas vous aider',
  'désolé, mais je ne peux pas',
  'ich kann dir dabei nicht helfen',
  'ich kann ihnen dabei nicht helfen',
  'non posso aiutarti',
  'я не могу помочь с',
  'извините, но я не могу',
  '我无法帮助',
  '抱歉，我不能',
  '对不起，我不能',
];

/**
 * Phrases with which a reply says it is a model ("as an AI language model"): a refusal
 * when it stands in for the answer, a preamble when an answer follows, which is why their
 * rule measures them per 100 words.
 */
export const DEFAULT_DISCLAIMERS = [
  'as an ai language model',
  'as an ai model',
  'as an ai assistant',
  'as a language model',
  'as a large language model',
  "i'm just an ai",
  'i am just an ai',
  "i'm only an ai",
  'i do not have personal opinions',
  "i don't have personal opinions",
  'my knowledge cutoff',
  'como modelo de lenguaje',
  'como un modelo de lenguaje',
  'soy un modelo de lenguaje',
  'basado en un modelo de lenguaje',
  'basado en un modelo del lenguaje',
  'based on a language model',
  'baseado em um modelo de linguagem',
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

/**
 * Strong profanity and slurs, each form written out (phrases match whole words, so
 * "Scunthorpe" and "assess" are safe). Mild words ("damn", "hell") are not listed.
 */
// biome-ignore format: one language (or one word family) a line
export const DEFAULT_PROFANITY = [
  'fuck', 'fucks', 'fucked', 'fucking', 'fucker', 'fuckers', 'motherfucker', 'motherfuckers', 'fuckin',
  'shit', 'shits', 'shitty', 'bullshit', 'bitch', 'bitches', 'cunt', 'cunts', 'asshole', 'assholes',
  'dickhead', 'piss', 'pissed', 'retard', 'retarded', 'whore', 'slut', 'nigger', 'niggers', 'faggot', 'faggots',
  'puta', 'puto', 'putas', 'mierda', 'coño', 'gilipollas', 'pendejo', 'cabrón', 'hijo de puta',
  'caralho', 'porra', 'merda', 'filho da puta', 'putain', 'merde', 'connard', 'salope', 'enculé',
  'scheiße', 'scheisse', 'arschloch', 'fotze', 'hurensohn', 'cazzo', 'stronzo', 'vaffanculo',
  'блядь', 'бля', 'хуй', 'хуя', 'пизда', 'пиздец', 'ебать', 'ебаный', 'ебаных', 'сука', 'мудак',
  '他妈的', '操你妈', '傻逼',
];

/**
 * How a user's request opens, for replies that swap roles: an assistant turn that asks
 * the assistant for something. Questions back to the user ("Could you tell me more…")
 * are what assistants do, so they are not here.
 */
export const DEFAULT_REQUEST_OPENERS = [
  'can you write',
  'can you generate',
  'can you create',
  'can you make',
  'can you give me',
  'can you help me',
  'write me',
  'give me',
  'generate a',
  'summarise your',
  'summarize your',
  'please write',
  'i want you to',
  'puedes escribir',
  'escríbeme',
  'dame un',
  'dame una',
  'necesito que',
  'escreva',
  'écris-moi',
  'donne-moi',
  'schreib mir',
  'gib mir',
  'напиши',
  'дай мне',
  '请你',
  '请帮我',
  '帮我',
  '给我写',
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

/**
 * PII found in the texts measured, each text counted once and remembered. Every credential
 * shape holds a run of 15 or more letters and digits (a key, a token's random part, a line
 * of a key block), so a text without so long a word is not searched for one: that search
 * is the costliest of the PII checks, and few texts hold such a word. Nor is a text without
 * a digit searched for a digit, which every other kind but e-mail holds: its features
 * counted them.
 */
function piiIn(f: TextFeatures, countries: readonly string[] | undefined): number {
  if (typeof f.source !== 'string') {
    let n = 0;
    for (const part of f.source) n += piiIn(part, countries);
    return n;
  }
  const search = piiSearches(countries);
  const kind = (f.longestWord >= MIN_SECRET_LENGTH ? 1 : 0) | (f.digits > 0 ? 2 : 0);
  return f.measure(search.keys[kind]!, search.counts[kind]!);
}

const MIN_SECRET_LENGTH = 15;

/** The four searches of a list of countries (with or without secrets, with or without digits), with their keys. */
interface PiiSearches {
  keys: string[];
  counts: Array<(text: string) => number>;
}

// Made once per configured list of countries, not per record.
const piiSearchesOf = new WeakMap<readonly string[], PiiSearches>();
const DEFAULT_SEARCHES = makePiiSearches(undefined);

function piiSearches(countries: readonly string[] | undefined): PiiSearches {
  if (!countries) return DEFAULT_SEARCHES;
  let searches = piiSearchesOf.get(countries);
  if (!searches) piiSearchesOf.set(countries, (searches = makePiiSearches(countries)));
  return searches;
}

function makePiiSearches(countries: readonly string[] | undefined): PiiSearches {
  const keys: string[] = [];
  const counts: Array<(text: string) => number> = [];
  for (let kind = 0; kind < 4; kind++) {
    const options: PiiOptions = { secrets: (kind & 1) !== 0, digits: (kind & 2) !== 0 };
    if (countries) options.countries = countries as CountryCode[];
    keys.push(`pii:${kind}:${countries?.join(',') ?? ''}`);
    counts.push((text) => findPii(text, options).length);
  }
  return { keys, counts };
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
  lists.forEach((list, index) => {
    phraseSearches.set(list, { key, count, index });
  });
  return null;
}

/** Whether `text`, after leading white space, opens with one of `phrases` (lower case) ending at a word boundary. */
const WORD_CHAR = /[\p{L}\p{N}]/u;
const HAN = /\p{Script=Han}/u;
function opensWith(text: string, phrases: readonly string[]): boolean {
  let start = 0;
  while (start < text.length && /\s/.test(text[start]!)) start++;
  const head = text.slice(start, start + 40).toLowerCase();
  for (const p of phrases) {
    if (!head.startsWith(p)) continue;
    const next = head[p.length];
    // A phrase ending in a word character must end the word too, unless it is Chinese.
    if (next === undefined || !WORD_CHAR.test(next) || !WORD_CHAR.test(p[p.length - 1]!) || HAN.test(p[p.length - 1]!)) return true;
  }
  return false;
}

/**
 * Gopher's repetition thresholds (0.3 of lines, 0.15 to 0.10 of characters in repeated
 * n-grams) are for web pages. A chat reply that is a meal plan, a song with a chorus or a
 * text rewritten twice repeats up to about 60% of itself and is approved by reviewers
 * (OASST2: 0.59 of lines, 0.46 of characters in 5-grams); a model caught in a loop repeats
 * far more. So conversations fail at 0.7; set max to Gopher's value for web text.
 */
const LOOP = 0.7;
const LOOP_WHY =
  'Chat default 0.7: a meal plan, a song with a chorus or a rewrite repeats up to about 60% of itself (OASST2 approved replies: 0.59 of lines, 0.46 of characters), while a model caught in a loop repeats most of its reply.';

/** A rule's list (`phrases` in the graph replaces `defaults`) and its value: how many of them the text holds. */
function countsPhrases(defaults: readonly string[]): Pick<TextRule, 'phrases' | 'compute'> {
  return {
    phrases: (o) => o.phrases ?? defaults,
    compute: (f, o) => phraseCount(f, o.phrases ?? defaults),
  };
}

const URL = /\bhttps?:\/\/[^\s<>()]+|\bwww\.[^\s<>()]+/g;

const GOPHER = 'Gopher (Rae et al. 2021, table A1)';

/** The text a rule reads, for the few rules that read the text itself rather than its measures. */
function textOf(f: TextFeatures): string {
  return typeof f.source === 'string' ? f.source : f.source.map(textOf).join('\n');
}

/** The first text measured (the first turn, when the features are of several). */
function firstText(f: TextFeatures): string {
  return typeof f.source === 'string' ? f.source : f.source.length === 0 ? '' : firstText(f.source[0]!);
}

/**
 * The script of a text's letters when half or more are Latin or Cyrillic and its words are
 * mostly spaced (a Chinese sentence naming "Bhut Jolokia" is Chinese), else null. Null too
 * for a text that is mostly list items and headings: a list of dishes or names holds no
 * function words in any language.
 */
function stopWordScript(f: TextFeatures): 'latin' | 'cyrillic' | null {
  if (f.letters === 0 || f.spacedWords * 2 < f.wordCount || f.proseLines * 2 < f.nonEmptyLines) return null;
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
      formula:
        "distinct stop words written in lower case, for the language list (of the text's script) that finds most; null unless half the letters are Latin or Cyrillic, most words are spaced and most lines are prose, not list items (`words` gives one list instead). The minimum is one higher from 50 words",
      min: 2,
      source: `${GOPHER}: at least two of the, be, to, of, and, that, have, with (case as written, as in datatrove and NeMo Curator), in documents of 50 words or more. Lists for 23 languages of their 20 to 32 most frequent function words (as FineWeb-2 takes a list per language), since a short chat reply seldom holds two of Gopher's eight; with four times Gopher's words to find, a reply of 50 words or more must hold one more than the minimum. Never applied to Chinese, Japanese or other scripts without a list.`,
      minFor: (f, min) => (f.wordCount >= 50 ? min + 1 : min),
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
      max: LOOP,
      source: `${GOPHER}: 0.3. ${LOOP_WHY} Lines under three characters (braces, "---") are not compared.`,
      compute: (f) => ratio(f.repeatedLines, f.comparedLines),
    }),
    rule({
      name: 'duplicate_paragraph_fraction',
      formula: 'paragraphs (split at blank lines) repeating an earlier paragraph, lines compared trimmed / paragraphs',
      max: LOOP,
      source: `${GOPHER}: 0.3. ${LOOP_WHY}`,
      compute: (f) => ratio(f.repeatedParagraphs, f.paragraphs),
    }),
    ...(
      [
        [2, 0.2],
        [3, 0.18],
        [4, 0.16],
      ] as const
    ).map(([n, max]) =>
      rule({
        name: `top_${n}gram_coverage`,
        formula: `word characters of the most frequent word ${n}-gram (case-insensitive) × its count / all characters (null under ${MIN_WORDS_FOR_NGRAMS} words)`,
        max,
        source: `${GOPHER}, over all characters as Gopher divides. Not measured on texts under ${MIN_WORDS_FOR_NGRAMS} words, where one repeated phrase is a large share.`,
        compute: (f) => (f.wordCount < MIN_WORDS_FOR_NGRAMS ? null : f.repetition().top[n - 2]!),
        // An n-gram occurs in the turn at most as often as the whole's most frequent one,
        // and its characters are at most n of the turn's longest word.
        turnWithin: (turn, whole, max) =>
          turn.wordCount < MIN_WORDS_FOR_NGRAMS || (whole.wordCount >= MIN_WORDS_FOR_NGRAMS && whole.repetition().topCount[n - 2]! * n * turn.longestWord <= max * turn.length),
      }),
    ),
    ...(
      [
        [5, 0.15],
        [6, 0.14],
        [7, 0.13],
        [8, 0.12],
        [9, 0.11],
        [10, 0.1],
      ] as const
    ).map(([n, gopher]) =>
      rule({
        name: `duplicate_${n}gram_coverage`,
        formula: `word characters inside repeats of a word ${n}-gram (case-insensitive) seen earlier in the text / all characters (null under ${MIN_WORDS_FOR_NGRAMS} words)`,
        max: LOOP,
        source: `${GOPHER}: ${gopher}, measured as Gopher measures it, over all characters (datatrove and NeMo Curator alike). ${LOOP_WHY}`,
        compute: (f) => (f.wordCount < MIN_WORDS_FOR_NGRAMS ? null : f.repetition().duplicate[n - 5]!),
        // A repeat inside the turn repeats in the whole too: its characters are among the whole's.
        turnWithin: (turn, whole, max) => turn.wordCount < MIN_WORDS_FOR_NGRAMS || (whole.wordCount >= MIN_WORDS_FOR_NGRAMS && whole.repetition().duplicateChars[n - 5]! <= max * turn.length),
      }),
    ),
    rule({
      name: 'url_fraction',
      formula: 'characters inside URLs / characters',
      max: 0.7,
      source:
        'NeMo Curator (UrlsFilter): 0.2. A chat reply that cites its sources or answers "where can I read more" is mostly links, and reviewers approve it (OASST2: up to 0.64), so 0.7 here: a reply of nothing but links fails.',
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
      formula:
        '1 if finish_reason is "length", or the text stops where no complete text can (inside a code block, on , ; : - ( [ “ or a CJK comma, or on a lower-case conjunction or article such as "and", "the", "y", "und"), else 0',
      max: 0,
      source:
        'Ours, decided from the end of the text, not its length: a short complete reply ("No", "海南省") is not truncated, and a missing full stop alone is not a cut (see no_end_mark_fraction).',
      compute: (f, _o, finish) => (finish === 'length' || f.endsDangling || f.fences % 2 === 1 ? 1 : 0),
    }),
    rule({
      name: 'refusal',
      formula: 'occurrences of phrases that decline ("I\'m sorry, but I can\'t", "no puedo ayudarte con", …; `phrases` replaces the list) as whole phrases, case-insensitive, not overlapping',
      max: 0,
      source: 'Ours, in the manner of the phrase lists used to clean ShareGPT-style data; whole phrases only, and no brand names. Saying one is a model is not declining: see ai_disclaimer.',
      ...countsPhrases(DEFAULT_REFUSALS),
    }),
    rule({
      name: 'ai_disclaimer',
      formula: 'phrases saying the reply comes from a model ("as an AI language model", "como modelo de lenguaje", …; `phrases` replaces the list) per 100 words',
      max: 2,
      source:
        'Ours. The cleaning scripts of ShareGPT-style data drop every reply holding one; reviewers approve a long answer that opens with one, and fail a short reply that is nothing else. So the rule counts them per 100 words: one in a reply under 50 words fails, one before a 200-word answer does not (max: 0 drops them all).',
      phrases: (o) => o.phrases ?? DEFAULT_DISCLAIMERS,
      compute: (f, o) => (f.wordCount === 0 ? 0 : (100 * phraseCount(f, o.phrases ?? DEFAULT_DISCLAIMERS)) / f.wordCount),
    }),
    rule({
      name: 'profanity',
      formula: 'occurrences of strong profanity and slurs (English, Spanish, Portuguese, French, German, Italian, Russian, Chinese; `phrases` replaces the list) as whole words, case-insensitive',
      max: 0,
      source: 'C4 drops any page holding a word of its "bad words" list; ours is a short list of strong words only, written out form by form, so that words holding one ("Scunthorpe") are safe.',
      ...countsPhrases(DEFAULT_PROFANITY),
    }),
    rule({
      name: 'role_swap',
      formula: '1 if the reply opens as a request to an assistant ("Can you write", "Give me", "请你", …; `phrases` replaces the list), else 0',
      max: 0,
      source: 'Ours: crowd-written chat data holds assistant turns that ask for something, as a user would (role swaps). A question back to the user ("Could you tell me more?") is not one.',
      compute: (f, o) => (opensWith(firstText(f), o.phrases ?? DEFAULT_REQUEST_OPENERS) ? 1 : 0),
    }),
    rule({
      name: 'boilerplate',
      formula: 'occurrences of boilerplate strings ("lorem ipsum", "terms of use", …; `phrases` replaces the list) as whole phrases, case-insensitive, not overlapping',
      max: 0,
      source: 'C4 (lorem ipsum, "terms of use", "privacy policy", cookies, JavaScript notices); NeMo Curator drops paragraphs over 40% boilerplate, we count occurrences.',
      ...countsPhrases(DEFAULT_BOILERPLATE),
    }),
    rule({
      name: 'digit_fraction',
      formula: 'digits / characters',
      max: 0.3,
      source: 'NeMo Curator (NumbersFilter, 0.15); 0.3 here, as chat answers hold tables and arithmetic.',
      compute: (f) => ratio(f.digits, f.length),
    }),
    rule({
      name: 'whitespace_fraction',
      formula: 'white-space characters / characters',
      max: 0.5,
      source: 'NeMo Curator (WhiteSpaceFilter, 0.25); 0.5 here, as code and tables are indented.',
      compute: (f) => ratio(f.length - f.visibleChars, f.length),
    }),
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
      formula:
        "emails + phone numbers (valid in their country's numbering plan, by libphonenumber) + IBANs (mod-97 check) + card numbers (network prefix and length, Luhn check) + US SSNs + IPv4 and IPv6 addresses + credentials (cloud access keys, sk- API keys, GitHub, Slack and Google tokens, private key blocks, JWTs)",
      max: 0,
      source: `Ours: checksums and numbering plans rather than digit patterns, so ISBNs, dates, order numbers and version strings are not matched. Numbers without a country code are tried in ${DEFAULT_PHONE_COUNTRIES.join(', ')} (\`countries\` sets the list). Names and street addresses need a model: see the pii_llm node.`,
      compute: (f, o) => piiIn(f, o.countries),
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
      formula: "largest, over assistant turns, of the reply's word 3-grams (case-insensitive) found in the user turn before it, over the 3-grams of the longer of the two",
      source:
        'Ours: a reply that parrots its prompt copies the prompt and holds little else. Dividing by the longer text means an extractive answer that quotes a line of a long passage in the prompt is not a copy.',
      max: 0.8,
      compute: (turns, _o, measures = new TurnMeasures(turns)) => {
        let worst: number | null = null;
        for (let i = 1; i < turns.length; i++) {
          if (turns[i]!.role !== 'assistant' || turns[i - 1]!.role !== 'user') continue;
          const reply = measures.wordsOf(i);
          const prompt = measures.wordsOf(i - 1);
          if (reply.length < 3 || prompt.length < 3) continue;
          promptTrigrams.reset(prompt.length);
          for (let k = 0; k + 3 <= prompt.length; k++) promptTrigrams.add(trigramA(prompt, k), trigramB(prompt, k));
          let copied = 0;
          for (let k = 0; k + 3 <= reply.length; k++) if (promptTrigrams.has(trigramA(reply, k), trigramB(reply, k))) copied++;
          worst = Math.max(worst ?? 0, copied / (Math.max(reply.length, prompt.length) - 2));
        }
        return worst;
      },
    }),
    rule({
      name: 'reply_language',
      formula:
        "assistant turns written in another script than the user turn before them, or, both in Latin or both in Cyrillic script, holding three or more stop words of another language and under half as many of the prompt's (prose outside code fences; prompts that ask for a translation or name a language are not judged)",
      source:
        "Ours: reviewers flag a reply in another language than its prompt (OASST's lang_mismatch). Decided from the script and stop-word measures, with no language detector, so it costs little and is silent on short texts; the opt-in language rule judges against an expected language with a detector.",
      max: 0,
      compute: (turns, _o, measures = new TurnMeasures(turns)) => {
        let shifted = 0;
        for (let i = 1; i < turns.length; i++) {
          if (turns[i]!.role !== 'assistant' || turns[i - 1]!.role !== 'user') continue;
          // A shift is rare, so the prompt is searched for language names only when there is one.
          if (languageShift(measures.languageOf(i - 1), measures.languageOf(i)) !== null && !asksForLanguage(turns[i - 1]!.content)) shifted++;
        }
        return shifted;
      },
    }),
    rule({ name: 'num_turns', formula: 'number of turns; tagged, a rule only when configured', source: 'Ours.', optIn: true, compute: (turns) => turns.length }),
  ];
}

/** A key for the word 3-gram at `k` (three 32-bit word hashes folded to 52 bits). */
// The word 3-gram at `k` as two independent 32-bit hashes of its three word hashes.
const trigramA = (words: Int32Array, k: number): number => Math.imul(Math.imul(words[k]!, 0x01000193) ^ words[k + 1]!, 0x01000193) ^ words[k + 2]!;
const trigramB = (words: Int32Array, k: number): number => (Math.imul(words[k]!, 0x5bd1e995) + Math.imul(words[k + 1]!, 7919) + words[k + 2]!) | 0;
const promptTrigrams = new KeyCounter();

/** Every rule, by name. `language` and the token and diversity measures live in the node. */
export const RULES: ReadonlyMap<string, Rule> = new Map<string, Rule>([...textRules(), ...conversationRules()].map((r) => [r.name, r]));
