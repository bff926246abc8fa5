import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { SqlJsStatic } from 'sql.js';
import { GHARCHIVE_DAILY_SQL, gharchiveEventTypes, gharchiveParams } from '../../../src/core/charts/gharchiveMetric';
import { writeClickHouseChunk } from '../../../src/core/clickhouse/archiveCountsStore';
import { archiveWriteNeeds, writeBatch } from '../../../src/core/gharchive/archiveStore';
import type { HourRecord } from '../../../src/core/gharchive/archiveStore';
import { EVENT_COLUMNS } from '../../../src/core/gharchive/eventRow';
import type { EventRow } from '../../../src/core/gharchive/eventRow';
import { silentLogger } from '../../../src/core/log';
import type { Logger } from '../../../src/core/log';
import { LiveStore } from '../../../src/core/store/liveStore';
import type { MetricsStore } from '../../../src/core/store/store';
import { repoRoot } from '../../support/fixtures';
import { referenceDays } from '../../support/gharchiveReference';
import { testSql } from '../store.test';

const TYPES = ['WatchEvent', 'PushEvent', 'IssuesEvent', 'ForkEvent'];
const REPOS = ['Busy/Repo', 'quiet/one', 'late/repo'];

function event(id: string, hour: string, tracked: string, type: string): EventRow {
  return {
    ...Object.fromEntries(EVENT_COLUMNS.map((c) => [c, null])),
    event_id: id, type, created_at: hour, hour, repo_id: 1, repo_name: tracked, tracked_repo: tracked,
  } as unknown as EventRow;
}

function hourRecord(hour: string, repos: string[], status: HourRecord['status'] = 'imported'): HourRecord {
  return { hour, status, events: 1000, badLines: 0, bytes: 1, repos };
}

/** The chart's daily series of a repository from the kept totals (what every GH Archive chart reads). */
function keptDays(s: MetricsStore, repo: string, type: string | null): Array<{ day: string; v: number; h: number }> {
  return s
    .all<{ day: string; v: number; h: number }>(`SELECT day, v, h FROM (${GHARCHIVE_DAILY_SQL}) ORDER BY day`, gharchiveParams(repo, type ?? undefined))
    .map((r) => ({ day: r.day, v: Number(r.v), h: Number(r.h) }));
}

function assertSameAsReference(s: MetricsStore, message: string): void {
  for (const repo of [...REPOS, 'BUSY/REPO', 'never/tracked']) {
    for (const type of [null, ...TYPES, 'GollumEvent']) {
      assert.deepEqual(keptDays(s, repo, type), referenceDays(s, repo, type), `${message}: ${repo} ${type ?? 'all types'}`);
    }
  }
}

describe('GH Archive day totals (kept on write, read by the charts instead of the events)', function () {
  this.timeout(120_000);
  let SQL: SqlJsStatic;
  let dir: string;
  let file: string;
  let live: LiveStore | undefined;
  beforeEach(async () => {
    SQL = await testSql();
    dir = await mkdtemp(path.join(tmpdir(), 'cm-daytotals-'));
    file = path.join(dir, 'metrics.sqlite');
  });
  afterEach(async () => {
    await live?.close();
    live = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  /**
   * Imports hour batches over three months the way an import does (one write per batch, with its
   * declared needs): hours read for some repositories only, corrupt hours whose events must not count,
   * a repository tracked later (an hour re-read for it), an older spelling of a name, and a batch
   * through the ClickHouse path.
   */
  async function importHistory(): Promise<void> {
    let seed = 7;
    const rnd = () => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32);
    let id = 0;
    const start = Date.UTC(2026, 0, 20);
    for (let batch = 0; batch < 12; batch++) {
      const events: EventRow[] = [];
      const hours: HourRecord[] = [];
      for (let k = 0; k < 18; k++) {
        const h = batch * 18 * 3 + k * 3 + (batch % 3);
        const hour = new Date(start + h * 3_600_000).toISOString().replace('.000Z', 'Z');
        const late = h > 600;
        const repos = REPOS.filter((r) => r !== 'late/repo' || late);
        const status = rnd() < 0.08 ? 'corrupt' : 'imported';
        hours.push(hourRecord(hour, repos, status));
        for (const repo of repos) {
          const n = Math.floor(rnd() * (repo === 'Busy/Repo' ? 7 : 3));
          for (let i = 0; i < n; i++) {
            const spelled = repo === 'Busy/Repo' && i % 3 === 1 ? 'busy/repo' : repo;
            events.push(event(`e${++id}`, hour, spelled, TYPES[Math.floor(rnd() * TYPES.length)] as string));
          }
        }
      }
      await live!.write((s) => writeBatch(s, events, hours, new Date('2026-06-01T00:00:00Z')), { needs: archiveWriteNeeds([...hours.map((h) => h.hour), ...events.map((e) => e.hour)]) });
    }
    // An hour imported before 'late/repo' was tracked, read again for it: its days gain the repository.
    const reread = '2026-01-20T00:00:00Z';
    await live!.write((s) => writeBatch(s, [event(`e${++id}`, reread, 'late/repo', 'WatchEvent')], [hourRecord(reread, ['late/repo'])], new Date('2026-06-01T00:00:00Z')), { needs: archiveWriteNeeds([reread]) });
    // A corrupt reading after an imported one keeps the imported hour (and its totals).
    await live!.write((s) => writeBatch(s, [], [hourRecord(reread, ['busy/repo'], 'corrupt')], new Date('2026-06-01T00:00:00Z')), { needs: archiveWriteNeeds([reread]) });
    // The ClickHouse path: a whole day, its hours imported for two repositories.
    const chHours = Array.from({ length: 24 }, (_, i) => `2026-03-20T${String(i).padStart(2, '0')}:00:00Z`);
    const chEvents = chHours.flatMap((h, i) => (i % 4 === 0 ? [event(`ch${i}`, h, 'quiet/one', 'ForkEvent'), event(`chb${i}`, h, 'Busy/Repo', 'PushEvent')] : []));
    await live!.write(
      (s) => writeClickHouseChunk(s, { events: chEvents, counts: [], importedHours: chHours, missingHours: [], repos: ['Busy/Repo', 'quiet/one'], source: 'test', now: new Date('2026-06-01T00:00:00Z') }),
      { needs: archiveWriteNeeds(chHours) },
    );
  }

  it('give the same daily series as the raw events and hours, for every repository and event type, through imports of both kinds', async () => {
    live = await LiveStore.open(SQL, file, silentLogger);
    await importHistory();
    await live.read((s) => assertSameAsReference(s, 'live'), { needs: 'all' });
    // The same from the files, in a fresh process's store.
    await live.close();
    live = await LiveStore.open(SQL, file, silentLogger);
    await live.read((s) => assertSameAsReference(s, 'reopened'), { needs: 'all' });
    const busy = await live.read((s) => keptDays(s, 'busy/repo', null), { needs: {} });
    assert.ok(busy.length > 20 && busy.some((d) => d.v > 0) && busy.some((d) => d.h < 24), 'the history has days, events and partial days');
  });

  it('are kept one file a year: days either side of a new year land in their own year, and read back whole', async () => {
    live = await LiveStore.open(SQL, file, silentLogger);
    const hours = ['2025-12-31T23:00:00Z', '2026-01-01T00:00:00Z'];
    await live.write((s) => writeBatch(s, hours.map((h, i) => event(`y${i}`, h, 'quiet/one', 'WatchEvent')), hours.map((h) => hourRecord(h, ['quiet/one'])), new Date('2026-06-01T00:00:00Z')), { needs: archiveWriteNeeds(hours) });
    await live.close();
    const db = new SQL.Database(await readFile(file));
    try {
      assert.deepEqual(db.exec("SELECT part, row_count FROM _cm_partitions WHERE tbl = 'gharchive_day_totals' ORDER BY part")[0]?.values, [['2025', 1], ['2026', 1]]);
    } finally {
      db.close();
    }
    live = await LiveStore.open(SQL, file, silentLogger);
    // The tree's window (from a month on) loads from that month's year.
    assert.deepEqual(
      await live.read((s) => s.all('SELECT day FROM gharchive_day_totals ORDER BY day', [], { gharchive_day_totals: '2026-01' }), { needs: {} }),
      [{ day: '2026-01-01' }],
    );
    assert.deepEqual(await live.read((s) => keptDays(s, 'quiet/one', null), { needs: {} }), [{ day: '2025-12-31', v: 1, h: 1 }, { day: '2026-01-01', v: 1, h: 1 }]);
  });

  it('an hour whose repository list is damaged counts for no repository, and the day is still computed', async () => {
    live = await LiveStore.open(SQL, file, silentLogger);
    await live.write((s) => {
      s.db.run("INSERT INTO gharchive_hours (hour, status, events, matched, repos, imported_at) VALUES ('2026-01-01T00:00:00Z', 'imported', 1, 0, '[not json', 'x')");
      writeBatch(s, [event('x1', '2026-01-01T01:00:00Z', 'quiet/one', 'WatchEvent')], [hourRecord('2026-01-01T01:00:00Z', ['quiet/one'])], new Date('2026-06-01T00:00:00Z'));
    }, { needs: archiveWriteNeeds(['2026-01-01T00:00:00Z']) });
    assert.deepEqual(await live.read((s) => keptDays(s, 'quiet/one', null), { needs: {} }), [{ day: '2026-01-01', v: 1, h: 1 }]);
  });

  it('a GH Archive chart and its event types read no month of the events', async () => {
    live = await LiveStore.open(SQL, file, silentLogger);
    await importHistory();
    await live.close();
    live = await LiveStore.open(SQL, file, silentLogger);
    const days = await live.read((s) => keptDays(s, 'Busy/Repo', 'WatchEvent'), { needs: {} });
    const types = await live.read((s) => gharchiveEventTypes(s, ['Busy/Repo']), { needs: {} });
    assert.ok(days.length > 0 && types.length === TYPES.length);
    const { loaded, listed } = await live.loadedPartitions();
    // Listed: events and hours of three months each (January to March), the totals of 2026 (one file a
    // year); loaded: the totals only.
    assert.equal(listed, 7);
    assert.equal(loaded, 1, 'only the day totals were loaded');
  });

  it('upgrade a store written by the previous engine (schema 8, fixture): the same series as its own query gave, hours moved to partitions', async () => {
    const fixture = path.join(repoRoot, 'test/fixtures/store/v8-partitioned');
    await cp(fixture, dir, { recursive: true });
    const expected = JSON.parse(await readFile(path.join(fixture, 'expected-series.json'), 'utf8')) as Record<string, Record<string, unknown>>;
    const before = (await stat(file)).size;
    live = await LiveStore.open(SQL, file, silentLogger);
    for (const [repo, byType] of Object.entries(expected)) {
      for (const [type, days] of Object.entries(byType)) {
        assert.deepEqual(await live.read((s) => keptDays(s, repo, type === 'all' ? null : type), { needs: {} }), days, `${repo} ${type}`);
      }
    }
    assert.equal((await live.loadedPartitions()).loaded, 3, 'the hours of two months and the totals of the year, no month of the events');
    await live.close();
    live = undefined;
    const db = new SQL.Database(await readFile(file));
    try {
      assert.equal(db.exec('SELECT COUNT(*) FROM gharchive_hours')[0]?.values[0]?.[0], 0, 'the hours left the store file');
      assert.deepEqual(db.exec("SELECT tbl, part FROM _cm_partitions WHERE tbl != 'gharchive_events' ORDER BY 1, 2")[0]?.values, [
        ['gharchive_day_totals', '2026'], ['gharchive_hours', '2026-09'], ['gharchive_hours', '2026-10'],
      ]);
    } finally {
      db.close();
    }
    assert.ok((await stat(file)).size <= before, 'the store file did not grow');
  });

  it('are computed once for a store written before them, from its partition files, without loading the events', async () => {
    live = await LiveStore.open(SQL, file, silentLogger);
    await importHistory();
    const expected = await live.read((s) => REPOS.map((r) => referenceDays(s, r)), { needs: 'all' });
    await live.close();
    live = undefined;
    // What the previous version's store looks like: no totals listed, the task pending (migration 9
    // sets it on a store that has hours).
    const db = new SQL.Database(await readFile(file));
    db.run("DELETE FROM _cm_partitions WHERE tbl = 'gharchive_day_totals'");
    db.run("INSERT INTO _cm_pending (task) VALUES ('gharchive_day_totals')");
    await writeFile(file, db.export());
    db.close();
    const infos: string[] = [];
    const logger: Logger = { ...silentLogger, info: (m: string) => infos.push(m) };
    live = await LiveStore.open(SQL, file, logger);
    assert.ok(infos.some((m) => /Computed the GH Archive day totals/.test(m)), infos.join('\n'));
    const counts = await live.loadedPartitions();
    assert.equal(counts.listed, 7, 'the totals were saved as a partition again');
    assert.equal(counts.loaded, 4, 'hours and totals in memory, no month of the events');
    const got = await live.read((s) => REPOS.map((r) => keptDays(s, r, null)), { needs: {} });
    assert.deepEqual(got, expected);
    // Saved: the next open has nothing left to do.
    await live.close();
    infos.length = 0;
    live = await LiveStore.open(SQL, file, logger);
    assert.ok(!infos.some((m) => /Computed the GH Archive day totals/.test(m)));
    assert.deepEqual(await live.read((s) => REPOS.map((r) => keptDays(s, r, null)), { needs: {} }), expected);
  });
});
