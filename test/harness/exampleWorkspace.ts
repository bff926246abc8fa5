// The example workspace `npm start` opens, with a store built offline from real data that lives in
// this repository: the seed article's daily star counts (seeds/github_daily_summary_history.csv),
// imported as star snapshots, and recorded API responses (test/fixtures/example-recordings) replayed
// through the real refresh (real undici against local servers, dated when they were recorded); then
// the workspace's models are built. Nothing here reaches the network.
import { readFileSync } from 'node:fs';
import { cp } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { parseProjectConfig } from '../../src/core/config/projectConfig';
import { HttpClient } from '../../src/core/http/client';
import type { Logger } from '../../src/core/log';
import { silentLogger } from '../../src/core/log';
import { loadProject } from '../../src/core/project/project';
import { runProject } from '../../src/core/project/runner';
import type { RunResult } from '../../src/core/project/runner';
import { withStoreDatabase } from '../../src/core/project/storeSession';
import { refreshAll } from '../../src/core/refresh';
import type { RefreshResult } from '../../src/core/refresh';
import { loadSqlJs } from '../../src/core/store/sqljs';
import { updateStore } from '../../src/core/store/store';
import { FakeServer } from '../support/fakeServer';
import type { Exchange } from '../support/fakeServer';
import { repoRoot } from '../support/fixtures';
import { stubGitHubListings } from '../support/githubStubs';

export const EXAMPLE_WORKSPACE = path.join(repoRoot, 'test/fixtures/example-workspace');
export const EXAMPLE_RECORDINGS = path.join(repoRoot, 'test/fixtures/example-recordings');
export const STORE_PATH = '.community-metrics/metrics.sqlite';

export interface ExampleBuild {
  storeFile: string;
  refreshes: RefreshResult[];
  build: RunResult;
}

function recorded(relative: string): Exchange[] {
  const parsed = JSON.parse(readFileSync(path.join(EXAMPLE_RECORDINGS, relative), 'utf8')) as Exchange | Exchange[];
  return Array.isArray(parsed) ? parsed : [parsed];
}

/** A recording that stops mid-listing: its last page's `Link` is dropped, so the pagination stops there. */
function endPagination(exchanges: Exchange[]): Exchange[] {
  const last = exchanges.at(-1);
  if (last?.response.headers) delete last.response.headers.link;
  return exchanges;
}

/** Copies the example workspace to `target` and builds its store there. */
export async function createExampleWorkspace(target: string, logger: Logger = silentLogger): Promise<ExampleBuild> {
  await cp(EXAMPLE_WORKSPACE, target, { recursive: true });
  return buildExampleStore(target, logger);
}

export async function buildExampleStore(workspace: string, logger: Logger = silentLogger): Promise<ExampleBuild> {
  const SQL = await loadSqlJs(path.join(repoRoot, 'node_modules/sql.js/dist/sql-wasm.wasm'));
  const storeFile = path.join(workspace, STORE_PATH);
  const { config, problems } = parseProjectConfig(readFileSync(path.join(workspace, 'community-metrics.yml'), 'utf8'));
  if (problems.length > 0) throw new Error(`example community-metrics.yml: ${problems.map((p) => p.message).join('; ')}`);

  // 1. The seed article's daily star counts: one snapshot per day (the highest count of the day).
  const history = parseCsv(readFileSync(path.join(workspace, 'seeds/github_daily_summary_history.csv')), { columns: true }) as { day: string; project: string; stars: string }[];
  const perDay = new Map<string, { day: string; project: string; stars: number }>();
  for (const r of history) {
    const key = `${r.project}|${r.day}`;
    const stars = Number(r.stars);
    if ((perDay.get(key)?.stars ?? -1) < stars) perDay.set(key, { day: r.day, project: r.project, stars });
  }
  await updateStore(SQL, storeFile, logger, (store) => {
    for (const r of perDay.values()) store.addRepositorySnapshot({ timestamp: `${r.day}T00:00:00.000Z`, repo: r.project, stars: r.stars });
  });

  // 2. The recorded responses, each served as recorded and refreshed at the date it was recorded.
  const [github, pypistats] = await Promise.all([FakeServer.start(), FakeServer.start()]) as [FakeServer, FakeServer];
  const refreshes: RefreshResult[] = [];
  try {
    for (const e of endPagination(recorded('github/pygithub/issues-list.PyGithub-PyGithub.page1.json'))) github.add({ ...e, request: { ...e.request, ignoreQuery: true } });
    endPagination(recorded('github/pygithub/Repository.testGetCommits.json')).forEach((e, i) => github.add(i === 0 ? { ...e, request: { ...e.request, ignoreQuery: true } } : e));
    for (const e of recorded('github/pygithub/Repository.testStatisticsContributors.json')) github.add(e);
    // Not recorded for PyGithub: its star history, issue comments and releases answer empty lists.
    stubGitHubListings(github, 'PyGithub/PyGithub', ['/issues', '/commits', '/stats/contributors']);
    for (const f of ['recent', 'overall', 'python_major', 'python_minor']) for (const e of recorded(`pypi/recorded-hugovk/pip.${f}.json`)) pypistats.add(e);

    const refresh = async (now: string, only: ('github' | 'pypi')[]) => {
      const http = new HttpClient({ githubApiUrl: github.url, logger, timeoutMs: 10_000, retries: 0 });
      try {
        const subset = { projects: config.projects.filter((p) => (only.includes('github') && p.github.some((r) => r.fullName === 'PyGithub/PyGithub')) || (only.includes('pypi') && (p.pypi?.length ?? 0) > 0)) };
        const result = await refreshAll({ ...config, ...subset }, {
          SQL, http, githubApiUrl: github.url, storeFile, logger, now: () => new Date(now), only,
          endpoints: { pypistatsUrl: pypistats.url }, sourceOptions: { statsRetryDelayMs: 10 }, workspaceDir: workspace,
        });
        refreshes.push(result);
        if (result.failures.length > 0) throw new Error(`example store: ${result.failures.map((f) => `${f.artifact}: ${f.message}`).join('; ')}`);
      } finally {
        await http.close();
      }
    };
    github.add(recorded('github/pygithub/get-repository.PyGithub-PyGithub.2025-11-02.json')[0] as Exchange);
    await refresh('2025-11-02T12:00:00Z', ['github']);
    github.json('/repos/PyGithub/PyGithub', (recorded('github/pygithub/get-repository.PyGithub-PyGithub.unauthenticated.2026-04-24.json')[0] as Exchange).response.body);
    await refresh('2026-04-24T12:00:00Z', ['github']);
    // pypistats' answers for pip were recorded in May 2020 (their daily rows end on 2020-05-02).
    await refresh('2020-05-03T12:00:00Z', ['pypi']);
  } finally {
    await Promise.all([github.close(), pypistats.close()]);
  }

  // 3. The models: seeds (the seed article's star and Slack histories), models and their tests.
  const project = await loadProject(workspace);
  const { result: build } = await withStoreDatabase(SQL, storeFile, logger, (db) => runProject(project, db, { command: 'build' }));
  const failed = build.results.filter((r) => r.status === 'error' || r.status === 'fail');
  if (failed.length > 0) throw new Error(`example models: ${failed.map((r) => `${r.name}: ${r.message}`).join('; ')}`);
  return { storeFile, refreshes, build };
}
