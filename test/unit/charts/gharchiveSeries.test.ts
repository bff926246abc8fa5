import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { SqlJsStatic } from 'sql.js';
import { GHARCHIVE_METRIC_KEY, gharchiveEventTypes } from '../../../src/core/charts/gharchiveMetric';
import { metricChart } from '../../../src/core/charts/metricChart';
import { metricSeries } from '../../../src/core/charts/metricSeries';
import { parseProjectConfig } from '../../../src/core/config/projectConfig';
import { hourFileName, parseHour } from '../../../src/core/gharchive/hours';
import { importGhArchive } from '../../../src/core/gharchive/importer';
import { silentLogger } from '../../../src/core/log';
import { artifactMetrics, coveredDailyMetric } from '../../../src/core/store/artifactMetrics';
import { MetricsStore } from '../../../src/core/store/store';
import { FakeServer } from '../../support/fakeServer';
import { REAL_HOUR, derivedHour, gz, independentCount, realHourBytes, realHourLines, serveHour } from '../gharchive/archiveFixtures';
import { testSqlJs } from '../project/fixtureStore';

/**
 * The archive as the importer leaves it, for cachethq/Cachet (10 WatchEvents, 19 IssueCommentEvents
 * and a PullRequestEvent in the real hour) and kaltura/mwEmbed:
 *   2015-01-01  hour 12 only: the real hour                         → partial (1 of 24 hours)
 *   2015-01-02  all 24 hours; the repositories' events in hour 5     → complete
 *   2015-01-03  every hour 404 for both; hour 0 later read for mwEmbed only → a gap for Cachet
 *   2015-01-04  all 24 hours, none with an event of the repositories → 0, not a gap
 */
const CACHET = 'cachethq/Cachet';
const MWEMBED = 'kaltura/mwEmbed';

describe('GH Archive events as a metric (real hour, real importer, sql.js store)', function () {
  this.timeout(60_000);
  let SQL: SqlJsStatic;
  let server: FakeServer;
  let dir: string;
  let store: MetricsStore;
  const lines = realHourLines();
  const repoOf = (l: string) => (JSON.parse(l) as { repo: { name: string } }).repo.name;
  const tracked = lines.filter((l) => [CACHET, MWEMBED].includes(repoOf(l)));
  const others = lines.filter((l) => ![CACHET, MWEMBED].includes(repoOf(l))).slice(0, 40);
  const real = independentCount(lines, [CACHET]);

  before(async () => {
    SQL = await testSqlJs();
    server = await FakeServer.start();
    dir = await mkdtemp(path.join(tmpdir(), 'cm-gharchive-series-'));
    const storeFile = path.join(dir, 'metrics.sqlite');
    serveHour(server, REAL_HOUR, realHourBytes());
    for (const day of ['2015-01-02', '2015-01-04']) {
      for (let h = 0; h < 24; h++) {
        const withEvents = day === '2015-01-02' && h === 5;
        serveHour(server, hourFileName(parseHour(`${day}T${h}`)), gz(derivedHour(withEvents ? [...others, ...tracked] : others, `${day}-${h}-`)));
      }
    }
    const run = (repos: string[], from: string, to: string) =>
      importGhArchive({ SQL, storeFile, logger: silentLogger, repos, from, to, baseUrl: server.url, flushIntervalMs: 0, retryBaseMs: 1, retries: 0 });
    const first = await run([CACHET, MWEMBED], '2015-01-01T12', '2015-01-01T12');
    assert.equal(first.imported, 1);
    const rest = await run([CACHET, MWEMBED], '2015-01-02T00', '2015-01-04T23');
    assert.deepEqual([rest.imported, rest.missing], [48, 24]);
    // 2015-01-03T00 turns up later and is read for mwEmbed only: it says nothing about Cachet.
    serveHour(server, hourFileName(parseHour('2015-01-03T00')), gz(derivedHour([...others, ...tracked], 'late-')));
    const late = await run([MWEMBED], '2015-01-03T00', '2015-01-03T00');
    assert.equal(late.imported, 1);
    store = (await MetricsStore.open(SQL, storeFile, silentLogger)).store;
  });

  after(async () => {
    store?.close();
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const series = (artifact: string, over: Partial<Parameters<typeof metricSeries>[3]> = {}) =>
    metricSeries(store, `github:${artifact}`, GHARCHIVE_METRIC_KEY, { grain: 'day', mode: 'total', ...over });

  it('a day with no hour imported is a gap, a day read with no event is 0, a day read in part is partial', () => {
    const s = series(CACHET);
    assert.deepEqual(s.points.map((p) => [p.period, p.value]), [
      ['2015-01-01', real.total],
      ['2015-01-02', real.total],
      ['2015-01-03', null],
      ['2015-01-04', 0],
    ]);
    assert.deepEqual(s.points[0]?.partial, { hours: 1, of: 24 });
    assert.deepEqual(s.points.filter((p) => p.partial).map((p) => p.period), ['2015-01-01'], 'only the day with 1 of its 24 hours read');
    // The hour read for mwEmbed only covers mwEmbed: its 2015-01-03 is partial, not a gap.
    const other = series(MWEMBED);
    assert.deepEqual(other.points.map((p) => [p.period, p.value, p.partial?.hours ?? 24]), [
      ['2015-01-01', independentCount(lines, [MWEMBED]).total, 1],
      ['2015-01-02', independentCount(lines, [MWEMBED]).total, 24],
      ['2015-01-03', independentCount(lines, [MWEMBED]).total, 1],
      ['2015-01-04', 0, 24],
    ]);
  });

  it('the text summary says which periods are partial and which are gaps', () => {
    const chart = metricChart([series(CACHET)]);
    const summary = chart.summary;
    assert.match(summary, /: its value counts only those hours, and it is ringed in the chart\./);
    // The ring: a second layer drawing only the partial periods, in the series' colour.
    const layers = chart.spec.layer as Array<{ name?: string; mark: { type: string; filled?: boolean }; transform?: unknown[] }>;
    assert.equal(layers.length, 2);
    assert.equal(layers[0]?.mark.type, 'line');
    assert.deepEqual([layers[1]?.name, layers[1]?.mark.type, layers[1]?.mark.filled, layers[1]?.transform], ['partial', 'point', false, [{ filter: 'datum.coverage != null' }]]);
    // The tooltip and the CSV say it per point too.
    assert.deepEqual(chart.columns, ['series', 'period', 'value', 'coverage']);
    assert.deepEqual(chart.values.map((v) => v.coverage), ['partial: 1 of 24 hours imported', null, null, null]);
    assert.match(summary, /4 days from 2015-01-01 to 2015-01-04/);
    assert.match(summary, /1 day without data, shown as gaps/);
    assert.match(summary, /1 day is partial, only some of the hours imported \(2015-01-01: 1 of 24 hours\)/);
    const weekly = series(CACHET, { grain: 'week' });
    assert.deepEqual(weekly.points, [{ period: '2014-12-29', value: 2 * real.total, partial: { hours: 49, of: 168 } }]);
    assert.match(metricChart([weekly]).summary, /1 week is partial, only some of the hours imported \(2014-12-29: 49 of 168 hours\)/);
    // Inside a range, a period counts only the hours it has in the range.
    assert.deepEqual(series(CACHET, { grain: 'week', from: '2015-01-04', to: '2015-01-04' }).points, [{ period: '2014-12-29', value: 0 }]);
    assert.deepEqual(series(CACHET, { grain: 'week', from: '2015-01-02' }).points[0]?.partial, { hours: 48, of: 72 });
    // A chart with no partial period has no coverage column.
    const whole = metricChart([series(CACHET, { from: '2015-01-02' })]);
    assert.deepEqual(whole.columns, ['series', 'period', 'value']);
    const wholeLayers = whole.spec.layer as Array<{ name?: string; mark: { type: string } }>;
    assert.deepEqual(wholeLayers.map((l) => [l.name, l.mark.type]), [[undefined, 'line']], 'and no ring layer');
  });

  it('filters by event type, and the label says what is counted', () => {
    const stars = series(CACHET, { eventType: 'WatchEvent' });
    assert.equal(real.byType.WatchEvent, 10);
    assert.deepEqual(stars.points.map((p) => p.value), [10, 10, null, 0]);
    assert.equal(stars.label, 'cachethq/Cachet: events per day: GH Archive WatchEvent events (stars given, as GH Archive saw them)');
    assert.match(series(CACHET).label, /GH Archive events of every type \(as GH Archive saw them\)$/);
    assert.match(series(CACHET, { eventType: 'ForkEvent' }).label, /GH Archive ForkEvent events \(forks created, as GH Archive saw them\)/);
    // A type the repository never had counts 0 on the days read: still not a gap.
    assert.deepEqual(series(CACHET, { eventType: 'ForkEvent' }).points.map((p) => p.value), [0, 0, null, 0]);
    assert.deepEqual(series(CACHET, { eventType: 'WatchEvent', mode: 'cumulative' }).points.map((p) => p.value), [10, 20, null, 20]);
    // Not a type: ignored (counts every type), never put into SQL.
    assert.deepEqual(series(CACHET, { eventType: "x' OR 1=1 --" }).points.map((p) => p.value), [real.total, real.total, null, 0]);
  });

  it('lists the event types stored for the charted repositories, the most frequent first', () => {
    const types = gharchiveEventTypes(store, [CACHET]);
    assert.deepEqual(Object.fromEntries(types.map((t) => [t.type, t.events])), Object.fromEntries(Object.entries(real.byType).map(([t, n]) => [t, 2 * n])));
    assert.equal(types[0]?.type, 'IssueCommentEvent');
    const both = gharchiveEventTypes(store, [CACHET, MWEMBED]).map((t) => t.type);
    for (const t of ['WatchEvent', 'PushEvent', 'DeleteEvent', 'CreateEvent']) assert.ok(both.includes(t), t);
    assert.deepEqual(gharchiveEventTypes(store, ['nobody/none']), []);
  });

  it('finds the events whatever the case of the configured name', () => {
    assert.deepEqual(series('CACHETHQ/CACHET', { eventType: 'WatchEvent' }).points.map((p) => p.value), [10, 10, null, 0]);
    assert.deepEqual(series('CACHETHQ/cachet').points.map((p) => p.value), [real.total, real.total, null, 0]);
  });

  it('is a tree metric of a repository only when it has events, with its latest full day', () => {
    const config = parseProjectConfig(`projects:\n  - name: x\n    github: [${CACHET}, nobody/none]\n`).config;
    const [cachet, none] = artifactMetrics(store, config, new Date('2015-01-10T00:00:00Z'));
    const m = cachet?.metrics.find((x) => x.key === GHARCHIVE_METRIC_KEY);
    assert.equal(m?.label, 'GH Archive events');
    assert.equal(m?.latest, 0);
    assert.equal(m?.latestAt, '2015-01-04');
    assert.match(m?.description ?? '', /latest day imported in full \(2015-01-04\)/);
    assert.equal(m?.change7d, undefined, 'the day a week before was not imported: unknown, not 0');
    assert.equal(none?.metrics.some((x) => x.key === GHARCHIVE_METRIC_KEY), false);
  });

  it('compares full days only, a week and a month back', () => {
    const day = (d: string, v: number, h = 24) => ({ t: d, v, h });
    const m = coveredDailyMetric('k', 'K', 'events', [day('2015-01-01', 3), day('2015-01-24', 5), day('2015-01-31', 9), day('2015-02-01', 40, 2)]);
    assert.deepEqual([m.latest, m.latestAt, m.change7d, m.change30d], [9, '2015-01-31', 4, 6]);
    const partialOnly = coveredDailyMetric('k', 'K', 'events', [day('2015-01-01', 4, 1)]);
    assert.deepEqual([partialOnly.latest, partialOnly.change7d], [4, undefined]);
    assert.match(partialOnly.description, /partial day: only 1 of its 24 hours imported/);
  });
});
