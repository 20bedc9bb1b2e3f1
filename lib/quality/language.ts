/** Language identification with eld (ISO 639-1 codes), loaded on first use. */
import { importModule } from '../config/import-module.js';

export interface DetectedLanguage {
  /** ISO 639-1 code, or null when the text gave no answer. */
  language: string | null;
  /** The detector's score for that language (0 to 1). */
  confidence: number;
  /** Whether eld itself calls the answer reliable. */
  reliable: boolean;
}

export interface LanguageDetector {
  detect(text: string): DetectedLanguage;
  /** Whether the detector can name this language (a primary subtag), so a verdict on it means something. */
  knows(language: string): boolean;
}

let detector: Promise<LanguageDetector> | null = null;

export function loadLanguageDetector(): Promise<LanguageDetector> {
  detector ??= importModule<typeof import('eld/medium')>('eld/medium').then(({ eld }) => {
    const known = new Set(Object.values((eld.info() as { Languages: Record<string, string> }).Languages));
    return {
      detect(text: string): DetectedLanguage {
        const result = eld.detect(text);
        if (!result.language) return { language: null, confidence: 0, reliable: false };
        const score = (result.getScores() as Record<string, number>)[result.language] ?? 0;
        return { language: result.language, confidence: Math.round(score * 1000) / 1000, reliable: result.isReliable() };
      },
      knows: (language: string) => known.has(language),
    };
  });
  return detector;
}

// Tags that name the same language as the detector's code under another name.
const ALIASES: Readonly<Record<string, string>> = { nb: 'no', nn: 'no', iw: 'he', in: 'id', ji: 'yi', fil: 'tl', zh: 'zh' };

/**
 * The primary language subtag of a BCP-47 tag, lower-cased, as the detector names it:
 * "pt-BR" → "pt", "uk-UA" → "uk", "nb-NO" → "no", "zh-Hant" → "zh".
 */
export function primaryLanguage(tag: string): string {
  const primary = tag.trim().split(/[-_]/)[0]!.toLowerCase();
  return ALIASES[primary] ?? primary;
}
