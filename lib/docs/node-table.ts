import type { NodeDefinition } from '../nodes/definition.js';

/** The node types at a glance: each type's keys and what it does, from its definition. */
export function nodeTable(nodeTypes: Iterable<NodeDefinition>): string {
  const rows = [...nodeTypes]
    .sort((a, b) => a.type.localeCompare(b.type))
    .map((d) => {
      const keys = Object.keys(d.schema.properties).filter((k) => k !== 'type' && k !== 'description');
      return `| [\`${d.type}\`](#type-${d.type}) | ${keys.map((k) => `\`${k}\``).join(', ')} | ${d.description.replaceAll('|', '\\|')} |`;
    });
  return ['| type | keys | what it does |', '|---|---|---|', ...rows].join('\n') + '\n';
}
