/**
 * GH Archive hours: one file per UTC hour, named `YYYY-MM-DD-H.json.gz` with the hour NOT zero-padded.
 * An hour is kept in the store as its ISO start (`2015-01-01T12:00:00Z`), so that SQLite's date
 * functions and the models read it like any other timestamp.
 */
const HOUR_MS = 3_600_000;

/** The first hour GH Archive has (the timeline starts 2011-02-12). */
export const FIRST_ARCHIVE_HOUR = Date.UTC(2011, 1, 12, 0);

/** Upper bound of one import, so that a typo in a year cannot queue a century of downloads. */
export const MAX_HOURS_PER_IMPORT = 24 * 366 * 5;

export class HourRangeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HourRangeError';
  }
}

const FORMS = [
  // 2015-01-01T12, 2015-01-01T12:00, 2015-01-01T12:00:00Z, 2015-01-01 12
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{1,2})(?::00(?::00(?:\.0+)?)?)?Z?$/,
  // 2015-01-01-12 (the archive's own file naming)
  /^(\d{4})-(\d{2})-(\d{2})-(\d{1,2})$/,
];
const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * Parses an hour as the CLI and the editor accept it. A bare date means the first hour of that day
 * for the start of a range and the last hour for its end, so that `--from D --to D` is one whole day.
 */
export function parseHour(text: string, end: 'from' | 'to' = 'from'): number {
  const t = text.trim();
  const date = DATE_ONLY.exec(t);
  const m = date ? [...date, end === 'to' ? '23' : '0'] : FORMS.map((f) => f.exec(t)).find((x) => x);
  if (!m) throw new HourRangeError(`'${text}' is not an hour; write it as YYYY-MM-DDTHH (UTC), e.g. 2015-01-01T00`);
  const [y, mo, d, h] = [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4])];
  const ms = Date.UTC(y, mo - 1, d, h);
  const back = new Date(ms);
  // Date.UTC rolls 2015-02-30 over into March; an hour that does not exist is a typo, not a wish.
  if (h > 23 || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) throw new HourRangeError(`'${text}' is not a valid UTC hour`);
  return ms;
}

/** Every hour from `from` to `to`, both included. */
export function hoursBetween(from: number, to: number): number[] {
  if (to < from) throw new HourRangeError(`The range ends (${hourKey(to)}) before it starts (${hourKey(from)})`);
  const n = Math.floor((to - from) / HOUR_MS) + 1;
  if (n > MAX_HOURS_PER_IMPORT) throw new HourRangeError(`${n} hours is more than one import handles (${MAX_HOURS_PER_IMPORT}); split the range`);
  return Array.from({ length: n }, (_, i) => from + i * HOUR_MS);
}

/** The store's key of an hour: its ISO start, to the second. */
export function hourKey(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

/** `2015-01-01-12.json.gz`: GH Archive pads month and day but not the hour. */
export function hourFileName(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}-${d.getUTCHours()}.json.gz`;
}

export function hourUrl(baseUrl: string, ms: number): string {
  return `${baseUrl.replace(/\/+$/, '')}/${hourFileName(ms)}`;
}

export const HOUR = HOUR_MS;
