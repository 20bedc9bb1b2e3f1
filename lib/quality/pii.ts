/** Personal data found in text: what kind, where, and a placeholder to redact it with. */
export interface PiiMatch {
  kind: 'email' | 'phone' | 'ip' | 'credit_card';
  start: number;
  end: number;
}

const EMAIL = /[\p{L}\p{N}._%+-]+@[\p{L}\p{N}.-]+\.[\p{L}]{2,}/gu;
const IPV4 = /\b(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)\b/g;
// International or North-American style numbers: 10 to 15 digits with separators, and not
// a slice of a longer run of digit groups (a card or account number).
const PHONE = /(?<![\w.])(?<!\d[\s.-])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{2,4}\)[\s.-]?)?\d{2,4}[\s.-]\d{3,4}[\s.-]?\d{3,4}(?![\w.]|[\s.-]\d)/g;
const CARD = /\b(?:\d[ -]?){13,19}\b/g;

/** Luhn checksum: true for a plausible card number. */
export function luhn(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return digits.length >= 13 && sum % 10 === 0;
}

export function findPii(text: string): PiiMatch[] {
  const found: PiiMatch[] = [];
  // Cheap pre-checks: most texts hold no '@' and no run of digits, so most regexes never run.
  if (text.includes('@')) collect(found, text, 'email', EMAIL, null);
  if (!/\d/.test(text)) return found;
  collect(found, text, 'credit_card', CARD, isCardNumber);
  collect(found, text, 'ip', IPV4, null);
  collect(found, text, 'phone', PHONE, isPhoneNumber);
  return found.sort(byStart);
}

// Module-level helpers rather than closures made per call: a closure made afresh for each
// text starts without type feedback, and the optimised caller that inlined it falls back
// to the interpreter again and again.
function collect(found: PiiMatch[], text: string, kind: PiiMatch['kind'], re: RegExp, accept: ((m: string) => boolean) | null): void {
  for (const m of text.matchAll(re)) {
    const start = m.index!;
    const end = start + m[0].length;
    if (accept !== null && !accept(m[0].trim())) continue;
    if (overlapsAny(found, start, end)) continue;
    found.push({ kind, start, end: start + m[0].trimEnd().length });
  }
}

function overlapsAny(found: readonly PiiMatch[], start: number, end: number): boolean {
  for (const f of found) if (start < f.end && end > f.start) return true;
  return false;
}

function isCardNumber(m: string): boolean {
  return luhn(m.replace(/\D/g, ''));
}

function isPhoneNumber(m: string): boolean {
  const digits = m.replace(/\D/g, '').length;
  return digits >= 10 && digits <= 15;
}

function byStart(a: PiiMatch, b: PiiMatch): number {
  return a.start - b.start;
}

const PLACEHOLDER: Record<PiiMatch['kind'], string> = { email: '[EMAIL]', phone: '[PHONE]', ip: '[IP]', credit_card: '[CREDIT_CARD]' };

export function redactPii(text: string, matches: readonly PiiMatch[]): string {
  let out = '';
  let at = 0;
  for (const m of matches) {
    out += text.slice(at, m.start) + PLACEHOLDER[m.kind];
    at = m.end;
  }
  return out + text.slice(at);
}
