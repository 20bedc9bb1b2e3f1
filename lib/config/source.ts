import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, visit, type Document, type Node } from 'yaml';
import { ConfigError, formatKeyPath, type ConfigProblem, type KeyPath } from './problems.js';

/**
 * A parsed YAML file that remembers where every key and value came from, so that any
 * later check can report `file:line:col` for a key path.
 */
export class YamlSource {
  readonly file: string;
  readonly data: unknown;
  /** sha256 of the file's text, for provenance. */
  readonly sha256: string;
  private readonly doc: Document;
  private readonly lines: LineCounter;

  private constructor(file: string, doc: Document, lines: LineCounter, text: string) {
    this.file = file;
    this.sha256 = createHash('sha256').update(text).digest('hex');
    this.doc = doc;
    this.lines = lines;
    this.data = doc.toJS({ maxAliasCount: 100 });
  }

  static async load(file: string): Promise<YamlSource> {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'read error';
      throw new ConfigError([{ file, line: 1, col: 1, path: '', message: `cannot read graph file (${code})` }]);
    }
    return YamlSource.parse(file, text);
  }

  static parse(file: string, text: string): YamlSource {
    const lines = new LineCounter();
    // Duplicate keys are found below, so they can be reported where they stand.
    const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: false, prettyErrors: false });
    const problems: ConfigProblem[] = doc.errors.map((e) => {
      const pos = e.linePos?.[0] ?? { line: 1, col: 1 };
      return { file, line: pos.line, col: pos.col, path: '', message: firstLine(e.message) };
    });
    visit(doc, {
      Map(_, map) {
        const seen = new Set<string>();
        for (const pair of map.items) {
          const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
          if (seen.has(key)) {
            const pos = lines.linePos(rangeStart(pair.key) ?? 0);
            problems.push({ file, line: pos.line, col: pos.col, path: '', message: `duplicate key "${key}"` });
          }
          seen.add(key);
        }
      },
    });
    if (problems.length > 0) throw new ConfigError(problems);
    return new YamlSource(file, doc, lines, text);
  }

  /**
   * Where a key path points. With `at: 'key'` the position of the key itself (used for
   * "unknown key" problems); otherwise the value's. A path that does not exist resolves
   * to its deepest existing ancestor.
   */
  position(path: KeyPath, at: 'key' | 'value' = 'value'): { line: number; col: number } {
    let node: unknown = this.doc.contents;
    let offset = rangeStart(node) ?? 0;
    for (let i = 0; i < path.length; i++) {
      const key = path[i];
      if (isMap(node)) {
        const pair = node.items.find((p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === String(key));
        if (!pair) break;
        const last = i === path.length - 1;
        if (last && at === 'key') {
          offset = rangeStart(pair.key) ?? offset;
          break;
        }
        node = pair.value;
        offset = rangeStart(pair.value) ?? rangeStart(pair.key) ?? offset;
      } else if (isSeq(node) && typeof key === 'number') {
        const item = node.items[key];
        if (item === undefined) break;
        node = item;
        offset = rangeStart(item) ?? offset;
      } else {
        break;
      }
    }
    return this.lines.linePos(offset);
  }

  problem(path: KeyPath, message: string, at: 'key' | 'value' = 'value'): ConfigProblem {
    const { line, col } = this.position(path, at);
    return { file: this.file, line, col, path: formatKeyPath(path), message };
  }
}

function rangeStart(node: unknown): number | undefined {
  const range = (node as Node | null | undefined)?.range;
  return range ? range[0] : undefined;
}

function firstLine(message: string): string {
  const nl = message.indexOf('\n');
  return nl === -1 ? message : message.slice(0, nl);
}
