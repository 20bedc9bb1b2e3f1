// A peer for the filter benchmark: DuckDB (its Node package) reading the NDJSON named first,
// keeping records whose prompt is longer than 100 characters, and writing NDJSON to stdout.
import { DuckDBInstance } from '@duckdb/node-api';

const input = process.argv[2]!;
const db = await DuckDBInstance.create(':memory:');
const connection = await db.connect();
const path = input.replaceAll("'", "''");
await connection.run(`COPY (SELECT * FROM read_json_auto('${path}', format = 'newline_delimited') WHERE length(prompt) > 100) TO '/dev/stdout' (FORMAT JSON)`);
