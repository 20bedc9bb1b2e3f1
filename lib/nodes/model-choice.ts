import type { CompileContext } from './definition.js';

/**
 * The model a node names, or the graph's only one; reports a problem (and returns null)
 * when there is none or it is unknown.
 */
export function chooseModel(name: string | undefined, ctx: CompileContext, what: string): string | null {
  const chosen = name ?? ctx.models.defaultName() ?? '';
  if (ctx.models.names().includes(chosen)) return chosen;
  ctx.report(name ? ['model'] : [], chosen === '' ? `name ${what} (one of: ${ctx.models.names().join(', ')})` : `no model named "${chosen}" (known: ${ctx.models.names().join(', ')})`);
  return null;
}
