// How the ratios of two builds' bench tables compare over several rounds (bench:compare):
// each ratio's median and range per build, and whether the ranges overlap. A ratio moves
// by tens of percent between two runs of one build on a shared machine, so one table
// against another says little; ranges over rounds say whether a change is more than that.

/** One table as a benchmark publishes it (see publishTable in harness.ts). */
export interface BenchTable {
  name: string;
  header: string[];
  rows: Array<Array<string | number>>;
}

export interface Spread {
  median: number;
  min: number;
  max: number;
}

export interface RatioChange {
  table: string;
  /** What the row measures: the text among its first two cells (numbers there are figures). */
  row: string;
  column: string;
  base: Spread;
  head: Spread;
  /** head's median over base's, less one: +0.05 is 5% higher. */
  change: number;
  /** The two ranges share a value: the change is within what rounds of one build show. */
  overlap: boolean;
}

/** Columns that hold ratios, known by their header: "x floor", "÷ NDJSON", "× JSON", "ratio". */
export const RATIO_COLUMN = /÷|×|(^|\s)x(\s|$)|ratio/i;

/** A cell's number: a number, or text that starts with one ("1.29 (÷ Node loop)", "12,345"). */
export function cellNumber(cell: string | number | undefined): number | null {
  if (typeof cell === 'number') return Number.isFinite(cell) ? cell : null;
  if (typeof cell !== 'string') return null;
  const m = /^\s*(-?[\d,]*\.?\d+)/.exec(cell);
  return m ? Number(m[1]!.replace(/,/g, '')) : null;
}

export function spreadOf(values: readonly number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, min: sorted[0]!, max: sorted[sorted.length - 1]! };
}

/**
 * The ratio cells of every table the rounds of both builds printed, matched by table name,
 * row position and column. A cell missing from a round (a peer tool not installed) is left
 * out of that round; a cell no round of a build has is not compared.
 */
export function compareRuns(base: readonly BenchTable[][], head: readonly BenchTable[][]): RatioChange[] {
  const values = (rounds: readonly BenchTable[][], table: string, row: number, column: number): number[] => {
    const out: number[] = [];
    for (const round of rounds) {
      const value = cellNumber(round.find((t) => t.name === table)?.rows[row]?.[column]);
      if (value !== null) out.push(value);
    }
    return out;
  };
  const changes: RatioChange[] = [];
  const first = head[0] ?? [];
  for (const table of first) {
    table.header.forEach((column, c) => {
      if (!RATIO_COLUMN.test(column)) return;
      table.rows.forEach((cells, r) => {
        const b = values(base, table.name, r, c);
        const h = values(head, table.name, r, c);
        if (b.length === 0 || h.length === 0) return;
        const baseSpread = spreadOf(b);
        const headSpread = spreadOf(h);
        changes.push({
          table: table.name,
          row: cells
            .slice(0, 2)
            .filter((cell) => typeof cell === 'string')
            .join(' | '),
          column,
          base: baseSpread,
          head: headSpread,
          change: baseSpread.median === 0 ? 0 : headSpread.median / baseSpread.median - 1,
          overlap: baseSpread.min <= headSpread.max && headSpread.min <= baseSpread.max,
        });
      });
    });
  }
  return changes;
}
