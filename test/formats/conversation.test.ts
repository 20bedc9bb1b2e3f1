import t from 'tap';
import { readConversation, shareGptTools, shareGptTurns, withoutReasoning, type Turn } from '../../lib/formats/conversation.js';

const call = (id: string, name: string, args: unknown) => ({ id, type: 'function', function: { name, arguments: JSON.stringify(args) } });
const weather = [
  { role: 'system', content: 'Use the tools.' },
  { role: 'user', content: 'Weather in Paris and Rome?' },
  { role: 'assistant', content: null, tool_calls: [call('c1', 'get_weather', { city: 'Paris' }), call('c2', 'get_weather', { city: 'Rome' })], reasoning_content: 'Two cities: two calls.' },
  { role: 'tool', tool_call_id: 'c1', content: '18°C' },
  { role: 'tool', tool_call_id: 'c2', content: '24°C' },
  { role: 'assistant', content: 'Paris 18°C, Rome 24°C.' },
];

t.test('a tool-calling conversation is read as trainers take it', async (t) => {
  const turns = readConversation(weather, 'messages') as Turn[];
  t.same(
    turns.map((x) => x.role),
    ['system', 'user', 'assistant', 'tool', 'tool', 'assistant'],
  );
  t.same(turns[2], { role: 'assistant', content: null, tool_calls: weather[2]!.tool_calls, reasoning_content: 'Two cities: two calls.' });
  t.same(withoutReasoning(turns)[2], { role: 'assistant', content: null, tool_calls: weather[2]!.tool_calls });
});

t.test('what trainers refuse is an error naming the turn', async (t) => {
  const broken: Array<[unknown[], RegExp]> = [
    [[weather[1], weather[2], weather[3], weather[5]], /\[3\]: the tool calls c2 have no tool turn answering them/],
    [[weather[1], { role: 'tool', tool_call_id: 'c9', content: 'x' }], /\[1\]: a tool turn must answer a call of the assistant turn before it/],
    [[weather[1], { role: 'assistant', content: null }], /\[1\]: expected string content \(null only beside tool_calls\)/],
    [[weather[1], { role: 'assistant', content: '', tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{oops' } }] }], /tool_calls\[0\]\.function\.arguments: not JSON/],
    [[weather[1], weather[5], weather[0]], /\[2\]: a system turn may only come first/],
    [[{ role: 'assistant', content: 'hi' }], /\[0\]: expected role "user", got "assistant"/],
  ];
  for (const [messages, error] of broken) t.match(readConversation(messages, 'messages'), { error });
});

t.test("LLaMA-Factory's sharegpt: function_call and observation turns, tools as a JSON string", async (t) => {
  const turns = readConversation(weather, 'messages') as Turn[];
  t.same(shareGptTurns(turns), [
    { from: 'system', value: 'Use the tools.' },
    { from: 'human', value: 'Weather in Paris and Rome?' },
    {
      from: 'function_call',
      value: JSON.stringify([
        { name: 'get_weather', arguments: { city: 'Paris' } },
        { name: 'get_weather', arguments: { city: 'Rome' } },
      ]),
    },
    { from: 'observation', value: JSON.stringify(['18°C', '24°C']) },
    { from: 'gpt', value: 'Paris 18°C, Rome 24°C.' },
  ]);
  const one = readConversation([weather[1], { role: 'assistant', content: null, tool_calls: [call('c1', 'get_weather', { city: 'Paris' })] }, weather[3], weather[5]], 'm') as Turn[];
  t.same(shareGptTurns(one).slice(1, 3), [
    { from: 'function_call', value: '{"name":"get_weather","arguments":{"city":"Paris"}}' },
    { from: 'observation', value: '18°C' },
  ]);
  const tools = [{ type: 'function', function: { name: 'get_weather', description: 'Weather now.', parameters: { type: 'object' } } }];
  t.equal(shareGptTools(tools), '[{"name":"get_weather","description":"Weather now.","parameters":{"type":"object"}}]');
});
