import type { DatasetSummary, Histogram } from './summary.js';

/** The report's summary for a terminal: the same figures as the HTML, as text bars. */
export function renderText(summary: DatasetSummary): string {
  const out: string[] = [];
  out.push(`${summary.records} records, ${summary.scored} scored${summary.meanScore === null ? '' : `, mean quality.score ${summary.meanScore}`}`);
  if (summary.rulesPassed.checked) out.push(`${summary.rulesPassed.passed} of ${summary.rulesPassed.checked} passed every heuristic rule`);
  if (summary.scored) out.push('', 'quality.score', ...bars(summary.score));
  for (const [name, h] of Object.entries(summary.criteria)) out.push('', `judge: ${name}`, ...bars(h));
  const rules = Object.entries(summary.rules);
  if (rules.length) {
    out.push('', 'rule pass rates');
    const width = Math.max(...rules.map(([n]) => n.length));
    for (const [name, r] of rules) out.push(`  ${name.padEnd(width)}  ${String(Math.round((100 * r.passed) / r.checked)).padStart(3)}%  of ${r.checked}`);
  }
  out.push('', 'languages', ...bars(toHistogram(summary.languages)));
  out.push('', 'turns per conversation', ...bars(toHistogram(summary.turns)));
  for (const [title, list] of [
    ['lowest scores', summary.lowest],
    ['highest scores', summary.highest],
  ] as const) {
    if (list.length === 0) continue;
    out.push('', title);
    for (const x of list) out.push(`  ${String(x.score).padStart(5)}  ${x.id}  ${x.prompt.slice(0, 70)}`);
  }
  return out.join('\n') + '\n';
}

function toHistogram(counts: Record<string, number>): Histogram {
  return { labels: Object.keys(counts), counts: Object.values(counts) };
}

function bars(h: Histogram): string[] {
  const max = Math.max(1, ...h.counts);
  const width = Math.max(...h.labels.map((l) => l.length), 1);
  return h.labels.map((label, i) => `  ${label.padStart(width)}  ${'█'.repeat(Math.round((30 * h.counts[i]!) / max)).padEnd(30)}  ${h.counts[i]}`);
}
