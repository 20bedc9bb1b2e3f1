import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { lines, ndjson, runCli } from '../cli-process.js';

const steps = [
  'export function bigint(record) { return { ...record, big: 10n }; }',
  'export function cycle(record) { record.self = record; return record; }',
  'export function date() { return new Date(0); }',
  'export function promiseFromSync(record) { return Promise.resolve(record); }',
  'export function rejectFromSync() { return Promise.reject(new Error("rejected later")); }',
  'export function forgot(record) { record.seen = true; }',
  'export async function never() { return new Promise(() => {}); }',
  'export async function neverWithTimer() { setInterval(() => {}, 1000); return new Promise(() => {}); }',
  'export function deep(record) { let v = {}; const top = v; for (let i = 0; i < 20000; i++) { v.x = {}; v = v.x; } return { ...record, deep: top }; }',
  '',
].join('\n');

function graph(step: string, extra = ''): string {
  return ['nodes:', '  step:', '    type: code', '    module: ./steps.js', `    export: ${step}`, extra, ''].join('\n');
}

const input = ndjson([{ id: 1 }, { id: 2 }, { id: 3 }]);

t.test('a record whose result cannot be kept fails alone: an error record with its cause, the others go on, and the counts add up', async (t) => {
  const cases: Array<[string, RegExp, string?]> = [
    ['bigint', /^the record cannot be written as JSON: Do not know how to serialize a BigInt/],
    ['cycle', /^the record cannot be written as JSON: Converting circular structure to JSON/],
    ['date', /^returned a Date; expected an object, an array of objects, or null/],
    ['promiseFromSync', /^returned a Promise from a synchronous node/],
    ['rejectFromSync', /^returned a Promise from a synchronous node/],
    ['forgot', /^returned undefined: return the record, an array of records, or null to drop it/],
    ['never', /^step: never\(\) did not finish within 300 ms \(timeout_ms\)/, '    timeout_ms: 300'],
    ['neverWithTimer', /^step: neverWithTimer\(\) did not finish within 300 ms/, '    timeout_ms: 300'],
    ['deep', /^the record cannot be written as JSON: Maximum call stack size exceeded/],
  ];
  for (const [step, cause, extra] of cases) {
    const dir = t.testdir({ 'graph.yaml': graph(step, extra), 'steps.js': steps });
    const r = await runCli(['run', join(dir, 'graph.yaml'), '--errors', join(dir, 'errors.jsonl'), '--stats', join(dir, 'stats.json'), '-q'], { input });
    t.equal(r.code, 0, `${step}: exit 0`);
    t.notMatch(r.stderr, /\n\s+at /, `${step}: no stack trace`);
    t.equal(r.stdout, '', `${step}: nothing half-written on stdout`);
    const errors = lines(readFileSync(join(dir, 'errors.jsonl'), 'utf8'));
    t.equal(errors.length, 3, `${step}: one error line per record`);
    t.same(
      errors.map((e) => e.line),
      [1, 2, 3],
    );
    for (const e of errors) t.match(e.error, cause, step);
    const stats = JSON.parse(readFileSync(join(dir, 'stats.json'), 'utf8'));
    t.match(stats, { records_in: 3, records_out: 0, errors: 3, conserved: true }, `${step}: conserved`);
  }
});
