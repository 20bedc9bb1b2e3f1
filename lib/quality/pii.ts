import { isIPv6 } from 'node:net';
import type { CountryCode } from 'libphonenumber-js/max';
import { requireModule } from '../config/import-module.js';

type PhoneLibrary = typeof import('libphonenumber-js/max');
let phoneLibrary: PhoneLibrary | null = null;

/**
 * libphonenumber (its full metadata), loaded on first use: its load took 46 ms, a quarter
 * of the start of every run, even of runs that look for no phone number.
 */
export function phoneNumbers(): PhoneLibrary {
  phoneLibrary ??= requireModule<PhoneLibrary>('libphonenumber-js/max');
  return phoneLibrary;
}

/** Personal data and secrets found in text: what kind, and where. */
export interface PiiMatch {
  kind: PiiKind;
  start: number;
  end: number;
}

export type PiiKind = 'secret' | 'email' | 'iban' | 'credit_card' | 'ssn' | 'ip' | 'phone';

/** The placeholder each kind is redacted with. */
export const PII_PLACEHOLDERS: Readonly<Record<PiiKind, string>> = {
  secret: '[SECRET]',
  email: '[EMAIL]',
  iban: '[IBAN]',
  credit_card: '[CREDIT_CARD]',
  ssn: '[SSN]',
  ip: '[IP]',
  phone: '[PHONE]',
};

/**
 * Where a phone number written without its country code (“(415) 555-0132”, “030 1234567”)
 * is tried, in order: the first country whose numbering plan makes it a valid number wins.
 */
export const DEFAULT_PHONE_COUNTRIES: readonly CountryCode[] = ['US', 'GB', 'DE', 'FR', 'ES', 'IT', 'BR', 'IN'];

export interface PiiOptions {
  /** Countries for numbers without a country code (ISO 3166 alpha-2); see DEFAULT_PHONE_COUNTRIES. */
  countries?: readonly CountryCode[];
  /** false: the caller knows the text holds no token long enough to be a credential (default true). */
  secrets?: boolean;
  /** false: the caller knows the text holds no digit (default true: it is searched for one). */
  digits?: boolean;
}

// Credentials by their documented shapes: cloud access key ids, API keys that announce
// their issuer in a prefix, tokens, PEM private key blocks and JSON Web Tokens.
const SECRET = new RegExp(
  [
    String.raw`\b(?:AKIA|ASIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA)[A-Z0-9]{16}\b`,
    String.raw`\bsk-(?:proj-|ant-(?:api\d\d-)?|svcacct-)?[A-Za-z0-9_-]{20,}`,
    String.raw`\b[sr]k_(?:live|test)_[A-Za-z0-9]{20,}`,
    String.raw`\bgh[pousr]_[A-Za-z0-9]{36,}\b`,
    String.raw`\bgithub_pat_[A-Za-z0-9_]{50,}`,
    String.raw`\bxox[abprs]-[A-Za-z0-9-]{10,}`,
    String.raw`\bAIza[0-9A-Za-z_-]{35}`,
    String.raw`-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----[\s\S]*?-----END (?:[A-Z0-9]+ )*PRIVATE KEY-----`,
    String.raw`\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}`,
  ].join('|'),
  'g',
);
// Literal openings of every secret above: one scan that most texts fail.
const SECRET_HINT = /AKIA|ASIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|sk-|[sr]k_live_|[sr]k_test_|gh[pousr]_|github_pat_|xox[abprs]-|AIza|-----BEGIN|eyJ/;

const EMAIL = /[\p{L}\p{N}._%+-]+@[\p{L}\p{N}.-]+\.[\p{L}]{2,}/gu;
// Country code, check digits, then 10 to 30 letters and digits, in groups or not.
const IBAN = /\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]){10,30}/g;
const CARD = /\b(?:\d[ -]?){12,18}\d\b/g;
// US social security numbers as written (with dashes): no area 000, 666 or 900-999, no
// group 00, no serial 0000.
const SSN = /\b(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}\b/g;
const IPV4 = /\b(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)\b/g;
const IPV6 = /(?<![\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![\w:])/g;
// Phone candidates: an optional + and digits in groups with separators or parentheses;
// libphonenumber decides which are numbers.
const PHONE = /(?<![\w.+#/-])(?:\+\s?)?(?:\(\d{1,4}\)[\s.-]?)?\d[\d\s().-]{5,}\d(?![\w]|[.-]\d)/g;
const DATE = /^(?:\d{4}[-./]\d{1,2}[-./]\d{1,2}|\d{1,2}[-./]\d{1,2}[-./]\d{2,4})$/;

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

// IBAN lengths by country (ISO 13616 registry).
// biome-ignore format: a table, fifteen countries a line
const IBAN_LENGTHS: Readonly<Record<string, number>> = {
  AD: 24, AE: 23, AL: 28, AT: 20, AZ: 28, BA: 20, BE: 16, BG: 22, BH: 22, BR: 29, BY: 28, CH: 21, CR: 22, CY: 28, CZ: 24,
  DE: 22, DK: 18, DO: 28, EE: 20, EG: 29, ES: 24, FI: 18, FO: 18, FR: 27, GB: 22, GE: 22, GI: 23, GL: 18, GR: 27, GT: 28,
  HR: 21, HU: 28, IE: 22, IL: 23, IQ: 23, IS: 26, IT: 27, JO: 30, KW: 30, KZ: 20, LB: 28, LC: 32, LI: 21, LT: 20, LU: 20,
  LV: 21, MC: 27, MD: 24, ME: 22, MK: 19, MR: 27, MT: 31, MU: 30, NL: 18, NO: 15, PK: 24, PL: 28, PS: 29, PT: 25, QA: 29,
  RO: 24, RS: 22, SA: 24, SC: 31, SE: 24, SI: 19, SK: 24, SM: 27, ST: 25, SV: 28, TL: 23, TN: 24, TR: 26, UA: 29, VA: 22,
  VG: 24, XK: 20,
};

/** The ISO 7064 mod-97 check of an IBAN (compact, upper case): true when it holds. */
export function ibanChecks(iban: string): boolean {
  if (IBAN_LENGTHS[iban.slice(0, 2)] !== iban.length) return false;
  const moved = iban.slice(4) + iban.slice(0, 4);
  let rest = 0;
  for (const ch of moved) {
    const v = ch >= 'A' ? ch.charCodeAt(0) - 55 : ch.charCodeAt(0) - 48;
    rest = (v > 9 ? rest * 100 + v : rest * 10 + v) % 97;
  }
  return rest === 1;
}

export function findPii(text: string, options: PiiOptions = {}): PiiMatch[] {
  const found: PiiMatch[] = [];
  // Cheap pre-checks: most texts hold no credential prefix, no '@' and no digit, so most
  // expressions never run. Earlier kinds win where matches overlap.
  if (options.secrets !== false && SECRET_HINT.test(text)) collect(found, text, 'secret', SECRET, null);
  if (text.includes('@')) collect(found, text, 'email', EMAIL, null);
  if (options.digits === false || !/\d/.test(text)) return found.sort(byStart);
  collectIbans(found, text);
  collect(found, text, 'credit_card', CARD, isCardNumber);
  collect(found, text, 'ssn', SSN, null);
  collect(found, text, 'ip', IPV4, isIpv4);
  if (mayHoldIpv6(text)) collect(found, text, 'ip', IPV6, isIpv6Address);
  collectPhones(found, text, options.countries ?? DEFAULT_PHONE_COUNTRIES);
  return found.sort(byStart);
}

// Module-level helpers rather than closures made per call: a closure made afresh for each
// text starts without type feedback, and the optimised caller that inlined it falls back
// to the interpreter again and again.
function collect(found: PiiMatch[], text: string, kind: PiiKind, re: RegExp, accept: ((m: string, text: string, start: number) => boolean) | null): void {
  for (const m of text.matchAll(re)) {
    const start = m.index!;
    const end = start + m[0].trimEnd().length;
    if (accept !== null && !accept(m[0].trim(), text, start)) continue;
    if (overlapsAny(found, start, end)) continue;
    found.push({ kind, start, end });
  }
}

/** IBANs: the match is cut to its country's length, counting letters and digits, then checked. */
function collectIbans(found: PiiMatch[], text: string): void {
  if (!/[A-Z]{2}\d\d/.test(text)) return;
  for (const m of text.matchAll(IBAN)) {
    const length = IBAN_LENGTHS[m[0].slice(0, 2)];
    if (length === undefined) continue;
    let compact = '';
    let end = m.index!;
    for (const ch of m[0]) {
      if (compact.length === length) break;
      end++;
      if (ch !== ' ') compact += ch;
    }
    // The next character must not continue the number.
    if (compact.length !== length || /[A-Za-z0-9]/.test(text[end] ?? '') || !ibanChecks(compact)) continue;
    if (!overlapsAny(found, m.index!, end)) found.push({ kind: 'iban', start: m.index!, end });
  }
}

function collectPhones(found: PiiMatch[], text: string, countries: readonly CountryCode[]): void {
  for (const m of text.matchAll(PHONE)) {
    const candidate = m[0].trim();
    const start = m.index! + (m[0].length - m[0].trimStart().length);
    const end = start + candidate.length;
    if (overlapsAny(found, start, end) || !isPhoneNumber(candidate, text, start, countries)) continue;
    found.push({ kind: 'phone', start, end });
  }
}

const isHexOrColon = (c: number): boolean => (c >= 48 && c <= 58) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);

/** A colon between two hex digits or colons: the IPv6 expression runs only then (colons in prose are followed by a space). */
function mayHoldIpv6(text: string): boolean {
  for (let i = text.indexOf(':'); i !== -1; i = text.indexOf(':', i + 1)) {
    if (i > 0 && isHexOrColon(text.charCodeAt(i + 1)) && isHexOrColon(text.charCodeAt(i - 1))) return true;
  }
  return false;
}

function overlapsAny(found: readonly PiiMatch[], start: number, end: number): boolean {
  for (const f of found) if (start < f.end && end > f.start) return true;
  return false;
}

/** A number of a card network's prefix and length that passes the Luhn check. */
function isCardNumber(m: string): boolean {
  const digits = m.replace(/\D/g, '');
  const n = digits.length;
  const network = /^4/.test(digits)
    ? n === 13 || n === 16 || n === 19 // Visa
    : /^(?:5[1-5]|2[2-7])/.test(digits)
      ? n === 16 // Mastercard
      : /^3[47]/.test(digits)
        ? n === 15 // American Express
        : /^3(?:0|6|8|9)/.test(digits)
          ? n >= 14 && n <= 19 // Diners
          : /^(?:35|6)/.test(digits)
            ? n >= 16 && n <= 19 // JCB, Discover, UnionPay, Maestro
            : false;
  return network && luhn(digits);
}

/** Not a version number ("v1.2.3.4", "version 10.0.0.1"). */
function isIpv4(_m: string, text: string, start: number): boolean {
  return !/(?:\bv|version\s*)$/i.test(text.slice(Math.max(0, start - 9), start));
}

/** A valid IPv6 address with at least five hex digits ("fe80::1"), so that "a::b" in code and "12:30:45" do not count. */
function isIpv6Address(m: string): boolean {
  if (!isIPv6(m)) return false;
  let hex = 0;
  for (const ch of m) if (ch !== ':') hex++;
  return hex >= 5 || m === '::1';
}

function isPhoneNumber(candidate: string, text: string, start: number, countries: readonly CountryCode[]): boolean {
  const digits = candidate.replace(/\D/g, '');
  // Seven digits or fewer without a country code are local numbers or anything else.
  if (digits.length < (candidate.startsWith('+') ? 7 : 8) || digits.length > 15 || DATE.test(candidate)) return false;
  // An unformatted run of digits is an id or an amount, not a number written to be dialled.
  if (!candidate.startsWith('+') && !/[\s().-]/.test(candidate)) return false;
  // ISBNs, and numbers labelled as orders, invoices or references.
  if (/(?:isbn(?:-1[03])?|order|invoice|ref(?:erence)?|no\.?|nr\.?|#)[:\s]*$/i.test(text.slice(Math.max(0, start - 16), start))) return false;
  const { parsePhoneNumberFromString } = phoneNumbers();
  if (candidate.startsWith('+')) return parsePhoneNumberFromString(candidate)?.isValid() === true;
  for (const country of countries) if (parsePhoneNumberFromString(candidate, country)?.isValid() === true) return true;
  return false;
}

function byStart(a: PiiMatch, b: PiiMatch): number {
  return a.start - b.start;
}

export function redactPii(text: string, matches: readonly PiiMatch[]): string {
  let out = '';
  let at = 0;
  for (const m of matches) {
    out += text.slice(at, m.start) + PII_PLACEHOLDERS[m.kind];
    at = m.end;
  }
  return out + text.slice(at);
}
