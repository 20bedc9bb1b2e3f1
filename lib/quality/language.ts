/** Language identification with eld (ISO 639-1 codes, as OASST's `lang` uses), loaded on first use. */
export type DetectLanguage = (text: string) => string | null;

let detector: Promise<DetectLanguage> | null = null;

export function loadLanguageDetector(): Promise<DetectLanguage> {
  detector ??= import('eld/medium').then(({ eld }) => (text: string) => {
    const result = eld.detect(text);
    return result.language ? result.language : null;
  });
  return detector;
}
