import type { Writable } from 'node:stream';
import { once } from 'node:events';
import { FinishedIds } from '../io/resume.js';
import type { SideOutput } from '../io/side-output.js';
import type { QueueKeys, RedisClient } from './connect.js';
import { fieldsOf } from './worker.js';

export interface DrainOptions {
  redis: RedisClient;
  keys: QueueKeys;
  output: Writable;
  errors?: SideOutput;
  rejected?: SideOutput;
  stop: AbortSignal;
}

export interface DrainReport {
  /** Records the pushers reported. */
  pushed: number;
  /** Input messages accounted for (each once). */
  messages: number;
  records_out: number;
  filtered: number;
  errors: number;
  /** Result entries for a message already written (it was processed twice): left out. */
  duplicates: number;
  /** Every pushed record accounted for exactly once. */
  conserved: boolean;
}

interface ResultEntry {
  out: unknown[];
  rejected: Array<{ node: string; reason: string; record: unknown }>;
  errors: Array<{ node: string | null; error: string; input: unknown }>;
}

/**
 * Reads the output stream from the start and writes each input message's results once:
 * a message processed twice (its worker was presumed dead, but finished) has its second
 * result entry left out, so processing is at least once and output exactly once. Ends
 * when the pushers are done and every pushed record is accounted for.
 */
export async function drainResults(o: DrainOptions): Promise<DrainReport> {
  const { redis, keys } = o;
  const seen = new FinishedIds();
  const report: DrainReport = { pushed: 0, messages: 0, records_out: 0, filtered: 0, errors: 0, duplicates: 0, conserved: false };
  let after = '0-0';
  for (;;) {
    const read = (await redis.xread('COUNT', 1000, 'BLOCK', 500, 'STREAMS', keys.output, after)) as Array<[string, Array<[string, string[]]>]> | null;
    const entries = read?.[0]?.[1] ?? [];
    let text = '';
    const waits: Array<Promise<void> | undefined> = [];
    for (const [entryId, fields] of entries) {
      after = entryId;
      const f = fieldsOf(fields);
      const msg = f.msg ?? entryId;
      if (seen.has(msg)) {
        report.duplicates++;
        continue;
      }
      seen.add(msg);
      report.messages++;
      const line = Number(f.line ?? 0);
      const result = JSON.parse(f.data ?? '{}') as ResultEntry;
      for (const record of result.out) text += JSON.stringify(record) + '\n';
      report.records_out += result.out.length;
      for (const r of result.rejected) waits.push(o.rejected?.write({ line, id: f.id, node: r.node, reason: r.reason, record: r.record }));
      report.filtered += result.rejected.length;
      for (const e of result.errors) waits.push(o.errors?.write({ line, id: f.id, node: e.node, error: e.error, input: e.input }));
      report.errors += result.errors.length;
    }
    if (text && !o.output.write(text)) await once(o.output, 'drain');
    await Promise.all(waits);
    if (entries.length > 0) continue;
    const meta = await redis.hgetall(keys.meta);
    if (Object.keys(meta).length === 0 && report.pushed > 0) {
      throw new Error(
        `the queue's bookkeeping (${keys.meta}) is gone from Redis (restarted without persistence?): ${report.pushed - report.messages} records cannot be accounted for; push them again`,
      );
    }
    report.pushed = Number(meta.pushed ?? 0);
    if ((meta.push_done === '1' && report.messages >= report.pushed) || o.stop.aborted) break;
  }
  report.conserved = report.messages === report.pushed;
  return report;
}
