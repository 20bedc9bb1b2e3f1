import t from 'tap';
import { closest, didYouMean } from '../../lib/config/suggest.js';

t.test('suggests near misses, including swapped letters', async (t) => {
  t.equal(closest('filtr', ['filter', 'map', 'code']), 'filter');
  t.equal(closest('nodse', ['nodes', 'edges']), 'nodes');
  t.equal(closest('outptu', ['output', 'input']), 'output');
  t.equal(closest('OUTPUT', ['output']), 'output', 'case does not count');
});

t.test('stays quiet when nothing is close', async (t) => {
  t.equal(closest('nope', ['filter', 'map', 'code']), undefined);
  t.equal(closest('x', ['y']), undefined);
  t.equal(didYouMean('zzz', ['filter']), '');
  t.equal(didYouMean('mapp', ['map']), ' (did you mean "map"?)');
});
