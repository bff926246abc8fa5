/**
 * A writer process for the partition tests: `node --import tsx test/support/partitionWriter.ts FILE TAG N`
 * writes N times through a LiveStore, each write one GH Archive event (in one of three months, so
 * that saves touch different partitions) and one star snapshot, and prints `TAG:i` once write i is
 * committed (saved). It never loads a partition before writing: each save merges the month it wrote
 * with that month's file. A test may kill it at any moment: every printed write must be on disk.
 */
import path from 'node:path';
import { silentLogger } from '../../src/core/log';
import { LiveStore } from '../../src/core/store/liveStore';
import { loadSqlJs } from '../../src/core/store/sqljs';

const MONTHS = ['2026-01', '2026-02', '2026-03'];

async function main(): Promise<void> {
  const [file, tag, n] = process.argv.slice(2) as [string, string, string];
  const SQL = await loadSqlJs(path.resolve(__dirname, '../../node_modules/sql.js/dist/sql-wasm.wasm'));
  const live = await LiveStore.open(SQL, file, silentLogger);
  for (let i = 0; i < Number(n); i++) {
    const hour = `${MONTHS[i % MONTHS.length] as string}-0${1 + (i % 9)}T0${i % 10}:00:00Z`;
    await live.write((s) => {
      s.db.run('INSERT INTO gharchive_events (event_id, type, created_at, hour, repo_name, tracked_repo) VALUES (?, ?, ?, ?, ?, ?)', [`${tag}:${i}`, 'WatchEvent', hour, hour, 'a/b', 'a/b']);
      s.addRepositorySnapshot({ timestamp: `2026-01-01T00:00:00.${String(i).padStart(6, '0')}Z`, repo: tag, stars: i });
      // Nothing loaded first: the month written is merged with its file when saved (the refresh path).
    }, { needs: {} });
    process.stdout.write(`${tag}:${i}\n`);
  }
  await live.close();
}

main().catch((err: unknown) => {
  process.stderr.write(`${String(err)}\n`);
  process.exitCode = 1;
});
