import { Type } from '@sinclair/typebox';
import { withComputedDefault, withDefault } from '../config/defaults.js';
import { didYouMean } from '../config/suggest.js';
import { isJsonObject, type JsonObject } from '../record/item.js';
import { getPath, parsePath, setPath, type FieldPath } from '../record/path.js';
import { asksForLanguage } from '../quality/turn-language.js';
import { LineCleaner } from '../quality/clean-lines.js';
import { messagesOf } from './messages-field.js';
import { loadLanguageDetector, primaryLanguage, type LanguageDetector } from '../quality/language.js';
import { findPii, phoneNumbers, redactPii, type PiiOptions } from '../quality/pii.js';
import type { CountryCode } from 'libphonenumber-js/max';
import { DEFAULT_BOILERPLATE, preparePhrases, RULES, TurnMeasures, type ConversationRule, type RuleOptions, type TextRule, type Turn } from '../quality/rules.js';
import { combinedFeatures, mtld, textFeatures, typeTokenRatio, type TextFeatures } from '../quality/text-features.js';
import { loadTokenCounter, loadTokenizerFile, type CountTokens } from '../quality/tokens.js';
import { isAbsolute, resolve } from 'node:path';
import { defineNode, Dropped, nodeSchema } from './definition.js';

const RuleConfig = Type.Union([
  Type.Literal(false),
  Type.Object(
    {
      min: Type.Optional(Type.Number()),
      max: Type.Optional(Type.Number()),
      phrases: Type.Optional(
        Type.Array(Type.String(), {
          description: 'refusal, ai_disclaimer, profanity, boilerplate: the phrases to look for (lower case), matched as whole phrases; role_swap: the openings to look for.',
        }),
      ),
      words: Type.Optional(Type.Array(Type.String(), { description: "stop_words: one stop-word list replacing the built-in lists (Gopher's is the, be, to, of, and, that, have, with)." })),
      redact: Type.Optional(Type.Boolean({ description: 'pii: replace what is found with [EMAIL], [PHONE], [IP], [CREDIT_CARD], [IBAN], [SSN], [SECRET].' })),
      // Rule options are documented here and read by each rule, which holds its own default.
      countries: withComputedDefault(
        Type.Array(Type.String({ pattern: '^[A-Z]{2}$' }), {
          minItems: 1,
          description: 'pii: countries (ISO 3166 codes) whose numbering plans read a phone number written without a country code.',
        }),
        'US, GB, DE, FR, ES, IT, BR, IN',
      ),
      expected: Type.Optional(
        Type.Union([Type.String(), Type.Array(Type.String())], { description: 'language: allowed languages, as BCP-47 tags compared by their primary subtag ("pt-BR" allows "pt").' }),
      ),
      expected_field: withComputedDefault(Type.String({ description: 'language: record field holding the expected BCP-47 tag.' }), '"lang"'),
    },
    { additionalProperties: false },
  ),
]);

/** Names that are measured by the node itself rather than the rule table. */
const NODE_RULES = ['language', 'tokens_input', 'tokens_target', 'ttr', 'mtld'];

type RuleResults = Record<string, { value: number | string | null; pass: boolean; confidence?: number }>;

/**
 * A rule as the node runs it, with what evaluate needs of it in fields of its own. The rule
 * objects have as many shapes as rules (each its own optional members), so reading
 * `rule.compute` or `rule.minFor` for each of 40-odd rules of every record was a lookup in
 * V8's stub cache each time; these objects all have one shape.
 */
interface ActiveRule {
  name: string;
  rule: TextRule | ConversationRule | null;
  options: RuleOptions;
  min: number | undefined;
  max: number | undefined;
  /** Its place among a record's results (see resultsBuilder), or −1. */
  slot: number;
  computeText: TextRule['compute'] | null;
  computeConversation: ConversationRule['compute'] | null;
  /** A text rule's shortcut for turns (see TextRule.turnWithin), when it has only a maximum. */
  turnWithin: NonNullable<TextRule['turnWithin']> | null;
  minFor: NonNullable<TextRule['minFor']> | null;
}

type RuleResult = RuleResults[string];

/**
 * Makes a record's results object from its entries in order, as one object literal with
 * every rule name (config is trusted code, and each name is written as a JSON string).
 * Storing 40-odd results by name into a cloned template took a third of evaluate: each
 * store looked its name up; a literal builds an object of one fixed shape, which stays
 * fast to fill and to stringify.
 */
function resultsBuilder(names: readonly string[]): (entries: ReadonlyArray<RuleResult | null>) => RuleResults {
  const fields = names.map((name, i) => `${JSON.stringify(name)}: entries[${i}]`).join(', ');
  return new Function('entries', `"use strict"; return { ${fields} };`) as (entries: ReadonlyArray<RuleResult | null>) => RuleResults;
}

export const qualityRulesNode = defineNode({
  type: 'quality_rules',
  description: 'Heuristic quality rules (C4/Gopher-style) on a text or a conversation: tags quality.rules, or filters records failing any enabled rule.',
  schema: nodeSchema('quality_rules', 'Heuristic quality rules.', {
    target: withDefault(Type.String({ description: '"conversation" for a messages array, or the path of a text field.' }), 'conversation'),
    messages: withDefault(Type.String({ description: 'With target conversation: the field holding the messages.' }), 'messages'),
    mode: withDefault(
      Type.Union([Type.Literal('tag'), Type.Literal('filter'), Type.Literal('clean')], {
        description:
          'tag: annotate; filter: drop records failing any rule; clean: first drop the lines of assistant turns (or of the text field) that are boilerplate or hold no letter or digit, outside code blocks, listing them in quality.cleaned, then tag.',
      }),
      'tag',
    ),
    rules: Type.Optional(Type.Record(Type.String(), RuleConfig, { description: 'Rule name → thresholds and options, or false to turn it off. Unnamed rules run with their defaults.' })),
    stats: withDefault(Type.Boolean({ description: 'Tag quality.stats: turns, tokens (o200k_base, or `tokenizer`), type-token ratio, MTLD.' }), true),
    tokenizer: Type.Optional(Type.String({ description: "The target model's tokenizer.json (relative to the graph file): tokens are counted in its tokens instead of o200k_base." })),
  }),
  async compile(config, ctx) {
    const target = config.target;
    const textPath = target === 'conversation' ? null : parsePath(target);
    if (textPath && 'error' in textPath) ctx.report(['target'], textPath.error);
    const messagesPath = parsePath(config.messages);
    if ('error' in messagesPath) ctx.report(['messages'], messagesPath.error);
    const known = [...RULES.keys(), ...NODE_RULES];
    const active: ActiveRule[] = [];
    for (const name of Object.keys(config.rules ?? {})) {
      if (!known.includes(name)) ctx.report(['rules', name], `unknown rule "${name}"${didYouMean(name, known)}`);
    }
    for (const name of known) {
      const c = config.rules?.[name];
      const rule = RULES.get(name) ?? null;
      // Language identification and the token and diversity rules run only when named.
      const optIn = rule ? rule.optIn === true : true;
      if (c === false || (c === undefined && optIn)) continue;
      if (rule?.scope === 'conversation' && textPath) continue;
      const options = c === undefined ? {} : c;
      const min = options.min ?? rule?.min;
      const max = options.max ?? rule?.max;
      const text = rule?.scope === 'text' ? rule : null;
      active.push({
        name,
        rule,
        options,
        min,
        max,
        slot: -1,
        computeText: text ? text.compute : null,
        computeConversation: rule?.scope === 'conversation' ? rule.compute : null,
        turnWithin: text?.turnWithin && min === undefined && max !== undefined ? text.turnWithin : null,
        minFor: text?.minFor ?? null,
      });
    }
    // The phrase rules share one automaton, so a text is read once for all their lists. If
    // the lists are too large together, each is prepared alone: one that fits is searched
    // apart, and one that does not is reported against its rule.
    const phraseRules = active.filter((r): r is ActiveRule & { rule: TextRule } => r.rule?.scope === 'text' && r.rule.phrases !== undefined);
    if (preparePhrases(phraseRules.map((r) => r.rule.phrases!(r.options))) !== null) {
      for (const r of phraseRules) {
        const problem = preparePhrases([r.rule.phrases!(r.options)]);
        if (problem) ctx.report(['rules', r.name, 'phrases'], problem);
      }
    }
    if ((textPath && 'error' in textPath) || 'error' in messagesPath) return undefined;
    const wantsLanguage = active.some((r) => r.name === 'language');
    const detect: LanguageDetector | null = wantsLanguage ? await loadLanguageDetector() : null;
    const withStats = config.stats !== false;
    let countTokens: CountTokens | null = null;
    if (withStats || active.some((r) => r.name.startsWith('tokens_'))) {
      if (config.tokenizer === undefined) countTokens = await loadTokenCounter();
      else {
        const loaded = await loadTokenizerFile(isAbsolute(config.tokenizer) ? config.tokenizer : resolve(ctx.graphDir, config.tokenizer));
        if ('error' in loaded) {
          ctx.report(['tokenizer'], loaded.error);
          return undefined;
        }
        countTokens = loaded;
      }
    }
    const language = active.find((r) => r.name === 'language');
    const languageOpts = (config.rules?.language || {}) as { expected?: string | string[]; expected_field?: string };
    const expectedField = parsePath(languageOpts.expected_field ?? 'lang');
    const redact = (config.rules?.pii || {}) as { redact?: boolean; countries?: CountryCode[] };
    const piiOptions: PiiOptions = redact.countries ? { countries: redact.countries } : {};
    redact.countries?.forEach((c, i) => {
      if (!phoneNumbers().isSupportedCountry(c)) ctx.report(['rules', 'pii', 'countries', i], `"${c}" is not a country libphonenumber knows (ISO 3166 alpha-2, such as US, GB, DE)`);
    });
    // Fixed per graph: which of the node-measured rules (tokens, ttr, mtld) are on.
    const statRules = active.filter((r) => NODE_RULES.includes(r.name) && r.name !== 'language');
    const measureStats = withStats || statRules.length > 0;
    // Every record gets the same rule names in the same order.
    const resultNames = [...active.filter((r) => r.rule).map((r) => r.name), ...(measureStats ? statRules.map((r) => r.name) : []), ...(language && detect ? ['language'] : [])];
    for (const r of active) if (r.rule || (measureStats && statRules.includes(r))) r.slot = resultNames.indexOf(r.name);
    const languageSlot = resultNames.indexOf('language');
    const piiSlot = resultNames.indexOf('pii');
    const buildResults = resultsBuilder(resultNames);
    // The rules of the table (not those the node measures itself), in order.
    const tableRules = active.filter((r) => r.rule !== null);

    const evaluate = (record: JsonObject): JsonObject => {
      // The texts to judge: for a conversation, each assistant turn and all of them together.
      // Plain loops and module-level helpers only: a closure made afresh for each record
      // starts without type feedback, and this function, optimised with it inlined, would
      // fall back to the interpreter on many records.
      let turns: Turn[] | null = null;
      const texts: string[] = [];
      const finish: Array<string | null> = [];
      const assistantAt: number[] = [];
      if (textPath) {
        const value = getPath(record, textPath as FieldPath);
        if (typeof value !== 'string') throw new Error(`target field "${target}" is ${value === undefined ? 'missing' : 'not a string'}`);
        texts.push(value);
        finish.push(typeof record.finish_reason === 'string' ? record.finish_reason : null);
      } else {
        turns = messagesOf(getPath(record, messagesPath as FieldPath), config.messages);
        for (let i = 0; i < turns.length; i++) {
          const turn = turns[i]! as Turn & { finish_reason?: unknown };
          if (turn.role !== 'assistant') continue;
          assistantAt.push(i);
          texts.push(turn.content);
          finish.push(typeof turn.finish_reason === 'string' ? turn.finish_reason : null);
        }
      }
      // Each text is measured once; the whole is put together from the turns' measures.
      const turnFeatures: TextFeatures[] = [];
      for (const text of texts) turnFeatures.push(textFeatures(text));
      if (turnFeatures.length === 0) turnFeatures.push(textFeatures(''));
      const wholeFeatures = combinedFeatures(turnFeatures);
      // Conversation rules see every turn's words; assistant turns reuse those measured above.
      const turnMeasures = new TurnMeasures(turns ?? []);
      for (let k = 0; k < assistantAt.length; k++) turnMeasures.know(assistantAt[k]!, turnFeatures[k]!);
      const entries = new Array<RuleResult | null>(resultNames.length).fill(null);
      const failed: string[] = [];
      const perTurn = turnFeatures.length > 1;
      const turnFailures: string[][] = [];
      for (let i = 0; perTurn && i < turnFeatures.length; i++) turnFailures.push([]);

      for (const r of tableRules) {
        let value: number | null;
        let pass: boolean;
        if (r.computeText !== null) {
          value = r.computeText(wholeFeatures, r.options, finish[finish.length - 1] ?? null);
          pass = withinBounds(value, r, wholeFeatures);
          // A turn the whole's measures already clear needs no pass of its own (see turnWithin).
          for (let i = 0; perTurn && i < turnFeatures.length; i++) {
            if (r.turnWithin?.(turnFeatures[i]!, wholeFeatures, r.max!)) continue;
            if (!withinBounds(r.computeText(turnFeatures[i]!, r.options, finish[i] ?? null), r, turnFeatures[i]!)) {
              turnFailures[i]!.push(r.name);
              pass = false;
            }
          }
        } else {
          value = r.computeConversation!(turns ?? [], r.options, turnMeasures);
          pass = withinBounds(value, r);
        }
        entries[r.slot] = { value: round(value), pass };
        if (!pass) failed.push(r.name);
      }

      const stats: JsonObject = {};
      if (measureStats) {
        const last = texts[texts.length - 1] ?? '';
        let inputText = '';
        for (let i = 0; turns && i < turns.length - 1; i++) inputText += (i === 0 ? '' : '\n') + turns[i]!.content;
        stats.num_turns = turns ? turns.length : 1;
        if (countTokens) {
          stats.tokens_input = turns ? countTokens(inputText) : 0;
          stats.tokens_target = countTokens(last);
        }
        stats.ttr = round(typeTokenRatio(wholeFeatures));
        stats.mtld = round(mtld(wholeFeatures));
        for (const r of statRules) {
          const value = (stats[r.name] as number | null | undefined) ?? null;
          const pass = withinBounds(value, r);
          entries[r.slot] = { value, pass };
          if (!pass) failed.push(r.name);
        }
      }
      if (language && detect) {
        // A reply to a prompt that asks for a translation or names a language is in the language asked for.
        let judged = texts;
        if (turns) {
          judged = [];
          for (const i of assistantAt) if (i === 0 || turns[i - 1]!.role !== 'user' || !asksForLanguage(turns[i - 1]!.content)) judged.push(turns[i]!.content);
        }
        const verdict = judgeLanguage(detect, judged, record, languageOpts.expected, expectedField);
        entries[languageSlot] = verdict;
        if (!verdict.pass) failed.push('language');
      }
      const results = buildResults(entries);
      const quality: JsonObject = isJsonObject(record.quality) ? record.quality : {};
      quality.rules = results;
      quality.rules_passed = failed.length === 0;
      quality.failed = failed;
      let byTurn: JsonObject[] | null = null;
      for (let i = 0; i < turnFailures.length; i++) if (turnFailures[i]!.length > 0) (byTurn ??= []).push({ assistant_turn: i, failed: turnFailures[i]! });
      if (byTurn) quality.turns = byTurn;
      if (Object.keys(stats).length > 0) quality.stats = stats;
      const piiResult = piiSlot < 0 ? null : entries[piiSlot];
      const pii = piiResult && (piiResult.value as number) > 0 ? countPii(texts, piiOptions) : null;
      if (pii) quality.pii = pii;
      if (pii && redact.redact) redactRecord(record, textPath as FieldPath | null, messagesPath as FieldPath, piiOptions);
      return quality;
    };

    const filter = config.mode === 'filter';
    const cleaner = config.mode === 'clean' ? new LineCleaner(((config.rules?.boilerplate || {}) as RuleOptions).phrases ?? DEFAULT_BOILERPLATE) : null;
    return {
      async: false,
      concurrency: 1,
      heavy: true,
      // Only quality is set, unless redaction or cleaning rewrites the texts too.
      writes: redact.redact || cleaner ? undefined : ['quality'],
      run(record) {
        const cleaned = cleaner ? cleanRecord(cleaner, record, textPath as FieldPath | null, messagesPath as FieldPath) : null;
        const quality = evaluate(record);
        if (cleaned) quality.cleaned = cleaned;
        record.quality = quality;
        if (filter && quality.rules_passed === false) {
          const rules = quality.rules as Record<string, { value: unknown }>;
          const reasons = (quality.failed as string[]).map((n) => `${n}=${JSON.stringify(rules[n]?.value)}`);
          return new Dropped(`failed rules: ${reasons.join(', ')}`);
        }
        return record;
      },
    };
  },
});

/**
 * The language rule's verdict: the language of the first 400 characters of assistant text
 * (leaving out replies to prompts that ask for a translation or name a language) against
 * the expected ones, compared by primary subtag. No verdict (a pass) on text under
 * 20 characters, without an expected language, on an answer eld itself calls unreliable, or
 * when no expected language is one eld knows: such text is tagged "unknown".
 */
function judgeLanguage(
  detect: LanguageDetector,
  texts: readonly string[],
  record: JsonObject,
  configured: string | string[] | undefined,
  expectedField: FieldPath | { error: string },
): { value: string | null; pass: boolean; confidence?: number } {
  const sample = texts.join('\n\n').slice(0, 400);
  if (sample.trim().length < 20) return { value: null, pass: true };
  const fromField = 'error' in expectedField ? undefined : getPath(record, expectedField);
  const expected = configured !== undefined ? [configured].flat() : typeof fromField === 'string' ? [fromField] : null;
  const primaries = expected?.map(primaryLanguage) ?? null;
  if (primaries !== null && !primaries.some((l) => detect.knows(l))) return { value: 'unknown', pass: true };
  const found = detect.detect(sample);
  if (found.language === null) return { value: null, pass: true };
  const pass = primaries === null || !found.reliable || primaries.includes(found.language);
  return { value: found.language, pass, confidence: found.confidence };
}

/** Whether a rule's value lies within its bounds (a rule with no value passes); `f` is the text measured, for a minimum that grows with it. */
function withinBounds(value: number | null, r: ActiveRule, f?: TextFeatures): boolean {
  if (value === null) return true;
  let min = r.min;
  if (min !== undefined && f && r.minFor !== null) min = r.minFor(f, min);
  return (min === undefined || value >= min) && (r.max === undefined || value <= r.max);
}

function countPii(texts: readonly string[], options: PiiOptions): JsonObject {
  const counts: Record<string, number> = {};
  for (const t of texts) for (const m of findPii(t, options)) counts[m.kind] = (counts[m.kind] ?? 0) + 1;
  return counts;
}

/**
 * Drops the boilerplate and word-less lines of the text field, or of each assistant turn
 * (a user's prompt is what it is), before the rules measure them. Returns what was
 * removed, or null when nothing was.
 */
function cleanRecord(cleaner: LineCleaner, record: JsonObject, textPath: FieldPath | null, messagesPath: FieldPath): JsonObject[] | null {
  const removed: JsonObject[] = [];
  if (textPath) {
    const text = getPath(record, textPath);
    if (typeof text !== 'string') return null;
    const result = cleaner.clean(text);
    if (result.removed.length === 0) return null;
    setPath(record, textPath, result.text);
    for (const r of result.removed) removed.push({ line: r.line, reason: r.reason, text: r.text });
    return removed;
  }
  const turns = getPath(record, messagesPath);
  if (!Array.isArray(turns)) return null;
  let assistantTurn = -1;
  for (const m of turns) {
    if (!isJsonObject(m) || m.role !== 'assistant' || typeof m.content !== 'string') continue;
    assistantTurn++;
    const result = cleaner.clean(m.content);
    if (result.removed.length === 0) continue;
    m.content = result.text;
    for (const r of result.removed) removed.push({ assistant_turn: assistantTurn, line: r.line, reason: r.reason, text: r.text });
  }
  return removed.length > 0 ? removed : null;
}

/** Redacts every turn (or the text field), not only the assistant's. */
function redactRecord(record: JsonObject, textPath: FieldPath | null, messagesPath: FieldPath, options: PiiOptions): void {
  if (textPath) {
    const text = getPath(record, textPath) as string;
    setPath(record, textPath, redactPii(text, findPii(text, options)));
    return;
  }
  for (const m of getPath(record, messagesPath) as Turn[]) m.content = redactPii(m.content, findPii(m.content, options));
}

function round(v: number | null): number | null {
  return v === null ? null : Math.round(v * 10_000) / 10_000;
}
