import t from 'tap';
import { redactSpans, verifiedSpans } from '../../lib/nodes/pii-llm.js';

t.test('only spans found verbatim in the text are kept', async (t) => {
  const texts = ['My neighbour Maria Lopez lives at 12 Elm Street.'];
  const answer = JSON.stringify({
    items: [
      { kind: 'name', text: 'Maria Lopez' },
      { kind: 'address', text: '12 Elm Street' },
      { kind: 'name', text: 'John Smith' },
      { kind: 'name', text: 'maria lopez' },
      { kind: 'phone', text: 'Maria' },
      { kind: 'name', text: ' Maria Lopez ' },
    ],
  });
  t.same(
    verifiedSpans(answer, texts),
    [
      { kind: 'name', text: 'Maria Lopez' },
      { kind: 'address', text: '12 Elm Street' },
    ],
    'a made-up name, a miscopied one, an unknown kind and a repeat are dropped',
  );
  t.same(verifiedSpans('Sure! ```json\n{"items": []}\n```', texts), [], 'JSON in a fence is read');
  t.equal(verifiedSpans('I cannot help with that.', texts), null, 'an answer that is not the JSON asked for');
  t.equal(
    redactSpans('Maria Lopez, 12 Elm Street; Maria Lopez again.', [
      { kind: 'name', text: 'Maria Lopez' },
      { kind: 'address', text: '12 Elm Street' },
    ]),
    '[NAME], [ADDRESS]; [NAME] again.',
  );
});
