import { inertText } from '../core/http/redaction';
import type { Logger } from '../core/log';

/** The CLI's log sink: warnings always, the rest with --verbose; stdout stays for results. */
export function stderrLogger(verbose: boolean): Logger {
  // Every line through the one redaction: secrets masked, control characters inert.
  const write = (level: string) => (m: string) => process.stderr.write(`[${level}] ${inertText(m)}\n`);
  const quiet = () => undefined;
  return {
    trace: verbose ? write('trace') : quiet,
    debug: verbose ? write('debug') : quiet,
    info: verbose ? write('info') : quiet,
    warn: write('warn'),
    error: write('error'),
  };
}


/**
 * Characters that must not reach a terminal or a spreadsheet from a cell: C0 controls but tab and line
 * breaks, DEL, C1 controls (ESC/CSI/OSC sequences, bells), and the bidirectional overrides that make
 * text display in another order than it is.
 */
// eslint-disable-next-line no-control-regex
const UNSAFE_CHARACTERS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
/** What makes a spreadsheet read a cell as a formula (OWASP "CSV injection"). */
const FORMULA_START = /^[=+\-@\t\r\uff1d\uff0b\uff0d\uff20]/;
const PLAIN_NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * One CSV cell (RFC 4180 quoting), safe to open in a spreadsheet and to print on a terminal: control
 * and escape characters removed, and a text that a spreadsheet would run as a formula prefixed with `'`
 * (numbers, including negative ones, are left as they are).
 */
export function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  let s = v instanceof Uint8Array ? Buffer.from(v).toString('base64') : String(v);
  // A lone carriage return sends a terminal's cursor back over the line; line breaks stay (quoted).
  s = s.replace(UNSAFE_CHARACTERS, '').replace(/\r\n?/g, '\n');
  if (FORMULA_START.test(s) && !PLAIN_NUMBER.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** JSON for a terminal: JSON.stringify escapes C0 controls; DEL, C1 and bidi overrides are escaped too. */
export function terminalSafeJson(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(/[\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
