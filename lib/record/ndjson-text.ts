/** One line of an NDJSON text: its number (1-based, blank lines counted) and its value. */
export interface NdjsonLine {
  line: number;
  value: unknown;
}

/**
 * The values of a small NDJSON text held whole (a side table, a labels file), blank lines
 * skipped; or the first line that is not JSON, for the caller to name in its own words.
 */
export function ndjsonValues(text: string): { values: NdjsonLine[] } | { bad: { line: number; message: string } } {
  const values: NdjsonLine[] = [];
  let line = 0;
  for (const raw of text.split('\n')) {
    line++;
    if (raw.trim() === '') continue;
    try {
      values.push({ line, value: JSON.parse(raw) });
    } catch (err) {
      return { bad: { line, message: (err as Error).message } };
    }
  }
  return { values };
}
