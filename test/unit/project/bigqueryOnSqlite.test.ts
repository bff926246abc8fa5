import assert from 'node:assert/strict';
import type { Database } from 'sql.js';
import { rewriteForSqlite, rewriteStructAccess } from '../../../src/core/project/bigqueryRewrite';
import { resolveQualifyColumns } from '../../../src/core/project/runner';
import { registerSqlFunctions } from '../../../src/core/project/sqlFunctions';
import { testSqlJs } from './fixtureStore';

/** The BigQuery habits of the seed articles, rewritten and run on real SQLite (sql.js). */
describe('BigQuery habits on SQLite', () => {
  let db: Database;
  before(async () => {
    db = new (await testSqlJs()).Database();
    registerSqlFunctions(db);
  });
  after(() => db.close());

  const one = (sql: string, nativeDates = true): unknown => {
    const rw = rewriteForSqlite(sql, { nativeDates });
    assert.deepEqual(rw.problems, [], sql);
    return db.exec(rw.sql)[0]?.values[0]?.[0];
  };

  for (const nativeDates of [true, false]) {
    it(`truncates dates to DAY, WEEK, MONTH, QUARTER, YEAR (${nativeDates ? 'native' : 'functions'})`, () => {
      // 2021-11-29 is a Monday; BigQuery's WEEK starts on Sunday, ISOWEEK on Monday.
      const ts = "'2021-11-29T13:45:00.000Z'";
      assert.equal(one(`SELECT DATE_TRUNC(DATE(${ts}), DAY)`, nativeDates), '2021-11-29');
      assert.equal(one(`SELECT DATE_TRUNC(DATE(${ts}), WEEK)`, nativeDates), '2021-11-28');
      assert.equal(one(`SELECT DATE_TRUNC(DATE(${ts}), ISOWEEK)`, nativeDates), '2021-11-29');
      assert.equal(one(`SELECT DATE_TRUNC(DATE('2021-12-05'), WEEK(MONDAY))`, nativeDates), '2021-11-29');
      assert.equal(one(`SELECT DATE_TRUNC(DATE(${ts}), MONTH)`, nativeDates), '2021-11-01');
      assert.equal(one(`SELECT DATE_TRUNC(DATE(${ts}), QUARTER)`, nativeDates), '2021-10-01');
      assert.equal(one(`SELECT date_trunc(DATE(${ts}), year)`, nativeDates), '2021-01-01');
      assert.equal(one(`SELECT date_trunc('month', '2021-02-14')`, nativeDates), '2021-02-01', 'Postgres argument order');
    });
  }

  it('reads timestamps, intervals, COUNTIF and SAFE_DIVIDE', () => {
    assert.equal(one('SELECT TIMESTAMP_SECONDS(1549497600)'), '2019-02-07T00:00:00.000Z');
    assert.equal(one("SELECT TIMESTAMP_TRUNC('2021-11-29T13:45:10.000Z', HOUR)"), '2021-11-29T13:00:00.000Z');
    assert.equal(one("SELECT DATE_SUB(DATE '2021-03-01', INTERVAL 1 DAY)"), '2021-02-28');
    assert.equal(one("SELECT TIMESTAMP '2021-03-01 10:00:00' > TIMESTAMP_SECONDS(0)"), 1);
    assert.equal(one("SELECT DATE_ADD('2021-01-31', INTERVAL 1 MONTH)"), '2021-02-28');
    assert.equal(one("SELECT TIMESTAMP_SUB('2021-01-01T00:00:00Z', INTERVAL 90 MINUTE)"), '2020-12-31T22:30:00.000Z');
    assert.equal(one("SELECT DATE_DIFF('2021-03-01', '2021-02-01', DAY)"), 28);
    assert.equal(one("SELECT EXTRACT(DAYOFWEEK FROM '2021-11-28')"), 1);
    assert.equal(one('SELECT CURRENT_DATE()'), new Date().toISOString().slice(0, 10));
    assert.equal(one('SELECT COUNTIF(x > 1) FROM (SELECT 1 AS x UNION ALL SELECT 2 UNION ALL SELECT 3)'), 2);
    assert.equal(one('SELECT COUNTIF(x > 5) FROM (SELECT 1 AS x)'), 0);
    assert.equal(one('SELECT SAFE_DIVIDE(1, 0)'), null);
    assert.equal(one('SELECT SAFE_DIVIDE(3, 4)'), 0.75);
    assert.equal(one("SELECT CAST('007' AS STRING)"), '007');
    assert.equal(one("SELECT SAFE_CAST('12' AS INT64)"), 12);
    assert.equal(one("SELECT CAST('2021-11-29 10:00:00' AS DATE)"), '2021-11-29');
    assert.equal(one("SELECT STRING_AGG(x, '-') FROM (SELECT 'a' AS x UNION ALL SELECT 'b')"), 'a-b');
    assert.equal(one("SELECT REGEXP_CONTAINS('marquez-airflow', r'airflow$')"), 1);
  });

  it('evaluates calls on literals once instead of once per row (sql.js cannot mark functions deterministic)', () => {
    assert.equal(rewriteForSqlite('select * from t where ts > TIMESTAMP_SECONDS(1549497600)').sql, "select * from t where ts > '2019-02-07T00:00:00.000Z'");
    assert.equal(rewriteForSqlite('select TIMESTAMP_SECONDS(x) from t').sql, 'select TIMESTAMP_SECONDS(x) from t');
    assert.equal(rewriteForSqlite('select TIMESTAMP_SECONDS(1549497600)', { nativeDates: false }).sql, 'select TIMESTAMP_SECONDS(1549497600)');
  });

  it('keeps every line in place, so that compiled lines still map to source lines', () => {
    const sql = 'select\n  DATE_TRUNC(\n    DATE(ts),\n    DAY\n  ) as day,\n  COUNTIF(\n    x > 1\n  ) as n\nfrom t';
    const out = rewriteForSqlite(sql).sql;
    assert.equal(out.split('\n').length, sql.split('\n').length);
    assert.equal(out.split('\n')[8], 'from t');
  });

  it('names warehouse-only constructs instead of guessing', () => {
    const problems = (sql: string) => rewriteForSqlite(sql).problems.map((p) => p.construct);
    assert.deepEqual(problems('qualify row_number() over () = 1'), ['QUALIFY'], 'a QUALIFY with no SELECT to wrap');
    assert.deepEqual(problems('select x from t, unnest(arr) as x'), ['UNNEST']);
    assert.deepEqual(problems("select struct(1 as a)"), ['STRUCT']);
    assert.deepEqual(problems('select array_agg(x) from t'), ['ARRAY_AGG']);
    assert.deepEqual(problems('select * from `bigquery-public-data.pypi.file_downloads`'), ['`bigquery-public-data.pypi.file_downloads`']);
    assert.deepEqual(problems('select * except (a) from t'), ['SELECT * EXCEPT']);
    assert.deepEqual(problems('select a::int from t'), ['::']);
    assert.deepEqual(problems("select 'qualify unnest' as s, `col` from t -- struct"), [], 'strings, comments and plain backticks are fine');
    assert.deepEqual(problems('select a from t except select a from u'), [], 'the set operation EXCEPT is SQLite');
  });

  describe('QUALIFY (the seed pipeline de-github-events-pipeline filters its facts and marts with it)', () => {
    before(() => {
      db.exec("CREATE TABLE ev (id, k, v, at); INSERT INTO ev VALUES (1,'a',10,'2015-01-01T12:00:01Z'),(2,'a',20,'2015-01-01T12:00:02Z'),(3,'b',5,'2015-01-01T12:00:03Z'),(3,'b',5,'2015-01-01T12:00:04Z'),(5,'c',1,'2015-01-01T13:00:00Z');");
    });
    const run = (sql: string) => {
      const rw = rewriteForSqlite(sql);
      assert.deepEqual(rw.problems, [], sql);
      const out = resolveQualifyColumns(db, rw.sql);
      assert.equal(out.split('\n').length, sql.split('\n').length, 'lines stay in place');
      const r = db.exec(out)[0];
      return { columns: r?.columns ?? [], rows: r?.values ?? [] };
    };

    it('keeps the rows whose window condition holds, with the columns of the SELECT and no helper column', () => {
      assert.deepEqual(run('SELECT *\nFROM ev\nWHERE v > 0\nQUALIFY ROW_NUMBER() OVER (PARTITION BY k ORDER BY v DESC, id) = 1\nORDER BY id'), {
        columns: ['id', 'k', 'v', 'at'],
        rows: [[2, 'a', 20, '2015-01-01T12:00:02Z'], [3, 'b', 5, '2015-01-01T12:00:03Z'], [5, 'c', 1, '2015-01-01T13:00:00Z']],
      });
    });

    it('deduplicates by key in a CTE that the final SELECT reads with *, as FCT_EVENTS and DIM_USER do', () => {
      const sql = 'WITH unioned AS (SELECT id, k, at FROM ev UNION ALL SELECT id, k, at FROM ev)\nSELECT *\nFROM unioned\nQUALIFY ROW_NUMBER() OVER (PARTITION BY id ORDER BY at) = 1';
      const r = run(sql);
      assert.deepEqual(r.columns, ['id', 'k', 'at']);
      assert.deepEqual(r.rows.map((x) => x[0]).sort(), [1, 2, 3, 5]);
    });

    it('filters a grouped SELECT on a window over an aggregate, inside a CTE, with BigQuery\'s trailing comma', () => {
      const sql = [
        'with top as (',
        '  select k, count(*) as n, max(v) as m,',
        '  from ev group by k',
        '  qualify row_number() over (order by count(*) desc, k) <= 2',
        ')',
        'select * from top order by k',
      ].join('\n');
      assert.deepEqual(run(sql), { columns: ['k', 'n', 'm'], rows: [['a', 2, 20], ['b', 2, 5]] });
    });

    it('applies DISTINCT after QUALIFY, as BigQuery does', () => {
      assert.deepEqual(run('select distinct k from ev qualify sum(v) over (partition by k) > 5 -- a comment\norder by k').rows, [['a'], ['b']]);
    });
  });

  it('counts APPROX_COUNT_DISTINCT exactly and formats %a, %b, %y, which strftime() does not know', () => {
    assert.equal(one('SELECT APPROX_COUNT_DISTINCT(x) FROM (SELECT 1 AS x UNION ALL SELECT 1 UNION ALL SELECT 2)'), 2);
    assert.equal(one("SELECT FORMAT_TIMESTAMP('%a %d %b %y', '2015-01-01T12:00:03Z')"), 'Thu 01 Jan 15');
    assert.equal(one("SELECT FORMAT_TIMESTAMP('%A, %B %e', '2015-01-04T12:00:03Z')"), 'Sunday, January  4');
    assert.equal(one("SELECT FORMAT_TIMESTAMP('%H', '2015-01-01T12:00:03Z')"), '12');
    assert.match(rewriteForSqlite("SELECT FORMAT_TIMESTAMP('%Y-%m', t) FROM x").sql, /strftime/, 'formats strftime() knows stay in SQLite');
  });

  it('reads STRUCT fields from a JSON column once SQLite says the qualifier is not a table', () => {
    assert.equal(rewriteStructAccess("select file.project from t where file.project = 'x' and t.file is not null", 'file'), "select json_extract(file, '$.project') from t where json_extract(file, '$.project') = 'x' and t.file is not null");
  });
});
