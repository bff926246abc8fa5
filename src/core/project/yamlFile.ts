import { LineCounter, isNode, parseDocument } from 'yaml';
import type { Document } from 'yaml';
import { diagnostic } from './diagnostics';
import type { Diagnostic } from './diagnostics';

/**
 * A parsed yml file that still knows where each value was written, so that a problem found in
 * `sources:` or `columns:` can point at its line.
 */
export class YamlFile {
  private constructor(
    readonly file: string,
    readonly value: unknown,
    private readonly doc: Document | undefined,
    private readonly lines: LineCounter,
    readonly diagnostics: Diagnostic[],
  ) {}

  static parse(file: string, text: string): YamlFile {
    const lines = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: false });
    const diagnostics: Diagnostic[] = [];
    for (const e of doc.errors) {
      const pos = lines.linePos(e.pos[0]);
      diagnostics.push(diagnostic(file, pos.line, pos.col, `Invalid YAML: ${e.message.split('\n')[0]}`, 'yml'));
    }
    if (doc.errors.length > 0) return new YamlFile(file, undefined, undefined, lines, diagnostics);
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 1000 });
    } catch (err) {
      diagnostics.push(diagnostic(file, 1, 1, `Invalid YAML: ${(err as Error).message}`, 'yml'));
    }
    return new YamlFile(file, value, doc, lines, diagnostics);
  }

  /** 1-based position of the value at `path` (or of the nearest ancestor that exists). */
  position(path: ReadonlyArray<string | number>): { line: number; column: number } {
    if (!this.doc) return { line: 1, column: 1 };
    for (let len = path.length; len >= 0; len--) {
      const node = this.doc.getIn(path.slice(0, len), true);
      if (isNode(node) && node.range) {
        const pos = this.lines.linePos(node.range[0]);
        return { line: pos.line, column: pos.col };
      }
    }
    return { line: 1, column: 1 };
  }

  diagnosticAt(path: ReadonlyArray<string | number>, message: string, code = 'yml', severity: Diagnostic['severity'] = 'error'): Diagnostic {
    const { line, column } = this.position(path);
    return diagnostic(this.file, line, column, message, code, severity);
  }
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function asStringList(v: unknown): string[] | undefined {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  return undefined;
}
