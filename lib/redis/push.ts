import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FieldPath } from '../record/path.js';
import { LineFramer } from '../io/line-framer.js';
import { recordId } from '../io/resume.js';
import type { QueueKeys, RedisClient } from './connect.js';

export interface PushOptions {
  redis: RedisClient;
  keys: QueueKeys;
  input: Readable;
  idPath: FieldPath;
  /** Wait while more than this many records are pushed but not yet taken by a worker. */
  maxBacklog: number;
  stop: AbortSignal;
}

/**
 * Adds every input line to the queue's input stream as {line, id, data}, a chunk at a
 * time in one round trip, and waits while the backlog (pushed, not yet taken) is over
 * `maxBacklog`. Lines are passed on as they are: a worker reports a bad one as an error
 * with its line number. Returns how many were pushed.
 */
export async function pushRecords(o: PushOptions): Promise<number> {
  const { redis, keys } = o;
  await createGroup(redis, keys);
  await redis.hset(keys.meta, 'push_done', '0');
  const framer = new LineFramer(null);
  let pushed = 0;
  const send = async (items: ReturnType<LineFramer['push']>): Promise<void> => {
    if (items.length === 0) return;
    while ((await backlog(redis, keys)) > o.maxBacklog && !o.stop.aborted) await sleep(200);
    const batch = redis.pipeline();
    for (const item of items) {
      const data = item.bytes ? item.bytes.toString('utf8').replace(/\r?\n$/, '') : (item.raw ?? '');
      batch.xadd(keys.input, '*', 'line', String(item.line), 'id', recordId(item, o.idPath), 'data', data);
    }
    batch.hincrby(keys.meta, 'pushed', items.length);
    const results = await batch.exec();
    const failed = results?.find(([err]) => err);
    if (failed) throw failed[0]!;
    pushed += items.length;
  };
  for await (const chunk of o.input as AsyncIterable<Buffer>) {
    if (o.stop.aborted) break;
    await send(framer.push(chunk));
  }
  if (!o.stop.aborted) await send(framer.end());
  await redis.hset(keys.meta, 'push_done', '1');
  return pushed;
}

/** The workers' consumer group, made with the stream if need be. */
export async function createGroup(redis: RedisClient, keys: QueueKeys): Promise<void> {
  try {
    await redis.xgroup('CREATE', keys.input, keys.group, '0', 'MKSTREAM');
  } catch (err) {
    if (!String((err as Error).message).includes('BUSYGROUP')) throw err;
  }
}

export interface GroupState {
  /** Entries no worker has taken yet. */
  lag: number;
  /** Entries taken but not yet acknowledged. */
  pending: number;
}

export async function groupState(redis: RedisClient, keys: QueueKeys): Promise<GroupState> {
  const groups = (await redis.xinfo('GROUPS', keys.input)) as unknown[][];
  for (const g of groups) {
    const info = new Map<string, unknown>();
    for (let i = 0; i < g.length; i += 2) info.set(String(g[i]), g[i + 1]);
    if (info.get('name') !== keys.group) continue;
    return { lag: Number(info.get('lag') ?? 0), pending: Number(info.get('pending') ?? 0) };
  }
  return { lag: 0, pending: 0 };
}

async function backlog(redis: RedisClient, keys: QueueKeys): Promise<number> {
  return (await groupState(redis, keys)).lag;
}
