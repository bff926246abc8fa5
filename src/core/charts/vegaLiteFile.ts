import { parse, printParseErrorCode } from 'jsonc-parser';
import type { ParseError } from 'jsonc-parser';

/** Where a `.vl.json` file is wrong: 1-based line and column, and what is wrong there. */
export interface VegaLiteFileProblem {
  line: number;
  column: number;
  message: string;
}

/**
 * A `<model>.vl.json` file read as a vega-lite spec: strict JSON (no comments, no trailing commas,
 * as vega-lite's own tools read it) whose top level is an object. Problems say the line and column,
 * so the chart panel can point at the place to fix.
 */
export function parseVegaLiteFile(text: string): { spec?: Record<string, unknown>; problems: VegaLiteFileProblem[] } {
  const errors: ParseError[] = [];
  const value: unknown = parse(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  const at = (offset: number) => {
    const before = text.slice(0, offset).split(/\r\n|\r|\n/);
    return { line: before.length, column: (before[before.length - 1] ?? '').length + 1 };
  };
  if (errors.length > 0) {
    return { problems: errors.map((e) => ({ ...at(e.offset), message: `${describe(printParseErrorCode(e.error))} (not valid JSON)` })) };
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    const start = text.length - text.trimStart().length;
    return { problems: [{ ...at(start), message: 'a vega-lite spec is a JSON object ({ "mark": …, "encoding": … })' }] };
  }
  return { spec: value as Record<string, unknown>, problems: [] };
}

/** jsonc-parser's error codes (`CommaExpected`) in words. */
function describe(code: string): string {
  const words = code.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}
