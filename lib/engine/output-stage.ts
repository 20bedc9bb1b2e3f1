import type { RecordShaper } from '../formats/shape-record.js';
import type { RunStats } from '../metrics/run-stats.js';
import type { Batch, Item } from '../record/item.js';

/** The stage after the last node: shapes each record for `output:`; misfits become errors. */
export function outputStage(shape: RecordShaper, stats: RunStats) {
  const node = stats.node('output');
  return (batch: Batch): Batch => {
    const out: Item[] = [];
    for (const item of batch) {
      if (item.outcome !== undefined) {
        out.push(item);
        continue;
      }
      node.in++;
      const shaped = shape(item.record);
      if ('error' in shaped) {
        item.outcome = { kind: 'error', node: 'output', error: shaped.error };
        node.errors++;
        out.push(item);
        continue;
      }
      item.bytes = undefined;
      item.record = shaped[0]!;
      out.push(item);
      for (let i = 1; i < shaped.length; i++) {
        out.push({ seq: item.seq, line: item.line, record: shaped[i]!, route: null, ...(item.id === undefined ? {} : { id: item.id }), ...(item.resume === undefined ? {} : { resume: item.resume }) });
      }
      if (item.resume) item.resume.left += shaped.length - 1;
      node.out += shaped.length;
      node.fanout += shaped.length - 1;
    }
    if (out.length !== batch.length) stats.grew(out.length - batch.length);
    return out;
  };
}
