import t from 'tap';
import { answerOf, splitThinking } from '../../lib/llm/reasoning.js';

t.test('a leading think block is taken out of the answer', async (t) => {
  t.same(splitThinking('<think>\nWhat is 2+2? It is 4.\n</think>\n\nThe answer is 4.'), { text: 'The answer is 4.', reasoning: 'What is 2+2? It is 4.' });
  t.same(splitThinking('  <think>x</think>y'), { text: 'y', reasoning: 'x' }, 'after white space too');
  t.same(splitThinking('Only the closing tag: the template opened it.</think>\n\nAnswer.'), { text: 'Answer.', reasoning: 'Only the closing tag: the template opened it.' });
  t.same(splitThinking('<think>cut off while thinking'), { text: '', reasoning: 'cut off while thinking' }, 'an unclosed block is all reasoning');
  t.same(splitThinking('No thinking here, though I mention <think> tags later.'), { text: 'No thinking here, though I mention <think> tags later.' });
  t.same(splitThinking('Use <think> then </think> in your prompt.'), { text: 'Use <think> then </think> in your prompt.' }, 'tags in the middle of an answer are its text');
});

t.test('reasoning fields of OpenAI-compatible servers are read beside the content', async (t) => {
  t.same(answerOf('4', { reasoning_content: 'two and two' }), { text: '4', reasoning: 'two and two' }, 'vLLM and DeepSeek');
  t.same(answerOf('4', { reasoning: 'two and two' }), { text: '4', reasoning: 'two and two' }, 'OpenRouter');
  t.same(answerOf('4', { reasoning_content: null }), { text: '4' });
  t.same(answerOf('<think>a</think>4', { reasoning_content: 'b' }), { text: '4', reasoning: 'b\n\na' }, 'both: nothing is lost');
});
