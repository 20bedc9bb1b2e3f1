import t from 'tap';
import { expandEnv } from '../../lib/config/env-expand.js';

t.test('${NAME} reads the environment in every string, nested; unset names are problems by path', async (t) => {
  const data = { models: { m: { base_url: '${URL}/v1', headers: { 'X-Team': '${TEAM}' }, list: ['a-${TEAM}', 3] } }, note: 'costs ${price}' };
  const problems = expandEnv(data, { URL: 'http://127.0.0.1:8000', TEAM: 'data' });
  t.same(problems, []);
  t.same(data, { models: { m: { base_url: 'http://127.0.0.1:8000/v1', headers: { 'X-Team': 'data' }, list: ['a-data', 3] } }, note: 'costs ${price}' }, 'lower-case names are left for templates');

  const escaped = { a: 'literal $${HOME} and ${HOME}' };
  expandEnv(escaped, { HOME: '/root' });
  t.equal(escaped.a, 'literal ${HOME} and /root');

  const unset = { models: { m: { base_url: '${NOPE}', headers: { k: '${A}${B}' } } } };
  const found = expandEnv(unset, { A: '1' });
  t.same(
    found.map((p) => p.path),
    [
      ['models', 'm', 'base_url'],
      ['models', 'm', 'headers', 'k'],
    ],
  );
  t.match(found[1]!.message, /environment variable B is not set/);
  t.equal(unset.models.m.base_url, '${NOPE}', 'a string with an unset name is left as written');
});
