/** A problem found in a graph file, located by file, line, column and key path. */
export interface ConfigProblem {
  file: string;
  line: number;
  col: number;
  /** Dotted key path inside the file, e.g. `nodes.add_len.set.prompt_chars`. */
  path: string;
  message: string;
}

export type KeyPath = ReadonlyArray<string | number>;

export function formatKeyPath(path: KeyPath): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? key : `.${key}`;
  }
  return out;
}

export function formatProblem(p: ConfigProblem): string {
  const where = p.path === '' ? '' : ` ${p.path}`;
  return `${p.file}:${p.line}:${p.col}${where}: ${p.message}`;
}

/** Thrown when a graph file cannot be used; carries every problem found, not just the first. */
export class ConfigError extends Error {
  readonly problems: ConfigProblem[];
  constructor(problems: ConfigProblem[]) {
    const sorted = [...problems].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.col - b.col);
    super(sorted.map(formatProblem).join('\n'));
    this.name = 'ConfigError';
    this.problems = sorted;
  }
}
