import assert from 'node:assert/strict';
import { upsertPypiHistory } from '../../../src/core/clickhouse/pypiHistoryStore';
import { storeInsights } from '../../../src/core/insights/storeInsights';
import { MetricsStore } from '../../../src/core/store/store';
import { PYPI_SLICE } from '../../support/clickhouseFixtures';
import { testSql } from '../store.test';

const at = new Date('2026-12-01T00:00:00Z');

describe('insight: downloads by mirrors and bots vs people (ClickPy installers)', () => {
  it('says nothing for pip on the recorded days (mirrors were 0.8% of pypistats with_mirrors)', async () => {
    const store = MetricsStore.create(await testSql(), ':memory:');
    upsertPypiHistory(store, PYPI_SLICE.installer.map((r) => ({ date: r.date, package: 'pip', dimension: 'installer', category: r.installer, downloads: r.count })), 'clickpy', at);
    assert.deepEqual(storeInsights(store, [{ artifact: 'pypi:pip', source: 'pypi', name: 'pip' }]), []);
    store.close();
  });

  it('flags a package whose recent downloads are mostly mirrors and other tools, with the numbers, over the last 30 days only', async () => {
    const store = MetricsStore.create(await testSql(), ':memory:');
    const row = (date: string, category: string, downloads: number) => ({ date, package: 'old-lib', dimension: 'installer', category, downloads });
    upsertPypiHistory(store, [row('2026-11-20', 'bandersnatch', 400), row('2026-11-20', 'pip', 500), row('2026-11-21', 'requests', 100), row('2026-09-01', 'pip', 100_000)], 'clickpy', at);
    const [found, ...rest] = storeInsights(store, [{ artifact: 'pypi:old-lib', source: 'pypi', name: 'old-lib' }]);
    assert.deepEqual(rest, []);
    assert.equal(found?.kind, 'installer-share');
    assert.equal(found?.title, "50% of old-lib's downloads are mirrors or bots");
    assert.match(found?.explanation ?? '', /From 2026-10-23 to 2026-11-21, ClickPy counted 1,000 downloads of old-lib: 400 \(40%\) by mirrors, 100 \(10%\) by other tools/);
    assert.match(found?.explanation ?? '', /Largest: pip \(people\) 50%, bandersnatch \(mirror\) 40%, requests \(other tool\) 10%/);
    store.close();
  });
});
