/** The names of the record formats, alone: the CLI's options list them without loading the readers. */
export const INPUT_FORMATS = ['jsonl', 'json', 'csv', 'tsv', 'parquet'] as const;
export type InputFormat = (typeof INPUT_FORMATS)[number];
export const OUTPUT_FORMATS = ['jsonl', 'csv', 'tsv', 'parquet'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];
