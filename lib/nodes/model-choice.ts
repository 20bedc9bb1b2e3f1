import type { CompileContext } from './definition.js';

/**
 * The model a node names, or the graph's only one. Reports a problem and returns null
 * when there is none, when it is unknown, or when its API key variable is unset (a
 * config error, found before any record is read).
 */
export function chooseModel(name: string | undefined, ctx: CompileContext, what: string): string | null {
  const known = ctx.models.names().join(', ');
  const chosen = name ?? ctx.models.defaultName();
  if (chosen === undefined) {
    ctx.report([], `name ${what} with \`model:\` (one of: ${known})`);
    return null;
  }
  if (!ctx.models.names().includes(chosen)) {
    ctx.report(['model'], `no model named "${chosen}" under \`models:\` (known: ${known})`);
    return null;
  }
  const envProblem = ctx.models.check(chosen);
  if (envProblem) {
    ctx.report(['model'], envProblem);
    return null;
  }
  return chosen;
}
