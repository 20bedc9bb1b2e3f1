import t from 'tap';
import { Utf8Arena } from '../../lib/io/utf8-arena.js';

t.test('strings come back as their UTF-8 bytes, views staying valid across chunks and resets', async (t) => {
  const arena = new Utf8Arena(8192);
  const texts = ['', 'plain', 'héllo wörld', '中文字符', '🙂 emoji 🙃', 'x'.repeat(5000), 'after the big one'];
  const views = texts.map((s) => arena.encode(s));
  arena.reset();
  const more = arena.encode('y'.repeat(40));
  for (const [i, s] of texts.entries()) t.same(Buffer.from(views[i]!), Buffer.from(s, 'utf8'), JSON.stringify(s.slice(0, 12)));
  t.equal(Buffer.from(more).toString(), 'y'.repeat(40));
  t.equal(views[1]!.buffer, views[2]!.buffer, 'small strings share a chunk');
  t.not(views[5]!.buffer, views[4]!.buffer, 'a string larger than the room left starts a chunk of its own size');
});
