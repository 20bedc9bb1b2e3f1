import type { TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import type { ConfigProblem, KeyPath } from './problems.js';
import type { YamlSource } from './source.js';
import { didYouMean } from './suggest.js';

/**
 * Validates `value` (found at `base` in `source`) against a TypeBox schema and turns each
 * failure into a located, human-worded problem: one per key path.
 */
export function checkSchema(source: YamlSource, schema: TSchema, value: unknown, base: KeyPath): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const seen = new Set<string>();
  for (const error of Value.Errors(schema, value)) {
    const rel = error.path === '' ? [] : error.path.slice(1).split('/').map(unescapePointer);
    const key = rel.join('/');
    // A union reports once for itself and once per branch; the first message is the useful one.
    if ([...seen].some((s) => key === s || key.startsWith(`${s}/`))) continue;
    seen.add(key);
    const path = [...base, ...rel.map((k) => (/^\d+$/.test(k) ? Number(k) : k))];
    if (error.message === 'Unexpected property') {
      const parent = schemaAt(schema, rel.slice(0, -1));
      const known = parent?.properties ? Object.keys(parent.properties as object) : [];
      const name = rel[rel.length - 1] ?? '';
      const hint = didYouMean(name, known);
      const list = known.length > 0 && hint === '' ? ` (allowed: ${known.join(', ')})` : '';
      problems.push(source.problem(path, `unknown key "${name}"${hint}${list}`, 'key'));
      continue;
    }
    problems.push(source.problem(path, wordError(error.schema, error.message, error.value)));
  }
  return problems;
}

function wordError(schema: TSchema, message: string, value: unknown): string {
  const literals = literalChoices(schema);
  if (literals) return `must be one of ${literals.map((l) => JSON.stringify(l)).join(', ')}, got ${JSON.stringify(value)}`;
  // A union of words and a map (like a join's merge): name the words.
  const anyOf = (schema as { anyOf?: TSchema[] }).anyOf;
  const words = anyOf?.filter((s) => 'const' in s).map((s) => JSON.stringify((s as unknown as { const: unknown }).const));
  if (typeof value === 'string' && words && words.length > 0 && anyOf!.some((s) => s.type === 'object')) return `must be ${words.join(', ')} or a map, got ${JSON.stringify(value)}`;
  if (value === undefined) return message.replace(/^Expected/, 'missing: expected');
  return `${message.replace(/^Expected/, 'expected')}, got ${describe(value)}`;
}

function literalChoices(schema: TSchema): unknown[] | undefined {
  const anyOf = (schema as { anyOf?: TSchema[] }).anyOf;
  if (!anyOf?.every((s) => 'const' in s)) return undefined;
  return anyOf.map((s) => (s as unknown as { const: unknown }).const);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  return `${typeof value} ${JSON.stringify(value)}`;
}

function schemaAt(schema: TSchema, rel: string[]): TSchema | undefined {
  let s: TSchema | undefined = schema;
  for (const key of rel) {
    if (!s) return undefined;
    const props: Record<string, TSchema> | undefined = (s as { properties?: Record<string, TSchema> }).properties;
    const extra: TSchema | boolean | undefined = (s as { additionalProperties?: TSchema | boolean }).additionalProperties;
    s = props?.[key] ?? (typeof extra === 'object' ? extra : undefined);
  }
  return s;
}

function unescapePointer(segment: string): string {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}
