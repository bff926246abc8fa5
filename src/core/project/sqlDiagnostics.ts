import { diagnostic } from './diagnostics';
import type { Diagnostic } from './diagnostics';
import type { LineMap } from './lineMap';
import { positionOf, tokenizeSql } from './sqlTokenizer';

/**
 * Turns a SQLite error on compiled SQL into a diagnostic on the source file. SQLite gives no
 * position, but it names the offending token ("near \"QUALIFY\"", "no such column: x"); the token is
 * found in the compiled SQL (outside strings and comments) and traced back through the line map.
 */
export interface SqlContext {
  sql: string;
  lineMap: LineMap;
  files: readonly string[];
  /** The source text of each file index, to find the token's column there. */
  sourceText: (fileIndex: number) => string | undefined;
  uniqueId?: string;
}

const PATTERNS: RegExp[] = [
  /near "([^"]+)": syntax error/,
  /no such column: (\S+)/,
  /no such table: (?:main\.)?(\S+)/,
  /no such function: (\w+)/,
  /wrong number of arguments to function (\w+)\(\)/,
  /ambiguous column name: (\S+)/,
  /misuse of aggregate(?: function)? (\w+)\(\)/,
];

export function tokenOf(message: string): string | undefined {
  for (const p of PATTERNS) {
    const m = p.exec(message);
    if (m?.[1]) return m[1];
  }
  return undefined;
}

/** Offset of `token` in the SQL, outside strings and comments; -1 if absent. */
export function findToken(sql: string, token: string): number {
  const lower = token.toLowerCase();
  const last = lower.split('.').pop() as string;
  if (/^['"`]/.test(token)) {
    // SQLite names a literal or quoted name as written (near "'6'"): find it as a token.
    for (const t of tokenizeSql(sql)) if (t.kind !== 'comment' && t.kind !== 'space' && t.text === token) return t.start;
  }
  for (const t of tokenizeSql(sql)) {
    if (t.kind === 'string' || t.kind === 'comment' || t.kind === 'space') continue;
    const text = t.text.replace(/^["`[]|["`\]]$/g, '').toLowerCase();
    if (text === lower || text === last) {
      // For a qualified name (file.project) point at the qualifier.
      if (lower.includes('.')) {
        const q = lower.split('.')[0] as string;
        const idx = sql.toLowerCase().lastIndexOf(q, t.start);
        return idx >= 0 && t.start - idx <= q.length + 3 ? idx : t.start;
      }
      return t.start;
    }
  }
  return -1;
}

export function locateInSql(ctx: SqlContext, offset: number): { file: string; line: number; column: number } {
  const pos = offset >= 0 ? positionOf(ctx.sql, offset) : { line: 1, column: 1 };
  const at = ctx.lineMap.locate(pos.line, pos.column);
  const file = ctx.files[at.fileIndex] ?? ctx.files[0] ?? '';
  let column = 1;
  if (offset >= 0) {
    const compiledLine = ctx.sql.split('\n')[pos.line - 1] ?? '';
    const word = /^(?:'[^'\n]*'|[\w"`.]+)/.exec(compiledLine.slice(pos.column - 1))?.[0] ?? '';
    const sourceLine = ctx.sourceText(at.fileIndex)?.split('\n')[at.line - 1];
    const idx = word && sourceLine !== undefined ? sourceLine.toLowerCase().indexOf(word.toLowerCase()) : -1;
    column = idx >= 0 ? idx + 1 : 1;
  }
  return { file, line: at.line, column };
}

export function sqlErrorDiagnostic(ctx: SqlContext, message: string, code = 'sql'): Diagnostic {
  const token = tokenOf(message);
  const offset = token ? findToken(ctx.sql, token) : -1;
  const { file, line, column } = locateInSql(ctx, offset);
  return diagnostic(file, line, column, `SQL error: ${message}`, code, 'error', ctx.uniqueId);
}
