import { defaultOf } from '../config/defaults.js';
import { ModelSchema } from '../llm/model-schema.js';
import type { NodeDefinition } from '../nodes/definition.js';
import { GraphFileSchema } from '../graph/schema.js';

type Schema = Record<string, unknown>;

/**
 * The graph file reference in Markdown, generated from the same TypeBox schemas that
 * validate graph files: top-level keys, model keys, and every node type's keys.
 */
export function graphReference(nodeTypes: Iterable<NodeDefinition>): string {
  const out: string[] = [];
  const top = table(GraphFileSchema as unknown as Schema, ['nodes', 'models', 'edges', 'source', 'output', 'description'], [], {
    nodes: 'map of node (by `type`, below)',
    models: 'map of model (below)',
  });
  out.push('#### Top level', '', ...top);
  out.push('', '#### `models.<name>`', '', ...table(ModelSchema as unknown as Schema));
  for (const d of [...nodeTypes].sort((a, b) => a.type.localeCompare(b.type))) {
    out.push('', `#### \`type: ${d.type}\``, '', d.description, '', ...table(d.schema as unknown as Schema, undefined, ['type', 'description']));
  }
  return out.join('\n') + '\n';
}

function table(schema: Schema, order?: string[], skip: string[] = [], types: Record<string, string> = {}): string[] {
  const properties = (schema.properties ?? {}) as Record<string, Schema>;
  const required = new Set((schema.required ?? []) as string[]);
  const keys = Object.keys(properties).filter((k) => !skip.includes(k));
  if (order) keys.sort((a, b) => order.indexOf(a) - order.indexOf(b));
  if (keys.length === 0) return ['(no keys of its own)'];
  return [
    '| key | type | required | default | meaning |',
    '|---|---|---|---|---|',
    ...keys.map((k) => {
      const p = properties[k]!;
      return `| \`${k}\` | ${types[k] ?? typeOf(p)} | ${required.has(k) ? 'yes' : ''} | ${cell(defaultOf(p) ?? '')} | ${cell(String(p.description ?? ''))} |`;
    }),
  ];
}

/** A short readable type: string, number ≥ 0, "a" \| "b", list of string, map of …, object. */
function typeOf(s: Schema): string {
  if ('const' in s) return `\`${JSON.stringify(s.const)}\``;
  if (Array.isArray(s.enum)) return s.enum.map((v) => `\`${JSON.stringify(v)}\``).join(' \\| ');
  const options = (s.anyOf ?? s.oneOf) as Schema[] | undefined;
  if (options) return [...new Set(options.map(typeOf))].join(' \\| ');
  switch (s.type) {
    case 'array':
      return `list of ${typeOf((s.items ?? {}) as Schema)}`;
    case 'object': {
      if (s.patternProperties || (s.additionalProperties && typeof s.additionalProperties === 'object')) {
        const value = (s.additionalProperties && typeof s.additionalProperties === 'object' ? s.additionalProperties : Object.values(s.patternProperties as Record<string, Schema>)[0]) as Schema;
        return `map of ${typeOf(value)}`;
      }
      const keys = Object.keys((s.properties ?? {}) as object);
      return keys.length ? `{${keys.join(', ')}}` : 'object';
    }
    case 'integer':
    case 'number': {
      const bounds = [s.minimum !== undefined ? `≥ ${s.minimum}` : s.exclusiveMinimum !== undefined ? `> ${s.exclusiveMinimum}` : '', s.maximum !== undefined ? `≤ ${s.maximum}` : ''].filter(Boolean);
      return `${s.type}${bounds.length ? ` ${bounds.join(', ')}` : ''}`;
    }
    case undefined:
      return 'any';
    default:
      return String(s.type);
  }
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}
