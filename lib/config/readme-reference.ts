import { graphReference, REFERENCE_END, REFERENCE_START } from './reference.js';
import type { NodeDefinition } from '../nodes/definition.js';

/** The README with its generated reference section replaced by a fresh one. */
export function withFreshReference(readme: string, nodeTypes: Iterable<NodeDefinition>): string {
  const start = readme.indexOf(REFERENCE_START);
  const end = readme.indexOf(REFERENCE_END);
  if (start === -1 || end < start) throw new Error('README has no graph-reference markers');
  return readme.slice(0, start + REFERENCE_START.length) + '\n\n' + graphReference(nodeTypes) + '\n' + readme.slice(end);
}
