import { readFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import type { Database, SqlValue } from 'sql.js';
import { DiagnosticError, diagnostic } from './diagnostics';
import { sqliteType } from './crossDatabaseMacros';

/**
 * Loads a seed CSV into a table: quoted fields, empty cells as NULL, `column_types` from config,
 * otherwise types inferred as dbt's agate does (integer, number, boolean, date, else text).
 */
export interface SeedData {
  columns: string[];
  types: string[];
  rows: SqlValue[][];
}

type Inferred = 'integer' | 'real' | 'boolean' | 'date' | 'timestamp' | 'text';

function inferType(values: string[]): Inferred {
  const present = values.filter((v) => v !== '');
  if (present.length === 0) return 'text';
  if (present.every((v) => /^-?\d+$/.test(v) && Number.isSafeInteger(Number(v)))) return 'integer';
  if (present.every((v) => /^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(v))) return 'real';
  if (present.every((v) => /^(true|false)$/i.test(v))) return 'boolean';
  if (present.every((v) => /^\d{4}-\d{2}-\d{2}$/.test(v))) return 'date';
  if (present.every((v) => /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/.test(v))) return 'timestamp';
  return 'text';
}

/** The declared type of a column_types entry, reduced to what converting a CSV cell needs. */
function declaredKind(type: string): Inferred {
  const t = type.toLowerCase();
  if (/^(int|integer|bigint|smallint|int64)/.test(t)) return 'integer';
  if (/^(float|double|real|float64|numeric|decimal)/.test(t)) return 'real';
  if (/^(bool|boolean)/.test(t)) return 'boolean';
  if (/^date$/.test(t)) return 'date';
  if (/^(timestamp|datetime)/.test(t)) return 'timestamp';
  return 'text';
}

function convert(cell: string, kind: Inferred): SqlValue {
  if (cell === '') return null;
  switch (kind) {
    case 'integer': {
      const n = Number(cell);
      return Number.isFinite(n) ? Math.trunc(n) : cell;
    }
    case 'real': {
      const n = Number(cell);
      return Number.isFinite(n) ? n : cell;
    }
    case 'boolean':
      return /^(true|1|t|yes)$/i.test(cell) ? 1 : /^(false|0|f|no)$/i.test(cell) ? 0 : cell;
    default:
      return cell;
  }
}

export function parseSeed(file: string, text: string, columnTypes: Record<string, string> = {}): SeedData {
  let records: string[][];
  try {
    records = parse(text.replace(/^\uFEFF/, ''), { relax_column_count: false, skip_empty_lines: true, bom: true }) as string[][];
  } catch (err) {
    const e = err as { message: string; lines?: number; code?: string };
    const line = typeof e.lines === 'number' ? e.lines : 1;
    throw new DiagnosticError(diagnostic(file, line, 1, `Invalid CSV: ${e.message.replace(/^Invalid Record Length: /, '')}`, 'csv'));
  }
  const [header, ...rows] = records;
  if (!header || header.length === 0) throw new DiagnosticError(diagnostic(file, 1, 1, 'The seed CSV has no header row', 'csv'));
  const seen = new Set<string>();
  header.forEach((h, i) => {
    if (h.trim() === '') throw new DiagnosticError(diagnostic(file, 1, 1, `Column ${i + 1} of the header has no name`, 'csv'));
    if (seen.has(h.toLowerCase())) throw new DiagnosticError(diagnostic(file, 1, 1, `The header names the column '${h}' twice`, 'csv'));
    seen.add(h.toLowerCase());
  });
  const lowerTypes = new Map(Object.entries(columnTypes).map(([k, v]) => [k.toLowerCase(), String(v)]));
  const kinds = header.map((h, i) => {
    const declared = lowerTypes.get(h.toLowerCase());
    return declared ? declaredKind(declared) : inferType(rows.map((r) => r[i] ?? ''));
  });
  const types = header.map((h, i) => {
    const declared = lowerTypes.get(h.toLowerCase());
    if (declared) return sqliteType(declared) === 'text' && /^(date|timestamp|datetime)/i.test(declared) ? declared.toLowerCase() : sqliteType(declared);
    const k = kinds[i] as Inferred;
    return k === 'boolean' ? 'integer' : k;
  });
  return { columns: header, types, rows: rows.map((r) => r.map((cell, i) => convert(cell, kinds[i] as Inferred))) };
}

export async function readSeed(file: string, columnTypes: Record<string, string> = {}): Promise<SeedData> {
  return parseSeed(file, await readFile(file, 'utf8'), columnTypes);
}

const q = (id: string) => `"${id.replace(/"/g, '""')}"`;

/** Replaces the seed's table with the CSV's rows; returns the row count. */
export function loadSeed(db: Database, table: string, data: SeedData): number {
  db.run(`DROP TABLE IF EXISTS ${q(table)}`);
  db.run(`CREATE TABLE ${q(table)} (${data.columns.map((c, i) => `${q(c)} ${data.types[i]}`).join(', ')})`);
  const stmt = db.prepare(`INSERT INTO ${q(table)} VALUES (${data.columns.map(() => '?').join(', ')})`);
  try {
    for (const r of data.rows) stmt.run(r);
  } finally {
    stmt.free();
  }
  return data.rows.length;
}
