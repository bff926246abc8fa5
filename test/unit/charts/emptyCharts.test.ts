// Charts with nothing to draw say why and what to do (ChartView shows `empty` instead of bare axes).
import assert from 'node:assert/strict';
import type { SqlValue } from 'sql.js';
import { metricChart } from '../../../src/core/charts/metricChart';
import { metricSeries } from '../../../src/core/charts/metricSeries';
import { modelChart } from '../../../src/core/charts/modelChart';
import { query } from '../../../src/core/project/storeAccess';
import { upsertNpmDaily } from '../../../src/core/store/packageRows';
import { MetricsStore } from '../../../src/core/store/store';
import { testSql } from '../store.test';

describe('empty charts', () => {
  it('a metric chart before any refresh says there is no data yet and names Refresh', async () => {
    const store = MetricsStore.create(await testSql(), ':memory:');
    const chart = metricChart([metricSeries(store, 'github:o/r', 'stars', { grain: 'day', mode: 'cumulative' })]);
    assert.match(chart.empty ?? '', /^No data yet for o\/r: .*Run “Community Metrics: Refresh”/);
    store.close();
  });

  it('a metric chart whose range holds no data says so; one with data has no empty note', async () => {
    const store = MetricsStore.create(await testSql(), ':memory:');
    upsertNpmDaily(store, [{ date: '2026-01-01', package: 'p', downloads: 3 }, { date: '2026-01-02', package: 'p', downloads: 4 }]);
    assert.equal(metricChart([metricSeries(store, 'npm:p', 'downloads_daily', { grain: 'day', mode: 'total' })]).empty, undefined);
    const outside = metricChart([metricSeries(store, 'npm:p', 'downloads_daily', { grain: 'day', mode: 'total', from: '2025-01-01', to: '2025-01-31' })]);
    assert.match(outside.empty ?? '', /^No data (in this date range|yet) for p: /);
    store.close();
  });

  it('a model chart of a model without rows says so, instead of axes reading 0.000000 "sum of value"', async () => {
    const store = MetricsStore.create(await testSql(), ':memory:');
    store.db.run('CREATE TABLE stars_by_project (day TEXT, project TEXT, stars INTEGER)');
    const db = { query: (sql: string, params: SqlValue[] = []) => query(store.db, sql, params) };
    const declared = modelChart(db, { model: 'stars_by_project', relation: 'stars_by_project', declared: { x: 'day', y: 'stars', color: 'project' } });
    assert.deepEqual(declared.values, []);
    assert.match(declared.empty ?? '', /^stars_by_project returns no rows: the tables it reads are empty\. Run “Community Metrics: Refresh”/);
    const inferred = modelChart(db, { model: 'stars_by_project', relation: 'stars_by_project' });
    assert.doesNotMatch(inferred.summary, /no numeric column/, 'an empty model is not said to lack a numeric column');
    store.db.run("INSERT INTO stars_by_project VALUES ('2021-08-01', 'a', 1)");
    assert.match(modelChart(db, { model: 'stars_by_project', relation: 'stars_by_project', range: { from: '2022-01-01' } }).empty ?? '', /no rows in this date range \(2022-01-01 to …\)/);
    store.close();
  });
});
