import t from 'tap';
import type { ModelCall } from '../../../lib/llm/dispatch.js';
import { TransportError } from '../../../lib/llm/transport-error.js';
import { mockTransport } from '../../../lib/llm/transports/mock.js';
import { openAiTransport } from '../../../lib/llm/transports/openai.js';
import { listeningMock, openAiOptions } from './mock-server.js';

const options = openAiOptions;

t.test('over HTTP the answers are those of the in-process mock: chat, embeddings in order, reward, prompt log-probabilities', async (t) => {
  const { server, url } = await listeningMock();
  t.teardown(() => server.close());
  const http = openAiTransport(options(url));
  t.teardown(() => http.close());
  const local = mockTransport('mock-1');
  const chat: ModelCall<'chat'> = { kind: 'chat', input: { messages: [{ role: 'user', content: 'Name three rivers.' }], params: { temperature: 0 } } };
  const [remote, mine] = await Promise.all([http.dispatch(chat), local.dispatch(chat)]);
  t.same(remote.value, mine.value);
  t.same(remote.usage, mine.value.usage);

  const texts = ['alpha beta', 'gamma', 'delta epsilon zeta'];
  const vectors = await http.dispatch({ kind: 'embeddings', input: { texts, dimensions: 16 } });
  t.same(
    vectors.value.map((v) => [...v]),
    (await local.dispatch({ kind: 'embeddings', input: { texts, dimensions: 16 } })).value.map((v) => [...v]),
  );
  t.equal(server.stats.embedding_inputs, 3);

  const messages = [
    { role: 'user', content: 'q' },
    { role: 'assistant', content: 'a' },
  ];
  t.equal((await http.dispatch({ kind: 'reward', input: { messages } })).value, (await local.dispatch({ kind: 'reward', input: { messages } })).value);
  const prompt = 'the prompt whose tokens are scored';
  t.same((await http.dispatch({ kind: 'prompt_logprobs', input: { prompt } })).value, (await local.dispatch({ kind: 'prompt_logprobs', input: { prompt } })).value);
});

t.test('failures are TransportErrors that say whether to retry and whether the server is at fault', async (t) => {
  const { server, url } = await listeningMock({ failFirst: 1, failStatus: 503 });
  t.teardown(() => server.close());
  const http = openAiTransport(options(url));
  t.teardown(() => http.close());
  const chat: ModelCall<'chat'> = { kind: 'chat', input: { messages: [{ role: 'user', content: 'x' }], params: {} } };
  const err = await http.dispatch(chat).catch((e: unknown) => e);
  t.type(err, TransportError);
  t.match(err, { retryable: true, serverFault: true, status: 503, message: /^HTTP 503 from http:\/\/127\.0\.0\.1:\d+\/v1\/chat\/completions/ });
  t.equal((await http.dispatch(chat)).value.finish_reason, 'stop', 'the second try is answered');

  const bad = await http.dispatch({ kind: 'chat', input: { messages: [{ role: 'user', content: 'x' }], params: { max_tokens: 0 } } }).catch((e: unknown) => e);
  t.match(bad, { retryable: false, serverFault: false, status: 400 });
});

t.test('the API key goes in the Authorization header and never into a message; preflight names refusals and unreachable endpoints', async (t) => {
  const { server, url } = await listeningMock({ apiKey: 'sk-right-key' });
  t.teardown(() => server.close());
  const right = openAiTransport(options(url, { apiKey: 'sk-right-key' }));
  const wrong = openAiTransport(options(url, { apiKey: 'sk-wrong-key' }));
  const nowhere = openAiTransport(options('http://127.0.0.1:9/v1'));
  t.teardown(() => Promise.all([right.close(), wrong.close(), nowhere.close()]));
  t.same(await right.preflight(), []);
  t.match(await wrong.preflight(), [/^model "gen": http:\/\/127\.0\.0\.1:\d+\/v1 refused the credentials \(HTTP 401\); check the API key variable$/]);
  t.match(await nowhere.preflight(), [/^model "gen": cannot reach http:\/\/127\.0\.0\.1:9\/v1: ECONNREFUSED/]);
  const err = (await wrong.dispatch({ kind: 'chat', input: { messages: [{ role: 'user', content: 'x' }], params: {} } }).catch((e: unknown) => e)) as Error;
  t.match(err.message, /HTTP 401/);
  t.notMatch(err.message, /sk-wrong-key/);
});

t.test('credentials written into base_url never reach a message', async (t) => {
  const { server, url } = await listeningMock({ failFirst: 5, failStatus: 500 });
  t.teardown(() => server.close());
  const withKey = url.replace('http://', 'http://user:sk-in-the-url@');
  const http = openAiTransport(options(withKey));
  const nowhere = openAiTransport(options('http://user:sk-in-the-url@127.0.0.1:9/v1'));
  t.teardown(() => Promise.all([http.close(), nowhere.close()]));
  const err = (await http.dispatch({ kind: 'chat', input: { messages: [{ role: 'user', content: 'x' }], params: {} } }).catch((e: unknown) => e)) as Error;
  t.match(err.message, /^HTTP 500 from http:\/\/user:\*\*\*@127\.0\.0\.1:\d+\/v1\/chat\/completions/);
  const problems = await nowhere.preflight();
  t.match(problems, [/cannot reach http:\/\/user:\*\*\*@127\.0\.0\.1:9\/v1/]);
  t.notMatch(`${err.message} ${problems.join(' ')}`, /sk-in-the-url/);
});

t.test('Azure: the deployment in the path, api-version in the query, the key as api-key; extra headers and query parameters', async (t) => {
  const { server, url } = await listeningMock({ apiKey: 'az-key', requireHeaders: { 'x-team': 'data' } });
  t.teardown(() => server.close());
  const azure = openAiTransport(options(url.replace(/\/v1$/, ''), { apiKey: 'az-key', azure: { deployment: 'gpt-4o-prod' }, query: 'api-version=2024-10-21', headers: { 'X-Team': 'data' } }));
  t.teardown(() => azure.close());
  const answer = await azure.dispatch({ kind: 'chat', input: { messages: [{ role: 'user', content: 'hello' }], params: {} } });
  t.match(answer.value.text, /^Mock answer/);
  t.equal(server.stats.azure_requests, 1);
  t.same(await azure.preflight(), []);
  const noVersion = openAiTransport(options(url.replace(/\/v1$/, ''), { apiKey: 'az-key', azure: { deployment: 'gpt-4o-prod' }, headers: { 'X-Team': 'data' } }));
  t.teardown(() => noVersion.close());
  t.match(await noVersion.dispatch({ kind: 'chat', input: { messages: [{ role: 'user', content: 'x' }], params: {} } }).catch((e: unknown) => e), { status: 404 });
  const noHeader = openAiTransport(options(url.replace(/\/v1$/, ''), { apiKey: 'az-key', azure: { deployment: 'gpt-4o-prod' }, query: 'api-version=2024-10-21' }));
  t.teardown(() => noHeader.close());
  t.match(await noHeader.dispatch({ kind: 'chat', input: { messages: [{ role: 'user', content: 'x' }], params: {} } }).catch((e: unknown) => e), {
    status: 400,
    message: /header x-team is missing or wrong/,
  });
});

t.test('reasoning is taken out of the answer in each style a server sends it, and its tokens counted', async (t) => {
  for (const style of ['reasoning_content', 'reasoning', 'think'] as const) {
    const { server, url } = await listeningMock({ reasoning: style });
    const http = openAiTransport(options(url));
    const answer = await http.dispatch({ kind: 'chat', input: { messages: [{ role: 'user', content: 'Why is the sky blue?' }], params: {} } });
    await http.close();
    await server.close();
    t.match(answer.value.text, /^Mock answer [0-9a-f]+ about "Why is the sky blue\?"/, `${style}: the answer alone`);
    t.match(answer.value.reasoning, /^The user asks about "Why is the sky blue\?"/, `${style}: the reasoning beside it`);
    t.equal(answer.value.message.content, answer.value.text, `${style}: the message holds the answer too`);
    t.ok(answer.value.usage.reasoning_tokens! > 0, `${style}: reasoning tokens as the server reported them`);
  }
});

t.test('raw completions over HTTP are those of the in-process mock', async (t) => {
  const { server, url } = await listeningMock();
  t.teardown(() => server.close());
  const http = openAiTransport(options(url));
  t.teardown(() => http.close());
  const call: ModelCall<'completion'> = { kind: 'completion', input: { prompt: '<|start_header_id|>user<|end_header_id|>\n\n', params: { max_tokens: 64 }, sample: 3 } };
  const [remote, mine] = await Promise.all([http.dispatch(call), mockTransport('mock-1').dispatch(call)]);
  t.same(remote.value, mine.value);
  t.match(remote.value.text, /^Mock question/);
  t.equal(server.stats.completion_requests, 1);
});
