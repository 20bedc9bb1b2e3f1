import t from 'tap';
import { messagesOf } from '../../lib/nodes/messages-field.js';

t.test('a messages field is an array of {role, content} with text content', async (t) => {
  const ok = [
    { role: 'user', content: 'hi' },
    { role: 'assistant', content: 'hello', extra: 1 },
  ];
  t.equal(messagesOf(ok, 'messages'), ok, 'returned as it is');
  t.throws(() => messagesOf(undefined, 'conversation'), /^field "conversation" is missing$/);
  t.throws(() => messagesOf('text', 'messages'), /^field "messages" is not an array of \{role, content\} messages$/);
  t.throws(() => messagesOf([{ role: 'user', content: 'a' }, { role: 'user' }], 'messages'), /^messages\[1\] is not a \{role, content\} message with text content$/);
  t.throws(() => messagesOf([{ role: 'user', content: [{ type: 'text', text: 'a' }] }], 'messages'), /messages\[0\]/, 'parts are refused where text is needed');
  t.same(messagesOf([{ role: 'user', content: [{ type: 'text', text: 'a' }] }], 'history', { parts: true }).length, 1, 'and taken where parts are allowed');
});
