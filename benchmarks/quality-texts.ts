// The generated conversations of `npm run bench:quality`, also judged by `npm run eval:rules`
// (so the table says how the rules see the benchmark's texts).
import { prng } from './records.js';

// A vocabulary of 2,000 made-up words with a Zipf-like draw, so texts repeat the way
// prose does (common words often, rare words seldom), not like a 20-word loop.
const SYLLABLES = 'ka lo mi ne ru ta pe so vi da ge ho ju ba ci fe'.split(' ');
const VOCAB = Array.from({ length: 2000 }, (_, i) => {
  let w = '';
  for (let x = i + 1; x > 0; x = Math.floor(x / 16)) w += SYLLABLES[x % 16];
  return w;
});

export interface GeneratedConversation {
  id: number;
  messages: Array<{ role: 'user' | 'assistant'; content: string }>;
}

/** `count` conversations of a prompt of 10 to 40 words and a reply of 60 to 200, the same on every machine. */
export function* generatedConversations(count: number, seed = 3): Generator<GeneratedConversation> {
  const rand = prng(seed);
  const word = (): string => VOCAB[Math.min(VOCAB.length - 1, Math.floor(1 / (rand() + 0.0005)) - 1)]!;
  const text = (n: number): string => {
    let s = '';
    for (let i = 0; i < n; i++) s += (i === 0 ? '' : i % 12 === 0 ? '. ' : ' ') + word();
    return s + '.';
  };
  for (let i = 0; i < count; i++) {
    yield {
      id: i,
      messages: [
        { role: 'user', content: text(10 + Math.floor(rand() * 30)) },
        { role: 'assistant', content: text(60 + Math.floor(rand() * 140)) },
      ],
    };
  }
}
