import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OasstConverter, type OasstOptions } from '../../lib/oasst/convert.js';
import { LineFramer } from '../../lib/io/line-framer.js';
import type { Item } from '../../lib/record/item.js';
import { FIXTURES } from '../cli-process.js';

const defaults: OasstOptions = { layout: 'auto', mode: 'sft', bestPath: false, pairs: 'best-vs-rest', format: 'sft', flat: false, langs: null, sorted: false };

function convert(file: string, options: Partial<OasstOptions> = {}): { records: Array<Record<string, unknown>>; errors: Item[]; converter: OasstConverter } {
  const converter = new OasstConverter({ ...defaults, ...options });
  const framer = new LineFramer(null);
  const items = [...framer.push(readFileSync(join(FIXTURES, 'oasst', file))), ...framer.end()];
  const out: Item[] = [];
  for (const item of items) out.push(...converter.push(item));
  out.push(...converter.end());
  return { records: out.filter((i) => !i.outcome).map((i) => i.record), errors: out.filter((i) => i.outcome), converter };
}

for (const file of ['trees.jsonl', 'messages.jsonl']) {
  t.test(`${file}: SFT ends at every assistant with no assistant below`, async (t) => {
    const { records, converter } = convert(file);
    t.same(
      records.map((r) => r.id),
      ['a3', 'a2', 'a4', 'a8', 'a10', 'a11'],
    );
    t.same(records[0], {
      id: 'a3',
      messages: [
        { role: 'user', content: 'How do plants make food?' },
        { role: 'assistant', content: 'By photosynthesis: light, water and CO2 become sugar.' },
        { role: 'user', content: 'Where does it happen?' },
        { role: 'assistant', content: 'In the chloroplasts of leaf cells.' },
      ],
      meta: {
        tree_id: 't1',
        message_ids: ['p1', 'a1', 'p2', 'a3'],
        lang: 'en',
        ranks: [null, 0, null, null],
        labels: Array(4).fill({ quality: { value: 0.75, count: 3 } }),
      },
    });
    // a5 (deleted) with p4 and a6 below it, and a7 (rejected by review): 4 messages pruned.
    t.match(converter.counts, { kept: 12, pruned_deleted: 3, pruned_review: 1, dropped_lang: 0 });
  });

  t.test(`${file}: DPO pairs the best reply against each worse one; equal ranks and unranked never pair`, async (t) => {
    const best = convert(file, { mode: 'dpo', format: 'dpo' }).records;
    t.same(
      best.map((r) => r.id),
      ['a1:a2', 'a1:a4', 'a1:a8'],
    );
    t.same(best[0]!.prompt, [{ role: 'user', content: 'How do plants make food?' }]);
    t.same(best[0]!.chosen, [{ role: 'assistant', content: 'By photosynthesis: light, water and CO2 become sugar.' }]);
    t.same(best[0]!.rejected, [{ role: 'assistant', content: 'They use sunlight.' }]);
    const all = convert(file, { mode: 'dpo', format: 'dpo', pairs: 'all' }).records;
    t.same(
      all.map((r) => r.id),
      ['a1:a2', 'a1:a4', 'a1:a8', 'a2:a8', 'a4:a8'],
    );
    const flat = convert(file, { mode: 'dpo', format: 'dpo', flat: true }).records;
    t.same(flat[2], { ...flat[2], prompt: 'How do plants make food?', chosen: 'By photosynthesis: light, water and CO2 become sugar.', rejected: 'They eat soil.' });
  });

  t.test(`${file}: best path follows the best rank, then the oldest reply, ending on an assistant`, async (t) => {
    const { records } = convert(file, { bestPath: true });
    t.same(
      records.map((r) => (r.meta as { message_ids: string[] }).message_ids),
      [
        ['p1', 'a1', 'p2', 'a3'],
        ['p10', 'a10'],
      ],
    );
  });

  t.test(`${file}: --lang keeps trees by the language of their first message`, async (t) => {
    const { records, converter } = convert(file, { langs: ['de'] });
    t.same(
      records.map((r) => r.id),
      ['a10', 'a11'],
    );
    t.equal(converter.counts.dropped_lang, 12 + 1, 'all twelve messages of t1, pruned ones too, and t3');
  });
}

t.test('repeated exports are counted as duplicates; orphans are errors', async (t) => {
  const trees = convert('trees.jsonl').converter.counts;
  t.match(trees, { messages_in: 19, duplicates: 3, orphaned: 0, errors: 0 }, 'the second copy of t2: three messages');
  const flat = convert('messages.jsonl');
  t.match(flat.converter.counts, { messages_in: 18, duplicates: 1, orphaned: 1, errors: 1 });
  t.match(flat.errors[0], { line: 7, outcome: { kind: 'error', node: 'oasst', error: 'message a99: its parent p-missing never appeared' }, record: { message_id: 'a99' } });
  for (const c of [trees, flat.converter.counts]) {
    t.equal(c.kept + c.duplicates + c.pruned_deleted + c.pruned_review + c.dropped_lang + c.orphaned, c.messages_in, 'every message accounted for');
  }
});

t.test('sharegpt and oasst shapes', async (t) => {
  const share = convert('trees.jsonl', { format: 'sharegpt' }).records;
  t.same(share[1], {
    id: 'a2',
    conversations: [
      { from: 'human', value: 'How do plants make food?' },
      { from: 'gpt', value: 'They use sunlight.' },
    ],
  });
  const rows = convert('trees.jsonl', { format: 'oasst' }).records;
  t.same(
    rows.map((r) => r.message_id),
    ['p1', 'a1', 'p2', 'a3', 'a2', 'a4', 'a8', 'p10', 'a10', 'a11'],
    'each message once, prompter leaves and pruned ones left out',
  );
  t.match(rows[1], { message_id: 'a1', parent_id: 'p1', message_tree_id: 't1', role: 'assistant', rank: 0, lang: 'en' });
});

t.test('lines that are not OASST data are errors, not crashes', async (t) => {
  const converter = new OasstConverter(defaults);
  const framer = new LineFramer(null);
  const items = framer.push(Buffer.from('{"hello":1}\n{"message_id":"x","parent_id":null,"message_tree_id":"t","role":"bot","text":"?"}\nnot json\n'));
  const out = items.flatMap((i) => converter.push(i));
  t.match(
    out.map((i) => i.outcome),
    [{ error: /not an OASST message/ }, { error: 'message x: role must be "prompter" or "assistant", got "bot"' }, { error: /malformed JSON/ }],
  );
});
