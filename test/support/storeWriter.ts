/**
 * A second process for the store tests: `node --import tsx test/support/storeWriter.ts FILE REPO N`
 * appends N snapshots of REPO to FILE, one updateStore (lock → load → apply → save) each.
 */
import path from 'node:path';
import { silentLogger } from '../../src/core/log';
import { loadSqlJs } from '../../src/core/store/sqljs';
import { updateStore } from '../../src/core/store/store';

async function main(): Promise<void> {
  const [file, repo, n] = process.argv.slice(2) as [string, string, string];
  const SQL = await loadSqlJs(path.resolve(__dirname, '../../node_modules/sql.js/dist/sql-wasm.wasm'));
  for (let i = 0; i < Number(n); i++) {
    await updateStore(SQL, file, silentLogger, (s) => s.addRepositorySnapshot({ timestamp: `2026-01-01T00:00:00.${String(i).padStart(6, '0')}Z`, repo, stars: i }));
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${String(err)}\n`);
  process.exitCode = 1;
});
