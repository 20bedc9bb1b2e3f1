// The options of `sygra-stream report`, all the command line needs to parse it; the command's work is in
// report-command.ts, imported only when it runs.
import type { Argv } from 'yargs';

export interface ReportArgs {
  file?: string;
  html?: string;
  text: boolean;
  card?: string;
  stats?: string;
  title?: string;
}

export function reportBuilder(y: Argv): Argv<ReportArgs> {
  return y
    .positional('file', { type: 'string', describe: 'Tagged records (NDJSON); stdin when left out' })
    .option('html', { type: 'string', describe: 'Write a self-contained HTML report (charts, no network needed) to FILE' })
    .option('text', { type: 'boolean', default: false, describe: 'Print the summary on stdout (the default when no --html or --card is given)' })
    .option('card', { type: 'string', describe: 'Write a dataset card (Hugging Face README layout) to FILE' })
    .option('stats', { type: 'string', describe: "The run's --stats file: names the graph, its hash and models in the card" })
    .option('title', { type: 'string', describe: 'Title of the report and card (default: the file name)' })
    .example('$0 report tagged.jsonl --html report.html', 'Histograms of scores and criteria, rule pass rates, languages, turns, best and worst examples')
    .example('$0 report tagged.jsonl --card README.md --stats stats.json', 'A dataset card for the Hub') as unknown as Argv<ReportArgs>;
}
