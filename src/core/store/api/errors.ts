import { HourRangeError } from '../../gharchive/hours';
import { CancelledError, HttpError, RateLimitError } from '../../http/errors';
import { DiagnosticError } from '../../project/diagnostics';
import { SelectionError } from '../../project/selection';
import { StoreLockedError } from '../lock';
import { StoreError } from '../store';
import { ForeignStoreError, StoreConflictError, StoreCorruptError } from '../storeFile';

/**
 * Errors cross the worker boundary as plain data (name, message, stack and their own fields) and are
 * rebuilt on the other side as the same class, so `instanceof StoreError`, `CancelledError` or a
 * model's `DiagnosticError` (with its file:line) work exactly as in one process.
 */
export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
  fields: Record<string, unknown>;
}

type ErrorClass = abstract new (...args: never[]) => Error;

/** Classes rebuilt by name; anything else comes back as a plain Error with the same name and fields. */
const KNOWN: Record<string, ErrorClass> = {
  StoreError,
  StoreCorruptError,
  ForeignStoreError,
  StoreConflictError,
  StoreLockedError,
  CancelledError,
  HttpError,
  RateLimitError,
  DiagnosticError,
  SelectionError,
  HourRangeError,
  TypeError,
  RangeError,
};

/** Lets other modules (a new source's error class) be carried back as themselves. */
export function registerErrorClass(name: string, cls: ErrorClass): void {
  KNOWN[name] = cls;
}

export function serializeError(err: unknown): SerializedError {
  if (!(err instanceof Error)) return { name: 'Error', message: String(err), fields: {} };
  const fields: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(err)) {
    if (k === 'name' || k === 'message' || k === 'stack') continue;
    fields[k] = cloneable(v);
  }
  // A class that never sets `name` (SelectionError) is still known by its constructor's.
  const name = err.name !== 'Error' ? err.name : err.constructor?.name ?? 'Error';
  return { name, message: err.message, ...(err.stack ? { stack: err.stack } : {}), fields };
}

export function rebuildError(s: SerializedError): Error {
  const cls = KNOWN[s.name];
  const err = Object.create((cls ?? Error).prototype as object) as Error;
  Object.defineProperty(err, 'message', { value: s.message, writable: true, configurable: true, enumerable: false });
  if (!cls || err.name !== s.name) Object.defineProperty(err, 'name', { value: s.name, writable: true, configurable: true, enumerable: false });
  if (s.stack) Object.defineProperty(err, 'stack', { value: s.stack, writable: true, configurable: true, enumerable: false });
  Object.assign(err, s.fields);
  return err;
}

/** Keeps what structured clone can carry; functions and symbols become their description. */
function cloneable(v: unknown): unknown {
  if (typeof v === 'function' || typeof v === 'symbol') return String(v);
  if (v instanceof Error) return serializeError(v);
  return v;
}
