export interface NormalizeOptions {
  /** Lower-case (default true). */
  case?: boolean;
  /** Collapse runs of white space to one space and trim (default true). */
  whitespace?: boolean;
  /** Remove punctuation and symbols (default false). */
  punctuation?: boolean;
  /** Unicode NFKC: full-width forms, ligatures and compatibility characters fold to their plain form (default true). */
  unicode?: boolean;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: the whole ASCII range, control characters included
const ASCII = /^[\x00-\x7f]*$/;
const SPACES = /\s+/g;
const PUNCTUATION = /[\p{P}\p{S}]+/gu;

/** A function that puts text in the form compared for duplicates, built once per node. */
export function makeNormalizer(options: NormalizeOptions = {}): (text: string) => string {
  const { case: lower = true, whitespace = true, punctuation = false, unicode = true } = options;
  return (text) => {
    // ASCII is already NFKC: skip the Unicode tables for the common case.
    if (unicode && !ASCII.test(text)) text = text.normalize('NFKC');
    if (lower) text = text.toLowerCase();
    if (punctuation) text = text.replace(PUNCTUATION, ' ');
    if (whitespace) text = text.replace(SPACES, ' ').trim();
    return text;
  };
}
