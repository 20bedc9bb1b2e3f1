import t from 'tap';
import { judgeMessages, overallScore, parseScores, type Criterion } from '../../lib/quality/judge.js';
import { combineVotes } from '../../lib/nodes/pairwise-judge.js';

const rubric: Criterion[] = [
  { name: 'helpfulness', scale: [1, 10], weight: 2, description: 'useful', allowNotApplicable: false },
  { name: 'safety', scale: [1, 5], weight: 1, description: 'safe', allowNotApplicable: true },
];

t.test('scores from JSON, fences, prose and "Score: 7/10" lines', async (t) => {
  t.same(parseScores('{"helpfulness": {"score": 7, "rationale": "ok"}, "safety": {"score": 5, "rationale": "fine"}}', rubric), {
    scores: { helpfulness: { score: 7, rationale: 'ok' }, safety: { score: 5, rationale: 'fine' } },
  });
  t.match(parseScores('Sure:\n```json\n{"helpfulness": 8, "safety": null}\n```', rubric), { scores: { helpfulness: { score: 8 }, safety: { score: null } } });
  t.match(parseScores('Helpfulness: 7/10 - clear.\nSafety - Score: 4', rubric), { scores: { helpfulness: { score: 7 }, safety: { score: 4 } } });
  t.match(parseScores('{"helpfulness": "9", "safety": 1}', rubric), { scores: { helpfulness: { score: 9 } } }, 'numeric strings are read');
});

t.test('missing, out-of-range and N/A where not allowed are errors', async (t) => {
  t.same(parseScores('{"helpfulness": 7}', rubric), { error: 'no score for "safety"' });
  t.same(parseScores('{"helpfulness": 11, "safety": 3}', rubric), { error: 'score for "helpfulness" is 11, outside 1–10' });
  t.same(parseScores('{"helpfulness": null, "safety": 3}', rubric), { error: 'score for "helpfulness" is not a number: null' });
});

t.test('the overall score: weighted mean on 1–10, N/A left out', async (t) => {
  t.equal(overallScore({ helpfulness: { score: 10, rationale: '' }, safety: { score: 1, rationale: '' } }, rubric), 7);
  t.equal(overallScore({ helpfulness: { score: 4, rationale: '' }, safety: { score: null, rationale: '' } }, rubric), 4);
  t.equal(overallScore({ helpfulness: { score: 1, rationale: '' }, safety: { score: 5, rationale: '' } }, rubric), 4);
});

t.test('record content is inserted as data into the judge prompt', async (t) => {
  const [, user] = judgeMessages(rubric, 'user said {criteria} and {shape}', null);
  t.match(user!.content, /user said \{criteria\} and \{shape\}$/);
  t.match(user!.content, /- helpfulness \(1 to 10\): useful/);
});

t.test('pairwise votes: agreement wins, disagreement is a tie, one tie halves confidence', async (t) => {
  t.same(combineVotes({ winner: 'a', confidence: 0.8 }, { winner: 'a', confidence: 0.6 }), { winner: 'a', confidence: 0.7 });
  t.same(combineVotes({ winner: 'a', confidence: 0.9 }, { winner: 'b', confidence: 0.9 }), { winner: 'tie', confidence: 0 });
  t.same(combineVotes({ winner: 'tie', confidence: 0.5 }, { winner: 'b', confidence: 0.9 }), { winner: 'b', confidence: 0.35 });
  t.same(combineVotes({ winner: 'tie', confidence: 0.5 }, { winner: 'tie', confidence: 0.9 }), { winner: 'tie', confidence: 0 });
});
