import t from 'tap';
import { makeTestCertificate, noOpenssl } from '../../test-certificate.js';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import type { ModelCall } from '../../../lib/llm/dispatch.js';
import { proxyFromEnv } from '../../../lib/llm/transports/http.js';
import { openAiTransport } from '../../../lib/llm/transports/openai.js';
import { startConnectProxy } from '../../connect-proxy.js';
import { listeningMock, openAiOptions } from './mock-server.js';

const options = openAiOptions;
const chat: ModelCall<'chat'> = { kind: 'chat', input: { messages: [{ role: 'user', content: 'hello' }], params: {} } };

t.test('proxy variables are read as curl reads them', async (t) => {
  t.equal(proxyFromEnv({}), undefined);
  t.same(proxyFromEnv({ HTTPS_PROXY: 'http://p:3128', NO_PROXY: 'localhost' }), { httpProxy: undefined, httpsProxy: 'http://p:3128', noProxy: 'localhost' });
  t.same(proxyFromEnv({ http_proxy: 'http://a:1', HTTP_PROXY: 'http://b:2' }), { httpProxy: 'http://a:1', httpsProxy: undefined, noProxy: undefined }, 'lower case first');
});

t.test('requests go through a CONNECT proxy; NO_PROXY names the hosts that do not; its password is never shown', async (t) => {
  const { server, url } = await listeningMock();
  t.teardown(() => server.close());
  const proxy = await startConnectProxy();
  t.teardown(() => proxy.close());
  const through = openAiTransport(options(url, { proxy: { httpProxy: proxy.url } }));
  t.teardown(() => through.close());
  t.match((await through.dispatch(chat)).value.text, /^Mock answer/);
  t.equal(proxy.tunnels, 1, 'through one tunnel');
  for (let i = 0; i < 8; i++) await through.dispatch({ kind: 'chat', input: { messages: [{ role: 'user', content: `again ${i}` }], params: {} } });
  t.ok(proxy.tunnels <= 4, `tunnels are kept alive and reused: ${proxy.tunnels} for 9 requests, at most one per connection`);
  t.equal(server.stats.chat_requests, 9);

  const tunnels = proxy.tunnels;
  const bypass = openAiTransport(options(url, { proxy: { httpProxy: proxy.url, noProxy: '127.0.0.1' } }));
  t.teardown(() => bypass.close());
  await bypass.dispatch(chat);
  t.equal(proxy.tunnels, tunnels, 'NO_PROXY: straight to the server');
  t.equal(server.stats.chat_requests, 10);

  const guarded = await startConnectProxy({ user: 'me', password: 'proxy-pass-9z' });
  t.teardown(() => guarded.close());
  const allowed = openAiTransport(options(url, { proxy: { httpProxy: guarded.url } }));
  t.teardown(() => allowed.close());
  await allowed.dispatch(chat);
  t.equal(guarded.tunnels, 1, 'credentials in the proxy URL are sent');
  const refused = openAiTransport(options(url, { proxy: { httpProxy: guarded.url.replace('proxy-pass-9z', 'wrong-pass-7q') } }));
  t.teardown(() => refused.close());
  const err = (await refused.dispatch(chat).catch((e: unknown) => e)) as Error;
  t.equal(guarded.refused, 1);
  t.notMatch(err.message, /wrong-pass-7q/, `the proxy's password is not in: ${err.message}`);
});

t.test('HTTPS with a private CA: refused until ca_file names it', { skip: noOpenssl }, async (t) => {
  const dir = t.testdir({});
  makeTestCertificate(dir, 'cert.pem');
  const { server, url } = await listeningMock({ tls: { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') } });
  t.teardown(() => server.close());
  t.match(url, /^https:/);
  const untrusted = openAiTransport(options(url));
  t.teardown(() => untrusted.close());
  const err = await untrusted.dispatch(chat).catch((e: unknown) => e);
  t.match(err, { message: /certificate is not trusted \(name the CA that signed it with ca_file:\)/ });
  const trusted = openAiTransport(options(url, { caFile: join(dir, 'cert.pem') }));
  t.teardown(() => trusted.close());
  t.match((await trusted.dispatch(chat)).value.text, /^Mock answer/);

  const proxy = await startConnectProxy();
  t.teardown(() => proxy.close());
  const both = openAiTransport(options(url, { caFile: join(dir, 'cert.pem'), proxy: { httpsProxy: proxy.url } }));
  t.teardown(() => both.close());
  t.match((await both.dispatch(chat)).value.text, /^Mock answer/, 'HTTPS through the proxy, the private CA trusted at the far end');
  t.equal(proxy.tunnels, 1);
});
