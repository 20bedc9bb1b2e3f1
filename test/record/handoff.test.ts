import t from 'tap';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { handoff, take } from '../../lib/record/handoff.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

t.test('a value taken from its box is no longer held by the promise that carried it', async (t) => {
  const make = () => ({ records: Array.from({ length: 1000 }, (_, i) => ({ i })) });
  // The promise stays referenced, as one promoted to the old generation would be.
  let batch: object | null = make();
  const carried = Promise.resolve(handoff(batch));
  const watched = new WeakRef(batch);
  batch = null;
  // The receiver takes the value and, here, is done with it at once.
  const receive = async (): Promise<boolean> => watched.deref() === take(await carried);
  t.ok(await receive(), 'the receiver gets the value');
  t.same(await carried, { value: undefined }, 'and the box is left empty');
  await new Promise((r) => setImmediate(r));
  gc();
  t.equal(watched.deref(), undefined, 'collected while the promise that carried it lives');

  // The same promise without the box keeps its value: what the box is for.
  let plain: object | null = make();
  const held = Promise.resolve(plain);
  const watchedPlain = new WeakRef(plain);
  plain = null;
  await held;
  await new Promise((r) => setImmediate(r));
  gc();
  t.not(watchedPlain.deref(), undefined, 'a plain promise still holds it');
});
