import type { Argv } from 'yargs';

interface OptionSpec {
  alias?: string | string[];
  type?: string;
  choices?: readonly unknown[];
  default?: unknown;
  describe?: string;
}

/**
 * A command's options as a Markdown table, read from the same yargs builder the CLI uses:
 * the builder is run against a recorder that keeps every `.option()` call.
 */
export function flagTable(builder: (y: Argv) => unknown): string {
  const options: Array<[string, OptionSpec]> = [];
  const recorder: unknown = new Proxy(
    {},
    {
      get:
        (_target, method) =>
        (...args: unknown[]) => {
          if (method === 'option' || method === 'options') {
            if (typeof args[0] === 'string') options.push([args[0], (args[1] ?? {}) as OptionSpec]);
            else for (const [name, spec] of Object.entries((args[0] ?? {}) as Record<string, OptionSpec>)) options.push([name, spec]);
          }
          return recorder;
        },
    },
  );
  builder(recorder as Argv);
  const rows = options.map(([name, spec]) => {
    const aliases = [spec.alias ?? []].flat().map((a) => (a.length === 1 ? `-${a}` : `--${a}`));
    const flag = [...aliases, `--${name}`].map((f) => `\`${f}\``).join(', ');
    const kind = spec.choices ? spec.choices.map((c) => `\`${String(c)}\``).join(' \\| ') : (spec.type ?? '');
    const fallback = spec.default === undefined ? '' : `\`${JSON.stringify(spec.default)}\``;
    return `| ${flag} | ${kind} | ${fallback} | ${(spec.describe ?? '').replaceAll('|', '\\|')} |`;
  });
  return ['| option | value | default | meaning |', '|---|---|---|---|', ...rows].join('\n') + '\n';
}
