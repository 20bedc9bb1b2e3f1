import t from 'tap';
import { chatBody } from '../../lib/llm/wire.js';

t.test('reasoning kept on assistant turns for training is never sent back to a server', async (t) => {
  const body = chatBody('m', {
    messages: [
      { role: 'user', content: 'Is 9.11 larger than 9.9?' },
      { role: 'assistant', content: 'No.', reasoning_content: 'Compare the tenths.' },
      { role: 'user', content: 'Why?' },
    ],
    params: {},
  });
  t.same(body.messages, [
    { role: 'user', content: 'Is 9.11 larger than 9.9?' },
    { role: 'assistant', content: 'No.' },
    { role: 'user', content: 'Why?' },
  ]);
  const plain = [{ role: 'user', content: 'hi' }];
  t.equal(chatBody('m', { messages: plain, params: {} }).messages, plain, 'messages without reasoning are sent as they are, not copied');
});
