import t from 'tap';
import { JobBuffers, MAX_KEPT_JOB_BUFFER, MIN_JOB_BUFFER } from '../../lib/run/job-buffers.js';

t.test('a buffer given back is taken again for a job it fits; a new one is made otherwise', async (t) => {
  const buffers = new JobBuffers();
  const first = buffers.take(300_000);
  t.ok(first instanceof SharedArrayBuffer, 'shared, so sending it to a worker neither copies nor detaches it');
  t.equal(first.byteLength, MIN_JOB_BUFFER, 'at least the usual size');
  const second = buffers.take(10);
  t.not(second, first, 'a buffer in use is not handed out twice');
  buffers.give(first);
  t.equal(buffers.take(MIN_JOB_BUFFER), first, 'reused once given back');
  t.not(buffers.take(MIN_JOB_BUFFER + 1), first, 'too small for a larger job');
  const large = buffers.take(3 * MIN_JOB_BUFFER);
  t.equal(large.byteLength, 3 * MIN_JOB_BUFFER, 'sized for a job larger than the usual');
});

t.test('a buffer made for a huge line is not kept, and only a few are', async (t) => {
  const buffers = new JobBuffers();
  const huge = buffers.take(MAX_KEPT_JOB_BUFFER + 1);
  buffers.give(huge);
  t.not(buffers.take(MAX_KEPT_JOB_BUFFER + 1), huge, 'left to the collector');
  const many = Array.from({ length: 20 }, () => buffers.take(1));
  for (const b of many) buffers.give(b);
  const again = new Set(Array.from({ length: 20 }, () => buffers.take(1)));
  t.equal([...again].filter((b) => many.includes(b)).length, 8, 'eight kept free at most');
});
