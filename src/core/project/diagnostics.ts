/**
 * Diagnostics as data: every problem the models engine finds (Jinja, yml, CSV, SQL, a failing test)
 * is one of these, located on the file the user edits, never on compiled SQL. The editor turns them
 * into VS Code diagnostics; the CLI prints them as `file:line:column: severity: message`.
 */
export type Severity = 'error' | 'warning' | 'info';

export interface Diagnostic {
  /** Absolute path of the source file (model, yml, CSV, macro, dbt_project.yml). */
  file: string;
  /** 1-based line. */
  line: number;
  /** 1-based column. */
  column: number;
  message: string;
  severity: Severity;
  /** A stable short code, for quick fixes and tests: 'jinja', 'yml', 'csv', 'sql', 'ref', 'source', 'cycle', 'test', 'package', 'unsupported-sql'. */
  code: string;
  /** The unique_id of the node the problem belongs to, when there is one. */
  uniqueId?: string;
}

export function diagnostic(
  file: string,
  line: number,
  column: number,
  message: string,
  code: string,
  severity: Severity = 'error',
  uniqueId?: string,
): Diagnostic {
  const d: Diagnostic = { file, line: Math.max(1, line), column: Math.max(1, column), message, severity, code };
  if (uniqueId) d.uniqueId = uniqueId;
  return d;
}

/** An error that already knows where it belongs; thrown inside the engine, caught as a Diagnostic. */
export class DiagnosticError extends Error {
  constructor(readonly diagnostic: Diagnostic) {
    super(diagnostic.message);
    this.name = 'DiagnosticError';
  }
}

export function formatDiagnostic(d: Diagnostic, relativeTo?: (file: string) => string): string {
  const file = relativeTo ? relativeTo(d.file) : d.file;
  return `${file}:${d.line}:${d.column}: ${d.severity}: ${d.message}`;
}
