/**
 * A small SQL tokenizer, enough for the BigQuery-to-SQLite rewrite and for locating words in compiled
 * SQL: it knows strings, quoted identifiers, comments and parentheses, so that a rewrite never touches
 * the inside of a string literal or a comment.
 */
export type SqlTokenKind = 'word' | 'string' | 'quoted' | 'backtick' | 'number' | 'punct' | 'comment' | 'space';

export interface SqlToken {
  kind: SqlTokenKind;
  text: string;
  start: number;
  end: number;
}

export function tokenizeSql(sql: string): SqlToken[] {
  const tokens: SqlToken[] = [];
  let i = 0;
  const n = sql.length;
  const push = (kind: SqlTokenKind, start: number, end: number) => tokens.push({ kind, text: sql.slice(start, end), start, end });
  while (i < n) {
    const c = sql[i] as string;
    const start = i;
    if (/\s/.test(c)) {
      while (i < n && /\s/.test(sql[i] as string)) i++;
      push('space', start, i);
    } else if (c === '-' && sql[i + 1] === '-') {
      while (i < n && sql[i] !== '\n') i++;
      push('comment', start, i);
    } else if (c === '/' && sql[i + 1] === '*') {
      const close = sql.indexOf('*/', i + 2);
      i = close < 0 ? n : close + 2;
      push('comment', start, i);
    } else if (c === "'" || c === '"' || c === '`') {
      i++;
      while (i < n) {
        if (sql[i] === c) {
          // SQL doubles a quote to escape it; BigQuery also accepts a backslash escape.
          if (sql[i + 1] === c) {
            i += 2;
            continue;
          }
          break;
        }
        if (sql[i] === '\\' && c === "'") i++;
        i++;
      }
      i = Math.min(n, i + 1);
      push(c === "'" ? 'string' : c === '"' ? 'quoted' : 'backtick', start, i);
    } else if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(sql[i + 1] ?? ''))) {
      while (i < n && /[0-9.eE]/.test(sql[i] as string)) i++;
      push('number', start, i);
    } else if (/[A-Za-z_$@]/.test(c) || c.charCodeAt(0) > 127) {
      while (i < n && (/[A-Za-z0-9_$]/.test(sql[i] as string) || (sql[i] as string).charCodeAt(0) > 127)) i++;
      push('word', start, i);
    } else {
      push('punct', start, ++i);
    }
  }
  return tokens;
}

/** The tokens that carry meaning (no spaces, no comments). */
export function significant(tokens: SqlToken[]): SqlToken[] {
  return tokens.filter((t) => t.kind !== 'space' && t.kind !== 'comment');
}

/** Index (in `toks`) of the parenthesis closing the one at `open`, or -1. */
export function matchingParen(toks: SqlToken[], open: number): number {
  let depth = 0;
  for (let i = open; i < toks.length; i++) {
    const t = toks[i] as SqlToken;
    if (t.kind !== 'punct') continue;
    if (t.text === '(') depth++;
    else if (t.text === ')' && --depth === 0) return i;
  }
  return -1;
}

/** Splits the tokens strictly between `open` and `close` at top-level commas: the call's arguments. */
export function splitArguments(toks: SqlToken[], open: number, close: number): Array<{ from: number; to: number }> {
  const args: Array<{ from: number; to: number }> = [];
  let depth = 0;
  let from = open + 1;
  for (let i = open + 1; i < close; i++) {
    const t = toks[i] as SqlToken;
    if (t.kind !== 'punct') continue;
    if (t.text === '(' || t.text === '[') depth++;
    else if (t.text === ')' || t.text === ']') depth--;
    else if (t.text === ',' && depth === 0) {
      args.push({ from, to: i });
      from = i + 1;
    }
  }
  if (close > open + 1) args.push({ from, to: close });
  return args;
}

/** 1-based line and column of an offset. */
export function positionOf(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}
