import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Database, SqlJsStatic } from 'sql.js';
import { silentLogger } from '../../src/core/log';
import type { Logger } from '../../src/core/log';
import { LiveStore } from '../../src/core/store/liveStore';
import { knownRepoNames } from '../../src/core/clickhouse/archiveCountsStore';
import { readArchiveState, writeBatch } from '../../src/core/gharchive/archiveStore';
import { EVENT_COLUMNS } from '../../src/core/gharchive/eventRow';
import type { EventRow } from '../../src/core/gharchive/eventRow';
import { PARTITIONED, partsDir } from '../../src/core/store/partitions';
import { MetricsStore } from '../../src/core/store/store';
import { repoRoot } from '../support/fixtures';
import { testSql } from './store.test';

const run = promisify(execFile);
const FIXTURE = path.join(repoRoot, 'test/fixtures/store/v3-single-file.sqlite');

/** Rows of every table of a database image opened directly (no partitions), by table name. */
function countRows(db: Database): Map<string, number> {
  const out = new Map<string, number>();
  const tables = db.exec("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")[0]?.values ?? [];
  for (const [name] of tables) out.set(String(name), Number(db.exec(`SELECT COUNT(*) FROM "${String(name)}"`)[0]?.values[0]?.[0]));
  return out;
}

function event(s: MetricsStore, id: string, hour: string): void {
  s.db.run('INSERT OR IGNORE INTO gharchive_events (event_id, type, created_at, hour, repo_name, tracked_repo) VALUES (?, ?, ?, ?, ?, ?)', [id, 'WatchEvent', hour, hour, 'a/b', 'a/b']);
}

function capture(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  return { ...silentLogger, warnings, warn: (m: string) => warnings.push(m) };
}

describe('partitioned store', function () {
  this.timeout(60_000);
  let dir: string;
  let file: string;
  let SQL: SqlJsStatic;
  let live: LiveStore | undefined;
  beforeEach(async () => {
    SQL = await testSql();
    dir = await mkdtemp(path.join(tmpdir(), 'cm-parts-'));
    file = path.join(dir, 'metrics.sqlite');
  });
  afterEach(async () => {
    await live?.close();
    live = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  const partFiles = async () => (await readdir(partsDir(file)).catch(() => [] as string[])).sort();

  it('upgrades a single-file store written by the previous engine in place, keeping every row of every table', async () => {
    const fixture = new SQL.Database(await readFile(FIXTURE));
    const before = countRows(fixture);
    fixture.close();
    assert.equal(before.get('gharchive_events'), 500);
    await copyFile(FIXTURE, file);

    live = await LiveStore.open(SQL, file, silentLogger);
    const after = await live.read((s) => countRows(s.db));
    for (const [table, n] of before) assert.equal(after.get(table), n, `rows of ${table}`);
    // Migration 8 kept the names and ids the events were stored under, for imports to read.
    assert.deepEqual(
      await live.read((s) => s.all('SELECT tracked_repo, repo_name, repo_id FROM gharchive_repo_names ORDER BY 1, 2, 3')),
      await live.read((s) => s.all('SELECT DISTINCT tracked_repo, repo_name, IFNULL(repo_id, 0) AS repo_id FROM gharchive_events ORDER BY 1, 2, 3')),
    );
    // The model view over a partitioned table still answers, and source names are unchanged.
    assert.equal(await live.read((s) => s.all<{ n: number }>('SELECT COUNT(*) AS n FROM stg_gharchive')[0]?.n), 500);
    await live.close();
    live = undefined;

    // On disk: the bulky tables are in one file per month; the store file keeps none of their rows.
    const names = await partFiles();
    assert.deepEqual(names.filter((n) => n.startsWith('gharchive_events.')).map((n) => n.replace(/\.g\d+\./, '.')), ['gharchive_events.2025-11.sqlite', 'gharchive_events.2025-12.sqlite', 'gharchive_events.2026-01.sqlite']);
    const main = new SQL.Database(await readFile(file));
    for (const p of PARTITIONED) {
      assert.equal(countRows(main).get(p.table), 0, p.table);
      // gharchive_raw_events came after this fixture's schema (3): it has no rows to move.
      if (p.table !== 'gharchive_raw_events') assert.ok(names.some((n) => n.startsWith(`${p.table}.`)), `${p.table} has partition files`);
    }
    main.close();
    const month = new SQL.Database(await readFile(path.join(partsDir(file), names.find((n) => n.startsWith('gharchive_events.2025-12.')) as string)));
    assert.equal(countRows(month).get('gharchive_events'), 175);
    month.close();

    // Opened again (a new process): every row is back.
    const { store } = await MetricsStore.open(SQL, file, silentLogger);
    try {
      const again = countRows(store.db);
      for (const [table, n] of before) assert.equal(again.get(table), n, `rows of ${table} after reopening`);
    } finally {
      store.close();
    }
  });

  it('saves only the partitions a write touched, as new files, and removes the replaced ones', async () => {
    live = await LiveStore.open(SQL, file, silentLogger);
    await live.write((s) => {
      event(s, 'e1', '2026-01-05T10:00:00Z');
      event(s, 'e2', '2026-02-05T10:00:00Z');
    });
    assert.deepEqual(await partFiles(), ['gharchive_events.2026-01.g1.sqlite', 'gharchive_events.2026-02.g2.sqlite']);
    const feb = await stat(path.join(partsDir(file), 'gharchive_events.2026-02.g2.sqlite'));
    await live.write((s) => event(s, 'e3', '2026-01-06T10:00:00Z'));
    assert.deepEqual(await partFiles(), ['gharchive_events.2026-01.g3.sqlite', 'gharchive_events.2026-02.g2.sqlite']);
    const febAfter = await stat(path.join(partsDir(file), 'gharchive_events.2026-02.g2.sqlite'));
    assert.equal(febAfter.ino, feb.ino, 'the untouched month was not rewritten');
    // A write that touches no partition writes none.
    await live.write((s) => s.addRepositorySnapshot({ timestamp: '2026-01-01T00:00:00Z', repo: 'a/b', stars: 1 }));
    assert.deepEqual(await partFiles(), ['gharchive_events.2026-01.g3.sqlite', 'gharchive_events.2026-02.g2.sqlite']);
    assert.equal(await live.read((s) => s.all<{ n: number }>('SELECT COUNT(*) AS n FROM gharchive_events')[0]?.n), 3);
  });

  it('saves what a write changed even when the write reset the temp schema (PRAGMA temp_store, as the model runner does)', async () => {
    live = await LiveStore.open(SQL, file, silentLogger);
    await live.write((s) => event(s, 'before', '2026-01-05T10:00:00Z'));
    await live.write(
      (s) => {
        s.db.exec('PRAGMA temp_store = FILE');
        event(s, 'after-reset', '2026-03-05T10:00:00Z');
      },
      { transaction: false },
    );
    await live.close();
    live = undefined;
    const { store } = await MetricsStore.open(SQL, file, silentLogger);
    try {
      assert.deepEqual(store.all('SELECT event_id FROM gharchive_events ORDER BY event_id'), [{ event_id: 'after-reset' }, { event_id: 'before' }]);
    } finally {
      store.close();
    }
  });

  it('keeps rows whose partition column is empty or not a date (one "undated" partition)', async () => {
    live = await LiveStore.open(SQL, file, silentLogger);
    await live.write((s) => {
      s.db.run("INSERT INTO github_commits (repo, sha, author_date) VALUES ('a/b', 'no-date', NULL), ('a/b', 'odd-date', 'yesterday'), ('a/b', 'dated', '2026-02-03T00:00:00Z')");
    });
    await live.close();
    live = undefined;
    assert.deepEqual((await partFiles()).map((n) => n.replace(/\.g\d+\./, '.')), ['github_commits.2026-02.sqlite', 'github_commits.undated.sqlite']);
    live = await LiveStore.open(SQL, file, silentLogger);
    assert.deepEqual(await live.read((s) => s.all('SELECT sha FROM github_commits ORDER BY sha')), [{ sha: 'dated' }, { sha: 'no-date' }, { sha: 'odd-date' }]);
  });

  it('picks up another process\'s save, reloading only the partitions that changed', async () => {
    live = await LiveStore.open(SQL, file, silentLogger);
    await live.write((s) => {
      event(s, 'mine-jan', '2026-01-05T10:00:00Z');
      event(s, 'mine-feb', '2026-02-05T10:00:00Z');
    });
    await live.read((s) => s.db.exec('CREATE TEMP TABLE marker (x)'));
    await run(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'test/support/partitionWriter.ts'), file, 'other', '1'], { cwd: repoRoot });
    const ids = await live.read((s) => s.all<{ event_id: string }>('SELECT event_id FROM gharchive_events ORDER BY event_id').map((r) => r.event_id));
    assert.deepEqual(ids, ['mine-feb', 'mine-jan', 'other:0']);
    assert.deepEqual(await live.read((s) => s.all('SELECT COUNT(*) AS n FROM temp.marker')), [{ n: 0 }], 'the live database was kept, not reopened');
    assert.deepEqual(await live.read((s) => s.starHistory('other').map((p) => p.stars)), [0]);
    await live.write((s) => event(s, 'mine-feb-2', '2026-02-06T10:00:00Z'));
    const { store } = await MetricsStore.open(SQL, file, silentLogger);
    try {
      assert.equal(store.all<{ n: number }>('SELECT COUNT(*) AS n FROM gharchive_events')[0]?.n, 4);
    } finally {
      store.close();
    }
  });

  it('loads nothing at open and then only the months an operation needs', async () => {
    live = await LiveStore.open(SQL, file, silentLogger);
    await live.write((s) => {
      for (const m of ['2025-10', '2025-11', '2025-12', '2026-01']) event(s, `e-${m}`, `${m}-05T10:00:00Z`);
      s.db.run("INSERT INTO github_commits (repo, sha, author_date) VALUES ('a/b', 'c1', '2026-01-02T00:00:00Z')");
    });
    await live.close();
    live = await LiveStore.open(SQL, file, silentLogger);
    assert.deepEqual(await live.loadedPartitions(), { loaded: 0, listed: 5 });
    // A read that names no partitioned table loads none.
    assert.deepEqual(await live.read((s) => s.starHistory('a/b'), { needs: {} }), []);
    assert.deepEqual(await live.loadedPartitions(), { loaded: 0, listed: 5 });
    // From a month on: those months only.
    const recent = await live.read((s) => s.all<{ id: string }>("SELECT event_id AS id FROM gharchive_events WHERE hour >= '2025-12' ORDER BY 1", [], { gharchive_events: '2025-12' }), { needs: {} });
    assert.deepEqual(recent.map((r) => r.id), ['e-2025-12', 'e-2026-01']);
    assert.deepEqual(await live.loadedPartitions(), { loaded: 2, listed: 5 });
    // store.all loads every month of what its SQL names, as it goes.
    assert.equal(await live.read((s) => s.all<{ n: number }>('SELECT COUNT(*) AS n FROM gharchive_events')[0]?.n, { needs: {} }), 4);
    assert.deepEqual(await live.loadedPartitions(), { loaded: 4, listed: 5 });
    // The default is everything (SQL run on db directly, models).
    assert.equal(await live.read((s) => Number(s.db.exec('SELECT COUNT(*) FROM github_commits')[0]?.values[0]?.[0])), 1);
    assert.deepEqual(await live.loadedPartitions(), { loaded: 5, listed: 5 });
  });

  it('an import learns the names and ids stored for a repository without loading any month of events', async () => {
    live = await LiveStore.open(SQL, file, silentLogger);
    const row = (id: string, hour: string, name: string, repoId: number) => ({
      ...Object.fromEntries(EVENT_COLUMNS.map((c) => [c, null])),
      event_id: id, type: 'WatchEvent', created_at: hour, hour, repo_id: repoId, repo_name: name, tracked_repo: 'a/b',
    }) as unknown as EventRow;
    await live.write((s) => writeBatch(s, [row('e1', '2026-01-05T10:00:00Z', 'old/name', 42), row('e2', '2026-02-05T10:00:00Z', 'a/b', 42)], [], new Date('2026-03-01T00:00:00Z')));
    await live.close();
    live = await LiveStore.open(SQL, file, silentLogger);
    const state = await live.read((s) => readArchiveState(s, ['A/B']), { needs: {} });
    assert.deepEqual(state.knownIds, [{ tracked: 'A/B', repoId: 42 }]);
    const names = await live.read((s) => knownRepoNames(s, ['a/b']), { needs: {} });
    assert.deepEqual([...(names.get('a/b') ?? [])].sort(), ['a/b', 'old/name']);
    assert.equal((await live.loadedPartitions()).loaded, 0);
  });

  it('a write to a month not in memory keeps the rows of its file (merged when saved)', async () => {
    live = await LiveStore.open(SQL, file, silentLogger);
    await live.write((s) => {
      event(s, 'old-1', '2026-01-05T10:00:00Z');
      event(s, 'old-2', '2026-01-06T10:00:00Z');
      event(s, 'feb', '2026-02-06T10:00:00Z');
    });
    await live.close();
    live = await LiveStore.open(SQL, file, silentLogger);
    // Nothing loaded; the same id again (ignored) and a new one.
    await live.write((s) => {
      event(s, 'old-1', '2026-01-05T10:00:00Z');
      event(s, 'new', '2026-01-07T10:00:00Z');
    }, { needs: {} });
    assert.deepEqual(await live.loadedPartitions(), { loaded: 1, listed: 2 }, 'only the month written was read, to merge it');
    await live.close();
    live = undefined;
    const { store } = await MetricsStore.open(SQL, file, silentLogger);
    try {
      assert.deepEqual(store.all<{ event_id: string }>('SELECT event_id FROM gharchive_events ORDER BY 1').map((r) => r.event_id), ['feb', 'new', 'old-1', 'old-2']);
    } finally {
      store.close();
    }
  });

  it('a month loaded inside a write that rolls back is loaded again when next needed', async () => {
    live = await LiveStore.open(SQL, file, silentLogger);
    await live.write((s) => event(s, 'jan', '2026-01-05T10:00:00Z'));
    await live.close();
    live = await LiveStore.open(SQL, file, silentLogger);
    await assert.rejects(
      live.write((s) => {
        assert.equal(s.all<{ n: number }>('SELECT COUNT(*) AS n FROM gharchive_events')[0]?.n, 1);
        throw new Error('the write fails after reading');
      }, { needs: {} }),
      /the write fails/,
    );
    assert.equal(await live.read((s) => s.all<{ n: number }>('SELECT COUNT(*) AS n FROM gharchive_events')[0]?.n, { needs: {} }), 1);
  });

  it('loads a month another process saved while it was not in memory, at its new generation', async () => {
    live = await LiveStore.open(SQL, file, silentLogger);
    await live.write((s) => event(s, 'mine', '2026-01-05T10:00:00Z'));
    await live.close();
    live = await LiveStore.open(SQL, file, silentLogger);
    await run(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'test/support/partitionWriter.ts'), file, 'other', '1'], { cwd: repoRoot });
    const ids = await live.read((s) => s.all<{ event_id: string }>('SELECT event_id FROM gharchive_events ORDER BY event_id').map((r) => r.event_id), { needs: {} });
    assert.deepEqual(ids, ['mine', 'other:0']);
  });

  it('leaves a consistent set when a save stops between partition files, and removes the leftovers', async () => {
    live = await LiveStore.open(SQL, file, silentLogger);
    await live.write((s) => event(s, 'kept', '2026-01-05T10:00:00Z'));
    await live.close();
    live = undefined;
    // What a save interrupted before its store file leaves: a newer generation nobody lists.
    const listed = path.join(partsDir(file), 'gharchive_events.2026-01.g1.sqlite');
    const db = new SQL.Database(await readFile(listed));
    db.run("INSERT INTO gharchive_events (event_id, type, created_at, hour, repo_name, tracked_repo) VALUES ('uncommitted', 'WatchEvent', 'x', '2026-01-09T00:00:00Z', 'a/b', 'a/b')");
    await writeFile(path.join(partsDir(file), 'gharchive_events.2026-01.g2.sqlite'), db.export());
    db.close();
    await writeFile(path.join(partsDir(file), '.gharchive_events.2026-03.g3.sqlite.123.456.tmp'), 'half');

    live = await LiveStore.open(SQL, file, silentLogger);
    assert.deepEqual(await live.read((s) => s.all('SELECT event_id FROM gharchive_events')), [{ event_id: 'kept' }]);
    await live.write((s) => s.addRepositorySnapshot({ timestamp: '2026-01-01T00:00:00Z', repo: 'a/b', stars: 1 }));
    assert.deepEqual(await partFiles(), ['gharchive_events.2026-01.g1.sqlite']);
  });

  it('moves a corrupt partition aside with a message naming it, and opens the rest', async () => {
    live = await LiveStore.open(SQL, file, silentLogger);
    await live.write((s) => {
      event(s, 'jan', '2026-01-05T10:00:00Z');
      event(s, 'feb', '2026-02-05T10:00:00Z');
    });
    await live.close();
    live = undefined;
    const bad = path.join(partsDir(file), 'gharchive_events.2026-01.g1.sqlite');
    await writeFile(bad, Buffer.alloc(8192, 7));
    const logger = capture();
    live = await LiveStore.open(SQL, file, logger);
    assert.deepEqual(await live.read((s) => s.all('SELECT event_id FROM gharchive_events')), [{ event_id: 'feb' }]);
    const problems = live.takeProblems();
    assert.equal(problems.length, 1);
    assert.match(problems[0] as string, /gharchive_events\.2026-01\.g1\.sqlite is not a readable SQLite database.*moved it to .*corrupt-/);
    assert.deepEqual(logger.warnings, problems);
    const names = await partFiles();
    assert.ok(names.some((n) => n.startsWith('gharchive_events.2026-01.g1.sqlite.corrupt-')), names.join());
    assert.equal((await readFile(path.join(partsDir(file), names.find((n) => n.includes('corrupt')) as string))).length, 8192, 'moved, not overwritten');
    // Later writes go on, and that month starts again from what is new.
    await live.write((s) => event(s, 'jan-2', '2026-01-07T10:00:00Z'));
    assert.deepEqual(await live.read((s) => s.all('SELECT event_id FROM gharchive_events ORDER BY event_id')), [{ event_id: 'feb' }, { event_id: 'jan-2' }]);
  });

  it('says clearly which partition is missing when one was deleted by hand, and opens the rest', async () => {
    live = await LiveStore.open(SQL, file, silentLogger);
    await live.write((s) => {
      event(s, 'jan', '2026-01-05T10:00:00Z');
      event(s, 'feb', '2026-02-05T10:00:00Z');
    });
    await live.close();
    live = undefined;
    await rm(path.join(partsDir(file), 'gharchive_events.2026-02.g2.sqlite'));
    const { store } = await MetricsStore.open(SQL, file, silentLogger);
    store.close();
    live = await LiveStore.open(SQL, file, silentLogger, { readOnly: true });
    assert.deepEqual(await live.read((s) => s.all('SELECT event_id FROM gharchive_events')), [{ event_id: 'jan' }]);
    const problems = live.takeProblems();
    assert.equal(problems.length, 1);
    assert.match(problems[0] as string, /partition .*gharchive_events\.2026-02\.g2\.sqlite listed in .*metrics\.sqlite is missing .*1 gharchive_events rows of 2026-02/);
  });

  it('takes over the partition files when the store file itself is corrupt (moved aside, never overwritten)', async () => {
    live = await LiveStore.open(SQL, file, silentLogger);
    await live.write((s) => event(s, 'jan', '2026-01-05T10:00:00Z'));
    await live.close();
    live = undefined;
    await writeFile(file, Buffer.alloc(4096, 3));
    // A writer's open moves the unreadable store file aside and says where (storeFile.ts)…
    await assert.rejects(LiveStore.open(SQL, file, silentLogger), (err: Error) => err.name === 'StoreCorruptError' && /moved it to|corrupt-/.test(err.message));
    assert.ok((await readdir(dir)).some((n) => n.startsWith('metrics.sqlite.corrupt-')));
    // …and the next open takes over the partition files found beside it: their rows are back.
    live = await LiveStore.open(SQL, file, silentLogger);
    assert.deepEqual(await live.read((s) => s.all('SELECT event_id FROM gharchive_events')), [{ event_id: 'jan' }]);
  });

  it('loses no committed row when writers are killed (-9) at any moment, with two writers at once', async () => {
    await mkdir(dir, { recursive: true });
    const committed: string[] = [];
    for (let round = 0; round < 3; round++) {
      const children = ['a', 'b'].map((w) => {
        const child = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'test/support/partitionWriter.ts'), file, `r${round}${w}`, '400'], { cwd: repoRoot });
        let out = '';
        const printed: string[] = [];
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const lines = out.split('\n');
          out = lines.pop() ?? '';
          printed.push(...lines);
        });
        const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
        return { child, printed, exited };
      });
      // Kill after a varying number of committed writes, mid-save as likely as not.
      const target = 3 + round * 4;
      while (children.some((c) => c.printed.length < target && c.child.exitCode === null)) await new Promise((r) => setTimeout(r, 5));
      await new Promise((r) => setTimeout(r, 7 * round));
      for (const c of children) c.child.kill('SIGKILL');
      await Promise.all(children.map((c) => c.exited));
      for (const c of children) committed.push(...c.printed);
    }
    assert.ok(committed.length >= 6);
    const { store } = await MetricsStore.open(SQL, file, silentLogger);
    try {
      const ids = new Set(store.all<{ event_id: string }>('SELECT event_id FROM gharchive_events').map((r) => r.event_id));
      const lost = committed.filter((id) => !ids.has(id));
      assert.deepEqual(lost, []);
      for (const id of committed) {
        const [tag, i] = id.split(':') as [string, string];
        assert.ok(store.starHistory(tag).some((p) => p.stars === Number(i)), `snapshot ${id}`);
      }
    } finally {
      store.close();
    }
  });
});
