import assert from 'node:assert/strict';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import type { MetricsStore } from '../../../src/core/store/store';
import { loadProject } from '../../../src/core/project/project';
import type { Project } from '../../../src/core/project/project';
import { runProject } from '../../../src/core/project/runner';
import type { RunResult } from '../../../src/core/project/runner';
import { latestResults } from '../../../src/core/project/runHistory';
import { fixtureStore, insertPypi, seedProject } from './fixtureStore';
import type { FixtureRows, PypiDownload } from './fixtureStore';
import { fixturePath } from '../../support/fixtures';

/**
 * Acceptance: the seed article's models, as written (BigQuery syntax), built on a store filled from
 * the recorded fixtures; every expected value is computed here in JavaScript, not by SQL.
 */
function csvRows(text: string): string[][] {
  return text.trim().split(/\r?\n/).slice(1).map((l) => l.split(','));
}

const day = (iso: string) => iso.slice(0, 10);

function maxBy<T>(rows: T[], key: (r: T) => string, value: (r: T) => number): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of rows) out.set(key(r), Math.max(out.get(key(r)) ?? -Infinity, value(r)));
  return out;
}

function countBy<T>(rows: T[], key: (r: T) => string): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of rows) out.set(key(r), (out.get(key(r)) ?? 0) + 1);
  return out;
}

describe('seed article models (BigQuery syntax) on the store', function () {
  this.timeout(30_000);
  let dir: string;
  let project: Project;
  let store: MetricsStore;
  let rows: FixtureRows;
  let pypi: PypiDownload[];
  let build: RunResult;
  /** The command of every run this file made, in order: what `_cm_runs` must hold. */
  const commands: string[] = [];
  const run = (options: Parameters<typeof runProject>[2]) => {
    commands.push(options.command);
    return runProject(project, store.db, options);
  };

  // Every test starts from the built project, so each one also runs alone (mocha -g).
  before(async () => {
    dir = await seedProject();
    project = await loadProject(dir);
    ({ store, rows, pypi } = await fixtureStore(path.join(dir, '.community-metrics', 'metrics.sqlite')));
    build = await run({ command: 'build' });
  });
  after(async () => {
    store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('loads the dbt 0.21 project without problems and finds dependencies by rendering', () => {
    assert.deepEqual(project.diagnostics, []);
    assert.equal(project.name, 'openlineage_elt');
    const node = (name: string) => project.nodes.get(`model.openlineage_elt.${name}`);
    assert.deepEqual(node('github_daily_summary')?.dependsOn.nodes, ['seed.openlineage_elt.github_daily_summary_history', 'source.openlineage_elt.metrics.github_stars']);
    assert.deepEqual(node('pypi_daily_summary')?.dependsOn.nodes, ['model.openlineage_elt.pypi_downloads']);
    // dbt_project.yml says `materialized: table` for the folder; the models' own config() wins.
    assert.equal(node('github_daily_summary')?.config.materialized, 'table');
    assert.equal(node('dockerhub_daily_summary')?.config.materialized, 'view');
    assert.equal(node('pypi_downloads')?.config.materialized, 'incremental');
  });

  it('builds every model, seed and test, and the results match values computed independently', async () => {
    assert.deepEqual(
      build.results.filter((r) => !['success', 'pass'].includes(r.status)).map((r) => `${r.name}: ${r.message}`),
      [],
    );
    assert.equal(build.results.length, 12);
    assert.ok(build.success);

    // github_daily_summary: max stars per day and project over the CSV history and the snapshots.
    const history = csvRows(await readFile(fixturePath('dbt/github_daily_summary_history.csv'), 'utf8')).map(([d, p, s]) => ({ day: d as string, project: p as string, stars: Number(s) }));
    const combined = [...history, ...rows.githubStars.map((r) => ({ day: day(r.timestamp), project: r.project, stars: r.stars }))];
    const expectedGithub = maxBy(combined, (r) => `${r.day}|${r.project}`, (r) => r.stars);
    const github = store.all<{ day: string; project: string; stars: number }>('SELECT day, project, stars FROM github_daily_summary');
    assert.equal(github.length, expectedGithub.size);
    for (const g of github) assert.equal(g.stars, expectedGithub.get(`${g.day}|${g.project}`), `${g.day} ${g.project}`);
    // Spot checks from the fixture README: OpenLineage ends at 553 on 2021-11-07 after an unstar.
    assert.equal(expectedGithub.get('2021-11-07|OpenLineage/OpenLineage'), 553);
    const kube = rows.githubStars.find((r) => r.project === 'kubernetes/kubernetes') as { timestamp: string; stars: number };
    assert.equal(github.find((g) => g.project === 'kubernetes/kubernetes')?.stars, kube.stars, 'the larger of two same-day snapshots');

    // slack_daily_summary_by_user: messages per day, domain and user.
    const expectedSlack = countBy(rows.slackMessages, (m) => `${day(m.message_time)}|${m.domain}|${m.username}`);
    const slack = store.all<{ day: string; domain: string; username: string; messages: number }>('SELECT * FROM slack_daily_summary_by_user');
    assert.equal(slack.length, expectedSlack.size);
    for (const s of slack) assert.equal(s.messages, expectedSlack.get(`${s.day}|${s.domain}|${s.username}`));

    // dockerhub_daily_summary (a view): max pull_count per day and image.
    const expectedHub = maxBy(rows.dockerhubPulls, (r) => `${day(r.timestamp)}|${r.image}`, (r) => r.pull_count);
    const hub = store.all<{ day: string; image: string; total_pulls: number }>('SELECT * FROM dockerhub_daily_summary');
    assert.deepEqual(hub.map((h) => [`${h.day}|${h.image}`, h.total_pulls]), [...expectedHub]);
    assert.equal(hub[0]?.total_pulls, 400);

    // pypi_downloads: marquez packages after TIMESTAMP_SECONDS(1549497600) = 2019-02-07T00:00:00Z.
    const cutoff = Date.UTC(2019, 1, 7);
    const kept = pypi.filter((p) => ['marquez-python', 'marquez-airflow'].includes(p.project) && Date.parse(p.timestamp) > cutoff);
    assert.equal(Number(store.all<{ n: number }>('SELECT count(*) AS n FROM pypi_downloads')[0]?.n), kept.length);
    const expectedPypi = countBy(kept, (p) => `${day(p.timestamp)}|${p.project}|${p.version}`);
    const pypiDaily = store.all<{ day: string; project: string; version: string; num_downloads: number }>('SELECT * FROM pypi_daily_summary');
    assert.equal(pypiDaily.length, expectedPypi.size);
    for (const p of pypiDaily) assert.equal(p.num_downloads, expectedPypi.get(`${p.day}|${p.project}|${p.version}`));

    // daily_summary: one row per GitHub day, with that day's totals.
    const slackHistory = csvRows(await readFile(fixturePath('dbt/slack_daily_summary_history.csv'), 'utf8'));
    const slackByDay = new Map<string, number>();
    for (const [d, , m] of slackHistory) slackByDay.set(d as string, (slackByDay.get(d as string) ?? 0) + Number(m));
    for (const m of rows.slackMessages) if (!['github', 'github2'].includes(m.username)) slackByDay.set(day(m.message_time), (slackByDay.get(day(m.message_time)) ?? 0) + 1);
    const daily = store.all<{ day: string; github_stars: number; slack_messages: number | null }>('SELECT day, github_stars, slack_messages FROM daily_summary');
    const starsByDay = new Map<string, number>();
    for (const [k, v] of expectedGithub) starsByDay.set(k.split('|')[0] as string, (starsByDay.get(k.split('|')[0] as string) ?? 0) + v);
    assert.equal(daily.length, starsByDay.size);
    for (const d of daily) {
      assert.equal(d.github_stars, starsByDay.get(d.day));
      assert.equal(d.slack_messages, slackByDay.get(d.day) ?? null, d.day);
    }
  });

  it('appends only new rows to the incremental model, and rebuilds it on full refresh', async () => {
    const fresh: PypiDownload[] = [
      { timestamp: '2021-09-01T08:00:00.000Z', country_code: 'FR', url: '/x', project: 'marquez-airflow', version: '0.3.0', type: 'bdist_wheel' },
      { timestamp: '2021-09-01T09:00:00.000Z', country_code: 'FR', url: '/x', project: 'openlineage-airflow', version: '0.3.0', type: 'bdist_wheel' },
      // Older than what the model already holds: the is_incremental() filter leaves it out.
      { timestamp: '2020-01-01T00:00:00.000Z', country_code: 'FR', url: '/x', project: 'marquez-python', version: '0.0.1', type: 'sdist' },
    ];
    insertPypi(store, fresh);
    const before = Number(store.all<{ n: number }>('SELECT count(*) AS n FROM pypi_downloads')[0]?.n);
    const incremental = await run({ command: 'run', select: ['pypi_downloads+'] });
    assert.deepEqual(incremental.results.map((r) => [r.name, r.status]), [['pypi_downloads', 'success'], ['pypi_daily_summary', 'success'], ['daily_summary', 'success']]);
    assert.equal(incremental.results[0]?.rowsAffected, 1);
    assert.equal(Number(store.all<{ n: number }>('SELECT count(*) AS n FROM pypi_downloads')[0]?.n), before + 1);
    assert.deepEqual(store.all("SELECT num_downloads FROM pypi_daily_summary WHERE day = '2021-09-01'"), [{ num_downloads: 1 }]);

    const full = await run({ command: 'run', select: ['pypi_downloads'], fullRefresh: true });
    assert.equal(full.results[0]?.status, 'success');
    assert.equal(Number(store.all<{ n: number }>('SELECT count(*) AS n FROM pypi_downloads')[0]?.n), before + 2, 'the old row is back after a full refresh');
  });

  it('records every run and node result in the store', () => {
    const runs = store.all<{ command: string; success: number }>('SELECT command, success FROM _cm_runs ORDER BY started_at');
    assert.deepEqual(runs.map((r) => r.command), commands);
    assert.equal(runs[0]?.command, 'build');
    const latest = latestResults(store.db);
    assert.equal(latest.get('model.openlineage_elt.pypi_downloads')?.status, 'success');
    assert.equal(latest.get('model.openlineage_elt.github_daily_summary')?.rowsAffected, store.all('SELECT 1 FROM github_daily_summary').length);
    assert.ok(latest.get('test.openlineage_elt.unique_daily_summary_day.67fd633493'));
  });
});
