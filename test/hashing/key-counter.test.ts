import t from 'tap';
import { KeyCounter } from '../../lib/hashing/key-counter.js';

t.test('counts keys of two integers; reset forgets them without clearing arrays', async (t) => {
  const c = new KeyCounter();
  c.reset(4);
  t.equal(c.counts[c.add(1, 2)], 1);
  t.equal(c.counts[c.add(1, 2)], 2);
  t.equal(c.counts[c.add(2, 1)], 1, 'the halves are ordered');
  t.equal(c.has(1, 2), true);
  t.equal(c.has(2, 2), false, 'has() adds nothing');
  t.equal(c.counts[c.add(2, 2)], 1);
  c.reset(4);
  t.equal(c.has(1, 2), false, 'a reset forgets');
  t.equal(c.counts[c.add(1, 2)], 1, 'a reset starts every count again');
});

t.test('grows past its size hint and keeps every count', async (t) => {
  const c = new KeyCounter();
  c.reset(2);
  for (let round = 1; round <= 3; round++) for (let k = 0; k < 5000; k++) c.add(k, -k);
  let right = 0;
  for (let k = 0; k < 5000; k++) if (c.counts[c.add(k, -k)] === 4) right++;
  t.equal(right, 5000);
});
