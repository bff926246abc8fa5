import assert from 'node:assert/strict';
import { issuesLast7Days, seedViews } from '../../../src/core/charts/seedViews';
import { upsertIssues } from '../../../src/core/store/githubRows';
import { insertDockerHubSnapshot, upsertPypiDaily, upsertPypiVersionDaily } from '../../../src/core/store/packageRows';
import { upsertSlackMessages } from '../../../src/core/store/slackRows';
import { MetricsStore } from '../../../src/core/store/store';
import { testSql } from '../store.test';

describe('the seed article’s views, ready-made', () => {
  it('gives version shares, package migration, pulls per day, issues flow and top members from SQL aggregates', async () => {
    const store = MetricsStore.create(await testSql(), ':memory:');
    upsertPypiVersionDaily(store, [
      { date: '2021-08-03', package: 'marquez-airflow', version: '0.3.0', downloads: 30 },
      { date: '2021-08-04', package: 'marquez-airflow', version: '0.4.0', downloads: 10 },
      { date: '2021-09-01', package: 'marquez-airflow', version: '0.4.0', downloads: 50 },
    ]);
    const overall = (pkg: string, date: string, downloads: number) => ({ date, package: pkg, categoryType: 'overall' as const, category: 'without_mirrors', downloads });
    upsertPypiDaily(store, [overall('marquez-airflow', '2021-07-01', 90), overall('openlineage-airflow', '2021-07-01', 10), overall('marquez-airflow', '2021-08-01', 50), overall('openlineage-airflow', '2021-08-01', 50),
      { ...overall('marquez-airflow', '2021-08-01', 999), category: 'with_mirrors' }]);
    for (const [ts, n] of [['2021-08-01T01:00:00Z', 100], ['2021-08-02T01:00:00Z', 160], ['2021-08-03T01:00:00Z', 190]] as const) insertDockerHubSnapshot(store, { timestamp: ts, image: 'marquezproject/marquez', pullCount: n, starCount: null, lastUpdated: null });
    upsertIssues(store, [1, 2, 3].map((n) => ({ repo: 'o/r', number: n, isPullRequest: false, author: 'a', authorIsBot: false, title: `<b>${n}</b>`, state: n === 1 ? 'closed' : 'open', labels: [], comments: 0, createdAt: `2021-08-0${n + 1}T00:00:00Z`, updatedAt: '2021-08-05T00:00:00Z', closedAt: n === 1 ? '2021-08-04T12:00:00Z' : null, mergedAt: null })));
    upsertSlackMessages(store, ['ann', 'ann', 'bob'].map((u, i) => ({ messageTime: `2021-08-0${i + 1}T10:00:00Z`, domain: 'openlineage', username: u, realname: null, email: null, channel: 'general', permalink: null, text: 'hi' })));
    const views = seedViews(store, [
      { artifact: 'pypi:marquez-airflow', source: 'pypi', name: 'marquez-airflow', project: 'marquez' },
      { artifact: 'pypi:openlineage-airflow', source: 'pypi', name: 'openlineage-airflow', project: 'marquez' },
      { artifact: 'docker:marquezproject/marquez', source: 'docker', name: 'marquezproject/marquez', project: 'marquez' },
      { artifact: 'github:o/r', source: 'github', name: 'o/r', project: 'marquez' },
      { artifact: 'slack:openlineage', source: 'slack', name: 'openlineage', project: 'marquez' },
    ], {});
    const view = (id: string) => views.find((v) => v.id === id);
    assert.deepEqual(view('package-share:marquez')?.values.map((v) => [v.month, v.package, v.share]), [
      ['2021-07-01', 'marquez-airflow', 90], ['2021-07-01', 'openlineage-airflow', 10], ['2021-08-01', 'marquez-airflow', 50], ['2021-08-01', 'openlineage-airflow', 50],
    ], 'mirrors never added to the share');
    assert.deepEqual(view('version-adoption:marquez-airflow')?.values.map((v) => [v.month, v.version, v.share]), [['2021-08-01', '0.3.0', 75], ['2021-08-01', '0.4.0', 25], ['2021-09-01', '0.4.0', 100]]);
    const pulls = views.find((v) => v.title.startsWith('marquezproject/marquez: pulls per week'));
    assert.deepEqual(pulls?.values.map((v) => [v.period, v.value]), [['2021-07-26', null], ['2021-08-02', 90]], 'new pulls = difference of the weeks’ last readings (the seed’s wished-for new_pulls)');
    assert.match(pulls?.series[0] ?? '', /approximate pulls/);
    // Opened above zero, closed below: bars spanning their week.
    assert.deepEqual(view('issues-flow:o/r')?.values.map((v) => [v.week, v.end, v.what, v.n, v.signed]), [['2021-08-02', '2021-08-09', 'closed', 1, -1], ['2021-08-02', '2021-08-09', 'opened', 3, 3]]);
    assert.deepEqual(view('time-to-close:o/r')?.values, [{ month: '2021-08-01', end: '2021-09-01', days: 2.5, n: 1, status: 'complete' }]);
    // Every view says which question it answers, for which project, and its finding in one line.
    for (const v of views) assert.ok(v.group && v.project === 'marquez' && v.takeaway, `${v.id}: ${v.group} ${v.project} ${v.takeaway}`);
    assert.deepEqual([...new Set(views.map((v) => v.group))], ['usage', 'community']);
    // The readings end on Tuesday 2021-08-03: that week is not over, and the takeaway says so.
    assert.equal(pulls?.takeaway, '90 pulls so far in the week of 2021-08-02 (2 of 7 days).');
    assert.deepEqual(view('issues-7d:o/r')?.values.map((v) => v.total), [0, 0, 0, 0, 1, 2, 3]);
    // The dashboard's one date range applies here too: the 7 days end at its end, and start no earlier than its start.
    const ranged = (range: { from?: string; to?: string }) => issuesLast7Days(store, 'o/r', range);
    assert.deepEqual(ranged({ to: '2021-08-03' })?.values.map((v) => [v.day, v.total]), [['2021-07-28', 0], ['2021-07-29', 0], ['2021-07-30', 0], ['2021-07-31', 0], ['2021-08-01', 0], ['2021-08-02', 1], ['2021-08-03', 2]]);
    assert.deepEqual(ranged({ from: '2021-08-03', to: '2021-08-09' })?.values.map((v) => [v.day, v.n]), [['2021-08-03', 1], ['2021-08-04', 1]]);
    assert.match(ranged({ from: '2021-08-03', to: '2021-08-09' })?.summary ?? '', /2 issues and PRs opened in the 2 days to 2021-08-04/);
    assert.equal(ranged({ from: '2021-09-01' }), undefined, 'no issue opened in the range: no chart');
    assert.deepEqual(view('top-active:slack:openlineage')?.values, [{ person: 'ann', count: 2 }, { person: 'bob', count: 1 }]);
    // August's data stop on its first day: its % change (−44%) would be of one day against a month,
    // so it is left out, and a % change chart with nothing else says nothing: not shown.
    assert.ok(!views.some((v) => v.title === 'marquez-airflow: % change of downloads, month on month'));
    assert.ok(views.some((v) => v.title === 'marquez-airflow: downloads per week'));
    store.close();
  });
});
