import t from 'tap';
import { alternated } from '../../lib/llm/alternation.js';
import type { ChatMessage } from '../../lib/llm/types.js';

const seed = 'Begin the conversation.';

t.test('a request that already alternates is sent as it is', async (t) => {
  const ok: ChatMessage[] = [
    { role: 'system', content: 's' },
    { role: 'user', content: 'q' },
    { role: 'assistant', content: null, tool_calls: [{ id: 'c1' }] },
    { role: 'tool', tool_call_id: 'c1', content: 'r' },
    { role: 'assistant', content: 'a' },
  ];
  t.equal(alternated(ok, seed), ok);
});

t.test('a seed user turn where the request would start with the assistant or hold only a system prompt', async (t) => {
  t.same(alternated([{ role: 'system', content: 'You are a user.' }], seed), [
    { role: 'system', content: 'You are a user.' },
    { role: 'user', content: seed },
  ]);
  t.same(
    alternated(
      [
        { role: 'system', content: 's' },
        { role: 'assistant', content: 'Hi, I need help with sourdough.' },
        { role: 'user', content: 'Sure.' },
      ],
      seed,
    ).map((m) => m.role),
    ['system', 'user', 'assistant', 'user'],
  );
});

t.test('turns of one role in a row are merged; tool exchanges are not', async (t) => {
  t.same(
    alternated(
      [
        { role: 'user', content: 'first' },
        { role: 'user', content: 'second' },
        { role: 'assistant', content: 'a' },
        { role: 'assistant', content: [{ type: 'text', text: 'b' }] },
      ],
      seed,
    ),
    [
      { role: 'user', content: 'first\n\nsecond' },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'a' },
          { type: 'text', text: 'b' },
        ],
      },
    ],
  );
});
