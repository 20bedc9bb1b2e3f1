import t from 'tap';
import { readRatings } from '../../lib/nodes/rate.js';

const aspects = ['helpfulness', 'honesty'];
const rating = (h: number, o: number) => ({ helpfulness: { rationale: 'r', score: h }, honesty: { rationale: 'r', score: o } });

t.test('ratings: every response on every aspect, within the scale; the overall score is their mean', async (t) => {
  const read = readRatings({ '1': rating(5, 4), '2': rating(2, 3), '3': rating(1, 1), '4': rating(3, 3) }, 4, aspects, 1, 5);
  t.same('value' in read ? read.value.map((r) => [r.response, r.overall]) : read, [
    [1, 4.5],
    [2, 2.5],
    [3, 1],
    [4, 3],
  ]);
  t.match(readRatings({ '1': rating(5, 4) }, 2, aspects, 1, 5), { error: 'no rating for response 2' });
  t.match(readRatings({ '1': rating(6, 4), '2': rating(1, 1) }, 2, aspects, 1, 5), { error: 'response 1: "helpfulness" is not a whole number from 1 to 5' });
  t.match(readRatings({ '1': rating(2.5, 4), '2': rating(1, 1) }, 2, aspects, 1, 5), { error: /not a whole number/ });
  t.match(readRatings('nope', 2, aspects, 1, 5), { error: 'the answer is not a JSON object' });
});
