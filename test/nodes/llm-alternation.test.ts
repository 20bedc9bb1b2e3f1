import t from 'tap';
import { alternationRisk } from '../../lib/nodes/llm.js';

t.test('what in an llm node can break alternation, read from its config', async (t) => {
  t.equal(alternationRisk(['system', 'user'], false, false), null);
  t.equal(alternationRisk(['system'], true, false), null, 'a system prompt, then the history as it is');
  t.match(alternationRisk(['user', 'user'], false, false), /two user turns in a row/);
  t.match(alternationRisk(['system', 'assistant', 'user'], false, false), /first turn after the system prompt is the assistant/);
  t.match(alternationRisk(['system'], false, false), /only a system prompt/);
  t.match(alternationRisk(['system'], true, true), /role_swap/);
  t.match(alternationRisk(['system', 'user'], true, false), /last message is a user turn/);
});
