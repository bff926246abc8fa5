import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { HttpClient } from '../../src/core/http/client';
import { silentLogger } from '../../src/core/log';
import { refreshAll } from '../../src/core/refresh';
import type { RefreshResult, SourceKind } from '../../src/core/refresh';
import { MetricsStore } from '../../src/core/store/store';
import { FakeServer } from '../support/fakeServer';
import { ARTIFACTS, WORLD_NOW, startWorld } from '../support/world';
import type { World } from '../support/world';
import { testSql } from './store.test';

/**
 * Answers whose fields have the wrong type (strings for numbers, nulls), through the real sources:
 * coerced where the meaning is certain, otherwise the dataset fails naming the field; never a silent drop.
 */
describe('wrong-typed fields in answers: coerce or fail loudly', function () {
  this.timeout(20_000);
  let dir: string;
  let world: World;
  let http: HttpClient;
  let npm: FakeServer;
  let npmDays: (day: string) => unknown;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'cm-types-'));
    world = await startWorld();
    npm = await FakeServer.start();
    npmDays = (day) => ({ day, downloads: Number(day.slice(8, 10)) });
    npm.respondWith(/^\/downloads\/range\//, (req) => {
      const [start, end] = (/range\/([\d-]+):([\d-]+)\//.exec(req.path) ?? []).slice(1) as [string, string];
      const downloads = [];
      for (let t = Date.parse(`${start}T00:00:00Z`); t <= Date.parse(`${end}T00:00:00Z`); t += 86_400_000) downloads.push(npmDays(new Date(t).toISOString().slice(0, 10)));
      return { status: 200, body: { downloads, start, end, package: 'left-pad' } };
    });
    npm.respondWith(/^\/versions\//, () => ({ status: 200, body: { package: 'left-pad', downloads: { '1.3.0': 7 } } }));
    http = new HttpClient({ githubApiUrl: world.endpoints.githubApiUrl, logger: silentLogger, timeoutMs: 5000, retries: 0 });
  });
  afterEach(async () => {
    await http.close();
    await world.close();
    await npm.close();
    await rm(dir, { recursive: true, force: true });
  });

  const refresh = async (only: SourceKind[]): Promise<RefreshResult> => {
    const { githubApiUrl, ...endpoints } = world.endpoints;
    return refreshAll(world.config, {
      SQL: await testSql(), http, githubApiUrl, storeFile: path.join(dir, 'm.sqlite'), logger: silentLogger,
      endpoints: { ...endpoints, npmApiUrl: npm.url }, now: () => WORLD_NOW, only, force: true,
      secrets: { getGitHubToken: async () => undefined, getPepyKey: async () => undefined, getSlackToken: async () => 'xoxb-test-token-1' },
      sourceOptions: { statsRetryDelayMs: 10 },
    });
  };
  const rows = async <T>(sql: string): Promise<T[]> => {
    const { store } = await MetricsStore.open(await testSql(), path.join(dir, 'm.sqlite'), silentLogger);
    try {
      return store.all<T>(sql);
    } finally {
      store.close();
    }
  };
  const failure = (r: RefreshResult, artifact: string, dataset: string) => r.failures.find((f) => f.artifact === artifact)?.datasets?.find((d) => d.dataset === dataset)?.message;

  it('npm: counts sent as strings are coerced and saved', async () => {
    npmDays = (day) => ({ day, downloads: String(Number(day.slice(8, 10))) });
    const r = await refresh(['npm']);
    assert.deepEqual(r.failures, []);
    const saved = await rows<{ downloads: number }>("SELECT downloads FROM npm_downloads_daily WHERE date = '2026-11-22'");
    assert.deepEqual(saved, [{ downloads: 22 }]);
  });

  it('npm: a null count fails the dataset naming it, and the other days are saved', async () => {
    npmDays = (day) => ({ day, downloads: day === '2026-11-20' ? null : Number(day.slice(8, 10)) });
    const r = await refresh(['npm']);
    assert.match(failure(r, ARTIFACTS.npm, 'downloads') ?? 'no failure', /1 of \d+ days of npm downloads of left-pad .*'downloads' is null/);
    assert.deepEqual(await rows("SELECT downloads FROM npm_downloads_daily WHERE date = '2026-11-21'"), [{ downloads: 21 }]);
  });

  it('pypistats: a download count that is not a number fails that series loudly', async () => {
    world.pypistats.fault('/api/packages/pip/overall', { kind: 'status', status: 200, body: { data: [{ category: 'with_mirrors', date: '2026-11-20', downloads: 'many' }, { category: 'with_mirrors', date: '2026-11-21', downloads: '7' }], package: 'pip', type: 'overall_downloads' } });
    const r = await refresh(['pypi']);
    assert.match(failure(r, ARTIFACTS.pypi, 'pypistats') ?? 'no failure', /1 of 2 rows of pypistats overall for pip .*'downloads' is string "many"/);
    assert.deepEqual(await rows("SELECT downloads FROM pypi_downloads_daily WHERE category_type = 'overall' AND date = '2026-11-21'"), [{ downloads: 7 }], "'7' coerced");
  });

  it('GitHub issues: a string number is coerced, a null created_at fails the dataset', async () => {
    const issue = (n: unknown, created: unknown) => ({ number: n, title: 't', state: 'open', user: { login: 'u', type: 'User' }, labels: [], comments: '2', created_at: created, updated_at: '2026-01-02T00:00:00Z' });
    world.github.fault('/repos/PyGithub/PyGithub/issues', { kind: 'status', status: 200, body: [issue('41', '2026-01-01T00:00:00Z'), issue(42, null)] });
    const r = await refresh(['github']);
    assert.match(failure(r, ARTIFACTS.github, 'issues') ?? 'no failure', /1 of 2 issues of PyGithub\/PyGithub .*'created_at' is null/);
    assert.deepEqual(await rows('SELECT number, comments FROM github_issues'), [{ number: 41, comments: 2 }]);
  });

  it('GitHub commits: an item without a sha fails the dataset', async () => {
    world.github.fault('/repos/PyGithub/PyGithub/commits', { kind: 'status', status: 200, body: [{ sha: null, commit: {} }] });
    const r = await refresh(['github']);
    assert.match(failure(r, ARTIFACTS.github, 'commits') ?? 'no failure', /1 of 1 commits .*'sha' is null/);
  });

  it('Docker Hub and GitHub: counts sent as strings are coerced; a null pull count fails naming it', async () => {
    world.dockerhub.fault('/v2/repositories/grimoirelab/perceval', { kind: 'status', status: 200, body: { pull_count: '1234', star_count: '5' } }, 1);
    world.github.fault('/repos/PyGithub/PyGithub', { kind: 'status', status: 200, body: { id: 3544490, stargazers_count: '6543', forks_count: '10' } }, 1);
    const r = await refresh(['docker', 'github']);
    assert.equal(r.failures.find((f) => f.artifact === ARTIFACTS.docker), undefined, JSON.stringify(r.failures));
    assert.deepEqual(await rows('SELECT pull_count FROM dockerhub_pulls'), [{ pull_count: 1234 }]);
    assert.deepEqual(await rows("SELECT stars FROM github_stars WHERE project = 'PyGithub/PyGithub'"), [{ stars: 6543 }]);
    world.dockerhub.fault('/v2/repositories/grimoirelab/perceval', { kind: 'status', status: 200, body: { pull_count: null } });
    const again = await refresh(['docker']);
    assert.match(again.failures.find((f) => f.artifact === ARTIFACTS.docker)?.message ?? 'no failure', /'pull_count' is null/);
  });

  it('Slack: a message whose ts is not a string fails the channel loudly', async () => {
    world.slack.fault('/api/conversations.history', { kind: 'status', status: 200, body: { ok: true, messages: [{ type: 'message', ts: 1427135890.000071, user: 'U0001', text: 'hi' }, { type: 'message', ts: '1427135891.000100', user: 'U0001', text: 'ok' }], has_more: false } });
    const r = await refresh(['slack']);
    const message = r.failures.find((f) => f.artifact === ARTIFACTS.slack)?.message ?? 'no failure';
    assert.match(message, /1 of 2 Slack messages of perceval-test .*'ts' is number/);
    assert.equal((await rows<{ n: number }>('SELECT COUNT(*) AS n FROM slack_messages'))[0]?.n, 1);
  });
});
