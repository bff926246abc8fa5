/**
 * A long writer for the lock tests, like a `run` of many minutes:
 * `node --import tsx test/support/longWriter.ts FILE REPO STARS` takes the store (the models' session:
 * lock → load → work → save), adds one snapshot of REPO, prints "holding" and keeps the store until
 * its stdin closes, then saves the copy it loaded.
 */
import path from 'node:path';
import { silentLogger } from '../../src/core/log';
import { withStoreDatabase } from '../../src/core/project/storeSession';
import { loadSqlJs } from '../../src/core/store/sqljs';

async function main(): Promise<void> {
  const [file, repo, stars] = process.argv.slice(2) as [string, string, string];
  const SQL = await loadSqlJs(path.resolve(__dirname, '../../node_modules/sql.js/dist/sql-wasm.wasm'));
  await withStoreDatabase(SQL, file, silentLogger, async (db) => {
    db.run('INSERT INTO github_stars (timestamp, project, stars) VALUES (?, ?, ?)', ['2026-01-01T00:00:00Z', repo, Number(stars)]);
    process.stdout.write('holding\n');
    await new Promise<void>((resolve) => {
      process.stdin.on('data', () => undefined);
      process.stdin.on('end', resolve);
      process.stdin.on('close', resolve);
    });
  });
  process.stdout.write('saved\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`${String(err)}\n`);
  process.exitCode = 1;
});
