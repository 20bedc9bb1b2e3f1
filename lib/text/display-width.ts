/**
 * How many terminal columns a string takes: the measure yargs' help layout needs, standing
 * in for the `string-width` package in the bundle (see the `bundle` script's alias).
 *
 * Why not the package itself: its Unicode property regexes are literals, which V8 checks
 * when it compiles the module, with ICU's character sets loaded to do it. That costs about
 * 25 ms on every start, help shown or not; here the sets are built the first time a string
 * outside printable ASCII is measured, which a run that prints no help never does.
 */
import { eastAsianWidth } from 'get-east-asian-width';
import stripAnsi from 'strip-ansi';

export interface DisplayWidthOptions {
  /** East Asian "ambiguous" characters take one column (the default) or two. */
  ambiguousIsNarrow?: boolean;
  /** Count the characters of ANSI escape codes instead of skipping them (default false). */
  countAnsiEscapeCodes?: boolean;
}

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

interface UnicodeSets {
  graphemes: Intl.Segmenter;
  /** A whole grapheme that is one emoji (RGI), drawn two columns wide. */
  emoji: RegExp;
  /** Code points that take no column of their own: controls, format, marks, ignorables. */
  invisible: RegExp;
}
let sets: UnicodeSets | undefined;

// Patterns as strings, made into regexes on first use: written as literals, V8 would build
// their character sets when it compiles this module, which is the cost avoided here.
const EMOJI = '^\\p{RGI_Emoji}$';
const INVISIBLE = '[\\p{Default_Ignorable_Code_Point}\\p{Control}\\p{Format}\\p{Nonspacing_Mark}\\p{Enclosing_Mark}\\p{Surrogate}]';
// RGI_Emoji needs the `v` flag (Unicode sets), which Node 20 has and TypeScript, compiling
// for ES2022, refuses as a literal.
const UNICODE_SETS: string = 'v';

function unicodeSets(): UnicodeSets {
  sets ??= { graphemes: new Intl.Segmenter(), emoji: new RegExp(EMOJI, UNICODE_SETS), invisible: new RegExp(INVISIBLE, 'gu') };
  return sets;
}

export default function displayWidth(text: string, options: DisplayWidthOptions = {}): number {
  if (typeof text !== 'string' || text.length === 0) return 0;
  const shown = options.countAnsiEscapeCodes ? text : stripAnsi(text);
  if (PRINTABLE_ASCII.test(shown)) return shown.length;
  const { graphemes, emoji, invisible } = unicodeSets();
  const ambiguousAsWide = options.ambiguousIsNarrow === false;
  let width = 0;
  for (const { segment } of graphemes.segment(shown)) {
    if (emoji.test(segment)) {
      width += 2;
      continue;
    }
    // A grapheme is as wide as its first visible code point; combining marks add nothing.
    const visible = segment.replace(invisible, '');
    const first = visible.codePointAt(0);
    if (first !== undefined) width += eastAsianWidth(first, { ambiguousAsWide });
  }
  return width;
}
