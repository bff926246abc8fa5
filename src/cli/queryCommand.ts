import { existsSync } from 'node:fs';
import path from 'node:path';
import { applyQualifyColumns, qualifyProbes, rewriteForSqlite } from '../core/project/bigqueryRewrite';
import { describeError } from '../core/http/errors';
import { parseCommandLine } from './args';
import { csvCell, stderrLogger, terminalSafeJson } from './output';
import { STORE_RELATIVE_PATH } from './runCommand';
import { openCliStore } from './store';

const USAGE = `Usage: community-metrics query "SQL" [options]

Runs one SQL statement on the store (raw tables and built models) and prints the rows.
BigQuery habits (DATE_TRUNC(x, DAY), TIMESTAMP_SECONDS, COUNTIF, ...) work as in models.

Options:
  --workspace DIR      workspace folder (default: current folder); the store is DIR/${STORE_RELATIVE_PATH}
  --format json|csv    output format (default: json)
  -h, --help           show this help`;

export async function queryCommand(argv: string[]): Promise<number> {
  const parsed = parseCommandLine({ args: argv, allowPositionals: true, options: { workspace: { type: 'string' }, format: { type: 'string' }, help: { type: 'boolean', short: 'h' } } }, USAGE, 'any');
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  const format = values.format ?? 'json';
  if (positionals.length !== 1 || !['json', 'csv'].includes(format)) {
    process.stderr.write(`${positionals.length !== 1 ? 'Give exactly one SQL statement.' : `Unknown format '${format}'.`}\n\n${USAGE}\n`);
    return 2;
  }
  const file = path.join(path.resolve(values.workspace ?? process.cwd()), STORE_RELATIVE_PATH);
  if (!existsSync(file)) {
    process.stderr.write(`No store at ${file}: run 'community-metrics refresh' or 'build' first.\n`);
    return 2;
  }
  try {
    const rw = rewriteForSqlite(positionals[0] as string);
    if (rw.problems.length > 0) {
      for (const p of rw.problems) process.stderr.write(`error: ${p.message} (${p.construct})\n`);
      return 1;
    }
    // Read-only: the store is loaded once and never saved.
    const store = openCliStore(file, stderrLogger(false), { readOnly: true });
    let result;
    try {
      // A translated QUALIFY selects `*` from a wrapper with a helper column: list the inner columns.
      const columns = new Map<number, string[]>();
      for (const p of qualifyProbes(rw.sql)) {
        try {
          columns.set(p.marker, (await store.call('query', { sql: `${p.probe}\nLIMIT 0`, prepare: true })).columns);
        } catch {
          // left as `*`: the statement itself reports the error
        }
      }
      result = await store.call('query', { sql: applyQualifyColumns(rw.sql, columns), prepare: true });
    } finally {
      await store.close();
    }
    if (format === 'json') {
      const rows = result.rows.map((r) => Object.fromEntries(result.columns.map((c, i) => [c, r[i] instanceof Uint8Array ? Buffer.from(r[i] as Uint8Array).toString('base64') : r[i]])));
      process.stdout.write(`${terminalSafeJson(rows)}\n`);
    } else {
      process.stdout.write(`${result.columns.map(csvCell).join(',')}\n`);
      for (const r of result.rows) process.stdout.write(`${r.map(csvCell).join(',')}\n`);
    }
    return 0;
  } catch (err) {
    process.stderr.write(`error: ${describeError(err)}\n`);
    return 1;
  }
}
