import { stringify as stringifyYaml } from 'yaml';
import type { DatasetSummary } from './summary.js';

/** What a --stats file says about the pipeline that made the data. */
export interface PipelineInfo {
  version?: string;
  graph?: string;
  graph_sha256?: string | null;
  models?: Record<string, unknown>;
}

/**
 * A dataset card in the Hugging Face README layout: YAML metadata (languages, size
 * category, tags; the licence left for the owner to fill in), then what the data is,
 * its languages and turn counts, its quality distribution and how it was made.
 */
/** A dataset folder's files and features, for the card's `configs` and `dataset_info`. */
export interface DatasetLayout {
  /** Each split's files; `records` is null for a split this run did not write (not counted). */
  splits: Array<{ name: string; path: string; records: number | null }>;
  /** The `datasets` features (as in the Parquet metadata), when known. */
  features: Record<string, unknown> | null;
}

export function renderCard(summary: DatasetSummary, title: string, pipeline: PipelineInfo | null, layout: DatasetLayout | null = null): string {
  const languages = Object.keys(summary.languages).filter((l) => /^[a-z]{2,3}(-[A-Za-z]+)?$/.test(l));
  const lines = [
    '---',
    'license: other # TODO: choose the licence of this dataset',
    ...(languages.length ? ['language:', ...languages.map((l) => `- ${l}`)] : []),
    'size_categories:',
    `- ${sizeCategory(summary.records)}`,
    'task_categories:',
    '- text-generation',
    'tags:',
    '- synthetic',
    '- sygra-stream',
    ...(layout ? layoutYaml(layout) : []),
    '---',
    '',
    `# ${title}`,
    '',
    '## Dataset summary',
    '',
    `${summary.records} records${summary.scored ? `, ${summary.scored} of them scored by an LLM judge (mean quality.score ${summary.meanScore} on 1–10)` : ''}.` +
      (summary.rulesPassed.checked ? ` ${summary.rulesPassed.passed} of ${summary.rulesPassed.checked} passed every heuristic quality rule.` : ''),
    '',
    '## Languages',
    '',
    '| language | records |',
    '|---|---|',
    ...Object.entries(summary.languages).map(([l, n]) => `| ${l} | ${n} |`),
    '',
    '## Turns per conversation',
    '',
    '| turns | records |',
    '|---|---|',
    ...Object.entries(summary.turns).map(([t, n]) => `| ${t} | ${n} |`),
  ];
  if (summary.scored) {
    lines.push('', '## Quality distribution', '', '| quality.score | records |', '|---|---|', ...summary.score.labels.map((l, i) => `| ${l} | ${summary.score.counts[i]} |`));
  }
  const rules = Object.entries(summary.rules);
  if (rules.length) {
    lines.push('', '| heuristic rule | pass rate |', '|---|---|', ...rules.map(([n, r]) => `| ${n} | ${Math.round((100 * r.passed) / r.checked)}% of ${r.checked} |`));
  }
  lines.push('', '## How it was made', '');
  if (pipeline) {
    lines.push(
      `Generated and tagged with sygra-stream ${pipeline.version ?? ''} from the graph \`${pipeline.graph ?? '?'}\`` + (pipeline.graph_sha256 ? ` (sha256 \`${pipeline.graph_sha256}\`)` : '') + '.',
    );
    const models = Object.keys(pipeline.models ?? {});
    if (models.length) lines.push('', `Models: ${models.map((m) => `\`${m}\``).join(', ')}.`);
  } else {
    lines.push('With sygra-stream. (Pass `--stats stats.json` from the run to name the graph and its models here.)');
  }
  lines.push('', '## Licence', '', 'TODO: state the licence, and the licences of the sources and models used.', '');
  return lines.join('\n');
}

function sizeCategory(n: number): string {
  if (n < 1000) return 'n<1K';
  if (n < 10_000) return '1K<n<10K';
  if (n < 100_000) return '10K<n<100K';
  if (n < 1_000_000) return '100K<n<1M';
  return 'n>1M';
}

/**
 * The card's `configs` (where each split's files are, so the Hub and `load_dataset` find
 * them) and `dataset_info` (features as the Hub's YAML writes them: `dtype` for a value,
 * `struct` for a dict, `list` for a list of dicts, `sequence` for a list of values).
 */
function layoutYaml(layout: DatasetLayout): string[] {
  const info: Record<string, unknown> = {};
  if (layout.features) info.features = Object.entries(layout.features).map(([name, f]) => ({ name, ...featureYaml(f) }));
  info.splits = layout.splits.filter((s) => s.records !== null).map((s) => ({ name: s.name, num_examples: s.records }));
  const doc = { configs: [{ config_name: 'default', data_files: layout.splits.map((s) => ({ split: s.name, path: s.path })) }], dataset_info: info };
  return stringifyYaml(doc, { lineWidth: 0 }).trimEnd().split('\n');
}

function featureYaml(feature: unknown): Record<string, unknown> {
  if (Array.isArray(feature)) {
    const element = feature[0];
    if (isValue(element)) return { sequence: element.dtype };
    if (Array.isArray(element)) return { sequence: featureYaml(element) };
    return { list: Object.entries(element as Record<string, unknown>).map(([name, f]) => ({ name, ...featureYaml(f) })) };
  }
  if (isValue(feature)) return { dtype: feature.dtype };
  return { struct: Object.entries(feature as Record<string, unknown>).map(([name, f]) => ({ name, ...featureYaml(f) })) };
}

function isValue(feature: unknown): feature is { dtype: string } {
  return typeof feature === 'object' && feature !== null && (feature as { _type?: unknown })._type === 'Value';
}
