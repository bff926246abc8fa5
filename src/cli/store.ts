import path from 'node:path';
import type { Logger } from '../core/log';
import { InProcessStoreClient } from '../core/store/api/client';
import { loadSqlJs } from '../core/store/sqljs';

/**
 * The CLI's store: the same named operations as the extension's worker, run in this process on one
 * live database (a CLI command is one process, so there is no host thread to keep free).
 */
export function openCliStore(file: string, logger: Logger, options: { readOnly?: boolean } = {}): InProcessStoreClient {
  return new InProcessStoreClient(() => loadSqlJs(path.join(__dirname, 'sql-wasm.wasm')), file, logger, options);
}
