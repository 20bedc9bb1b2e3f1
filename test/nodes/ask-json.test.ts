import t from 'tap';
import { askForJson, JsonAnswerError } from '../../lib/nodes/ask-json.js';
import type { ChatRequest, Completion } from '../../lib/llm/types.js';

/** A model that gives the answers in order, recording each request. */
function scripted(answers: string[]): { chat(r: ChatRequest): Promise<Completion>; requests: ChatRequest[] } {
  const requests: ChatRequest[] = [];
  return {
    requests,
    chat(request) {
      requests.push(request);
      const text = answers[requests.length - 1] ?? '';
      return Promise.resolve({ text, finish_reason: 'stop', usage: { prompt_tokens: 1, completion_tokens: 1 }, message: { role: 'assistant', content: text } });
    },
  };
}

const readNumber = (text: string): { value: number } | { error: string } => (/^\d+$/.test(text) ? { value: Number(text) } : { error: `"${text}" is not a number` });

t.test('retries until an answer reads, each attempt a request of its own', async (t) => {
  const model = scripted(['no', 'still no', '42']);
  const value = await askForJson(model, { messages: [{ role: 'user', content: 'n?' }], attempts: 3, read: readNumber, what: 'no number', responseFormat: { type: 'json_object' } });
  t.equal(value, 42);
  t.same(
    model.requests.map((r) => r.sample),
    [0, 1, 2],
    'sample indexes 0, 1, 2: no retry gets a cached answer',
  );
  t.same(model.requests[0]!.response_format, { type: 'json_object' });
  t.same(model.requests[0]!.params, {});
});

t.test('after the last attempt: the reason and the start of the last answer', async (t) => {
  const model = scripted(['a', 'b'.repeat(400)]);
  const err = await askForJson(model, { messages: [], attempts: 2, read: readNumber, what: 'judge "j" gave no number', sampleOf: (k) => 10 + k }).catch((e: unknown) => e);
  t.ok(err instanceof JsonAnswerError);
  t.match((err as Error).message, /^judge "j" gave no number after 2 attempts: "b+" is not a number; raw answer: b{299}…$/);
  t.same(
    model.requests.map((r) => r.sample),
    [10, 11],
  );
});
