/**
 * `${NAME}` in a graph file's strings, replaced by the environment variable NAME when the
 * file is loaded (a base URL, a header, a deployment that differ between machines). Only
 * upper-case names are read, so a prompt's `{field}` placeholders after a dollar sign stay
 * as they are; `$${` writes a literal `${`. An unset variable is a config problem.
 */

export interface EnvProblem {
  path: Array<string | number>;
  message: string;
}

const REFERENCE = /\$(\$?)\{([A-Z_][A-Z0-9_]*)\}/g;

/** Expands every string inside `data` in place; returns the unset variables, by where they are. */
export function expandEnv(data: unknown, env: NodeJS.ProcessEnv, path: Array<string | number> = []): EnvProblem[] {
  const problems: EnvProblem[] = [];
  const visit = (value: unknown, at: Array<string | number>, set: (v: string) => void): void => {
    if (typeof value === 'string') {
      if (!value.includes('${')) return;
      const missing: string[] = [];
      const expanded = value.replace(REFERENCE, (whole, escaped: string, name: string) => {
        if (escaped) return whole.slice(1);
        const v = env[name];
        if (v === undefined) missing.push(name);
        return v ?? '';
      });
      if (missing.length > 0) problems.push({ path: at, message: `environment variable ${missing.join(', ')} is not set ($\${ writes a literal \${)` });
      else set(expanded);
    } else if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) visit(value[i], [...at, i], (s) => (value[i] = s));
    } else if (typeof value === 'object' && value !== null) {
      const object = value as Record<string, unknown>;
      for (const key of Object.keys(object)) visit(object[key], [...at, key], (s) => (object[key] = s));
    }
  };
  visit(data, path, () => undefined);
  return problems;
}
