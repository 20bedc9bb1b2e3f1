import { isJsonObject, type JsonObject } from '../record/item.js';

/** A histogram over fixed bins: `labels[i]` counts `counts[i]` records. */
export interface Histogram {
  labels: string[];
  counts: number[];
}

export interface Example {
  id: string;
  score: number;
  prompt: string;
  reply: string;
}

/** What `sygra-stream report` knows about a tagged dataset, gathered in one pass. */
export interface DatasetSummary {
  records: number;
  /** Records with a quality.score. */
  scored: number;
  meanScore: number | null;
  score: Histogram;
  /** Per judge criterion: a histogram of its scores. */
  criteria: Record<string, Histogram>;
  /** Per heuristic rule: records that ran it, and how many passed. */
  rules: Record<string, { checked: number; passed: number }>;
  rulesPassed: { checked: number; passed: number };
  languages: Record<string, number>;
  turns: Record<string, number>;
  lowest: Example[];
  highest: Example[];
}

const EXAMPLES = 5;

/** Where a record keeps its quality tags: at the top, or under meta (SFT/DPO output shapes). */
export function qualityOf(record: JsonObject): JsonObject | null {
  if (isJsonObject(record.quality)) return record.quality;
  if (isJsonObject(record.meta) && isJsonObject(record.meta.quality)) return record.meta.quality;
  return null;
}

export function languageOf(record: JsonObject, quality: JsonObject | null): string {
  const meta = isJsonObject(record.meta) ? record.meta : {};
  const rules = quality && isJsonObject(quality.rules) ? quality.rules : {};
  const detected = isJsonObject(rules.language) ? rules.language.value : undefined;
  for (const v of [record.lang, meta.lang, detected]) if (typeof v === 'string' && v !== '') return v;
  return 'unknown';
}

export function messagesOf(record: JsonObject): Array<{ role: string; content: string }> {
  const list = Array.isArray(record.messages) ? record.messages : Array.isArray(record.conversation) ? record.conversation : [];
  return list.filter(isJsonObject).map((m) => ({ role: String(m.role ?? ''), content: typeof m.content === 'string' ? m.content : JSON.stringify(m.content ?? '') }));
}

/** Gathers a summary record by record; memory stays bounded (counts and 2 × 5 examples). */
export class SummaryBuilder {
  private records = 0;
  private scoreSum = 0;
  /** quality.score in nine bins: [1, 2), [2, 3) … [9, 10]. */
  private readonly scores = new Array<number>(9).fill(0);
  private readonly criteria = new Map<string, Map<number, number>>();
  private readonly rules = new Map<string, { checked: number; passed: number }>();
  private readonly rulesPassed = { checked: 0, passed: 0 };
  private readonly languages = new Map<string, number>();
  private readonly turns = new Map<string, number>();
  private lowest: Example[] = [];
  private highest: Example[] = [];
  private scored = 0;

  add(record: JsonObject): void {
    this.records++;
    const quality = qualityOf(record);
    bump(this.languages, languageOf(record, quality));
    const messages = messagesOf(record);
    bump(this.turns, messages.length === 0 ? 'none' : messages.length >= 10 ? '10+' : String(messages.length));
    if (!quality) return;
    if (isJsonObject(quality.rules)) {
      for (const [name, r] of Object.entries(quality.rules)) {
        if (!isJsonObject(r) || typeof r.pass !== 'boolean') continue;
        const slot = this.rules.get(name) ?? { checked: 0, passed: 0 };
        slot.checked++;
        if (r.pass) slot.passed++;
        this.rules.set(name, slot);
      }
    }
    if (typeof quality.rules_passed === 'boolean') {
      this.rulesPassed.checked++;
      if (quality.rules_passed) this.rulesPassed.passed++;
    }
    if (isJsonObject(quality.judge)) {
      for (const [name, c] of Object.entries(quality.judge)) {
        const score = isJsonObject(c) ? c.score : undefined;
        if (typeof score !== 'number') continue;
        const counts = this.criteria.get(name) ?? new Map<number, number>();
        counts.set(score, (counts.get(score) ?? 0) + 1);
        this.criteria.set(name, counts);
      }
    }
    const score = quality.score;
    if (typeof score !== 'number' || !Number.isFinite(score)) return;
    this.scored++;
    this.scoreSum += score;
    this.scores[Math.min(8, Math.max(0, Math.floor(score) - 1))]!++;
    const example: Example = {
      id: String(record.id ?? `#${this.records}`),
      score,
      prompt: excerpt(messages.find((m) => m.role === 'user')?.content ?? (typeof record.prompt === 'string' ? record.prompt : '')),
      reply: excerpt([...messages].reverse().find((m) => m.role === 'assistant')?.content ?? ''),
    };
    this.lowest = keep([...this.lowest, example], (a, b) => a.score - b.score);
    this.highest = keep([...this.highest, example], (a, b) => b.score - a.score);
  }

  summary(): DatasetSummary {
    const criteria: Record<string, Histogram> = {};
    for (const [name, counts] of [...this.criteria].sort(([a], [b]) => a.localeCompare(b))) {
      const values = [...counts.keys()].sort((a, b) => a - b);
      criteria[name] = { labels: values.map(String), counts: values.map((v) => counts.get(v)!) };
    }
    return {
      records: this.records,
      scored: this.scored,
      meanScore: this.scored ? Math.round((this.scoreSum / this.scored) * 100) / 100 : null,
      score: { labels: this.scores.map((_, i) => `${i + 1}–${i + 2}`), counts: [...this.scores] },
      criteria,
      rules: Object.fromEntries([...this.rules].sort(([a], [b]) => a.localeCompare(b))),
      rulesPassed: { ...this.rulesPassed },
      languages: Object.fromEntries([...this.languages].sort((a, b) => b[1] - a[1])),
      turns: Object.fromEntries([...this.turns].sort(([a], [b]) => turnOrder(a) - turnOrder(b))),
      lowest: this.lowest,
      highest: this.highest,
    };
  }
}

function bump(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

function keep(list: Example[], order: (a: Example, b: Example) => number): Example[] {
  return list.sort(order).slice(0, EXAMPLES);
}

function turnOrder(label: string): number {
  return label === 'none' ? 0 : label === '10+' ? 10 : Number(label);
}

function excerpt(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 280 ? `${flat.slice(0, 279)}…` : flat;
}
