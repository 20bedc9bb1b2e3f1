import h from 'highland';
import { isJsonObject, type Batch, type Item } from '../record/item.js';
import { graphStage, type Stage } from '../engine/pipeline.js';
import type { Graph } from '../graph/graph.js';
import type { RunStats } from '../metrics/run-stats.js';
import type { QueueKeys, RedisClient } from './connect.js';
import { createGroup, groupState } from './push.js';

export interface WorkerOptions {
  graph: Graph;
  redis: RedisClient;
  keys: QueueKeys;
  consumer: string;
  /** Messages taken per read. */
  batch: number;
  /** Batches in flight at once: they overlap, so one slow record does not idle the worker. */
  prefetch: number;
  /** Messages a dead worker left unacknowledged this long are taken over. */
  claimIdleMs: number;
  /** A message delivered this many times and still unfinished goes to the dead-letter stream. */
  maxDeliveries: number;
  /** Exit once the pusher is done and every message is acknowledged. */
  exitWhenDone: boolean;
  stop: AbortSignal;
  stats: RunStats;
  /** When the queue's stream or group is gone (a Redis restarted empty): stop with a message, or make it again and wait for records. */
  onLost?: 'stop' | 'wait';
  /** Told when the queue was lost and made again (onLost 'wait'). */
  onRecreated?: (message: string) => void;
}

type Message = [id: string, fields: string[]];

/** What a worker did, for its summary line. */
export interface WorkerReport {
  messages: number;
  claimed: number;
  deadLettered: number;
}

/**
 * A consumer-group member: reads batches of messages, runs each batch through the graph
 * as a stream of its own, then writes one result entry per message to the output stream
 * and acknowledges the messages, in one MULTI (results and acks land together or not at
 * all). Messages taken over from dead workers run one at a time, so a record that kills
 * its worker is isolated, and after `maxDeliveries` it is dead-lettered instead of looping.
 * (A message whose entry was deleted from the stream comes back from XAUTOCLAIM as null
 * and is skipped.)
 */
export async function runWorker(o: WorkerOptions): Promise<WorkerReport> {
  const { redis, keys } = o;
  await createGroup(redis, keys);
  const stage = graphStage(o.graph, { ordered: true, stats: o.stats });
  const report: WorkerReport = { messages: 0, claimed: 0, deadLettered: 0 };
  const inFlight = new Set<Promise<void>>();
  let lastClaim = 0;
  let failure: Error | null = null;

  const start = (messages: Message[]): void => {
    const task = processBatch(o, stage, messages).then(
      () => undefined,
      (err: Error) => {
        failure ??= err;
      },
    );
    const tracked = task.finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
  };

  while (!o.stop.aborted && !failure) {
    while (inFlight.size >= o.prefetch) await Promise.race(inFlight);
    if (Date.now() - lastClaim >= o.claimIdleMs / 2) {
      lastClaim = Date.now();
      // Taken-over messages are suspects (their worker died): one at a time, each alone,
      // so that only a message that really kills its worker gathers deliveries.
      for (let m = await claimIdle(o); m && !o.stop.aborted; m = await claimIdle(o)) {
        report.claimed++;
        if (await deadLetterIfSpent(o, m)) report.deadLettered++;
        else await processBatch(o, stage, [m]);
      }
    }
    let read: Array<[string, Message[]]> | null;
    try {
      read = (await redis.xreadgroup('GROUP', keys.group, o.consumer, 'COUNT', o.batch, 'BLOCK', 500, 'STREAMS', keys.input, '>')) as Array<[string, Message[]]> | null;
    } catch (err) {
      if (!String((err as Error).message).startsWith('NOGROUP')) throw err;
      const lost = `the queue's stream ${keys.input} or its consumer group is gone from Redis (restarted without persistence?); records pushed before are lost and must be pushed again`;
      if (o.onLost !== 'wait') throw new Error(lost);
      await createGroup(redis, keys);
      o.onRecreated?.(`${lost}; made it again, waiting for records`);
      continue;
    }
    const messages = read?.[0]?.[1] ?? [];
    report.messages += messages.length;
    if (messages.length > 0) {
      start(messages);
      continue;
    }
    if (o.exitWhenDone && inFlight.size === 0 && (await allDone(redis, keys))) break;
  }
  await Promise.all(inFlight);
  if (failure) throw failure;
  return report;
}

async function processBatch(o: WorkerOptions, stage: Stage, messages: Message[]): Promise<void> {
  const graph = o.graph;
  const items: Item[] = messages.map(([, fields], seq) => {
    const f = fieldsOf(fields);
    const line = Number(f.line ?? 0);
    let record: unknown;
    try {
      record = JSON.parse(f.data ?? '');
    } catch {
      record = undefined;
    }
    if (!isJsonObject(record)) {
      return { seq, line, record: {}, route: null, raw: f.data, id: f.id, outcome: { kind: 'error', node: null, error: 'not a JSON object' } };
    }
    return { seq, line, record, route: graph.entry, id: f.id };
  });
  o.stats.admitted(items.length);
  const results = (
    await stage(h<Batch>([items]))
      .collect()
      .toPromise(Promise)
  ).flat();
  o.stats.inFlight -= results.length;

  // One result entry per message: its records, rejections and errors together.
  const bySeq = new Map<number, { out: unknown[]; rejected: unknown[]; errors: unknown[] }>();
  for (const item of results) {
    let entry = bySeq.get(item.seq);
    if (!entry) bySeq.set(item.seq, (entry = { out: [], rejected: [], errors: [] }));
    const outcome = item.outcome;
    if (outcome === undefined) {
      entry.out.push(item.record);
      o.stats.recordsOut++;
    } else if (outcome.kind === 'filtered') {
      entry.rejected.push({ node: outcome.node, reason: outcome.reason, record: item.record });
      o.stats.filtered++;
    } else {
      entry.errors.push({ node: outcome.node, error: outcome.error, input: outcome.node === null ? item.raw : item.record });
      o.stats.errors++;
    }
  }
  const tx = o.redis.multi();
  messages.forEach(([id, fields], seq) => {
    const f = fieldsOf(fields);
    const entry = bySeq.get(seq) ?? { out: [], rejected: [], errors: [] };
    tx.xadd(o.keys.output, '*', 'msg', id, 'id', f.id ?? '', 'line', f.line ?? '0', 'data', JSON.stringify(entry));
  });
  tx.xack(o.keys.input, o.keys.group, ...messages.map(([id]) => id));
  const done = await tx.exec();
  const failed = done?.find(([err]) => err);
  if (failed) throw failed[0]!;
}

/** Takes over one message idle longer than claimIdleMs (its worker died or hangs), if any. */
async function claimIdle(o: WorkerOptions): Promise<Message | undefined> {
  const answer = (await o.redis.xautoclaim(o.keys.input, o.keys.group, o.consumer, o.claimIdleMs, '0-0', 'COUNT', 1)) as [string, Array<Message | null>, string[]?];
  return (answer[1] ?? []).find((m): m is Message => m !== null && Array.isArray(m[1]));
}

/** A message past its delivery budget goes to the dead-letter stream, with a result entry so drain accounts for it. */
async function deadLetterIfSpent(o: WorkerOptions, [id, fields]: Message): Promise<boolean> {
  const pending = (await o.redis.xpending(o.keys.input, o.keys.group, id, id, 1)) as Array<[string, string, number, number]>;
  const deliveries = Number(pending[0]?.[3] ?? 0);
  if (deliveries <= o.maxDeliveries) return false;
  const f = fieldsOf(fields);
  const error = `dead-lettered: delivered ${deliveries - 1} times without finishing (its worker died each time)`;
  const tx = o.redis.multi();
  tx.xadd(o.keys.dead, '*', 'msg', id, 'id', f.id ?? '', 'line', f.line ?? '0', 'data', f.data ?? '', 'deliveries', String(deliveries - 1));
  tx.xadd(o.keys.output, '*', 'msg', id, 'id', f.id ?? '', 'line', f.line ?? '0', 'data', JSON.stringify({ out: [], rejected: [], errors: [{ node: null, error, input: f.data }] }));
  tx.xack(o.keys.input, o.keys.group, id);
  await tx.exec();
  o.stats.admitted(1);
  o.stats.inFlight--;
  o.stats.errors++;
  return true;
}

async function allDone(redis: RedisClient, keys: QueueKeys): Promise<boolean> {
  if ((await redis.hget(keys.meta, 'push_done')) !== '1') return false;
  const state = await groupState(redis, keys);
  return state.lag === 0 && state.pending === 0;
}

export function fieldsOf(fields: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) out[fields[i]!] = fields[i + 1]!;
  return out;
}
