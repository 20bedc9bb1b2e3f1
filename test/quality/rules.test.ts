import t from 'tap';
import { RULES, type TextRule, type ConversationRule } from '../../lib/quality/rules.js';
import { languageSignature, mtld, readWords, textFeatures, typeTokenRatio, wordHashes } from '../../lib/quality/text-features.js';
import { STOP_WORD_LANGUAGES } from '../../lib/quality/stop-words.js';

const popcount = (x: number): number => {
  let n = 0;
  for (let v = x >>> 0; v !== 0; v &= v - 1) n++;
  return n;
};
import { findPii, luhn, redactPii } from '../../lib/quality/pii.js';

const text = (name: string, s: string, finish: string | null = null, options = {}): number | null => (RULES.get(name) as TextRule).compute(textFeatures(s), options, finish);
const conv = (name: string, turns: Array<[string, string]>): number | null =>
  (RULES.get(name) as ConversationRule).compute(
    turns.map(([role, content]) => ({ role, content })),
    {},
  );

t.test('words: Unicode-aware, CJK characters count one each, emoji are not words', async (t) => {
  t.equal(text('word_count', "Hello, world! It's 2024."), 4);
  t.equal(text('word_count', '我喜欢编程'), 5);
  t.equal(text('word_count', 'Great job 🎉🎉'), 2);
  t.equal(text('word_count', ''), 0);
  t.equal(text('mean_word_length', '我喜欢编程'), null, 'no spaced-script words');
  t.equal(text('mean_word_length', 'ab abcd'), 3);
  t.equal(text('mean_word_length', 'Tokyo 東京 is big'), 10 / 3, 'Han characters are left out: Tokyo, is, big');
  t.equal(text('word_count', 'テーマ'), 3, 'the long-vowel mark ー is a kana word of its own');
  t.equal(text('word_count', 'abc漢字'), 3, 'Latin then Han: abc, 漢, 字');
  t.equal(text('word_count', "don't stop"), 2, 'an apostrophe followed by a letter stays inside the word');
  t.equal(text('word_count', "the '90s"), 2);
  t.equal(text('word_count', 'naïve cafe\u0301'), 2, 'combining marks belong to their word');
});

t.test('wordHashes reads the same words as textFeatures', async (t) => {
  const samples = ['', "It's the cafe\u0301's 2nd try — naïve!", 'テーマは東京、abc漢字 𠀀x 🎉🎉 end', "rock 'n' roll ''' isn’t", 'x\ud800y \udc00z', '```js\nconst x = 1;\n```'];
  for (const s of samples) t.same([...wordHashes(s)], [...textFeatures(s).wordHashes], JSON.stringify(s));
});

t.test('duplicate lines are counted as a comparison of the trimmed lines themselves would count them', async (t) => {
  // Seeded lines over a small alphabet, of odd and even lengths, many equal, some differing in one unit.
  let seed = 11;
  const next = (n: number): number => ((seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff), (seed >>> 12) % n);
  const alphabet = ['a', 'b', 'é', '\u{1F600}', '中', ' ', '.', "'", '’', '\r', '\t'];
  for (let round = 0; round < 50; round++) {
    const pool = Array.from({ length: 1 + next(6) }, () => Array.from({ length: 1 + next(9) }, () => alphabet[next(alphabet.length)]!).join(''));
    const lines = Array.from({ length: 2 + next(30) }, () => pool[next(pool.length)]! + (next(4) === 0 ? alphabet[next(2)]! : ''));
    const seen = new Set<string>();
    let compared = 0;
    let repeated = 0;
    for (const line of lines) {
      const trimmed = line.trim();
      if (trimmed.length < 3) continue;
      compared++;
      if (seen.has(trimmed)) repeated++;
      seen.add(trimmed);
    }
    t.equal(text('duplicate_line_fraction', lines.join('\n')), compared === 0 ? 0 : repeated / compared, JSON.stringify(lines));
  } // Lines that differ in one unit only, inside a word, outside the BMP, or in white space inside them.
  t.equal(text('duplicate_line_fraction', "it's a line\nit’s a line\nit's a line"), 1 / 3, 'straight and curly apostrophes differ');
  t.equal(text('duplicate_line_fraction', 'a\u{1F600}b\na\u{1F601}b'), 0, 'surrogate pairs');
  t.equal(text('duplicate_line_fraction', '中文字\n中文宇'), 0);
  t.equal(text('duplicate_line_fraction', 'a b c\na  b c\n  a b c\t\r'), 1 / 3, 'inner white space counts, outer does not');
});

t.test("a text's words stay its own while later texts are measured, and a conversation's are a view across its turns", async (t) => {
  const { combinedFeatures } = await import('../../lib/quality/text-features.js');
  const first = textFeatures('alpha beta gamma');
  const copy = [...first.wordHashes];
  const lengths = [...first.wordLengths];
  // Enough words to fill the shared chunk several times over, and one text longer than a chunk.
  for (let k = 0; k < 300; k++) textFeatures('word '.repeat(1000));
  const long = textFeatures('x '.repeat(70_000));
  t.equal(long.wordCount, 70_000);
  wordHashes('delta epsilon');
  t.same([...first.wordHashes], copy, 'hashes unchanged');
  t.same([...first.wordLengths], lengths, 'lengths unchanged');
  t.same([...first.wordLengths], [5, 4, 5]);

  // Turns measured one after another lie side by side: the whole is a view, not a copy.
  const a = textFeatures('one two');
  const b = textFeatures('');
  const c = textFeatures('three four five');
  const whole = combinedFeatures([a, b, c]);
  t.equal(whole.wordHashes.buffer, a.wordHashes.buffer, 'hashes: a view of the same chunk');
  t.equal(whole.wordLengths.buffer, a.wordLengths.buffer, 'lengths: a view of the same chunk');
  t.same([...whole.wordHashes], [...a.wordHashes, ...c.wordHashes]);
  t.same([...whole.wordLengths], [3, 3, 5, 4, 4]);
  // Out of order (or apart), they are copied.
  const apart = combinedFeatures([c, a]);
  t.not(apart.wordHashes.buffer, a.wordHashes.buffer);
  t.same([...apart.wordHashes], [...c.wordHashes, ...a.wordHashes]);
  t.same([...apart.wordLengths], [5, 4, 4, 3, 3]);
});

t.test('languageSignature reads the letters and stop words textFeatures reads', async (t) => {
  const samples = ['', 'The cat and the dog, in the house.', 'Это у тебя и в доме', '我喜欢编程 and the rest', "It's l'été, naïve cafe\u0301 𠀀 🎉 de la", 'THE AND OF'];
  for (const s of samples) {
    const f = textFeatures(s);
    const sig = languageSignature(s, Infinity);
    t.same(
      [sig.letters, sig.latinLetters, sig.cyrillicLetters, sig.stopWordBits && [...sig.stopWordBits]],
      [f.letters, f.latinLetters, f.cyrillicLetters, f.stopWordBits && [...f.stopWordBits]],
      JSON.stringify(s),
    );
  }
  t.equal(languageSignature('abcdef ghi', 3).letters, 6, 'a word starting before the limit is read whole');
  t.equal(languageSignature('abcdef ghi', 7).letters, 6, '"ghi" starts at the limit');
  t.equal(languageSignature('abcdef ghi', 8).letters, 9);
  t.equal(languageSignature('abc 好的 def', 5).letters, 4, 'Han characters are words of their own: 好 starts at 4, 的 at 5');
  // Read whole, a word cut by the limit is not taken for another: "laguna" is no "la".
  const cut = languageSignature('Casas de laguna', 11);
  const spanish = STOP_WORD_LANGUAGES.indexOf('es');
  t.equal(popcount(cut.stopWordBits![spanish]!), 1, 'de, and no "la"');

  // A prompt read once gives the words wordHashes gives and the signature languageSignature gives.
  for (const s of [...samples, 'word '.repeat(100) + 'the end', 'x'.repeat(299) + "y'z and the", 'a```b the']) {
    const read = readWords(s, 300, true);
    t.same([...read.words], [...wordHashes(s)], `words of ${JSON.stringify(s.slice(0, 30))}`);
    t.same(read.signature, languageSignature(s, 300), `signature of ${JSON.stringify(s.slice(0, 30))}`);
  }
});

t.test('words, letters and digits match a regex reading of the definition on random text', async (t) => {
  // ASCII takes a fast path in the measuring loops; the rest goes through the class tables.
  const alphabet = ['a', 'Z', 'q', 'K', '0', '7', ' ', '  ', '\n', '.', ',', '-', "'", '’', 'é', 'É', 'ß', 'e\u0301', '漢', 'カ', '🎉', '𝐀', '_', '#'];
  let seed = 11;
  const random = (k: number): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff;
    return seed % k;
  };
  // A spaced-script word: letters, digits and marks, joined across an apostrophe that a letter or mark follows.
  const SPACED =
    /(?:(?![\p{scx=Han}\p{scx=Katakana}])[\p{L}\p{N}\p{M}])+(?:['’](?=(?![\p{scx=Han}\p{scx=Katakana}])[\p{L}\p{M}])(?:(?![\p{scx=Han}\p{scx=Katakana}])[\p{L}\p{N}\p{M}])+)*|[\p{scx=Han}\p{scx=Katakana}]/gu;
  let checked = 0;
  for (let k = 0; k < 2000; k++) {
    let s = '';
    for (let j = random(40); j > 0; j--) s += alphabet[random(alphabet.length)];
    const f = textFeatures(s);
    const words = s.match(SPACED) ?? [];
    if (f.wordCount !== words.length || [...f.wordLengths].join() !== words.map((w) => w.length).join()) {
      t.fail(`words of ${JSON.stringify(s)}: ${f.wordCount} vs ${JSON.stringify(words)}`);
      break;
    }
    if (f.letters !== (s.match(/\p{L}/gu) ?? []).length || f.digits !== (s.match(/\p{Nd}/gu) ?? []).length) {
      t.fail(`letters or digits of ${JSON.stringify(s)}`);
      break;
    }
    // Case does not matter: the same text in lower case has the same word hashes.
    if ([...wordHashes(s.toLowerCase())].join() !== [...f.wordHashes].join()) {
      t.fail(`case changes the words of ${JSON.stringify(s)}`);
      break;
    }
    checked++;
  }
  t.equal(checked, 2000, 'every random text agrees');
});

t.test('character and line ratios', async (t) => {
  // Gopher fails on the hash ratio or the ellipsis ratio alone; a heading's "#" is not a hashtag.
  t.equal(text('symbol_word_ratio', '# Title\n...wait'), 1 / 2, 'one ellipsis over two words; the heading mark is not counted');
  t.equal(text('symbol_word_ratio', '#tag #tag ok...'), 2 / 3, 'two hashtags over three words (the larger ratio)');
  t.equal(text('symbol_word_ratio', '> ## Quoted heading'), 0);
  t.equal(text('ellipsis_line_fraction', 'a...\nb\nc…'), 2 / 3);
  t.equal(text('bullet_line_fraction', '- a\n- b\ntext'), 2 / 3);
  t.equal(text('bullet_line_fraction', '● a\n○ b\n∙ c\n⁃ d\n1. e'), 4 / 5, "NeMo Curator's bullets count; a numbered line is no bullet");
  t.equal(text('alpha_fraction', 'ab 12'), 0.5);
  t.equal(text('alpha_fraction', '   '), null);
  t.equal(text('duplicate_line_fraction', 'abc\nabc\nxyz\nabc\n}\n}'), 0.5, 'lines under 3 characters are not counted');
  t.equal(text('duplicate_paragraph_fraction', 'p1\n\np1\n\np2'), 1 / 3);
  t.equal(text('url_fraction', 'see https://x.io now'), 12 / 20);
  t.equal(text('control_chars', 'a\u0007b\ufffd\tc\n'), 2);
  t.equal(text('longest_char_run', 'aaab    c'), 3, 'spaces do not count');
  t.equal(text('digit_fraction', 'a1b2'), 0.5);
  t.equal(text('whitespace_fraction', 'a b'), 1 / 3);
  t.equal(text('whitespace_fraction', 'a\u00a0b\u3000'), 2 / 4, 'no-break and ideographic spaces are white space');
  t.equal(text('duplicate_line_fraction', '  same line\nsame line  \nother'), 1 / 3, 'lines are compared trimmed');
  t.equal(text('duplicate_paragraph_fraction', 'a b c\nd e\n\n\n a b c\nd e \n\nx'), 1 / 3);
  t.equal(text('parenthesis_fraction', '(a)'), 2 / 3);
  t.equal(text('longest_word', 'short supercalifragilistic'), 20);
});

t.test('n-gram repetition (Gopher)', async (t) => {
  // Over all characters, as Gopher divides: "the cat" ×25 joined by spaces is 199 characters.
  const repetitive = Array(25).fill('the cat').join(' ');
  t.equal(text('top_2gram_coverage', repetitive), 150 / 199, '"the cat" ×25: its 6 word characters × 25 over all 199');
  t.equal(text('duplicate_5gram_coverage', repetitive), 144 / 199, 'all but the first two words (6 characters) sit in repeated 5-grams');
  t.equal(text('duplicate_5gram_coverage', 'one two three'), null, 'short texts are not judged');
  const varied = Array.from({ length: 60 }, (_, i) => `w${i}`).join(' ');
  t.equal(text('top_2gram_coverage', varied), 0);
  t.equal(text('duplicate_10gram_coverage', varied), 0);
});

t.test('code fences, truncation, refusals, boilerplate, end marks', async (t) => {
  t.equal(text('code_fences_balanced', '```js\nconst x = 1;\n```'), 1);
  t.equal(text('code_fences_balanced', '```js\nx'), 0);
  t.equal(text('truncated', 'This ends with the'), 1, 'an article cannot end a text');
  t.equal(text('truncated', 'Apples, pears and'), 1);
  t.equal(text('truncated', 'Here are the steps:'), 1, 'a colon promises what never came');
  t.equal(text('truncated', 'Primero, luego y'), 1, 'a Spanish conjunction');
  t.equal(text('truncated', '首先，'), 1, 'a CJK comma');
  t.equal(text('truncated', 'No'), 0, 'a short complete reply');
  t.equal(text('truncated', '海南省'), 0, 'a short Chinese answer without an end mark');
  t.equal(text('truncated', 'What do you need help with'), 0, 'a stranded preposition can end a question');
  t.equal(text('truncated', 'The And'), 0, 'capitalised words are names or titles, not conjunctions');
  t.equal(text('truncated', 'Above\n---'), 0, 'a Markdown rule is not a cut word');
  t.equal(text('truncated', 'Done.'), 0);
  t.equal(text('truncated', 'Great job 🎉'), 0, 'a symbol is an ending');
  t.equal(text('truncated', '```\ncode\n```'), 0);
  t.equal(text('truncated', 'Done.', 'length'), 1, 'finish_reason length is truncation');
  t.equal(text('truncated', ''), 0);
  t.equal(text('refusal', "As an AI language model, I can't. I’m sorry, but I can't."), 1, 'saying one is a model is not declining');
  t.equal(text('refusal', "I'm not going to do your homework."), 1);
  t.equal(text('refusal', 'nothing here', null, { phrases: ['nothing'] }), 1, 'a configured list replaces the default');
  t.equal(text('boilerplate', 'Lorem ipsum dolor; see our Terms of Use.'), 2);
  t.equal(text('refusal', 'x', null, { phrases: ['i cannot', 'i cannot assist with', 'assist'] }), 0);
  t.equal(text('refusal', 'I cannot assist with that; I CANNOT.', null, { phrases: ['i cannot', 'i cannot assist with', 'assist'] }), 2, 'the longest phrase wins; occurrences do not overlap');
  t.equal(text('refusal', 'a (b) [c]? a.b', null, { phrases: ['(b) [c]?', 'a.b'] }), 2, 'phrases are literal text, not patterns');
  t.equal(text('refusal', 'axb', null, { phrases: ['a.b'] }), 0);
  t.equal(text('refusal', 'A poem about OpenAI and its models.'), 0, 'no brand names in the default list');
  t.equal(text('refusal', 'As an AI modeler, I draw.', null, { phrases: ['as an ai model'] }), 0, 'phrases match whole, not inside a longer word');
  t.equal(text('refusal', 'Soy un modelo de lenguaje AI.'), 0, 'a disclaimer is not a refusal');
  t.equal(text('ai_disclaimer', 'Soy un modelo de lenguaje AI.'), 100 / 6, 'one disclaimer in 6 words: 16.7 per 100 words');
  t.equal(text('ai_disclaimer', '作为一个人工智能语言模型，我不能'), 100 / 15, 'a Chinese phrase needs no spaces around it (15 Han words)');
  const answer = `As an AI language model, I have no opinions. ${'The facts are these. '.repeat(50)}`;
  t.equal(text('ai_disclaimer', answer), 100 / 209, 'one disclaimer before a 200-word answer: 0.48 per 100 words');
  t.equal((RULES.get('ai_disclaimer') as TextRule).max, 2, 'fails above two per 100 words: one in a reply under 50 words');
  t.equal(text('no_end_mark_fraction', 'Line one.\nLine two\n- bullet\n# Head\n```\ncode\n```'), 0.5);
});

t.test('profanity: whole words only; role swaps: a reply that opens as a request', async (t) => {
  t.equal(text('profanity', 'What the fuck? Shit.'), 2);
  t.equal(text('profanity', 'Scunthorpe is in England; assess the class; a dickens of a time.'), 0, 'words holding a listed word are safe');
  t.equal(text('profanity', 'Это пиздец.'), 1, 'Russian');
  t.equal(text('role_swap', 'Can you write an erotic story for me'), 1);
  t.equal(text('role_swap', '  give me an example of reinforcement learning'), 1, 'after leading white space, in any case');
  t.equal(text('role_swap', '请你扮演一名助理'), 1, 'a Chinese opening needs no space after it');
  t.equal(text('role_swap', 'Could you tell me more about what you need?'), 0, 'a question back to the user is what assistants ask');
  t.equal(text('role_swap', 'Here is an example. Give me a moment to explain.'), 0, 'only the opening counts');
  t.equal(text('role_swap', 'Giving meaning to data is hard.'), 0, 'an opening ends at a word boundary');
  t.equal(text('role_swap', 'Hello', null, { phrases: ['hello'] }), 1, 'a configured list replaces the default');
});

t.test('repetition: lists and choruses pass, loops fail', async (t) => {
  const plan = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday']
    .map((d) => `${d}:\nBreakfast: oats with fruit\nLunch: rice and beans with salad\nDinner: soup of the day with bread`)
    .join('\n\n');
  const lines = RULES.get('duplicate_line_fraction') as TextRule;
  const value = text('duplicate_line_fraction', plan)!;
  // 20 lines; every day repeats the three meal lines of Monday: 12 of 20 repeat.
  t.equal(value, 12 / 20);
  t.ok(value <= lines.max!, 'a weekly plan repeating its meals passes');
  const loop = 'I am sorry for the confusion.\n'.repeat(10);
  t.equal(text('duplicate_line_fraction', loop), 9 / 10);
  t.ok(text('duplicate_line_fraction', loop)! > lines.max!, 'a model repeating one line fails');
  const sentence = 'the model keeps saying the very same thing over and over again ';
  const looped = sentence.repeat(8);
  // 12 words (51 letters, 63 characters) a sentence; everything after the first sentence
  // repeats it: 7 × 51 word characters over 8 × 63 characters.
  t.equal(text('duplicate_5gram_coverage', looped), (7 * 51) / (8 * 63));
  t.ok(text('duplicate_5gram_coverage', looped)! > (RULES.get('duplicate_5gram_coverage') as TextRule).max!, 'a loop fails');
});

t.test('PII: emails, phones, IPs, card numbers with a Luhn check; redaction', async (t) => {
  t.equal(luhn('4111111111111111'), true);
  t.equal(luhn('4111111111111112'), false);
  const s = 'mail ada@example.com or +44 20 7946 0958; card 4111 1111 1111 1111; ip 192.168.0.1; not a card 1234 5678 9012 3456.';
  t.same(
    findPii(s).map((m) => m.kind),
    ['email', 'phone', 'credit_card', 'ip'],
  );
  t.equal(text('pii', s), 4);
  t.equal(redactPii(s, findPii(s)), 'mail [EMAIL] or [PHONE]; card [CREDIT_CARD]; ip [IP]; not a card 1234 5678 9012 3456.');
  t.equal(text('pii', 'version 1.2.3 costs 12.50'), 0);
  // A card number is not also read as a phone number inside it; matches come in text order.
  t.same(
    findPii('ip 10.0.0.1 then card 4111-1111-1111-1111 then b@c.io').map((m) => [m.kind, m.start]),
    [
      ['ip', 3],
      ['credit_card', 22],
      ['email', 47],
    ],
  );
});

t.test('pii rule: credentials are searched in texts with a word of 15 letters and digits, and found', async (t) => {
  const credentials = [
    'aws_access_key_id = AKIAIOSFODNN7EXAMPLE',
    'export KEY=sk-proj-4f9XyZ8aB7cD6eF5gH4iJ3kL2mN1oP0q',
    'token ghp_1234567890abcdefghijABCDEFGHIJ123456 leaked',
    'slack xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx',
    'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
    '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----',
  ];
  for (const c of credentials) t.equal(text('pii', c), 1, c.slice(0, 24));
  t.equal(textFeatures('short words only here').longestWord, 5);
  t.equal(text('pii', 'no secrets: sk-short, ghp_x'), 0);
});

t.test("Gopher's stop-word and alphabetic-word rules", async (t) => {
  // Gopher's own list, given as `words`: distinct list words written in lower case (datatrove
  // intersects the set of words with the list; NeMo Curator notes that it checks lower case).
  const gopher = { words: ['the', 'be', 'to', 'of', 'and', 'that', 'have', 'with'] };
  t.equal(text('stop_words', 'The cat sat with the dog and the bird.', null, gopher), 3, 'the, with, and; "The" does not count');
  t.equal(text('stop_words', 'THE END OF IT', null, gopher), 0, 'shouting has no stop words');
  // The built-in lists: the best list of the text's script.
  t.equal(text('stop_words', 'Sure, go for it!'), 2, 'English: for, it');
  t.equal(text('stop_words', 'merci à vous'), 2, 'French: à, vous');
  t.equal(text('stop_words', 'Верить в светлое будущее и ждать.'), 2, 'Russian: в, и');
  t.equal(text('stop_words', 'The end of it, the end.'), 3, 'of, it, the: "The" first, in capitals, does not hide "the" after it');
  t.same(
    ['the cat', 'the dog', 'The dog'].map((s) => text('stop_words', s)),
    [1, 1, 0],
    'each text counts its own stop words',
  );
  t.equal(text('stop_words', 'YOU CANNOT CENSOR US'), 0);
  t.equal(text('stop_words', 'Sweets, Chocolate, Onions'), 0);
  t.equal(text('stop_words', '我喜欢编程'), null, 'never an English list on Chinese text');
  t.equal(text('stop_words', 'Ελληνικά κείμενα εδώ'), null, 'no list for Greek: no verdict');
  t.equal(text('stop_words', '印度魔鬼辣椒（Bhut Jolokia）'), null, 'Chinese naming a pepper in Latin letters: mostly Han words');
  t.equal(text('stop_words', '- Hagymás bab\n- Tojásos nokedli\n- Rakott krumpli'), null, 'a list of dishes holds no function words');
  const rule = RULES.get('stop_words') as TextRule;
  const long = textFeatures(Array.from({ length: 50 }, (_, i) => `word${i}`).join(' ') + ' the cat and');
  t.equal(rule.minFor!(long, 2), 3, "one more from 50 words: lists four times Gopher's length");
  t.equal(rule.minFor!(textFeatures('the cat and dog'), 2), 2);
  t.equal(text('alpha_words', '1 2 3 go'), 1 / 4);
  t.equal(text('alpha_words', 'année 2024'), 1 / 2);
});

t.test('mean word length is not measured on Chinese text with a few Latin digits', async (t) => {
  t.equal(text('mean_word_length', '好的，重新为您推荐。\n1.尖椒干豆腐。\n2.红烧肉。'), null);
  t.equal(text('mean_word_length', 'ab 漢 cd'), 2, 'two spaced words against one Han word');
});

t.test('conversation rules', async (t) => {
  t.equal(
    conv('empty_turns', [
      ['user', 'hi'],
      ['assistant', '  '],
    ]),
    1,
  );
  t.equal(
    conv('role_alternation', [
      ['system', 's'],
      ['user', 'a'],
      ['assistant', 'b'],
    ]),
    1,
  );
  t.equal(
    conv('role_alternation', [
      ['user', 'a'],
      ['user', 'b'],
    ]),
    0,
  );
  t.equal(
    conv('role_alternation', [
      ['system', 's'],
      ['user', 'a'],
      ['assistant', 'b'],
      ['user', 'c'],
    ]),
    1,
    'counted from the first turn after the system turn',
  );
  t.equal(
    conv('role_alternation', [
      ['system', 's'],
      ['assistant', 'b'],
      ['user', 'a'],
    ]),
    0,
  );
  t.equal(
    conv('empty_turns', [
      ['user', ''],
      ['assistant', 'x'],
      ['user', '\n\t'],
    ]),
    2,
  );
  t.equal(
    conv('prompt_copy', [
      ['user', 'tell me about the big red dog'],
      ['assistant', 'Tell me about the big red dog please'],
    ]),
    5 / 6,
    "5 of the reply's 6 3-grams are in the prompt, over the 6 of the longer text",
  );
  const passage =
    'Read the text and answer. The pepper was named in 1776 by a Dutch botanist who collected its seeds in the New World and thought it came from China, and the name stuck long after the mistake was known.';
  // The reply's 2 3-grams are both in the passage, over the passage's 37.
  t.equal(
    conv('prompt_copy', [
      ['user', passage],
      ['assistant', 'a Dutch botanist who'],
    ]),
    2 / 37,
    'an extractive answer copies little of its prompt',
  );
  t.equal(
    conv('prompt_copy', [
      ['user', 'hi'],
      ['assistant', 'ok'],
    ]),
    null,
  );
  t.equal(
    conv('num_turns', [
      ['user', 'a'],
      ['assistant', 'b'],
    ]),
    2,
  );
  const en = 'Can you provide a concise report on the music of this composer and the works that made him known?';
  t.equal(
    conv('reply_language', [
      ['user', en],
      ['assistant', '是的，以下是一份简明报告来定义这位作曲家的音乐。'],
    ]),
    1,
    'Latin prompt, Han reply',
  );
  t.equal(
    conv('reply_language', [
      ['user', en],
      ['assistant', 'Beneficios para la salud por las interacciones entre los humanos y los animales de la casa, que son muchos y que se ven en el día a día.'],
    ]),
    1,
    'English prompt, Spanish reply (by stop words)',
  );
  t.equal(
    conv('reply_language', [
      ['user', en],
      ['assistant', 'Sure. His music mixes pop and electronic sounds, and it is known for the lyrics.'],
    ]),
    0,
  );
  t.equal(
    conv('reply_language', [
      ['user', `Translate into Chinese: ${en}`],
      ['assistant', '是的，以下是一份简明报告来定义这位作曲家的音乐。'],
    ]),
    0,
    'a translation was asked for',
  );
  t.equal(
    conv('reply_language', [
      ['user', '用Python写一个函数，把列表按长度排序，并解释一下。'],
      ['assistant', '好的，代码如下：\n```python\ndef sort_by_length(items):\n    return sorted(items, key=len)\n```\n这个函数按长度排序。'],
    ]),
    0,
    'code is not prose: its Latin letters do not count',
  );
  t.equal(
    conv('reply_language', [
      ['user', 'hi'],
      ['assistant', '你好'],
    ]),
    0,
    'under 10 letters: no verdict',
  );
  t.equal(
    conv('reply_language', [
      ['user', 'Wie ist das Wetter heute in der Stadt und auf dem Land?'],
      ['assistant', 'Das Wetter ist heute in der Stadt sonnig und auf dem Land bewölkt.'],
    ]),
    0,
  );
});

t.test('lexical diversity', async (t) => {
  t.equal(typeTokenRatio(textFeatures('a A b')), 2 / 3);
  t.equal(typeTokenRatio(textFeatures('')), null);
  t.equal(mtld(textFeatures(Array.from({ length: 12 }, (_, i) => `w${i}`).join(' '))), 12, 'never drops below 0.72: one partial factor of 0 → the length');
  t.equal(mtld(textFeatures('a b')), null, 'too short');
  t.equal(mtld(textFeatures(Array(40).fill('same').join(' '))), 2, 'the TTR falls to 0.5 at every second word: 20 factors over 40 words');
});

t.test('every text rule on empty text, CJK, emoji and code, computed by hand', async (t) => {
  const empty = '';
  const cjk = '我喜欢编程。'; // 5 Han words and an ideographic full stop: 6 characters
  const emoji = 'Great job 🎉🎉'; // each 🎉 is two UTF-16 code units: 14 in all, 2 of them spaces
  const code = '```js\nconst x = 1;\n```'; // 22 characters, 5 of them white space; words js, const, x, 1
  const cases: Record<string, [number | null, number | null, number | null, number | null]> = {
    word_count: [0, 5, 2, 4],
    alpha_words: [null, 1, 1, 3 / 4],
    stop_words: [null, null, 0, null], // code: no prose lines, so no verdict
    mean_word_length: [null, null, 4, 9 / 4],
    symbol_word_ratio: [0, 0, 0, 0],
    ellipsis_line_fraction: [0, 0, 0, 0],
    bullet_line_fraction: [0, 0, 0, 0],
    alpha_fraction: [null, 5 / 6, 8 / 12, 8 / 17],
    duplicate_line_fraction: [0, 0, 0, 0],
    duplicate_paragraph_fraction: [0, 0, 0, 0],
    top_2gram_coverage: [null, null, null, null],
    top_3gram_coverage: [null, null, null, null],
    top_4gram_coverage: [null, null, null, null],
    duplicate_5gram_coverage: [null, null, null, null],
    duplicate_6gram_coverage: [null, null, null, null],
    duplicate_7gram_coverage: [null, null, null, null],
    duplicate_8gram_coverage: [null, null, null, null],
    duplicate_9gram_coverage: [null, null, null, null],
    duplicate_10gram_coverage: [null, null, null, null],
    url_fraction: [0, 0, 0, 0],
    control_chars: [0, 0, 0, 0],
    longest_char_run: [0, 1, 2, 3],
    code_fences_balanced: [1, 1, 1, 1],
    truncated: [0, 0, 0, 0],
    refusal: [0, 0, 0, 0],
    ai_disclaimer: [0, 0, 0, 0],
    profanity: [0, 0, 0, 0],
    role_swap: [0, 0, 0, 0],
    boilerplate: [0, 0, 0, 0],
    digit_fraction: [0, 0, 0, 1 / 22],
    whitespace_fraction: [0, 0, 2 / 14, 5 / 22],
    parenthesis_fraction: [0, 0, 0, 0],
    longest_word: [0, 6, 5, 5],
    no_end_mark_fraction: [0, 0, 0, 0],
    pii: [0, 0, 0, 0],
  };
  const textRules = [...RULES.values()].filter((r) => r.scope === 'text').map((r) => r.name);
  t.same(Object.keys(cases).sort(), textRules.sort(), 'every text rule is in the table');
  for (const [name, want] of Object.entries(cases)) {
    t.same(
      [empty, cjk, emoji, code].map((s) => text(name, s)),
      want,
      name,
    );
  }
});

t.test('every rule has a formula and a threshold or is opt-in', async (t) => {
  for (const [name, rule] of RULES) t.ok(rule.formula.length > 10 && (rule.min !== undefined || rule.max !== undefined || rule.optIn), name);
});

t.test("n-gram rules judge a turn from the whole conversation's measures when those clear it, and never wrongly", async (t) => {
  const { combinedFeatures } = await import('../../lib/quality/text-features.js');
  const ngramRules = [...RULES.values()].filter((r): r is TextRule => r.scope === 'text' && r.turnWithin !== undefined);
  t.same(
    ngramRules.map((r) => r.name),
    ['top_2gram_coverage', 'top_3gram_coverage', 'top_4gram_coverage', ...[5, 6, 7, 8, 9, 10].map((n) => `duplicate_${n}gram_coverage`)],
  );
  // Seeded words: prose-like turns, some with a passage said twice, some a loop of a few words.
  let seed = 7;
  const next = (): number => ((seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff), seed / 0x7fffffff);
  const vocabulary = 'the model answer graph node token value data quality test record score prompt write explain simple language network memory server function'.split(' ');
  const turn = (kind: number): string => {
    const words = Array.from({ length: 40 + Math.floor(next() * 200) }, () => vocabulary[Math.floor(next() * vocabulary.length)]!);
    if (kind === 1) words.push(...words.slice(0, 30));
    if (kind === 2) for (let i = 0; i < 60; i++) words.push(vocabulary[i % 3]!);
    return words.join(next() < 0.5 ? ' ' : ', ');
  };
  let shortcuts = 0;
  let checked = 0;
  for (let c = 0; c < 200; c++) {
    const turns = Array.from({ length: 2 + Math.floor(next() * 3) }, () => textFeatures(turn(Math.floor(next() * 4))));
    const whole = combinedFeatures(turns);
    for (const rule of ngramRules) {
      const max = rule.max!;
      for (const f of turns) {
        checked++;
        if (!rule.turnWithin!(f, whole, max)) continue;
        shortcuts++;
        const value = rule.compute(f, {}, null);
        if (!(value === null || value <= max)) t.fail(`${rule.name}: a turn at ${value} was cleared under ${max}`);
      }
    }
  }
  t.ok(shortcuts > checked / 4, `the whole cleared ${shortcuts} of ${checked} turn checks`);
  t.ok(shortcuts < checked, 'and left the others to be measured');

  // Hand-computed: a 60-word turn of distinct words beside a whole whose most frequent 2-gram occurs 3 times.
  const clean = textFeatures(Array.from({ length: 60 }, (_, i) => `w${i}`).join(' '));
  const looped = textFeatures('a b '.repeat(3) + Array.from({ length: 60 }, (_, i) => `x${i}`).join(' '));
  const whole = combinedFeatures([clean, looped]);
  t.equal(whole.repetition().topCount[0], 3, '"a b" three times');
  const top2 = RULES.get('top_2gram_coverage') as TextRule;
  // 3 × 2 words × longest word 3 ("w59") = 18 characters at most, over the turn's 229 (170 of words, 59 spaces).
  t.equal(clean.length, 229);
  t.ok(top2.turnWithin!(clean, whole, 18 / 229));
  t.notOk(top2.turnWithin!(clean, whole, 17 / 229), 'a bound above the maximum: measure the turn');
  t.equal((clean as unknown as { repetitionCache?: unknown }).repetitionCache, undefined, 'the turn itself was never measured');
});
