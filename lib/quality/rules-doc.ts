import { RULES } from './rules.js';

/** The rule reference (docs/quality.md and `sygra-stream rules`), made from the rule table itself. */
export function rulesTable(): string {
  const cell = (s: string): string => s.replaceAll('|', '\\|');
  const rows = ['| rule | scope | measures | default pass | source, and how ours differs |', '|---|---|---|---|---|'];
  for (const r of RULES.values()) {
    const bounds = r.optIn ? 'tagged; a rule only when configured' : [r.min !== undefined ? `≥ ${r.min}` : null, r.max !== undefined ? `≤ ${r.max}` : null].filter(Boolean).join(' and ');
    rows.push(`| \`${r.name}\` | ${r.scope} | ${cell(r.formula)} | ${bounds} | ${cell(r.source)} |`);
  }
  rows.push(
    "| `language` | text | language of the first 400 characters of the assistant text (eld, ISO 639-1), with its confidence; opt-in | the expected language (`expected`, or the record's `expected_field`, default `lang`) by primary subtag: `pt-BR` matches `pt`; a language eld does not know is tagged `unknown` and passes, as does an answer eld calls unreliable | Ours; FineWeb and NeMo Curator drop text whose fastText language score is low. |",
  );
  rows.push(
    '| `tokens_input`, `tokens_target` | conversation | tokens (o200k_base, or the target model tokenizer named by `tokenizer`) of the turns before the last, and of the last turn; always tagged in `quality.stats` | a rule only when configured | Ours. |',
  );
  rows.push(
    '| `ttr`, `mtld` | text | type-token ratio and MTLD (threshold 0.72) of the assistant text; always tagged in `quality.stats` | a rule only when configured | MTLD: McCarthy and Jarvis (2010). |',
  );
  return rows.join('\n') + '\n';
}
