/**
 * Fields of a service's answer that arrive with another type than documented: coerced where the
 * meaning is certain (a count sent as the string "12"), and otherwise counted as unusable, so that the
 * dataset fails loudly naming the first one instead of dropping rows in silence.
 */

const DIGITS = /^\s*\d+\s*$/;
const DECIMAL = /^\s*-?\d+(?:\.\d+)?\s*$/;

/** A non-negative whole count: a number, or a string of digits. */
export function toCount(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isInteger(v) && v >= 0 ? v : undefined;
  if (typeof v === 'string' && DIGITS.test(v)) return Number(v);
  return undefined;
}

/** A finite number, or a string holding exactly one. */
export function toNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'string' && DECIMAL.test(v)) return Number(v);
  return undefined;
}

/** An ISO date or timestamp string a date parser reads (never a number: seconds or milliseconds is a guess). */
export function toTimestamp(v: unknown): string | undefined {
  return typeof v === 'string' && /^\d{4}-\d{2}-\d{2}/.test(v) && Number.isFinite(Date.parse(v)) ? v : undefined;
}

/** What an unusable value looks like in a message: its type and a short, inert excerpt. */
export function shown(v: unknown): string {
  if (v === undefined) return 'missing';
  if (v === null) return 'null';
  const text = JSON.stringify(v) ?? String(v);
  return `${typeof v} ${text.length > 40 ? `${text.slice(0, 40)}…` : text}`;
}

/** Items of one answer that could not be used, to fail the dataset with a message naming the first. */
export class Unusable {
  private count = 0;
  private first: string | undefined;

  constructor(private readonly what: string) {}

  note(index: number, why: string): void {
    this.count++;
    this.first ??= `item ${index + 1}: ${why}`;
  }

  /** Throws when any item was unusable (after the caller has kept the usable ones). */
  check(total: number): void {
    if (this.count === 0) return;
    throw new Error(`${this.count} of ${total} ${this.what} have fields of the wrong type and were not saved (first: ${this.first}); the others were saved`);
  }
}
