import type { SerializedError } from '../api/errors';

/** Messages between the extension host and its store worker (node:worker_threads). */
export interface WorkerInit {
  file: string;
  wasmPath: string;
  readOnly?: boolean;
}

export type HostToWorker =
  | { type: 'call'; id: number; op: string; args: unknown }
  | { type: 'cancel'; id: number }
  | { type: 'close' }
  /** Test hook: the worker dies at once, as after an out-of-memory abort. */
  | { type: 'crash' };

export type WorkerToHost =
  | { type: 'result'; id: number; ok: true; value: unknown }
  | { type: 'result'; id: number; ok: false; error: SerializedError }
  | { type: 'progress'; id: number; value: unknown }
  | { type: 'log'; level: 'trace' | 'debug' | 'info' | 'warn' | 'error'; message: string }
  | { type: 'movedAside'; path: string }
  /** Something about the store the user should hear (a partition moved aside or missing). */
  | { type: 'problem'; message: string }
  | { type: 'closed' };
