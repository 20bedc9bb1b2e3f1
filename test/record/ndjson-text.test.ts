import t from 'tap';
import { ndjsonValues } from '../../lib/record/ndjson-text.js';

t.test('values with their line numbers, blank lines skipped but counted; the first bad line', async (t) => {
  t.same(ndjsonValues('{"a":1}\n\n[2]\n"x"\n'), {
    values: [
      { line: 1, value: { a: 1 } },
      { line: 3, value: [2] },
      { line: 4, value: 'x' },
    ],
  });
  t.match(ndjsonValues('{"a":1}\n{oops\n{"b":2}\n'), { bad: { line: 2, message: /JSON/ } });
  t.same(ndjsonValues(''), { values: [] });
});
