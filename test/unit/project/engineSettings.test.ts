import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadProject } from '../../../src/core/project/project';
import { runProject } from '../../../src/core/project/runner';
import { testSqlJs } from './fixtureStore';

/**
 * The connection settings a model run applies (runner's prepareDatabase) are optimisations only:
 * they must not change what the connection already holds, nor any result.
 */
describe('model engine settings on the connection', function () {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'cm-engine-'));
    await writeFile(path.join(dir, 'dbt_project.yml'), "name: p\nmodels:\n  p:\n    materialized: table\n");
    await mkdir(path.join(dir, 'models'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it("keeps the connection's temp tables and views: a model reads a temp view, and it is still there after the run", async () => {
    // Setting temp_store (as runs once did) silently dropped every temp object of the connection.
    await writeFile(path.join(dir, 'models', 'per_day.sql'), 'select day, count(*) as events from all_events group by day\n');
    const SQL = await testSqlJs();
    const db = new SQL.Database();
    try {
      db.exec(`CREATE TABLE events (day TEXT, kind TEXT);
        INSERT INTO events VALUES ('2024-01-01', 'a'), ('2024-01-01', 'b'), ('2024-01-02', 'a');
        CREATE TEMP TABLE scratch (x); INSERT INTO scratch VALUES (42);
        CREATE TEMP VIEW all_events AS SELECT day, kind FROM events;`);
      const run = await runProject(await loadProject(dir), db, { command: 'run' });
      assert.deepEqual(run.results.map((r) => [r.name, r.status, r.message]), [['per_day', 'success', 'table created, 2 rows']]);
      assert.deepEqual(db.exec('SELECT day, events FROM per_day ORDER BY day')[0]?.values, [['2024-01-01', 2], ['2024-01-02', 1]]);
      assert.deepEqual(db.exec('SELECT x FROM temp.scratch')[0]?.values, [[42]]);
      assert.deepEqual(db.exec('SELECT count(*) FROM temp.all_events')[0]?.values, [[3]]);
    } finally {
      db.close();
    }
  });

  it('a GROUP BY and a DISTINCT larger than their memory give exact results (they spill to temp files)', async function () {
    this.timeout(60_000);
    // 150,000 rows of ~500 bytes: more than the 64 MB the sorter keeps in memory, and far more than the
    // 2 MB page cache of a DISTINCT's temporary b-tree, so both spill to sql.js's temp files.
    await writeFile(path.join(dir, 'models', 'grouped.sql'), 'select k, count(*) as n, min(pad) as first_pad from wide group by k\n');
    await writeFile(path.join(dir, 'models', 'distinct_pads.sql'), 'select count(distinct pad) as pads, count(distinct substr(pad, 1, 8)) as prefixes from wide\n');
    const SQL = await testSqlJs();
    const db = new SQL.Database();
    try {
      db.exec(`CREATE TABLE wide (k INTEGER, pad TEXT);
        WITH RECURSIVE i(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM i WHERE n < 149999)
        INSERT INTO wide SELECT (n * 7919) % 50021, printf('%08d', n % 100000) || replace(hex(zeroblob(120)), '0', 'é') FROM i;`);
      const run = await runProject(await loadProject(dir), db, { command: 'run' });
      assert.deepEqual(run.results.map((r) => r.status), ['success', 'success'], run.results.map((r) => r.message).join('; '));
      // k = n·7919 mod 50021 over n < 150,000 (50021 is prime): every residue appears 2 or 3 times.
      assert.deepEqual(db.exec('SELECT count(*), sum(n), min(n), max(n) FROM grouped')[0]?.values[0], [50021, 150000, 2, 3]);
      // k = 0 for n = 0, 50021, 100042: the smallest pad is n = 0's.
      assert.equal(db.exec('SELECT first_pad FROM grouped WHERE k = 0')[0]?.values[0]?.[0], `00000000${'é'.repeat(240)}`);
      // pads repeat every 100,000 rows.
      assert.deepEqual(db.exec('SELECT pads, prefixes FROM distinct_pads')[0]?.values[0], [100000, 100000]);
    } finally {
      db.close();
    }
  });
});
