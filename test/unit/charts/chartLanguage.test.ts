import assert from 'node:assert/strict';
import { COUNT_LABEL, inferGrain, timeTicks, timeX } from '../../../src/core/charts/axes';
import { headlineFigures } from '../../../src/core/charts/headlines';
import { metricChart, RELEASE_LAYER, SO_FAR_LAYER } from '../../../src/core/charts/metricChart';
import { incompletePeriod, metricSeries } from '../../../src/core/charts/metricSeries';
import { contrastRatio, DEFAULT_BACKGROUNDS, ensureContrast, MIN_CONTRAST, PALETTES, seriesPalette } from '../../../webview/charts/shared/palette';
import type { ThemeKind } from '../../../webview/charts/shared/palette';
import { releaseEvents } from '../../../src/core/charts/releaseEvents';
import { upsertCommits, upsertIssues, upsertReleases, upsertStarHistory } from '../../../src/core/store/githubRows';
import { upsertNpmDaily } from '../../../src/core/store/packageRows';
import { MetricsStore } from '../../../src/core/store/store';
import { testSql } from '../store.test';

const addDays = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

describe('the charts’ visual language', () => {
  describe('series colours', () => {
    it('every colour of every theme’s palette has a WCAG contrast of at least 3:1 on that theme’s editor background', () => {
      for (const kind of Object.keys(PALETTES) as ThemeKind[]) {
        for (const c of PALETTES[kind]) {
          const ratio = contrastRatio(c, DEFAULT_BACKGROUNDS[kind]);
          assert.ok(ratio >= MIN_CONTRAST, `${kind}: ${c} on ${DEFAULT_BACKGROUNDS[kind]} is ${ratio.toFixed(2)}:1`);
        }
        assert.equal(new Set(PALETTES[kind]).size, PALETTES[kind].length, `${kind}: no colour twice`);
      }
    });

    it('computes WCAG contrast as specified (black on white 21:1, the same colour 1:1)', () => {
      assert.equal(Math.round(contrastRatio('#000000', '#ffffff') * 100) / 100, 21);
      assert.equal(contrastRatio('#777', '#777777'), 1);
      // #767676 is the darkest grey with 4.5:1 on white, a figure every accessibility checker quotes.
      assert.ok(Math.abs(contrastRatio('#767676', '#fff') - 4.54) < 0.01);
    });

    it('moves a colour too close to a theme’s background until it reaches 3:1 (the dark brown of the bug report)', () => {
      const brown = '#5a3a1a';
      assert.ok(contrastRatio(brown, '#1f1f1f') < 2);
      const fixed = ensureContrast(brown, '#1f1f1f');
      assert.ok(contrastRatio(fixed, '#1f1f1f') >= MIN_CONTRAST, fixed);
      // On a user theme with another background, the palette is checked against that one.
      for (const bg of ['#002b36', '#fdf6e3', '#3c3c3c', 'rgb(40, 44, 52)']) {
        for (const c of seriesPalette('dark', bg).concat(seriesPalette('light', bg))) assert.ok(contrastRatio(c, bg) >= MIN_CONTRAST, `${c} on ${bg}`);
      }
    });
  });

  describe('time axes', () => {
    it('puts ticks on calendar boundaries with one label format per kind of tick, the year on every label across years', () => {
      const q1 = timeTicks('day', '2026-01-01', '2026-03-31');
      assert.equal(q1.acrossYears, false);
      assert.ok(q1.values.every((d) => new Date(`${d}T00:00:00Z`).getUTCDay() === 1), 'weekly ticks on Mondays, like the weeks');
      assert.equal(q1.format, '%b %-d');
      const span = timeTicks('week', '2025-10-06', '2026-03-30');
      assert.deepEqual([span.kind, span.format], ['month', '%b %Y'], 'crossing a year: the year on the label');
      assert.deepEqual(span.values, ['2025-11-01', '2025-12-01', '2026-01-01', '2026-02-01', '2026-03-01']);
      const decade = timeTicks('day', '2016-11-23', '2026-11-22');
      assert.deepEqual([decade.kind, decade.format], ['year', '%Y']);
      assert.ok(decade.values.length <= 8);
      assert.deepEqual(timeTicks('quarter', '2024-01-01', '2024-10-01').values, ['2024-01-01', '2024-04-01', '2024-07-01', '2024-10-01']);
    });

    it('says the year in the title when no label does, and draws one tick for one snapshot (not ".227")', () => {
      const x = timeX('period', 'day', '2026-01-01', '2026-03-31') as { title: string; axis: { values: unknown[] } };
      assert.equal(x.title, '2026, day (UTC)');
      const one = timeX('period', 'day', '2026-03-04', '2026-03-04') as { axis: { values: unknown[]; format: string } };
      assert.deepEqual(one.axis.values, [{ year: 2026, month: 3, date: 4, utc: true }]);
      assert.equal(one.axis.format, '%b %-d');
    });

    it('infers the grain of a model’s dates', () => {
      assert.equal(inferGrain(['2026-01-01', '2026-02-01', '2026-03-01']), 'month');
      assert.equal(inferGrain(['2026-01-05', '2026-01-12']), 'week');
      assert.equal(inferGrain(['2026-01-05', '2026-01-06']), 'day');
    });

    it('labels counts as people write them', () => {
      assert.match(COUNT_LABEL, /'\.3~s'/);
      assert.match(COUNT_LABEL, /',~r'/);
    });
  });

  describe('honest periods', () => {
    let store: MetricsStore;
    before(async () => {
      store = MetricsStore.create(await testSql(), ':memory:');
      // npm downloads from Monday 2026-03-02 to Wednesday 2026-03-25: the week of 03-23 has 3 of its 7 days.
      const rows = [];
      for (let d = '2026-03-02'; d <= '2026-03-25'; d = addDays(d, 1)) rows.push({ date: d, package: 'p', downloads: 100 });
      upsertNpmDaily(store, rows);
      upsertReleases(store, [
        { repo: 'o/r', releaseId: 1, tagName: 'v1.0.0', name: 'One', draft: false, prerelease: false, createdAt: '2026-03-09T10:00:00Z', publishedAt: '2026-03-10T10:00:00Z' },
        { repo: 'o/r', releaseId: 2, tagName: 'v1.1.0-rc1', name: null, draft: false, prerelease: true, createdAt: '2026-03-15T10:00:00Z', publishedAt: '2026-03-15T10:00:00Z' },
        { repo: 'o/r', releaseId: 3, tagName: 'v2.0.0', name: null, draft: true, prerelease: false, createdAt: '2026-03-20T10:00:00Z', publishedAt: null },
      ]);
    });

    it('marks the last week as so far when its data stop before its end, and only then', () => {
      const s = metricSeries(store, 'npm:p', 'downloads_daily', { grain: 'week', mode: 'total' });
      assert.deepEqual(s.points.map((p) => [p.period, p.value, p.soFar ?? null]), [['2026-03-02', 700, null], ['2026-03-09', 700, null], ['2026-03-16', 700, null], ['2026-03-23', 300, { days: 3, of: 7 }]]);
      // Cut at the end of a full week: nothing running.
      assert.equal(metricSeries(store, 'npm:p', 'downloads_daily', { grain: 'week', mode: 'total', to: '2026-03-22' }).points.at(-1)?.soFar, undefined);
      // A running total is complete as read.
      assert.equal(metricSeries(store, 'npm:p', 'downloads_daily', { grain: 'week', mode: 'cumulative' }).points.at(-1)?.soFar, undefined);
      // Daily data up to today: today is running.
      assert.deepEqual(metricSeries(store, 'npm:p', 'downloads_daily', { grain: 'day', mode: 'total', asOf: '2026-03-25' }).points.at(-1)?.soFar, { days: 1, of: 1 });
      assert.deepEqual(incompletePeriod('month', '2026-02-01', '2026-02-28'), undefined);
      assert.deepEqual(incompletePeriod('month', '2026-02-01', '2026-02-27'), { days: 27, of: 28 });
    });

    it('draws the running week apart from the line (a hollow point labelled so far), never as a drop; a % change of it is left out', () => {
      const s = metricSeries(store, 'npm:p', 'downloads_daily', { grain: 'week', mode: 'total' });
      const chart = metricChart([s]);
      const layers = chart.spec.layer as Array<{ name?: string; mark: { type: string; text?: string }; transform?: Array<{ filter: string }> }>;
      assert.deepEqual(layers[0]?.transform, [{ filter: "datum.status == 'complete'" }], 'the line joins complete weeks only');
      assert.ok(layers.some((l) => l.name === SO_FAR_LAYER && l.mark.type === 'point'));
      assert.ok(layers.some((l) => l.mark.type === 'text' && l.mark.text === 'so far'));
      assert.deepEqual(chart.values.map((v) => v.status), ['complete', 'complete', 'complete', 'so far (3 of 7 days)']);
      assert.match(chart.summary, /The week of 2026-03-23 is not over \(3 of 7 days\): its 300 is so far, drawn apart/);
      const pct = metricChart([metricSeries(store, 'npm:p', 'downloads_daily', { grain: 'week', mode: 'pct' })]);
      assert.deepEqual(pct.values.map((v) => v.period), ['2026-03-02', '2026-03-09', '2026-03-16'], 'no −57% for a week 3 days old');
      assert.match(pct.summary, /its change is left out/);
    });

    it('counts start at zero and axes carry the unit per period; one series has no legend', () => {
      const chart = metricChart([metricSeries(store, 'npm:p', 'downloads_daily', { grain: 'week', mode: 'total' })]);
      const line = (chart.spec.layer as Array<{ encoding: { y: { title: string; scale: { zero: boolean } }; color: { legend: unknown } } }>)[0];
      assert.equal(line?.encoding.y.title, 'downloads per week');
      assert.equal(line?.encoding.y.scale.zero, true);
      assert.equal(line?.encoding.color.legend, null);
      const pct = metricChart([metricSeries(store, 'npm:p', 'downloads_daily', { grain: 'week', mode: 'pct' })]);
      const y = (pct.spec.layer as Array<{ encoding: { y: { title: string; axis: { labelExpr: string } } } }>)[0]?.encoding.y;
      assert.equal(y?.title, '% change over the previous week');
      assert.match(y?.axis.labelExpr ?? '', /'%'/);
    });

    it('marks published releases (not drafts; pre-releases only without a full one) as labelled rules the page can hide', () => {
      const events = releaseEvents(store, ['o/r']);
      assert.deepEqual(events, [{ day: '2026-03-10', label: 'v1.0.0' }]);
      const chart = metricChart([metricSeries(store, 'npm:p', 'downloads_daily', { grain: 'day', mode: 'total' })], { events });
      const layers = chart.spec.layer as Array<{ name?: string; mark: { type: string }; transform?: Array<{ filter: string }>; data?: { values: unknown[] } }>;
      const rule = layers.find((l) => l.name === RELEASE_LAYER);
      assert.equal(rule?.mark.type, 'rule');
      assert.deepEqual(rule?.transform, [{ filter: 'showReleases' }]);
      assert.deepEqual(rule?.data?.values, [{ period: '2026-03-10', label: 'v1.0.0' }]);
      assert.deepEqual(chart.spec.params, [{ name: 'showReleases', value: true }]);
      assert.match(chart.summary, /1 release marked/);
      // Outside the charted range: not drawn (it would stretch the axis).
      const later = metricChart([metricSeries(store, 'npm:p', 'downloads_daily', { grain: 'day', mode: 'total', from: '2026-03-12' })], { events });
      assert.ok(!(later.spec.layer as Array<{ name?: string }>).some((l) => l.name === RELEASE_LAYER));
    });

    it('never draws more points per series than the plot has room for, and the summary says it aggregated', () => {
      const s = metricSeries(store, 'npm:p', 'downloads_daily', { grain: 'day', mode: 'total', maxPoints: 10 });
      assert.equal(s.grain, 'week');
      assert.equal(s.askedGrain, 'day');
      assert.match(metricChart([s]).summary, /Aggregated to weeks: the range has more days than the chart has room for/);
    });
  });

  it('gives the headline figures of a project from the store', async () => {
    const store = MetricsStore.create(await testSql(), ':memory:');
    const rows = [];
    for (let d = '2026-03-01'; d <= '2026-03-14'; d = addDays(d, 1)) rows.push({ date: d, package: 'p', downloads: d <= '2026-03-07' ? 100 : 110 });
    upsertNpmDaily(store, rows);
    upsertStarHistory(store, [{ repo: 'o/r', day: '2026-01-01', stars: 40, source: 'history' }, { repo: 'o/r', day: '2026-03-10', stars: 5, source: 'history' }]);
    upsertIssues(store, [1, 2].map((n) => ({ repo: 'o/r', number: n, isPullRequest: false, author: 'a', authorIsBot: false, title: 't', state: n === 1 ? 'open' : 'closed', labels: [], comments: 0, createdAt: '2026-03-01T00:00:00Z', updatedAt: '2026-03-02T00:00:00Z', closedAt: n === 2 ? '2026-03-02T00:00:00Z' : null, mergedAt: null })));
    upsertCommits(store, ['x', 'y', 'x'].map((who, i) => ({ repo: 'o/r', sha: `s${i}`, authorLogin: who, authorName: null, authorEmail: null, authorDate: `2026-03-0${i + 1}T00:00:00Z`, committerLogin: null, committerName: null, committerDate: null })));
    const figures = headlineFigures(store, [
      { artifact: 'github:o/r', source: 'github', name: 'o/r', project: 'x' },
      { artifact: 'npm:p', source: 'npm', name: 'p', project: 'x' },
    ]);
    assert.deepEqual(figures.map((f) => [f.label, f.value, f.detail]), [
      ['Stars', '45', '+5 in the 30 days to 2026-03-10'],
      ['Downloads per week', '770', '+10% on the 7 days before (to 2026-03-14)'],
      ['Open issues and PRs', '1', 'no first responses recorded in 90 days'],
      ['Active contributors', '2', 'commit authors in the 90 days to 2026-03-03'],
    ]);
    store.close();
  });
});
