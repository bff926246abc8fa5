/**
 * Writes test/fixtures/store/v3-single-file.sqlite: a store as the single-file engine (schema
 * version 3, before partitions) wrote it, with rows in every table, a model view and table over the
 * raw tables, and the run bookkeeping, so that the upgrade test can count every row after migrating.
 * Run with `node --import tsx test/support/makeStoreFixture.ts` on a commit of that engine only: the
 * committed file is the fixture, this script is how it was made.
 */
import path from 'node:path';
import { silentLogger } from '../../src/core/log';
import { ensureRunTables } from '../../src/core/project/runHistory';
import { loadSqlJs } from '../../src/core/store/sqljs';
import { updateStore } from '../../src/core/store/store';

const out = path.resolve(__dirname, '../fixtures/store/v3-single-file.sqlite');

function value(table: string, column: string, type: string, i: number): string | number | null {
  const day = new Date(Date.UTC(2025, 10, 1) + (i % 90) * 86_400_000 + (i % 24) * 3_600_000);
  const iso = day.toISOString();
  if (/^(timestamp|created_at|updated_at|closed_at|merged_at|first_response_at|author_date|committer_date|published_at|pushed_at|last_updated|message_time|starred_at|imported_at|stored_at|fetched_at)$/.test(column)) return iso;
  if (column === 'hour') return `${iso.slice(0, 13)}`;
  if (column === 'day' || column === 'date' || column === 'week') return iso.slice(0, 10);
  if (column === 'labels' || column === 'repos') return table === 'gharchive_hours' ? '["a/b"]' : '[]';
  if (column === 'status') return 'imported';
  if (/INT/i.test(type)) return i;
  return `${table}.${column}.${i}`;
}

async function main(): Promise<void> {
  const SQL = await loadSqlJs(path.resolve(__dirname, '../../node_modules/sql.js/dist/sql-wasm.wasm'));
  await updateStore(SQL, out, silentLogger, (store) => {
    ensureRunTables(store.db);
    const tables = store.all<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name");
    for (const { name } of tables) {
      const cols = store.all<{ name: string; type: string }>(`SELECT name, type FROM pragma_table_info('${name}')`);
      // gharchive_events spans three months (the partitions of the new engine); others a few rows.
      const n = name === 'gharchive_events' ? 500 : 7 + (name.length % 5);
      for (let i = 0; i < n; i++) {
        const row = cols.map((c) => (name === 'gharchive_events' && c.name === 'tracked_repo' ? (i % 3 ? 'a/b' : 'c/d') : value(name, c.name, c.type, i)));
        store.db.run(`INSERT OR IGNORE INTO "${name}" (${cols.map((c) => `"${c.name}"`).join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`, row);
      }
    }
    store.db.exec(`
      CREATE VIEW stg_gharchive AS SELECT tracked_repo, type, substr(hour, 1, 10) AS day FROM gharchive_events;
      CREATE TABLE daily_events AS SELECT tracked_repo, day, COUNT(*) AS events FROM stg_gharchive GROUP BY 1, 2;
      INSERT INTO _cm_relations VALUES ('stg_gharchive', 'model.fixture.stg_gharchive', 'view', '2026-01-01T00:00:00Z');
      INSERT INTO _cm_relations VALUES ('daily_events', 'model.fixture.daily_events', 'table', '2026-01-01T00:00:00Z');
    `);
  });
  process.stdout.write(`${out}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${String(err)}\n`);
  process.exitCode = 1;
});
