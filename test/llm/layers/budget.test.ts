import t from 'tap';
import { Budget, BudgetSpentError } from '../../../lib/llm/budget.js';
import { budgetLayer, worstCost } from '../../../lib/llm/layers/budget.js';
import { chatCall, completion, fakeNext } from './fake-next.js';

const price = { input_per_mtok: 1_000_000, output_per_mtok: 2_000_000 }; // $1 a prompt token, $2 a generated one

t.test("a chat's worst case is its prompt and max_tokens (512 unless set)", async (t) => {
  const call = chatCall('12345678'); // 8 chars + 4 → 3 tokens
  t.equal(worstCost(call, price), 3 + 2 * 512);
  t.equal(worstCost(chatCall('12345678', { max_tokens: 10 }), price), 3 + 2 * 10);
  t.equal(worstCost(call, undefined), 0, 'no price, no cost');
  t.equal(worstCost({ kind: 'embeddings', input: { texts: ['abcd', 'abcdefgh'] } }, price), 3);
  t.equal(worstCost({ kind: 'reward', input: { messages: [] } }, price), 0);
});

t.test('admits while the worst case fits, settles with what the answer cost, then refuses without calling on', async (t) => {
  const budget = new Budget(60, undefined);
  const next = fakeNext(() => completion('ok', 3, 4)); // costs 3 + 8 = 11
  const dispatch = budgetLayer(budget, price)(next.dispatch);
  const call = chatCall('12345678', { max_tokens: 20 }); // worst 3 + 40 = 43
  await dispatch(call); // spent 11
  await dispatch(call); // spent 22
  t.type(await dispatch(call).catch((e: unknown) => e), BudgetSpentError, '22 spent + 43 worst > 60');
  t.equal(next.calls.length, 2);
  t.ok(budget.spent.signal.aborted, 'the run is told to stop');
  t.match(String(budget.spent.signal.reason), /--max-cost budget \(\$60\) would be exceeded \(\$22 spent/);
});

t.test('a failed call gives its reservation back and costs nothing', async (t) => {
  const budget = new Budget(50, undefined);
  const next = fakeNext((_c, i) => (i === 0 ? Promise.reject(new Error('down')) : completion('ok', 3, 4)));
  const dispatch = budgetLayer(budget, price)(next.dispatch);
  const call = chatCall('12345678', { max_tokens: 20 }); // worst 43
  await t.rejects(dispatch(call), /down/);
  await dispatch(call);
  t.equal(next.calls.length, 2, 'the second call was admitted: the first reserved nothing after failing');
});

t.test('--max-requests counts every call, priced or not', async (t) => {
  const dispatch = budgetLayer(new Budget(undefined, 2), undefined)(fakeNext(() => ({ value: 1 })).dispatch);
  await dispatch({ kind: 'reward', input: { messages: [] } });
  await dispatch({ kind: 'reward', input: { messages: [] } });
  await t.rejects(dispatch({ kind: 'reward', input: { messages: [] } }), /--max-requests budget \(2\) is spent/);
});
