/**
 * Prepares a dbt template for nunjucks, changing no line breaks so that nunjucks' line numbers stay
 * the source file's:
 *
 * - Jinja2 that nunjucks lacks: `{% do x %}` becomes `{% set __cm_do = x %}`; `{% test %}` and
 *   `{% materialization %}` blocks become macros; `}}` closing nested dict literals inside a tag gets
 *   a space (nunjucks would read it as the end of the tag).
 * - In macro files, `{% macro name(...) %}` is renamed `__cm_macro_name`, so that every call of a
 *   macro, even from the same file, goes through the engine's wrapper (needed for `return(...)`).
 * - A line marker (\u0001file:line\u0002) goes before the first character of every text line, so that
 *   each line of the compiled SQL can be traced back to the source line that produced it (lineMap.ts).
 */
export const MARKER_START = '\u0001';
export const MARKER_END = '\u0002';
// No leading underscore: nunjucks does not export names that start with one.
export const MACRO_PREFIX = 'cm__macro__';

export interface PreprocessOptions {
  /** Index of the file in the renderer's file table; written into the line markers. */
  fileIndex: number;
  /** Rename macro definitions (macro files); model files keep their local macros as written. */
  renameMacros: boolean;
  /** Insert line markers (off for templates whose output is a value, not SQL). */
  markers?: boolean;
}

export interface Preprocessed {
  text: string;
  /** Per 1-based line: characters inserted before a given 0-based column of the output. */
  shifts: Map<number, Array<{ column: number; delta: number }>>;
}

export function marker(fileIndex: number, line: number): string {
  return `${MARKER_START}${fileIndex}:${line}${MARKER_END}`;
}

export function preprocessJinja(src: string, opts: PreprocessOptions): Preprocessed {
  const markers = opts.markers ?? true;
  const shifts = new Map<number, Array<{ column: number; delta: number }>>();
  let out = '';
  let line = 1;
  let outColumn = 0;
  let atLineStart = true;
  const n = src.length;
  let i = 0;

  const emit = (s: string) => {
    for (const ch of s) {
      if (ch === '\n') {
        line++;
        outColumn = 0;
      } else outColumn++;
    }
    out += s;
  };
  const insert = (s: string) => {
    const list = shifts.get(line) ?? [];
    list.push({ column: outColumn, delta: s.length });
    shifts.set(line, list);
    outColumn += s.length;
    out += s;
  };
  /** Replace `original` (no newlines in the changed part) by `replacement`, recording the shift. */
  const replace = (original: string, replacement: string) => {
    if (replacement.length !== original.length) {
      const list = shifts.get(line) ?? [];
      list.push({ column: outColumn, delta: replacement.length - original.length });
      shifts.set(line, list);
    }
    emit(replacement);
  };

  while (i < n) {
    const c = src[i] as string;
    const two = src.slice(i, i + 2);
    if (two === '{#') {
      // A comment outputs nothing: the line's first output may still follow it.
      const close = src.indexOf('#}', i + 2);
      const end = close < 0 ? n : close + 2;
      emit(src.slice(i, end));
      i = end;
      continue;
    }
    if (two === '{{' || two === '{%') {
      // An expression that starts a line gets the marker too (unless it strips the whitespace
      // before it, which a marker would block); a block tag outputs nothing by itself.
      if (two === '{{' && atLineStart && src[i + 2] !== '-') {
        if (markers) insert(marker(opts.fileIndex, line));
        atLineStart = false;
      }
      const end = findTagEnd(src, i + 2, two === '{{' ? '}}' : '%}');
      const tag = src.slice(i, end);
      if (two === '{%' && /^\{%[-+]?\s*raw\s*[-+]?%\}$/.test(tag)) {
        const m = /\{%[-+]?\s*endraw\s*[-+]?%\}/.exec(src.slice(end));
        const stop = m ? end + m.index + m[0].length : n;
        emit(src.slice(i, stop));
        i = stop;
        atLineStart = false;
        continue;
      }
      const rewritten = rewriteTag(tag, two === '{%', opts.renameMacros);
      if (rewritten === tag) emit(tag);
      else {
        // Rewrites never add or remove newlines; shifts are recorded on the tag's first line.
        replace(tag, rewritten);
      }
      i = end;
      if (two === '{{') atLineStart = false;
      continue;
    }
    if (c === '\n') {
      emit(c);
      i++;
      atLineStart = true;
      continue;
    }
    if (atLineStart && !/\s/.test(c)) {
      if (markers) insert(marker(opts.fileIndex, line));
      atLineStart = false;
    }
    emit(c);
    i++;
  }
  return { text: out, shifts };
}

/** End offset (exclusive) of a tag whose body starts at `from`, honouring strings and braces. */
function findTagEnd(src: string, from: number, close: '}}' | '%}'): number {
  let depth = 0;
  let quote: string | undefined;
  for (let i = from; i < src.length; i++) {
    const c = src[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === '{') depth++;
    else if (c === '}' && depth > 0) depth--;
    else if (depth === 0 && src.startsWith(close, i)) return i + 2;
  }
  return src.length;
}

function rewriteTag(tag: string, isBlock: boolean, renameMacros: boolean): string {
  let t = spaceNestedBraces(tag);
  if (!isBlock) return t;
  // `{%+ ... +%}` turns lstrip_blocks/trim_blocks off for one tag; neither is on here (nor in dbt).
  t = t.replace(/^\{%\+/, '{%').replace(/\+%\}$/, '%}');
  const m = /^(\{%[-+]?\s*)(\w+)/.exec(t);
  if (!m) return t;
  const head = m[1] as string;
  const word = m[2] as string;
  const rest = t.slice(m[0].length);
  switch (word) {
    case 'do':
      t = `${head}set __cm_do =${rest}`;
      break;
    case 'macro':
      if (renameMacros) t = `${head}macro ${rest.replace(/^\s*(\w+)/, `${MACRO_PREFIX}$1`)}`;
      break;
    case 'test':
      t = `${head}macro ${rest.replace(/^\s*(\w+)/, `${renameMacros ? MACRO_PREFIX : ''}test_$1`)}`;
      break;
    case 'endtest':
    case 'endmaterialization':
    case 'endsnapshot':
      t = `${head}endmacro${rest}`;
      break;
    case 'materialization':
    case 'snapshot': {
      // Not run by this engine; kept as never-called macros so that the file still parses.
      const name = /^\s*(\w+)/.exec(rest)?.[1] ?? 'unnamed';
      const body = rest.replace(/[^\n]*?([-+]?%\})$/, '');
      t = `${head}macro __cm_${word}_${name}()${body}${/[-+]?%\}$/.exec(rest)?.[0] ?? '%}'}`;
      break;
    }
    default:
      break;
  }
  return t;
}

/** `{'a': {'b': 1}}` inside a tag: nunjucks' lexer reads `}}` as the tag's end, so split it. */
function spaceNestedBraces(tag: string): string {
  const open = 2;
  const close = tag.length - 2;
  let out = tag.slice(0, open);
  let depth = 0;
  let quote: string | undefined;
  for (let i = open; i < close; i++) {
    const c = tag[i] as string;
    out += c;
    if (quote) {
      if (c === '\\' && i + 1 < close) out += tag[++i];
      else if (c === quote) quote = undefined;
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === '{') depth++;
    else if (c === '}') {
      depth = Math.max(0, depth - 1);
      if (tag[i + 1] === '}') out += ' ';
    }
  }
  return out + tag.slice(close);
}

/** Maps a 1-based column of preprocessed text back to the source column. */
/**
 * The line of the block tag left open at the end of the file (`{% if %}` without `{% endif %}`):
 * nunjucks reports such errors at the end of file, without a line.
 */
export function unclosedBlockLine(src: string): number | undefined {
  const openers = new Set(['if', 'for', 'macro', 'call', 'filter', 'raw', 'test', 'materialization', 'snapshot', 'block', 'set']);
  const stack: Array<{ word: string; line: number }> = [];
  const re = /\{%[-+]?\s*(\w+)([^%]*)%\}/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(src))) {
    const word = m[1] as string;
    const line = src.slice(0, m.index).split('\n').length;
    if (word === 'set' && /=/.test(m[2] ?? '')) continue;
    if (openers.has(word)) stack.push({ word, line });
    else if (word.startsWith('end')) {
      const idx = stack.map((s) => s.word).lastIndexOf(word.slice(3));
      if (idx >= 0) stack.splice(idx);
    }
  }
  return stack[stack.length - 1]?.line;
}

export function sourceColumn(pre: Preprocessed, line: number, column: number): number {
  let col = column - 1;
  for (const s of [...(pre.shifts.get(line) ?? [])].reverse()) {
    if (col > s.column) col -= Math.min(s.delta, col - s.column);
  }
  return Math.max(1, col + 1);
}
