import t from 'tap';
import { makeNormalizer } from '../../lib/dedup/normalize.js';
import { makeTextReader } from '../../lib/dedup/record-text.js';
import { words } from '../../lib/text/words.js';

t.test('normalisation: case, white space, NFKC on by default; punctuation on request', async (t) => {
  const plain = makeNormalizer();
  t.equal(plain('  Hello,\n\tWORLD  '), 'hello, world');
  t.equal(plain('ＡＢＣ ﬁne'), 'abc fine', 'full-width letters and the fi ligature fold');
  t.equal(makeNormalizer({ punctuation: true })('Hello, world! (yes)'), 'hello world yes');
  t.equal(makeNormalizer({ case: false, whitespace: false })('A  B'), 'A  B');
  t.equal(makeNormalizer({ unicode: false })('ＡＢＣ'), 'ａｂｃ', 'without NFKC only the case changes');
});

t.test('words: Latin runs, each CJK character alone, emoji and punctuation left out', async (t) => {
  t.same(words("It's 2024, café!"), ['It', 's', '2024', 'café']);
  t.same(words('我喜欢 Go'), ['我', '喜', '欢', 'Go']);
  t.same(words('🎉 ... '), []);
});

t.test('record text: a string field, or the selected turns of a messages array', async (t) => {
  const record = {
    prompt: 'Hi',
    messages: [
      { role: 'user', content: 'What is 2+2?' },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Four.' },
          { type: 'image_url', image_url: { url: 'x' } },
        ],
      },
    ],
  };
  t.equal(makeTextReader(['prompt'], 'prompt', 'all')(record), 'Hi');
  t.equal(makeTextReader(['messages'], 'messages', 'all')(record), 'user: What is 2+2?\nassistant: Four. \n');
  t.equal(makeTextReader(['messages'], 'messages', 'assistant')(record), 'assistant: Four. \n');
  t.throws(() => makeTextReader(['nope'], 'nope', 'all')(record), /dedup field "nope" is missing/);
  t.throws(() => makeTextReader(['messages'], 'messages', 'all')({ messages: ['x'] }), /not a \{role, content\} message/);
});

t.test('the normalised hash equals hash64 of the normalised text, whichever path it takes', async (t) => {
  const { makeNormalizedHasher } = await import('../../lib/dedup/normalize.js');
  const { hash64 } = await import('../../lib/hashing/string-hash.js');
  const texts = [
    '',
    '   ',
    'Hello World',
    '  Hello \t\n World  ',
    'HELLO\r\nworld\v\f!',
    'a',
    ' a ',
    'Two  spaces, then    four.',
    'Ünïcödé text',
    'ｆｕｌｌ－ｗｉｄｔｈ',
    'mixed ASCII then 中文',
    'punctuation!!! and... symbols $$$',
  ];
  const optionSets = [{}, { case: false }, { whitespace: false }, { punctuation: true }, { unicode: false }, { case: false, unicode: false }];
  for (const options of optionSets) {
    const hashed = makeNormalizedHasher(options);
    const normalize = makeNormalizer(options);
    for (const text of texts) {
      const fast = new Uint32Array(2);
      const slow = new Uint32Array(2);
      hashed(text, fast);
      hash64(normalize(text), slow);
      t.same([...fast], [...slow], `${JSON.stringify(options)} ${JSON.stringify(text)}`);
    }
  }
  const a = new Uint32Array(2);
  const b = new Uint32Array(2);
  makeNormalizedHasher()('  Same   TEXT ', a);
  makeNormalizedHasher()('same text', b);
  t.same([...a], [...b], 'texts that normalise alike hash alike');
});
