import t from 'tap';
import { applyDefaults } from '../../lib/config/defaults.js';
import { qualityRulesNode } from '../../lib/nodes/quality-rules.js';
import type { CompiledNode } from '../../lib/nodes/definition.js';
import type { JsonObject } from '../../lib/record/item.js';

async function compile(config: Record<string, unknown>): Promise<CompiledNode> {
  const node = await qualityRulesNode.compile(applyDefaults(qualityRulesNode.schema, { type: 'quality_rules', stats: false, ...config }), {
    name: 'rules',
    graphDir: '.',
    report: (path: unknown[], message: string) => {
      throw new Error(`${path.join('.')}: ${message}`);
    },
  } as never);
  return node!;
}

type Rules = Record<string, { value: number | null; pass: boolean }>;
async function rulesOf(messages: Array<[string, string]>, config: Record<string, unknown> = {}): Promise<{ rules: Rules; turns?: unknown }> {
  const node = await compile(config);
  const out = (await node.run({ messages: messages.map(([role, content]) => ({ role, content })) }, { node: 'rules', line: 1, seq: 0 })) as JsonObject;
  const quality = out.quality as { rules: Rules; turns?: unknown };
  return quality;
}

t.test('the whole conversation is put together from its turns', async (t) => {
  const turn1 = 'The answer is in here.\nShared closing line!';
  const turn2 = 'The second one is in.\nShared closing line!';
  const q = await rulesOf([
    ['user', 'question one'],
    ['assistant', turn1],
    ['user', 'question two'],
    ['assistant', turn2],
  ]);
  t.equal(q.rules.duplicate_line_fraction!.value, 0.25, 'a line repeating one from an earlier turn counts: 1 of 4');
  t.equal(q.rules.word_count!.value, 16, 'words add up: 8 + 8');
  t.equal(q.rules.whitespace_fraction!.value, Math.round(((7 + 7) / (turn1.length + turn2.length)) * 10_000) / 10_000, 'over the turns, nothing counted for joining them');
  t.equal(q.turns, undefined, 'no turn fails on its own');
});

t.test('n-grams run across turns', async (t) => {
  const half = Array.from({ length: 30 }, (_, i) => `w${i}`).join(' ');
  const q = await rulesOf([
    ['user', 'go'],
    ['assistant', half + '.'],
    ['user', 'again'],
    ['assistant', half.toUpperCase() + '.'],
  ]);
  // Each turn has 30 words (under the 50 needed); together 60, the second half repeating the
  // first. Its 80 word characters are covered, over all 2 × 110 characters of the turns.
  t.equal(q.rules.duplicate_5gram_coverage!.value, Math.round((80 / 220) * 10_000) / 10_000, 'case-insensitive: the upper-cased repeat is covered');
  t.equal(q.rules.duplicate_5gram_coverage!.pass, true, 'a reply repeating its earlier turn by a third is no loop (fails from 0.7)');
});

t.test('code fences are counted per turn', async (t) => {
  const q = await rulesOf([
    ['user', 'code?'],
    ['assistant', '```\nthe code of it'],
    ['user', 'and prose?'],
    ['assistant', 'A line of the prose\nAnother one.'],
  ]);
  t.equal(q.rules.code_fences_balanced!.value, 0, 'one fence in all');
  t.equal(q.rules.no_end_mark_fraction!.value, 0.5, "the second turn is prose, not inside the first turn's fence");
  t.same(q.turns, [{ assistant_turn: 0, failed: ['code_fences_balanced', 'truncated'] }], 'a turn ending inside a code block is truncated');
});

t.test('text that spells a special token is counted as text, not refused', async (t) => {
  const node = await compile({ stats: true });
  const messages = [
    { role: 'user', content: 'What does <|endoftext|> mean?' },
    { role: 'assistant', content: 'It marks the end of a document: <|endoftext|>.' },
  ];
  const out = (await node.run({ messages }, { node: 'rules', line: 1, seq: 0 })) as JsonObject;
  const stats = (out.quality as { stats: { tokens_input: number; tokens_target: number } }).stats;
  const { loadTokenCounter } = await import('../../lib/quality/tokens.js');
  const count = await loadTokenCounter();
  t.ok(stats.tokens_input > 6, `the marker is several tokens of text (${stats.tokens_input})`);
  t.equal(stats.tokens_input, count(messages[0]!.content));
  t.equal(stats.tokens_target, count(messages[1]!.content));
});

t.test('a phrase list too large to search is a config error naming the rule', async (t) => {
  const chars = Array.from({ length: 200 }, (_, i) => String.fromCharCode(0x4e00 + i));
  let seed = 5;
  const pick = (): string => {
    seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff;
    return chars[seed % chars.length]!;
  };
  const phrases = Array.from({ length: 5000 }, () => Array.from({ length: 20 }, pick).join(''));
  await t.rejects(compile({ rules: { refusal: { phrases } } }), /^rules\.refusal\.phrases: 5000 phrases are too many/);
  await t.resolves(compile({ rules: { refusal: { phrases: phrases.slice(0, 100) } } }), 'a shorter list compiles');
});

t.test('phrase lists too large together but not alone are searched apart', async (t) => {
  const chars = Array.from({ length: 200 }, (_, i) => String.fromCharCode(0x4e00 + i));
  let seed = 9;
  const pick = (): string => {
    seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff;
    return chars[seed % chars.length]!;
  };
  const list = (): string[] => Array.from({ length: 3000 }, () => Array.from({ length: 20 }, pick).join(''));
  const refusals = list();
  const boilerplate = list();
  const node = await compile({ rules: { refusal: { phrases: refusals }, boilerplate: { phrases: boilerplate } } });
  const content = `${refusals[5]} and ${boilerplate[9]} and ${boilerplate[10]}`;
  const out = (await node.run(
    {
      messages: [
        { role: 'user', content: 'q' },
        { role: 'assistant', content },
      ],
    },
    { node: 'rules', line: 1, seq: 0 },
  )) as JsonObject;
  const rules = (out.quality as { rules: Rules }).rules;
  t.equal(rules.refusal!.value, 1);
  t.equal(rules.boilerplate!.value, 2);
});

t.test('language: tags compared by primary subtag; a language eld does not know gives no verdict', async (t) => {
  const node = await compile({ rules: { language: {} } });
  const judge = async (lang: string, content: string): Promise<{ value: unknown; pass: boolean; confidence?: number }> => {
    const out = (await node.run(
      {
        lang,
        messages: [
          { role: 'user', content: 'q' },
          { role: 'assistant', content },
        ],
      },
      { node: 'rules', line: 1, seq: 0 },
    )) as JsonObject;
    return (out.quality as { rules: Record<string, { value: unknown; pass: boolean; confidence?: number }> }).rules.language!;
  };
  const pt = await judge('pt-BR', 'Primeiro, vamos aumentar a visibilidade da sua empresa com conteúdo relevante nas redes sociais.');
  t.equal(pt.value, 'pt');
  t.equal(pt.pass, true, 'pt-BR allows pt');
  t.ok(typeof pt.confidence === 'number' && pt.confidence > 0, 'the confidence is tagged');
  t.equal((await judge('uk-UA', 'Великі мовні моделі допоможуть покращити освіту для школярів і студентів.')).pass, true, 'uk-UA allows uk');
  const eo = await judge('eo', 'La artikolo estas ripetita multajn fojojn en ĉi tiu teksto pri la registaro.');
  t.same(eo, { value: 'unknown', pass: true }, 'Esperanto is unknown to eld: no verdict');
  t.equal((await judge('en', 'Das ist ein deutscher Satz über die Sprachmodelle und ihre Anwendung im Alltag.')).pass, false, 'German where English is expected fails');
  const translated = (await node.run(
    {
      lang: 'uk-UA',
      messages: [
        { role: 'user', content: 'Переклади цей текст англійською: Великі мовні моделі допоможуть покращити освіту.' },
        { role: 'assistant', content: 'Large language models will help improve education for everyone.' },
      ],
    },
    { node: 'rules', line: 1, seq: 0 },
  )) as JsonObject;
  t.equal((translated.quality as { rules: Record<string, { pass: boolean }> }).rules.language!.pass, true, "a translation that was asked for is not judged against the tree's language");
});

t.test('pii: counted by kind, redacted with typed placeholders; countries checked when the graph is read', async (t) => {
  const node = await compile({ rules: { pii: { redact: true } } });
  const content = 'Pay DE89 3704 0044 0532 0130 00, key AKIAIOSFODNN7EXAMPLE, call (415) 555-0132.';
  const out = (await node.run(
    {
      messages: [
        { role: 'user', content: 'details?' },
        { role: 'assistant', content },
      ],
    },
    { node: 'rules', line: 1, seq: 0 },
  )) as JsonObject;
  t.same((out.quality as JsonObject).pii, { iban: 1, secret: 1, phone: 1 });
  t.equal((out.messages as Array<{ content: string }>)[1]!.content, 'Pay [IBAN], key [SECRET], call [PHONE].');
  const usOnly = await compile({ rules: { pii: { countries: ['US'] } } });
  const london = (await usOnly.run(
    {
      messages: [
        { role: 'user', content: 'x' },
        { role: 'assistant', content: 'Ring 020 7946 0958 today.' },
      ],
    },
    { node: 'rules', line: 1, seq: 0 },
  )) as JsonObject;
  t.equal(((london.quality as JsonObject).rules as Rules).pii!.value, 0, 'a London number without +44 is not read in the US plan');
  await t.rejects(compile({ rules: { pii: { countries: ['XX'] } } }), /^rules\.pii\.countries\.0: "XX" is not a country/);
});

t.test('mode clean: drops boilerplate and word-less lines of assistant turns, lists them, then tags', async (t) => {
  const node = await compile({ mode: 'clean' });
  const record = {
    messages: [
      { role: 'user', content: 'Terms of use question: what is rain?\n*****' },
      { role: 'assistant', content: 'Rain is water falling from clouds.\n*~*~*~*\nSign up for our newsletter today!' },
    ],
  };
  const original = JSON.stringify(record);
  const out = (await node.run(record, { node: 'rules', line: 1, seq: 0 })) as JsonObject;
  const messages = out.messages as Array<{ content: string }>;
  t.equal(messages[0]!.content, 'Terms of use question: what is rain?\n*****', 'the user turn is left as written');
  t.equal(messages[1]!.content, 'Rain is water falling from clouds.');
  const quality = out.quality as JsonObject & { rules: Rules };
  t.same(quality.cleaned, [
    { assistant_turn: 0, line: 2, reason: 'symbol_line', text: '*~*~*~*' },
    { assistant_turn: 0, line: 3, reason: 'boilerplate', text: 'Sign up for our newsletter today!' },
  ]);
  t.equal(quality.rules.boilerplate!.value, 0, 'the rules measure the cleaned text');
  const tagged = (await (await compile({})).run(JSON.parse(original) as JsonObject, { node: 'rules', line: 1, seq: 0 })) as JsonObject;
  t.equal(((tagged.quality as JsonObject).rules as Rules).boilerplate!.value, 1, 'tag mode leaves the text and counts the boilerplate');
  t.equal((tagged.quality as JsonObject).cleaned, undefined);
});
