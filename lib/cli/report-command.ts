import type { ReportArgs } from './report-options.js';
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { isJsonObject } from '../record/item.js';
import { AtomicFile } from '../io/atomic-file.js';
import { renderCard, type PipelineInfo } from '../report/card.js';
import { renderHtml } from '../report/html.js';
import { SummaryBuilder } from '../report/summary.js';
import { renderText } from '../report/text.js';
import { ExitCode } from './exit-codes.js';
import { inputFileExists, pathsAreDistinct } from './input-file.js';
import { say, type Terminal } from './terminal.js';

export async function reportHandler(args: ReportArgs, term: Terminal): Promise<number> {
  if (!(await inputFileExists(args.file, term))) return ExitCode.usage;
  const named = [
    { flag: 'the input', path: args.file, reads: true },
    { flag: '--stats', path: args.stats, reads: true },
    { flag: '--html', path: args.html },
    { flag: '--card', path: args.card },
  ];
  if (!pathsAreDistinct(named, term)) return ExitCode.usage;
  let pipeline: PipelineInfo | null = null;
  if (args.stats) {
    try {
      pipeline = JSON.parse(await readFile(args.stats, 'utf8')) as PipelineInfo;
    } catch (err) {
      say(term, `--stats ${args.stats}: ${(err as Error).message}`);
      return ExitCode.usage;
    }
  }
  const builder = new SummaryBuilder();
  const input = args.file ? createReadStream(args.file, { encoding: 'utf8' }) : term.stdin.setEncoding('utf8');
  let carry = '';
  let lineNo = 0;
  let bad = 0;
  const take = (line: string): void => {
    lineNo++;
    if (line.trim() === '') return;
    try {
      const value = JSON.parse(line) as unknown;
      if (isJsonObject(value)) return builder.add(value);
    } catch {
      // counted below
    }
    if (bad++ === 0) say(term, `${args.file ?? 'stdin'}:${lineNo}: not a JSON object; such lines are left out`);
  };
  for await (const chunk of input as AsyncIterable<string>) {
    const parts = (carry + chunk).split('\n');
    carry = parts.pop() ?? '';
    for (const line of parts) take(line);
  }
  if (carry) take(carry);
  const summary = builder.summary();
  const title = args.title ?? `Dataset report: ${args.file ? basename(args.file) : 'stdin'}`;
  if (args.html) await writeAtomically(args.html, renderHtml(summary, title));
  if (args.card) await writeAtomically(args.card, renderCard(summary, title.replace(/^Dataset report: /, ''), pipeline));
  if (args.text || (!args.html && !args.card)) term.stdout.write(renderText(summary));
  if (bad > 1) say(term, `${bad} lines were not JSON objects and were left out`);
  return ExitCode.ok;
}

async function writeAtomically(path: string, text: string): Promise<void> {
  const file = new AtomicFile(path);
  await file.ready();
  file.stream.write(text);
  await file.commit();
}
