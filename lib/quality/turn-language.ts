import { STOP_WORD_LANGUAGES, bestStopWordList } from './stop-words.js';
import type { LanguageSignature } from './text-features.js';

/**
 * Whether a reply is written in another language than the prompt it answers, decided
 * from measures the rules already take (no language model): the script most of the
 * letters are in, and for Latin and Cyrillic text the language whose stop words it holds.
 * Cheap enough for every conversation, and silent where it cannot be sure: short texts,
 * scripts without stop-word lists, and prompts that ask for a language or a translation.
 */

export type Script = 'latin' | 'cyrillic' | 'other';

/** The script of two thirds or more of a text's letters, or null (mixed, or under 10 letters). */
export function mainScript(f: LanguageSignature): Script | null {
  if (f.letters < 10) return null;
  if (f.latinLetters * 3 >= f.letters * 2) return 'latin';
  if (f.cyrillicLetters * 3 >= f.letters * 2) return 'cyrillic';
  if ((f.letters - f.latinLetters - f.cyrillicLetters) * 3 >= f.letters * 2) return 'other';
  return null;
}

/** Distinct stop words of each text's own best list that a language needs to be named. */
const MIN_STOP_WORDS = 3;

function popcount(x: number): number {
  let n = 0;
  for (let v = x >>> 0; v !== 0; v &= v - 1) n++;
  return n;
}

/**
 * How the reply's language differs from the prompt's: "script" when most letters are in
 * different scripts, "language" when both hold three or more stop words of different
 * languages and the reply holds fewer than half as many of the prompt's, else null.
 */
export function languageShift(prompt: LanguageSignature, reply: LanguageSignature): 'script' | 'language' | null {
  const a = mainScript(prompt);
  const b = mainScript(reply);
  if (a === null || b === null) return null;
  if (a !== b) return 'script';
  if (a === 'other') return null;
  const inPrompt = bestStopWordList(prompt.stopWordBits, a);
  const inReply = bestStopWordList(reply.stopWordBits, a);
  if (inPrompt.count < MIN_STOP_WORDS || inReply.count < MIN_STOP_WORDS || inPrompt.language === inReply.language) return null;
  const promptList = STOP_WORD_LANGUAGES.indexOf(inPrompt.language);
  const shared = reply.stopWordBits ? popcount(reply.stopWordBits[promptList]!) : 0;
  return shared * 2 < inReply.count ? 'language' : null;
}

/**
 * Prompts that ask for a translation or name a language: a reply in another language is
 * then what was asked. Names in English and in the language itself.
 */
// biome-ignore format: one language's names a line
const ASKS_FOR_LANGUAGE = new RegExp(
  [
    'translat', 'tradu', 'übersetz', 'перев[оеи]д', 'переклад', '翻译', '翻譯', '翻訳', '번역',
    'english', 'inglés', 'ingles', 'inglês', 'anglais', 'englisch', 'inglese', 'английск', 'англійськ', '英文', '英语', '英語', '영어',
    'spanish', 'español', 'espanol', 'castellano', 'espagnol', 'spanisch', 'spagnolo', 'испанск', '西班牙',
    'portugu', 'french', 'français', 'francés', 'francês', 'französisch', 'francese', 'француз', '法语', '法語',
    'german', 'deutsch', 'alemán', 'alemão', 'allemand', 'tedesco', 'немецк', 'німецьк', '德语', '德語', 'ドイツ語',
    'italian', 'italiano', 'italien', 'итальянск', 'catal', 'dutch', 'nederlands', 'russian', 'русск', 'ruso', 'russo', 'russe', '俄语',
    'ukrain', 'украинск', 'українськ', 'chinese', 'chino', 'chinês', 'chinois', 'chinesisch', 'китайск', '中文', '汉语', '漢語', '中国語',
    'japanese', 'japonés', 'japonais', 'japanisch', 'японск', '日语', '日語', '日本語', 'korean', 'coreano', '韩语', '韓國語', '한국어',
    'esperanto', 'polish', 'polski', 'swedish', 'svenska', 'norwegian', 'norsk', 'danish', 'dansk', 'finnish', 'suomi', 'czech', 'čeština',
    'romanian', 'română', 'turkish', 'türkçe', 'hungarian', 'magyar', 'basque', 'euskara', 'vietnamese', 'tiếng việt', 'indonesian', 'bahasa',
    'arabic', 'árabe', 'hindi', 'hebrew', 'greek', 'latin',
  ].join('|'),
  'i',
);

/** Whether a prompt asks for a translation or names a language (read on its first 2,000 characters). */
export function asksForLanguage(prompt: string): boolean {
  return ASKS_FOR_LANGUAGE.test(prompt.length > 2000 ? prompt.slice(0, 2000) : prompt);
}

/** The text outside code fences (```), where a language is judged: code is written in Latin letters whatever the prose. */
export function proseOf(text: string): string {
  if (!text.includes('```')) return text;
  const parts = text.split('```');
  let prose = '';
  for (let i = 0; i < parts.length; i += 2) prose += parts[i] + '\n';
  return prose;
}
