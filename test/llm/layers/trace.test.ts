import t from 'tap';
import { traceLayer } from '../../../lib/llm/layers/trace.js';
import { newTrace, traceStorage } from '../../../lib/record/trace.js';
import { chatCall, completion, fakeNext } from './fake-next.js';

t.test('chat answers are noted in the trace of the record they were made for', async (t) => {
  const next = fakeNext((_c, i) => ({ ...completion('ok', 10, 5), cached: i === 1 }));
  const dispatch = traceLayer('judge')(next.dispatch);
  const trace = newTrace();
  await traceStorage.run(trace, async () => {
    await dispatch(chatCall('a'));
    await dispatch(chatCall('b'));
    await dispatch({ kind: 'reward', input: { messages: [] } });
  });
  t.same([...trace.models], ['judge']);
  t.match(trace, { llmCalls: 2, tokens: 30, cached: 1 });
  await dispatch(chatCall('outside any record'));
  t.equal(trace.llmCalls, 2, 'calls outside a trace touch none');
});
