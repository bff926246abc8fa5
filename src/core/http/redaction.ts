import type { Logger } from '../log';

/**
 * One redaction for every message, log line and excerpt: the secrets this process has sent (each is
 * registered by the HTTP client the moment it is attached to a request) and anything shaped like a
 * token, whatever a server echoes back. Applied where errors are made (HttpError, describeError) and
 * where lines are logged (redactingLogger), never per call site.
 */

const MASK = '***';
const MIN_SECRET_LENGTH = 4;
const secrets = new Set<string>();
let longestSecret = 0;

/** Remembers a secret value so that it is masked wherever it appears later. */
export function registerSecret(value: string | undefined): void {
  if (!value || value.length < MIN_SECRET_LENGTH || secrets.has(value)) return;
  secrets.add(value);
  longestSecret = Math.max(longestSecret, value.length);
}

/** Token shapes of the services we talk to, and credentials in header-like or URL-like text. */
const TOKEN_PATTERNS: [RegExp, string][] = [
  [/\b(?:gh[pousr]_[A-Za-z0-9]{16,}|github_pat_[A-Za-z0-9_]{20,})/g, MASK],
  [/\bxox[abeoprs]-[A-Za-z0-9-]{8,}/g, MASK],
  [/\b(Bearer|Basic|token)(\s+)(?=[A-Za-z0-9._~+/=-]*\d)[A-Za-z0-9._~+/=-]{8,}/gi, `$1$2${MASK}`],
  [/\b(authorization|x-api-key|api[-_]?key|cookie|access[-_]?token|password|secret)(["']?\s*[:=]\s*["']?)(?!\*\*\*)[^\s"',;&}]+/gi, `$1$2${MASK}`],
  [/(\/\/[^/\s:@]*:)[^/\s@]+@/g, `$1${MASK}@`],
];

/** C0 and C1 control characters other than tab and newline: a server's text must not drive a terminal. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

export function redactSecrets(text: string): string {
  let out = text;
  if (secrets.size > 0) {
    // Longest first, so that a secret containing another is masked whole.
    for (const s of [...secrets].sort((a, b) => b.length - a.length)) if (out.includes(s)) out = out.split(s).join(MASK);
  }
  for (const [re, replacement] of TOKEN_PATTERNS) out = out.replace(re, replacement);
  return out;
}

/** Text that came from a server or a file, safe for a message: secrets masked, control characters shown as `?`. */
export function inertText(text: string): string {
  return redactSecrets(text).replace(CONTROL, '?');
}

/**
 * The first `length` characters of `text`, redacted. The redaction runs on a window long enough to hold
 * any secret that starts inside the excerpt, so that a cut never leaves a secret's first characters.
 */
export function excerpt(text: string, length: number): string {
  const window = text.slice(0, length + Math.max(longestSecret, 256));
  return inertText(window).slice(0, length);
}

/** A logger that redacts every line before it reaches the sink. */
export function redactingLogger(logger: Logger): Logger {
  if ((logger as { redacting?: boolean }).redacting) return logger;
  const wrap = (fn: (m: string) => void) => (m: string) => fn(inertText(m));
  return {
    redacting: true,
    trace: wrap((m) => logger.trace(m)),
    debug: wrap((m) => logger.debug(m)),
    info: wrap((m) => logger.info(m)),
    warn: wrap((m) => logger.warn(m)),
    error: wrap((m) => logger.error(m)),
  } as Logger;
}
