import t from 'tap';
import type { BatchApi, BatchRecord, BatchResult, BatchState } from '../../../lib/llm/batch/batch-api.js';
import { BatchJournal } from '../../../lib/llm/batch/batch-journal.js';
import { batchTransport } from '../../../lib/llm/transports/batch.js';
import { mockTransport } from '../../../lib/llm/transports/mock.js';
import { mockCompletion } from '../../../lib/llm/mock/completion.js';
import { chatBody } from '../../../lib/llm/wire.js';
import type { ChatRequest } from '../../../lib/llm/types.js';
import { join } from 'node:path';

/** A batch API in memory: batches end when the test says; `fail` names prompts that fail. */
class FakeBatches implements BatchApi {
  readonly provider = 'fake';
  readonly maxBytes = 1 << 30;
  readonly submitted: Array<{ id: string; entries: Array<{ customId: string; request: ChatRequest }> }> = [];
  readonly ended = new Set<string>();
  fail: (prompt: string, attempt: number) => boolean = () => false;
  private readonly seen = new Map<string, number>();
  constructor(readonly maxRequests = 1000) {}
  entry(customId: string, request: ChatRequest) {
    return { customId, request };
  }
  async submit(entries: readonly unknown[]) {
    const id = `b${this.submitted.length + 1}`;
    this.submitted.push({ id, entries: entries as Array<{ customId: string; request: ChatRequest }> });
    return id;
  }
  async state(id: string): Promise<BatchState> {
    return this.ended.has(id) ? { kind: 'ended', status: 'completed' } : { kind: 'running', status: 'in_progress' };
  }
  async results(id: string): Promise<BatchResult[]> {
    const batch = this.submitted.find((b) => b.id === id)!;
    return batch.entries.map(({ customId, request }) => {
      const prompt = String(request.messages[0]!.content);
      const attempt = (this.seen.get(prompt) ?? 0) + 1;
      this.seen.set(prompt, attempt);
      if (this.fail(prompt, attempt)) return { customId, error: 'injected' };
      const value = mockCompletion(chatBody('m', request));
      return { customId, reply: { value, usage: value.usage } };
    });
  }
  async close() {}
  endAll() {
    for (const b of this.submitted) this.ended.add(b.id);
  }
}

const ask = (q: string): { kind: 'chat'; input: ChatRequest } => ({ kind: 'chat', input: { messages: [{ role: 'user', content: q }], params: {} } });

function transport(api: FakeBatches, journal: BatchJournal | null = null, batches = new Map<string, BatchRecord>()) {
  return batchTransport({ name: 'm', api, journal: async () => journal, direct: mockTransport('m'), windowMs: 20, pollMs: 5, batches });
}

t.test('requests made within the window go in one batch; a full batch is sent at once; the same request is sent once', async (t) => {
  const api = new FakeBatches(4);
  const batches = new Map<string, BatchRecord>();
  const tx = transport(api, null, batches);
  t.teardown(() => tx.close());
  const calls = ['a', 'b', 'c', 'd', 'e', 'a'].map((q) => tx.dispatch(ask(q)));
  await new Promise((r) => setTimeout(r, 60));
  t.same(
    api.submitted.map((b) => b.entries.length),
    [4, 1],
    'four in the first (full), the fifth after the window; the repeated "a" rides along',
  );
  api.endAll();
  const answers = await Promise.all(calls);
  t.equal(answers[5]!.value.text, answers[0]!.value.text);
  t.equal(answers[0]!.value.text, mockCompletion(chatBody('m', ask('a').input)).text, 'the answer the model gives directly');
  t.same(
    [...batches.values()].map((b) => [b.requests, b.succeeded, b.status]),
    [
      [4, 4, 'completed'],
      [1, 1, 'completed'],
    ],
  );
  t.match((await tx.dispatch({ kind: 'embeddings', input: { texts: ['x'] } })).value, [{}], 'embeddings go direct');
});

t.test('a request that fails in a batch is sent once more in a new one, then fails its record', async (t) => {
  const api = new FakeBatches();
  api.fail = (prompt, attempt) => prompt === 'always' || (prompt === 'once' && attempt === 1);
  const tx = transport(api);
  t.teardown(() => tx.close());
  const once = tx.dispatch(ask('once'));
  const always = tx.dispatch(ask('always')).catch((e: unknown) => e);
  await new Promise((r) => setTimeout(r, 40));
  api.endAll();
  await new Promise((r) => setTimeout(r, 60));
  t.equal(api.submitted.length, 2, 'the failures were sent again, together');
  api.endAll();
  t.match((await once).value.text, /^Mock answer/);
  t.match(await always, { retryable: false, message: /model "m": batch request failed: injected/ });
});

t.test('a run killed while its batch was pending polls the same batch again: nothing is submitted twice', async (t) => {
  const dir = t.testdir({});
  const file = join(dir, 'batches', 'm.jsonl');
  const api = new FakeBatches();
  const first = transport(api, await BatchJournal.open(file));
  const lost = ['q1', 'q2', 'q3'].map((q) => first.dispatch(ask(q)).catch(() => 'killed'));
  await new Promise((r) => setTimeout(r, 40));
  t.equal(api.submitted.length, 1);
  await first.close(); // the kill: the batch is still pending at the provider
  void lost;

  const again = transport(api, await BatchJournal.open(file));
  t.teardown(() => again.close());
  const q2 = again.dispatch(ask('q2'));
  await new Promise((r) => setTimeout(r, 40));
  t.equal(api.submitted.length, 1, 'no new batch: q2 waits for the one already sent');
  api.endAll();
  t.match((await q2).value.text, /^Mock answer/);
  const later = await Promise.all([again.dispatch(ask('q1')), again.dispatch(ask('q3'))]);
  t.equal(api.submitted.length, 1, 'the rest of that batch answers requests made later');
  t.same(
    later.map((r) => r.value.text),
    ['q1', 'q3'].map((q) => mockCompletion(chatBody('m', ask(q).input)).text),
  );
});
