import assert from 'node:assert/strict';
import { periodCount, periodStart } from '../../../src/core/charts/grain';
import { metricSeries } from '../../../src/core/charts/metricSeries';
import { insertDockerHubSnapshot, upsertNpmDaily } from '../../../src/core/store/packageRows';
import { upsertStarHistory } from '../../../src/core/store/githubRows';
import { upsertSlackMessages } from '../../../src/core/store/slackRows';
import { MetricsStore } from '../../../src/core/store/store';
import { testSql } from '../store.test';

const addDays = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

describe('metric series aggregated in SQL', () => {
  let store: MetricsStore;
  before(async () => {
    store = MetricsStore.create(await testSql(), ':memory:');
    // npm: 2026-01-01 .. 2026-03-31 with 1 download a day, except a hole on 2026-02-10..12 (no data).
    const rows = [];
    for (let d = '2026-01-01'; d <= '2026-03-31'; d = addDays(d, 1)) {
      if (d >= '2026-02-10' && d <= '2026-02-12') continue;
      rows.push({ date: d, package: 'p', downloads: 1 });
    }
    upsertNpmDaily(store, rows);
    // Docker: cumulative readings, several a day, one day skipped.
    for (const [ts, n] of [['2026-03-01T01:00:00Z', 100], ['2026-03-01T23:00:00Z', 110], ['2026-03-02T12:00:00Z', 130], ['2026-03-04T12:00:00Z', 200]] as const) {
      insertDockerHubSnapshot(store, { timestamp: ts, image: 'ns/img', pullCount: n, starCount: null, lastUpdated: null });
    }
    upsertStarHistory(store, [
      { repo: 'o/r', day: '2026-01-05', stars: 3, source: 'history' },
      { repo: 'o/r', day: '2026-01-20', stars: 2, source: 'history' },
      { repo: 'o/r', day: '2026-03-02', stars: 5, source: 'history' },
      { repo: 'o/r', day: '2026-01-05', stars: 99, source: 'stargazers' },
    ]);
    upsertSlackMessages(store, ['2026-01-01T10:00:00Z', '2026-01-03T10:00:00Z', '2026-01-03T11:00:00Z'].map((t, i) => ({ messageTime: t, domain: 'acme', username: 'u', realname: null, email: null, channel: 'c', permalink: null, text: String(i) })));
  });

  it('puts days into Monday weeks, months and quarters like the SQL does', () => {
    assert.equal(periodStart('week', '2026-11-22'), '2026-11-16'); // a Sunday
    assert.equal(periodStart('week', '2026-11-23'), '2026-11-23'); // a Monday
    assert.equal(periodStart('quarter', '2026-08-15'), '2026-07-01');
    assert.equal(periodCount('month', '2026-01-31', '2026-03-01'), 3);
    const weeks = metricSeries(store, 'npm:p', 'downloads_daily', { grain: 'week', mode: 'total' });
    assert.ok(weeks.points.every((p) => new Date(`${p.period}T00:00:00Z`).getUTCDay() === 1), 'every week starts on a Monday');
    const q = metricSeries(store, 'npm:p', 'downloads_daily', { grain: 'quarter', mode: 'total' });
    assert.deepEqual(q.points, [{ period: '2026-01-01', value: 87 }]);
  });

  it('keeps days without data as gaps (null), never filled, and switching grain changes the point count', () => {
    const day = metricSeries(store, 'npm:p', 'downloads_daily', { grain: 'day', mode: 'total' });
    assert.equal(day.points.length, 90);
    assert.deepEqual(day.points.filter((p) => p.value === null).map((p) => p.period), ['2026-02-10', '2026-02-11', '2026-02-12']);
    const month = metricSeries(store, 'npm:p', 'downloads_daily', { grain: 'month', mode: 'total' });
    assert.deepEqual(month.points.map((p) => p.value), [31, 25, 31]);
    assert.match(day.label, /^p: downloads per day: npm downloads/);
  });

  it('cumulative and % change per period', () => {
    const cum = metricSeries(store, 'npm:p', 'downloads_daily', { grain: 'month', mode: 'cumulative' });
    assert.deepEqual(cum.points.map((p) => p.value), [31, 56, 87]);
    const pct = metricSeries(store, 'npm:p', 'downloads_daily', { grain: 'month', mode: 'pct' });
    assert.deepEqual(pct.points.map((p) => p.value), [null, -19.35, 24]);
    // With a range, a running total starts from what came before it.
    const ranged = metricSeries(store, 'npm:p', 'downloads_daily', { grain: 'month', mode: 'cumulative', from: '2026-03-01' });
    assert.deepEqual(ranged.points, [{ period: '2026-03-01', value: 87 }]);
  });

  it('Docker pulls per day are differences of the last reading of each day; a day without a reading is a gap', () => {
    const s = metricSeries(store, 'docker:ns/img', 'pulls', { grain: 'day', mode: 'new' });
    assert.deepEqual(s.points.map((p) => [p.period, p.value]), [['2026-03-01', null], ['2026-03-02', 20], ['2026-03-03', null], ['2026-03-04', null]]);
    assert.match(s.label, /approximate pulls/);
    const total = metricSeries(store, 'docker:ns/img', 'pulls', { grain: 'day', mode: 'total' });
    assert.deepEqual(total.points.map((p) => p.value), [110, 130, null, 200]);
    const ranged = metricSeries(store, 'docker:ns/img', 'pulls', { grain: 'day', mode: 'new', from: '2026-03-02' });
    assert.equal(ranged.points[0]?.value, 20, 'the reading before the range is the base of the first difference');
  });

  it('stars come from /stargazers/history when present, labelled as stars still held by day given', () => {
    const s = metricSeries(store, 'github:o/r', 'stars', { grain: 'month', mode: 'cumulative' });
    assert.deepEqual(s.points.map((p) => p.value), [5, 5, 10]);
    assert.match(s.label, /stars still held, by day given/);
  });

  it('event counts are 0 on days without events, and aligned series start at their first non-zero value', () => {
    const s = metricSeries(store, 'slack:acme', 'messages_30d', { grain: 'day', mode: 'total' });
    assert.deepEqual(s.points.map((p) => p.value), [1, 0, 2]);
    const a = metricSeries(store, 'github:o/r', 'stars', { grain: 'week', mode: 'total', align: true });
    assert.equal(a.points[0]?.offset, 0);
    assert.equal(a.points[0]?.value, 3);
  });

  it('bounds the points per series by widening the grain', () => {
    const s = metricSeries(store, 'npm:p', 'downloads_daily', { grain: 'day', mode: 'total', maxPoints: 20 });
    assert.equal(s.grain, 'week');
    assert.ok(s.points.length <= 20);
    assert.match(s.label, /downloads per week/);
    // Exactly as many days as allowed keeps the grain; one fewer allowed widens it.
    const all = metricSeries(store, 'npm:p', 'downloads_daily', { grain: 'day', mode: 'total', maxPoints: 90 });
    assert.deepEqual([all.grain, all.points.length], ['day', 90]);
    const widened = metricSeries(store, 'npm:p', 'downloads_daily', { grain: 'day', mode: 'total', maxPoints: 89 });
    assert.deepEqual([widened.grain, widened.points.length], ['week', periodCount('week', '2026-01-01', '2026-03-31')]);
    // The days that count are those inside the range; a level series (Docker) widens the same way.
    const march = metricSeries(store, 'npm:p', 'downloads_daily', { grain: 'day', mode: 'total', from: '2026-03-01', maxPoints: 31 });
    assert.deepEqual([march.grain, march.points.length], ['day', 31]);
    const pulls = metricSeries(store, 'docker:ns/img', 'pulls', { grain: 'day', mode: 'new', maxPoints: 3 });
    assert.deepEqual([pulls.grain, pulls.points.map((p) => p.period)], ['week', ['2026-02-23', '2026-03-02']]);
  });

  it('rejects a malformed date instead of putting it into SQL', () => {
    assert.throws(() => metricSeries(store, 'npm:p', 'downloads_daily', { grain: 'day', mode: 'total', from: "2026-01-01' OR 1" }), /YYYY-MM-DD/);
  });
});
