import assert from 'node:assert/strict';
import type { SqlValue } from 'sql.js';
import { modelChart, withTimeAxis } from '../../../src/core/charts/modelChart';
import { parseVegaLiteFile } from '../../../src/core/charts/vegaLiteFile';
import { query } from '../../../src/core/project/storeAccess';
import { MetricsStore } from '../../../src/core/store/store';
import { testSql } from '../store.test';

describe('model charts', () => {
  it('infers temporal → x, numeric → y, text → colour, aggregating in SQL, and honours meta.chart and a .vl.json', async () => {
    const store = MetricsStore.create(await testSql(), ':memory:');
    store.db.run(`CREATE TABLE daily_summary (day TEXT, project TEXT, stars INTEGER, forks INTEGER)`);
    store.db.run(`INSERT INTO daily_summary VALUES ('2021-08-01', 'a', 1, 5), ('2021-08-01', 'a', 2, 5), ('2021-08-02', 'a', 4, 6), ('2021-08-01', '<script>x</script>', 7, 1)`);
    const db = { query: (sql: string, params: SqlValue[] = []) => query(store.db, sql, params) };
    const inferred = modelChart(db, { model: 'daily_summary', relation: 'daily_summary' });
    assert.deepEqual(inferred.series, ['<script>x</script> · stars', '<script>x</script> · forks', 'a · stars', 'a · forks']);
    assert.equal(inferred.values.find((v) => v.series === 'a · stars' && v.x === '2021-08-01')?.value, 3, 'summed per day in SQL');
    const declared = modelChart(db, { model: 'daily_summary', relation: 'daily_summary', declared: { y: 'stars', color: 'project', mark: 'bar', aggregate: 'max', title: 'Stars' }, range: { from: '2021-08-02' } });
    assert.deepEqual(declared.values, [{ x: '2021-08-02', series: 'a', value: 4 }]);
    assert.equal(declared.title, 'Stars');
    assert.equal((declared.spec.mark as { type: string }).type, 'bar');
    const vl = modelChart(db, { model: 'daily_summary', relation: 'daily_summary', vegaLite: { mark: 'point', encoding: { x: { field: 'day' } } } });
    assert.deepEqual(vl.spec.data, { name: 'table' });
    assert.equal(vl.values.length, 4);
    store.close();
  });
  it('reads a .vl.json as strict JSON and says the line and column of what is wrong', () => {
    assert.deepEqual(parseVegaLiteFile('{\n  "mark": "bar",\n  "encoding": {}\n}'), { spec: { mark: 'bar', encoding: {} }, problems: [] });
    assert.deepEqual(parseVegaLiteFile('{\n  "mark": "bar"\n  "encoding": {}\n}').problems, [{ line: 3, column: 3, message: 'Comma expected (not valid JSON)' }]);
    assert.equal(parseVegaLiteFile('{"mark": "bar", // a comment\n}').problems[0]?.message, 'Invalid comment token (not valid JSON)');
    assert.deepEqual(parseVegaLiteFile('\n  [1, 2]').problems, [{ line: 2, column: 3, message: 'a vega-lite spec is a JSON object ({ "mark": …, "encoding": … })' }]);
    assert.equal(parseVegaLiteFile('').spec, undefined);
  });

  it('a .vl.json over days gets the time axis of the other charts where it says nothing of its own', () => {
    const values = ['2018-07-10', '2019-03-01', '2021-11-07'].map((day) => ({ day, stars: 1 }));
    const spec = { mark: 'line', encoding: { x: { field: 'day', type: 'temporal' }, y: { field: 'stars', type: 'quantitative' } } };
    const x = (withTimeAxis(spec, values).encoding as { x: { scale: unknown; axis: { format: string; values: unknown[] } } }).x;
    assert.deepEqual(x.scale, { type: 'utc' });
    assert.equal(x.axis.format, '%b %Y', 'one format, with the year, on a range across years');
    assert.ok(x.axis.values.length >= 2);
    // Its own title and axis properties stay; an axis it formats itself, a scale it sets, a time unit: untouched.
    const titled = withTimeAxis({ ...spec, encoding: { ...spec.encoding, x: { field: 'day', type: 'temporal', axis: { title: 'Day', grid: true } } } }, values);
    assert.deepEqual((titled.encoding as { x: { axis: { title: string; grid: boolean } } }).x.axis.title, 'Day');
    assert.equal((titled.encoding as { x: { axis: { grid: boolean } } }).x.axis.grid, true);
    for (const x2 of [{ axis: { format: '%Y-%m' } }, { axis: null }, { scale: { type: 'time' } }, { timeUnit: 'yearmonth' }]) {
      const own = { ...spec, encoding: { ...spec.encoding, x: { field: 'day', type: 'temporal', ...x2 } } };
      assert.equal(withTimeAxis(own, values), own, JSON.stringify(x2));
    }
    const nominal = { ...spec, encoding: { ...spec.encoding, x: { field: 'day', type: 'nominal' } } };
    assert.equal(withTimeAxis(nominal, values), nominal);
  });
});
