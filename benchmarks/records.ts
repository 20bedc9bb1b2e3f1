import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { seededRandom } from '../lib/random/seeded.js';

/** The library's seeded PRNG: the same seed gives the same records on every machine. */
export function prng(seed: number): () => number {
  return seededRandom(seed.toString(16).padStart(8, '0'));
}

const WORDS = (
  'the a data model stream record token prompt answer question explain why how write code list table ' +
  'function value error graph node edge batch memory network server client request response quality ' +
  'score language english deutsch français español 日本語 résumé naïve emoji 🙂 test example simple'
).split(' ');
const LANGS = ['en', 'de', 'fr', 'es', 'ja', 'pt', 'ru', 'zh'];

function text(rand: () => number, min: number, max: number): string {
  const target = min + Math.floor(rand() * (max - min + 1));
  let s = '';
  while (s.length < target) s += (s ? ' ' : '') + WORDS[Math.floor(rand() * WORDS.length)];
  s = s.slice(0, target);
  // Never cut an emoji in half: a lone surrogate is not valid UTF-8 (jq rejects it).
  const last = s.charCodeAt(s.length - 1);
  return last >= 0xd800 && last <= 0xdbff ? s.slice(0, -1) : s;
}

/** Writes records as NDJSON, a megabyte per write, waiting for drain. */
export async function writeNdjson(path: string, records: Iterable<object>): Promise<void> {
  const out = createWriteStream(path);
  let buf = '';
  for (const record of records) {
    buf += JSON.stringify(record) + '\n';
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await once(out, 'drain');
      buf = '';
    }
  }
  out.end(buf);
  await once(out, 'finish');
}

/** Chat-like records of about 1 KB: id, lang, prompt (20–400 chars), response (100–1500 chars). */
/** The chat records as SFT conversations: `messages`, a list of {role, content} (what trainers read). */
export async function writeSftRecords(path: string, count: number, seed = 1): Promise<void> {
  const rand = prng(seed);
  await writeNdjson(
    path,
    (function* () {
      for (let i = 0; i < count; i++) {
        const lang = LANGS[Math.floor(rand() * LANGS.length)];
        const messages = [
          { role: 'user', content: text(rand, 20, 400) },
          { role: 'assistant', content: text(rand, 100, 1500) },
        ];
        yield { id: `conv-${i}`, lang, messages };
      }
    })(),
  );
}

export async function writeChatRecords(path: string, count: number, seed = 1): Promise<void> {
  const rand = prng(seed);
  await writeNdjson(
    path,
    (function* () {
      for (let i = 0; i < count; i++) {
        yield { id: `rec-${i}`, lang: LANGS[Math.floor(rand() * LANGS.length)], prompt: text(rand, 20, 400), response: text(rand, 100, 1500) };
      }
    })(),
  );
}
