import { canonicalJson, sha256 } from '../canonical.js';
import type { BatchApi, BatchRecord, BatchResult } from '../batch/batch-api.js';
import type { BatchJournal } from '../batch/batch-journal.js';
import { byKind, type ModelReply, type Transport } from '../dispatch.js';
import { TransportError } from '../transport-error.js';
import type { ChatRequest } from '../types.js';

export interface BatchTransportOptions {
  /** The model's name in the graph, for messages. */
  name: string;
  api: BatchApi;
  /** Where submitted batches are kept across runs (opened once, at the first call); null without a cache folder. */
  journal: () => Promise<BatchJournal | null>;
  /** Embeddings and other calls the batch API does not take go here. */
  direct: Transport;
  /** A batch is submitted this long after its first request, or once full. */
  windowMs: number;
  /** How often a pending batch is asked how it stands. */
  pollMs: number;
  /** The run's record of batches, for --stats. */
  batches: Map<string, BatchRecord>;
}

interface Waiter {
  resolve: (reply: ModelReply<'chat'>) => void;
  reject: (err: Error) => void;
}

interface Pending {
  request: ChatRequest;
  waiters: Waiter[];
  /** Batches it was sent in: a request whose batch failed or expired is sent once more. */
  attempts: number;
}

/** A request submitted this many times without an answer becomes an error record. */
const MAX_ATTEMPTS = 2;
/** Failures in a row polling one batch before its requests fail. */
const MAX_POLL_FAILURES = 20;

/**
 * Chat calls collected into the provider's batch API: a request joins the open batch,
 * which is submitted `windowMs` after its first request (or once full) and polled until it
 * ends; each call resolves as its result is read. Requests are known by a hash of their
 * body, so a request already in a pending batch, of this run or of a killed one found in
 * the journal, waits for that batch instead of being sent again.
 */
export function batchTransport(options: BatchTransportOptions): Transport {
  const o = options;
  let journal: BatchJournal | null = null;
  let journalOpened: Promise<BatchJournal | null> | null = null;
  const pending = new Map<string, Pending>();
  let open: string[] = [];
  let openBytes = 0;
  let timer: NodeJS.Timeout | null = null;
  const polling = new Map<string, Promise<void>>();
  /** Batches of earlier runs already polled (or being polled) by this one. */
  const polledEarlier = new Set<string>();
  /** Results of batches from earlier runs for requests this run has not made yet. */
  const stash = new Map<string, BatchResult>();
  const stopped = new AbortController();

  const settle = (customId: string, result: BatchResult | { customId: string; error: string; final: boolean }): void => {
    const p = pending.get(customId);
    if (!p) return;
    if ('reply' in result) {
      pending.delete(customId);
      for (const w of p.waiters) w.resolve(result.reply);
      return;
    }
    if (p.attempts < MAX_ATTEMPTS && !('final' in result && result.final)) {
      enqueue(customId, p);
      return;
    }
    pending.delete(customId);
    const err = new TransportError(`model "${o.name}": batch request failed: ${result.error}`, false, false);
    for (const w of p.waiters) w.reject(err);
  };

  const poll = (id: string, members: readonly string[]): Promise<void> => {
    let running = polling.get(id);
    if (running) return running;
    running = (async () => {
      const record = o.batches.get(id) ?? { id, status: 'submitted', requests: members.length, succeeded: 0, failed: 0 };
      o.batches.set(id, record);
      let failures = 0;
      for (;;) {
        const ended = journal?.ended.get(id);
        if (ended !== undefined) {
          record.status = ended;
          break;
        }
        try {
          const state = await o.api.state(id);
          failures = 0;
          record.status = state.status;
          if (state.kind === 'ended') break;
          if (state.kind === 'failed') {
            await journal?.finished(id, { failed: state.reason });
            for (const customId of members) settle(customId, { customId, error: `batch ${id} failed: ${state.reason}`, final: false });
            record.failed = members.length;
            return;
          }
        } catch (err) {
          if (++failures >= MAX_POLL_FAILURES || !(err instanceof TransportError && err.retryable)) {
            for (const customId of members) settle(customId, { customId, error: `batch ${id} could not be polled: ${(err as Error).message}`, final: true });
            return;
          }
        }
        if (!(await sleep(o.pollMs, stopped.signal))) return;
      }
      const requests = new Map<string, ChatRequest>();
      for (const customId of members) {
        const p = pending.get(customId);
        if (p) requests.set(customId, p.request);
      }
      let results: BatchResult[];
      try {
        results = await o.api.results(id, requests);
      } catch (err) {
        for (const customId of members) settle(customId, { customId, error: `the results of batch ${id} could not be read: ${(err as Error).message}`, final: true });
        return;
      }
      if (!journal?.ended.has(id)) await journal?.finished(id, { ended: record.status });
      const answered = new Set<string>();
      for (const result of results) {
        answered.add(result.customId);
        if ('reply' in result) record.succeeded++;
        else record.failed++;
        if (pending.has(result.customId)) settle(result.customId, result);
        else stash.set(result.customId, result);
      }
      for (const customId of requests.keys()) {
        if (answered.has(customId)) continue;
        record.failed++;
        settle(customId, { customId, error: `not answered by batch ${id} (${record.status})` });
      }
    })().finally(() => polling.delete(id));
    polling.set(id, running);
    return running;
  };

  const submit = async (): Promise<void> => {
    if (timer) clearTimeout(timer);
    timer = null;
    const members = open;
    open = [];
    openBytes = 0;
    if (members.length === 0) return;
    const entries = members.map((customId) => o.api.entry(customId, pending.get(customId)!.request));
    let id: string | null = null;
    let lastError: Error | null = null;
    for (let attempt = 0; attempt < 3 && id === null; attempt++) {
      try {
        id = await o.api.submit(entries);
      } catch (err) {
        lastError = err as Error;
        if (!(err instanceof TransportError && err.retryable) || !(await sleep(1000 * 2 ** attempt, stopped.signal))) break;
      }
    }
    if (id === null) {
      for (const customId of members) settle(customId, { customId, error: `the batch could not be submitted: ${lastError?.message ?? 'stopped'}`, final: true });
      return;
    }
    o.batches.set(id, { id, status: 'submitted', requests: members.length, succeeded: 0, failed: 0 });
    await journal?.submitted(id, members);
    void poll(id, members);
  };

  const enqueue = (customId: string, p: Pending): void => {
    p.attempts++;
    const bytes = JSON.stringify(o.api.entry(customId, p.request)).length + 1;
    if (open.length + 1 > o.api.maxRequests || openBytes + bytes > o.api.maxBytes) void submit();
    open.push(customId);
    openBytes += bytes;
    timer ??= setTimeout(() => void submit(), o.windowMs);
  };

  const chat = async (request: ChatRequest): Promise<ModelReply<'chat'>> => {
    if (journalOpened === null) {
      journalOpened = o.journal();
      journal = await journalOpened;
    } else if (journal === null) journal = await journalOpened;
    return new Promise((resolve, reject) => {
      const customId = sha256(canonicalJson(request));
      const waiter = { resolve, reject };
      const stashed = stash.get(customId);
      if (stashed) stash.delete(customId);
      if (stashed && 'reply' in stashed) return void resolve(stashed.reply);
      const known = pending.get(customId);
      if (known) return void known.waiters.push(waiter);
      const p: Pending = { request, waiters: [waiter], attempts: 0 };
      pending.set(customId, p);
      // Submitted by an earlier run (killed while it waited): wait for that batch.
      const earlier = stashed ? undefined : journal?.known.get(customId);
      if (earlier !== undefined && !polledEarlier.has(earlier)) {
        p.attempts = 1;
        polledEarlier.add(earlier);
        void poll(earlier, journal!.members(earlier));
        return;
      }
      if (earlier !== undefined && polling.has(earlier)) {
        p.attempts = 1;
        return;
      }
      enqueue(customId, p);
    });
  };

  return {
    dispatch: byKind({
      chat,
      embedding: (input) => o.direct.dispatch({ kind: 'embedding', input }),
      embeddings: (input) => o.direct.dispatch({ kind: 'embeddings', input }),
      reward: (input) => o.direct.dispatch({ kind: 'reward', input }),
      prompt_logprobs: (input) => o.direct.dispatch({ kind: 'prompt_logprobs', input }),
      completion: (input) => o.direct.dispatch({ kind: 'completion', input }),
    }),
    preflight: () => o.direct.preflight(),
    async close() {
      stopped.abort();
      if (timer) clearTimeout(timer);
      await Promise.all([o.api.close(), o.direct.close()]);
    },
  };
}

/** Waits `ms`; false when stopped first. */
function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const done = (ok: boolean): void => {
      clearTimeout(t);
      signal.removeEventListener('abort', onAbort);
      resolve(ok);
    };
    const onAbort = (): void => done(false);
    const t = setTimeout(() => done(true), ms);
    signal.addEventListener('abort', onAbort);
  });
}
