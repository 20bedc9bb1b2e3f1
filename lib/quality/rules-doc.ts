import { RULES } from './rules.js';

/** The README's rule reference, made from the rule table itself. */
export function rulesTable(): string {
  const rows = ['| rule | scope | measures | default pass |', '|---|---|---|---|'];
  for (const r of RULES.values()) {
    const bounds = r.optIn
      ? 'tagged; a rule only when configured'
      : [r.min !== undefined ? `≥ ${r.min}` : null, r.max !== undefined ? `≤ ${r.max}` : null].filter(Boolean).join(' and ');
    rows.push(`| \`${r.name}\` | ${r.scope} | ${r.formula.replaceAll('|', '\\|')} | ${bounds} |`);
  }
  rows.push('| `language` | text | language of the first 400 characters of the assistant text (eld, ISO 639-1); opt-in | equals `expected` or the record\'s `expected_field` (default `lang`) |');
  rows.push('| `tokens_input`, `tokens_target` | conversation | tokens (o200k_base) of the turns before the last, and of the last turn; always tagged in `quality.stats` | a rule only when configured |');
  rows.push('| `ttr`, `mtld` | text | type-token ratio and MTLD (threshold 0.72) of the assistant text; always tagged in `quality.stats` | a rule only when configured |');
  return rows.join('\n') + '\n';
}
