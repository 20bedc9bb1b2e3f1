import { extractJson } from '../llm/json-output.js';
import type { ChatMessage } from '../llm/types.js';

/** One criterion of a rubric: its score range, weight, and what it means. */
export interface Criterion {
  name: string;
  scale: [number, number];
  weight: number;
  description: string;
  /** The judge may answer null when the criterion does not apply (excluded from the mean). */
  allowNotApplicable: boolean;
}

export interface CriterionScore {
  score: number | null;
  rationale: string;
}

export type Scores = Record<string, CriterionScore>;

export interface Turn {
  role: string;
  content: string;
}

/** The task categories of the paper's category-routed rubrics, each with its criteria (scored 1–5, N/A allowed). */
export const CATEGORY_RUBRICS: Record<string, Array<[string, string]>> = {
  code: [
    ['correctness', 'The code does what was asked and would run as written.'],
    ['instruction_following', 'Uses the language, libraries, signatures and output form the request names.'],
    ['completeness', 'Covers the whole request, including the edge cases it mentions.'],
    ['robustness', 'Handles bad input and failure where the task calls for it, without hiding errors.'],
    ['efficiency', 'Reasonable algorithms and data structures; no needless work.'],
    ['readability', 'Clear names and structure; comments where they help.'],
    ['explanation', 'Any prose around the code is accurate and says what the code does and why.'],
    ['safety', 'No insecure practice (injection, hard-coded secrets, unsafe evaluation) left unremarked.'],
  ],
  math: [
    ['correctness', 'The final answer is right.'],
    ['reasoning_steps', 'Every step is valid and follows from the ones before; none is skipped that matters.'],
    ['instruction_following', 'Answers what was asked, in the form asked (exact value, rounding, units, proof).'],
    ['completeness', 'Treats every part of the problem and every case it has.'],
    ['notation', 'Symbols, units and notation are used correctly and consistently.'],
    ['readability', 'The solution is easy to follow, with the answer clearly stated.'],
  ],
  reasoning: [
    ['logical_validity', 'Each inference follows from what came before; no fallacy or contradiction.'],
    ['correctness', 'The conclusion is right.'],
    ['assumptions', 'Assumptions are stated, reasonable, and not smuggled in.'],
    ['completeness', 'Considers what the question needs, including alternatives and counterexamples.'],
    ['instruction_following', 'Answers the question asked, in the form asked.'],
    ['readability', 'The argument is easy to follow.'],
  ],
  closed_qa: [
    ['correctness', 'The answer is factually right.'],
    ['faithfulness', 'Sticks to the given context and invents nothing beyond it.'],
    ['completeness', 'Gives everything the question asks for.'],
    ['instruction_following', 'Keeps to the form asked (a name, a number, a short sentence).'],
    ['conciseness', 'No padding or unrequested detail.'],
  ],
  open_qa: [
    ['helpfulness', 'Useful to the person asking, at the level of detail they need.'],
    ['accuracy', 'No factual errors or invented details.'],
    ['depth', 'Goes beyond the obvious where that helps: causes, trade-offs, examples.'],
    ['completeness', 'Covers the parts of the question and the caveats that matter.'],
    ['instruction_following', 'Respects any stated constraints on length, tone or format.'],
    ['readability', 'Well organised and easy to read.'],
  ],
  complex_instruction_following: [
    ['instruction_adherence', 'Follows every instruction and constraint, including the small ones.'],
    ['format_compliance', 'Has exactly the structure, length, style and format asked for.'],
    ['completeness', 'Nothing asked for is missing.'],
    ['correctness', 'What is there is right.'],
    ['consistency', 'No part contradicts another or an instruction.'],
    ['readability', 'Clear and well organised within the constraints.'],
  ],
  generic: [
    ['helpfulness', 'Useful to the person asking.'],
    ['correctness', 'No factual or logical errors.'],
    ['instruction_following', 'Does what was asked, in the form asked.'],
    ['completeness', 'Covers what the request needs.'],
    ['coherence', 'Well organised and consistent.'],
    ['safety', 'Nothing harmful or inappropriate; refuses only what should be refused.'],
  ],
};

export function categoryRubric(category: string): Criterion[] {
  const rows = CATEGORY_RUBRICS[category] ?? CATEGORY_RUBRICS.generic!;
  return rows.map(([name, description]) => ({ name, description, scale: [1, 5], weight: 1, allowNotApplicable: true }));
}

export function renderConversation(turns: readonly Turn[]): string {
  return turns.map((t) => `[${t.role}]\n${t.content}`).join('\n\n');
}

/** The messages asking the judge to score `subject` against `rubric`, in one JSON object. */
export function judgeMessages(rubric: readonly Criterion[], subject: string, template: string | null, values: Readonly<Record<string, string>> = {}): ChatMessage[] {
  const criteria = rubric.map((c) => `- ${c.name} (${c.scale[0]} to ${c.scale[1]}${c.allowNotApplicable ? ', or null if it does not apply' : ''}): ${c.description}`).join('\n');
  // The rationale comes before the score, so the judge reasons before it commits.
  const shape = `{${rubric.map((c) => `"${c.name}": {"rationale": "<one sentence>", "score": <number>}`).join(', ')}}`;
  const reference = values.reference === undefined ? '' : '\n\nReference answer (what a reply deserving the top of each scale would say; judge the replies against it):\n{reference}';
  const instructions =
    template ??
    `Rate the assistant's replies in the conversation below against each criterion. Be strict and consistent. For each criterion first write a one-sentence rationale, then the score. Reply with one JSON object and nothing else, shaped as: {shape}\n\nCriteria:\n{criteria}${reference}\n\nConversation:\n{conversation}`;
  // Each placeholder is filled once, in one pass: what is filled in is data, never read as a template again.
  const content = fillPlaceholders(instructions, { ...values, criteria, shape, conversation: subject });
  return [
    { role: 'system', content: 'You are a careful evaluator of training data for language models.' },
    { role: 'user', content },
  ];
}

/** The `{name}` placeholders of an instruction template (`{{` and `}}` are literal braces). */
export function placeholdersOf(template: string): string[] {
  const names: string[] = [];
  for (const part of templateParts(template)) if (typeof part !== 'string') names.push(part.name);
  return names;
}

function fillPlaceholders(template: string, values: Readonly<Record<string, string>>): string {
  return templateParts(template)
    .map((part) => (typeof part === 'string' ? part : (values[part.name] ?? `{${part.name}}`)))
    .join('');
}

function templateParts(template: string): Array<string | { name: string }> {
  const parts: Array<string | { name: string }> = [];
  let text = '';
  for (let i = 0; i < template.length; i++) {
    const ch = template[i]!;
    if ((ch === '{' || ch === '}') && template[i + 1] === ch) {
      text += ch;
      i++;
      continue;
    }
    if (ch === '{') {
      const close = template.indexOf('}', i);
      const name = close < 0 ? '' : template.slice(i + 1, close);
      if (/^[A-Za-z_][A-Za-z0-9_.]*$/.test(name)) {
        parts.push(text, { name });
        text = '';
        i = close;
        continue;
      }
    }
    text += ch;
  }
  parts.push(text);
  return parts;
}

/** JSON Schema of the judge's answer, for servers that support structured output. */
export function judgeSchema(rubric: readonly Criterion[]): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  for (const c of rubric) {
    const score = { type: 'integer', minimum: c.scale[0], maximum: c.scale[1] };
    properties[c.name] = {
      type: 'object',
      properties: { rationale: { type: 'string' }, score: c.allowNotApplicable ? { anyOf: [score, { type: 'null' }] } : score },
      required: ['rationale', 'score'],
      additionalProperties: false,
    };
  }
  return { type: 'object', properties, required: rubric.map((c) => c.name), additionalProperties: false };
}

/**
 * Reads scores from a judge's answer: JSON (also inside prose or a code fence), a bare
 * number per criterion, or "criterion: 7/10" / "Score: 7" lines. Returns the reason when a
 * criterion is missing or out of its range; nothing is ever defaulted.
 */
export function parseScores(text: string, rubric: readonly Criterion[]): { scores: Scores } | { error: string } {
  const json = extractJson(text);
  const scores: Scores = {};
  for (const c of rubric) {
    let score: unknown;
    let rationale = '';
    if (json && typeof json === 'object' && !Array.isArray(json) && c.name in json) {
      const v = (json as Record<string, unknown>)[c.name];
      if (v && typeof v === 'object' && !Array.isArray(v)) {
        score = (v as { score?: unknown }).score;
        rationale = String((v as { rationale?: unknown }).rationale ?? '');
      } else score = v;
    } else {
      const line = text.split('\n').find((l) => l.toLowerCase().includes(c.name.toLowerCase().replaceAll('_', ' ')) || l.toLowerCase().includes(c.name.toLowerCase()));
      const m = line ? /(?:score\s*[:=]?\s*)?(-?\d+(?:\.\d+)?)\s*(?:\/\s*\d+)?/i.exec(line.slice(line.toLowerCase().indexOf(c.name.split('_')[0]!.toLowerCase()))) : null;
      if (!m) return { error: `no score for "${c.name}"` };
      score = Number(m[1]);
      rationale = line!.trim();
    }
    if (score === null && c.allowNotApplicable) {
      scores[c.name] = { score: null, rationale };
      continue;
    }
    if (typeof score === 'string' && score.trim() !== '' && !Number.isNaN(Number(score))) score = Number(score);
    if (typeof score !== 'number' || !Number.isFinite(score)) return { error: `score for "${c.name}" is not a number: ${JSON.stringify(score)}` };
    if (score < c.scale[0] || score > c.scale[1]) return { error: `score for "${c.name}" is ${score}, outside ${c.scale[0]}–${c.scale[1]}` };
    scores[c.name] = { score, rationale };
  }
  return { scores };
}

/** The weighted mean of the scores, each mapped onto 1–10; null when nothing applied. */
export function overallScore(scores: Scores, rubric: readonly Criterion[]): number | null {
  let sum = 0;
  let weights = 0;
  for (const c of rubric) {
    const s = scores[c.name]?.score;
    if (s === null || s === undefined) continue;
    const [lo, hi] = c.scale;
    sum += c.weight * (hi === lo ? 10 : 1 + (9 * (s - lo)) / (hi - lo));
    weights += c.weight;
  }
  return weights === 0 ? null : Math.round((sum / weights) * 100) / 100;
}
