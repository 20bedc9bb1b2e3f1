import t from 'tap';
import { spawn } from 'node:child_process';
import { chmodSync, closeSync, createReadStream, existsSync, openSync, lstatSync, readdirSync, readFileSync, readlinkSync, statSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import { CLI, FIXTURES, lines, runCli } from '../cli-process.js';

const graph = join(FIXTURES, 'graphs', 'filter.yaml');
const records = readFileSync(join(FIXTURES, 'records.jsonl'), 'utf8');

t.test('a symbolic link is followed: the file it names is replaced, the link and the mode stay', async (t) => {
  const dir = t.testdir({ 'in.jsonl': records, 'real.jsonl': 'old\n' });
  chmodSync(join(dir, 'real.jsonl'), 0o600);
  symlinkSync('real.jsonl', join(dir, 'link.jsonl'));
  const r = await runCli(['run', graph, '-i', join(dir, 'in.jsonl'), '-o', join(dir, 'link.jsonl'), '-q']);
  t.equal(r.code, 0, r.stderr);
  t.ok(lstatSync(join(dir, 'link.jsonl')).isSymbolicLink(), 'still a link');
  t.equal(readlinkSync(join(dir, 'link.jsonl')), 'real.jsonl');
  t.ok(lines(readFileSync(join(dir, 'real.jsonl'), 'utf8')).length > 0, 'the file it names holds the output');
  t.equal(statSync(join(dir, 'real.jsonl')).mode & 0o777, 0o600, 'mode 600 kept');
  t.same(
    readdirSync(dir).filter((f) => f.endsWith('.tmp')),
    [],
  );
});

t.test('a FIFO is written in place and stays a FIFO', async (t) => {
  const dir = t.testdir({ 'in.jsonl': records });
  const fifo = join(dir, 'out.fifo');
  // Node has no mkfifo of its own: the system's.
  await new Promise((resolve) => spawn('mkfifo', [fifo]).on('close', resolve).on('error', resolve));
  t.ok(existsSync(fifo), 'mkfifo made the FIFO');
  let read = '';
  const reader = new Promise<void>((resolve) => {
    createReadStream(fifo, 'utf8')
      .on('data', (d) => (read += d))
      .on('end', () => resolve());
  });
  const r = await runCli(['run', graph, '-i', join(dir, 'in.jsonl'), '-o', fifo, '-q']);
  await reader;
  t.equal(r.code, 0, r.stderr);
  t.ok(statSync(fifo).isFIFO(), 'still a FIFO');
  t.ok(lines(read).length > 0, 'the reader got the records');
});

t.test('a device is never replaced: -o /dev/full fails with exit 1 and a message naming it', { skip: existsSync('/dev/full') ? false : 'no /dev/full here' }, async (t) => {
  const dir = t.testdir({ 'in.jsonl': records.repeat(400) });
  const before = statSync('/dev/full');
  for (const extra of [[], ['--threads', '2']]) {
    const r = await runCli(['run', graph, '-i', join(dir, 'in.jsonl'), '-o', '/dev/full', ...extra]);
    t.equal(r.code, 1, `exit 1 ${extra.join(' ')}`);
    t.match(r.stderr, /^sygra-stream: cannot write \/dev\/full: ENOSPC: no space left on device/m);
  }
  const stats = await runCli(['run', graph, '-i', join(dir, 'in.jsonl'), '-o', join(dir, 'out.jsonl'), '--stats', '/dev/full', '-q']);
  t.equal(stats.code, 1);
  t.match(stats.stderr, /cannot write --stats \/dev\/full: ENOSPC; the statistics follow on stderr/);
  const onStderr = stats.stderr.split('\n').find((l) => l.startsWith('{'));
  t.match(JSON.parse(onStderr ?? '{}'), { records_in: 2400, conserved: true }, 'the statistics are not lost');
  const both = await runCli(['run', graph, '-i', join(dir, 'in.jsonl'), '-o', '/dev/full', '--stats', join(dir, 'stats.json'), '-q']);
  t.equal(both.code, 1);
  t.match(JSON.parse(readFileSync(join(dir, 'stats.json'), 'utf8')), { records_in: Number, conserved: true }, 'the output failed, the stats were written');
  const after = statSync('/dev/full');
  t.ok(after.isCharacterDevice(), '/dev/full is still a character device');
  t.equal(after.rdev, before.rdev);
  t.same(
    readdirSync('/dev').filter((f) => f.startsWith('.full')),
    [],
    'no temporary file beside it',
  );
});

t.test('an output that names the input, the graph or another output is refused before anything is read', async (t) => {
  const dir = t.testdir({ 'in.jsonl': records, 'out.jsonl': '{"id":"kept"}\n' });
  const input = join(dir, 'in.jsonl');
  const out = join(dir, 'out.jsonl');
  const cases: Array<[string[], RegExp]> = [
    [['run', graph, '-i', input, '--errors', input], /--errors .*in\.jsonl names the same file as --input .*: the input would be destroyed; name another file/],
    [['run', graph, '-i', input, '--rejected', join(dir, '.', 'in.jsonl')], /--rejected .* names the same file as --input/],
    [['run', graph, '-i', input, '--stats', input], /--stats .* names the same file as --input/],
    [['run', graph, '-i', input, '-o', input, '--resume'], /--output .* names the same file as --input/],
    [['run', graph, '-i', input, '-o', graph], /--output .* names the same file as the graph/],
    [['run', graph, '-i', input, '-o', out, '--errors', out], /--errors .* names the same file as --output .*: one would overwrite the other/],
    [['oasst', '-i', input, '--stats', input], /--stats .* names the same file as --input/],
    [['report', input, '--html', input], /--html .* names the same file as the input/],
  ];
  for (const [args, message] of cases) {
    const r = await runCli(args);
    t.equal(r.code, 2, args.join(' '));
    t.match(r.stderr, message);
  }
  t.equal(readFileSync(input, 'utf8'), records, 'the input is untouched');
  t.equal(readFileSync(out, 'utf8'), '{"id":"kept"}\n');
  const devices = await runCli(['run', graph, '-i', input, '-o', '/dev/null', '--rejected', '/dev/null', '-q']);
  t.equal(devices.code, 0, 'a device may be named twice: nothing is replaced');
});

t.test('stdout on a full disk: every command fails with exit 1 and says so, without a stack trace', { skip: existsSync('/dev/full') ? false : 'no /dev/full here' }, async (t) => {
  const dir = t.testdir({ 'in.jsonl': records.repeat(400) });
  const full = openSync('/dev/full', 'w');
  t.teardown(() => closeSync(full));
  for (const args of [['run', graph, '-i', join(dir, 'in.jsonl')], ['oasst', '-i', join(FIXTURES, 'oasst', 'trees.jsonl')], ['report', join(dir, 'in.jsonl')], ['schema']]) {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', full, 'pipe'] });
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const [code] = (await once(child, 'close')) as [number];
    t.equal(code, 1, String(args[0]));
    t.match(stderr, /^sygra-stream: cannot write stdout: ENOSPC: no space left on device/m, String(args[0]));
    t.notMatch(stderr, /\n\s+at /, 'no stack trace');
  }
});
