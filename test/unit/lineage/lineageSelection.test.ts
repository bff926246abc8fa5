import assert from 'node:assert/strict';
import { lineageGraphFromManifest } from '../../../src/core/lineage/lineageGraph';
import { LineageSelectionError, selectLineage } from '../../../src/core/lineage/lineageSelection';
import { ID, SRC, manifestOf, starterManifest } from './starterManifest';

const names = (ids: Set<string>) => [...ids].map((id) => id.split('.').pop()).sort();

describe('lineage selection (the models engine’s syntax, on a manifest)', () => {
  it('+daily_summary is daily_summary and exactly its upstream nodes', async () => {
    const g = lineageGraphFromManifest(await starterManifest());
    const got = selectLineage(g, '+daily_summary');
    assert.deepEqual(names(got), [
      'daily_summary', 'dockerhub_daily_summary', 'dockerhub_pulls', 'github_daily_summary', 'github_daily_summary_history', 'github_stars',
      'pypi_daily_summary', 'pypi_downloads', 'pypi_version_downloads', 'slack_daily_summary', 'slack_messages',
    ]);
    assert.ok(!got.has(ID('slack_daily_summary_by_user')));
  });

  it('depth limits, descendants, @, tag:, path:, source:, config.materialized:, union, intersection, exclude', async () => {
    const g = lineageGraphFromManifest(await starterManifest());
    assert.deepEqual(names(selectLineage(g, '1+daily_summary')), ['daily_summary', 'dockerhub_daily_summary', 'github_daily_summary', 'pypi_daily_summary', 'slack_daily_summary']);
    assert.deepEqual(names(selectLineage(g, 'pypi_downloads+')), ['daily_summary', 'pypi_daily_summary', 'pypi_downloads']);
    assert.deepEqual(names(selectLineage(g, 'pypi_downloads+1')), ['pypi_daily_summary', 'pypi_downloads']);
    assert.deepEqual(names(selectLineage(g, '1+pypi_daily_summary+1')), ['daily_summary', 'pypi_daily_summary', 'pypi_downloads']);
    assert.deepEqual(names(selectLineage(g, 'source:metrics.slack_messages+1')), ['slack_daily_summary', 'slack_daily_summary_by_user', 'slack_messages']);
    assert.deepEqual(names(selectLineage(g, 'config.materialized:incremental')), ['pypi_downloads']);
    assert.deepEqual(names(selectLineage(g, 'path:seeds')), ['github_daily_summary_history']);
    assert.deepEqual(names(selectLineage(g, 'path:models/daily_summary.sql')), ['daily_summary']);
    assert.deepEqual(names(selectLineage(g, 'slack_* pypi_downloads')), ['pypi_downloads', 'slack_daily_summary', 'slack_daily_summary_by_user']);
    assert.deepEqual(names(selectLineage(g, '+daily_summary,resource_type:source')), ['dockerhub_pulls', 'github_stars', 'pypi_version_downloads', 'slack_messages']);
    assert.deepEqual(names(selectLineage(g, '+daily_summary --exclude resource_type:source')).length, 7);
    assert.deepEqual(names(selectLineage(g, '@pypi_downloads')), ['daily_summary', 'dockerhub_daily_summary', 'dockerhub_pulls', 'github_daily_summary', 'github_daily_summary_history', 'github_stars', 'pypi_daily_summary', 'pypi_downloads', 'pypi_version_downloads', 'slack_daily_summary', 'slack_messages']);
    assert.ok(selectLineage(g, SRC('github_stars').split('.').slice(1).join('.')).has(SRC('github_stars')));
  });

  it('tag: reads the tags of a manifest; unknown methods are an error that lists the known ones', () => {
    const g = lineageGraphFromManifest(manifestOf([{ id: 'model.p.a', tags: ['nightly'] }, { id: 'model.p.b', parents: ['model.p.a'] }]));
    assert.deepEqual(names(selectLineage(g, 'tag:nightly+')), ['a', 'b']);
    assert.throws(() => selectLineage(g, 'colour:red'), (e: unknown) => e instanceof LineageSelectionError && /supported here: tag, path/.test(e.message));
  });
});
