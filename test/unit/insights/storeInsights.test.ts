import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { storeInsights } from '../../../src/core/insights/storeInsights';
import { upsertNpmDaily, upsertPypiVersionDaily } from '../../../src/core/store/packageRows';
import { upsertSlackMessages } from '../../../src/core/store/slackRows';
import { MetricsStore } from '../../../src/core/store/store';
import { fixturePath } from '../../support/fixtures';
import { testSql } from '../store.test';

const addDays = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

/** The seed's real star-history export (day, project, stars), as daily star snapshots up to `until`. */
async function seedStarHistory(until: string): Promise<MetricsStore> {
  const store = MetricsStore.create(await testSql(), ':memory:');
  const lines = readFileSync(fixturePath('dbt/github_daily_summary_history.csv'), 'utf8').trim().split('\n').slice(1);
  for (const line of lines) {
    const [day, project, stars] = line.split(',') as [string, string, string];
    if (day <= until) store.addRepositorySnapshot({ timestamp: `${day}T12:00:00Z`, repo: project, stars: Number(stars) });
  }
  return store;
}

describe('insights from the store', () => {
  it('on the seed’s real star history: OpenLineage’s stars accelerated in the summer of 2021, as the article saw', async () => {
    const store = await seedStarHistory('2021-08-22');
    const found = storeInsights(store, [{ artifact: 'github:OpenLineage/OpenLineage', source: 'github', name: 'OpenLineage/OpenLineage' }]);
    assert.equal(found.length, 1, JSON.stringify(found));
    assert.equal(found[0]?.kind, 'star-trend');
    assert.equal(found[0]?.title, 'Star growth is accelerating');
    assert.match(found[0]?.explanation ?? '', /stargazers_count/);
    assert.deepEqual(found[0]?.chart, { artifactId: 'github:OpenLineage/OpenLineage', metricKey: 'stars', grain: 'week', mode: 'new' });
    store.close();
  });

  it('on the same history through the spring of 2021, before the first release, says nothing', async () => {
    const store = await seedStarHistory('2021-05-23');
    assert.deepEqual(storeInsights(store, [{ artifact: 'github:OpenLineage/OpenLineage', source: 'github', name: 'OpenLineage/OpenLineage' }]), []);
    store.close();
  });

  it('flags a Slack workspace where one person writes most messages, and a package mostly downloaded in old versions', async () => {
    const store = MetricsStore.create(await testSql(), ':memory:');
    const people = ['ann', 'ann', 'ann', 'ann', 'ann', 'ann', 'bob', 'cat', 'dan', 'eve'];
    upsertSlackMessages(store, Array.from({ length: 60 }, (_, i) => ({
      messageTime: `${addDays('2026-09-01', i)}T10:00:00.00000${i % 10}Z`, domain: 'acme', username: people[i % people.length] as string,
      realname: null, email: null, channel: 'general', permalink: null, text: `m${i}`,
    })));
    upsertPypiVersionDaily(store, [
      { date: '2026-10-01', package: 'marquez-airflow', version: '0.3.9', downloads: 700 },
      { date: '2026-10-01', package: 'marquez-airflow', version: '0.4.0', downloads: 300 },
    ]);
    // npm downloads steady for 10 weeks: a control that must stay silent.
    upsertNpmDaily(store, Array.from({ length: 70 }, (_, i) => ({ date: addDays('2026-08-01', i), package: 'p', downloads: 100 + (i % 7) })));
    const found = storeInsights(store, [
      { artifact: 'slack:acme', source: 'slack', name: 'acme' },
      { artifact: 'pypi:marquez-airflow', source: 'pypi', name: 'marquez-airflow' },
      { artifact: 'npm:p', source: 'npm', name: 'p' },
    ], { markedVersions: { 'marquez-airflow': '0.4.0' } });
    assert.deepEqual(found.map((f) => f.kind), ['concentration', 'old-versions']);
    assert.match(found[0]?.explanation ?? '', /^acme: ann made 36 of the 60 messages by 5 people in the 90 days to 2026-10-30 \(next: bob, 10%\)\. Contributor absence factor 1/);
    assert.equal(found[1]?.title, '70% of downloads are of versions older than 0.4.0');
    store.close();
  });
});
