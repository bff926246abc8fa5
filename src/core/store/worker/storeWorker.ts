/**
 * The store worker: the one live database of a workspace, in a node:worker_threads thread owned by
 * the extension. It answers named operations (STORE_OPERATIONS) posted by WorkerStoreClient, so the
 * extension host's thread runs no SQL. Bundled as dist/storeWorker.js.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Logger } from '../../log';
import { ProjectCache, runOperation } from '../api/client';
import { serializeError } from '../api/errors';
import { CancelledError } from '../../http/errors';
import { LiveStore } from '../liveStore';
import { loadSqlJs } from '../sqljs';
import type { HostToWorker, WorkerInit, WorkerToHost } from './protocol';

const port = parentPort;
if (!port) throw new Error('storeWorker.js runs as a worker thread.');
const init = workerData as WorkerInit;
const post = (m: WorkerToHost) => port.postMessage(m);

const logger: Logger = {
  trace: (message) => post({ type: 'log', level: 'trace', message }),
  debug: (message) => post({ type: 'log', level: 'debug', message }),
  info: (message) => post({ type: 'log', level: 'info', message }),
  warn: (message) => post({ type: 'log', level: 'warn', message }),
  error: (message) => post({ type: 'log', level: 'error', message }),
};

let live: Promise<LiveStore> | undefined;
const openLive = (): Promise<LiveStore> => {
  live ??= loadSqlJs(init.wasmPath).then((SQL) => LiveStore.open(SQL, init.file, logger, { readOnly: init.readOnly ?? false }));
  live.catch(() => {
    live = undefined;
  });
  return live;
};
const projects = new ProjectCache(logger);
const running = new Map<number, AbortController>();

/** Files moved aside and other problems the store found since the last call, told once. */
function tellNews(store: LiveStore): void {
  for (const aside of store.takeMovedAside()) post({ type: 'movedAside', path: aside });
  const problems = (store as { takeProblems?: () => string[] }).takeProblems?.() ?? [];
  for (const message of problems) post({ type: 'problem', message });
}

async function call(id: number, op: string, args: unknown): Promise<void> {
  const abort = new AbortController();
  running.set(id, abort);
  try {
    const store = await openLive();
    if (abort.signal.aborted) throw new CancelledError();
    const value = await runOperation(store, projects, logger, op, args, abort.signal, (v) => post({ type: 'progress', id, value: v }));
    tellNews(store);
    post({ type: 'result', id, ok: true, value });
  } catch (err) {
    const store = await live?.catch(() => undefined);
    if (store) tellNews(store);
    post({ type: 'result', id, ok: false, error: serializeError(err) });
  } finally {
    running.delete(id);
  }
}

port.on('message', (m: HostToWorker) => {
  switch (m.type) {
    case 'call':
      void call(m.id, m.op, m.args);
      break;
    case 'cancel':
      running.get(m.id)?.abort();
      break;
    case 'crash':
      process.exit(70);
      break;
    case 'close':
      void (async () => {
        const store = await live?.catch(() => undefined);
        await store?.close();
        post({ type: 'closed' });
        port.close();
      })();
      break;
  }
});
