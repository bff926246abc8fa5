import { cp, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { SqlJsStatic } from 'sql.js';
import { loadSqlJs } from '../../../src/core/store/sqljs';
import { MetricsStore } from '../../../src/core/store/store';
import { fixturePath, repoRoot } from '../../support/fixtures';

/**
 * A store filled from the recorded fixtures in ../shared/fixtures, plus the per-download PyPI table
 * the seed article's pypi_downloads model reads (BigQuery's file_downloads shape, `file` as JSON).
 */
export async function testSqlJs(): Promise<SqlJsStatic> {
  return loadSqlJs(path.join(repoRoot, 'node_modules/sql.js/dist/sql-wasm.wasm'));
}

export const projectFixture = (name: string) => path.join(repoRoot, 'test/fixtures/dbt', name);

/** Copies a fixture project to a temp folder (runs write target/ and may be edited by a test). */
export async function copyProject(name: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), `cm-dbt-${name}-`));
  await cp(projectFixture(name), dir, { recursive: true });
  return dir;
}

/** The seed project, with the article's seed CSVs copied in from the shared fixtures. */
export async function seedProject(): Promise<string> {
  const dir = await copyProject('seed000');
  for (const f of ['github_daily_summary_history.csv', 'slack_daily_summary_history.csv']) {
    await cp(fixturePath(`dbt/${f}`), path.join(dir, 'data', f));
  }
  return dir;
}

export interface PypiDownload {
  timestamp: string;
  country_code: string;
  url: string;
  project: string;
  version: string;
  type: string;
}

/** Deterministic per-download rows: three packages, some before the model's 2019-02-07 cut-off. */
export function pypiDownloads(): PypiDownload[] {
  const out: PypiDownload[] = [];
  const packages = ['marquez-python', 'marquez-airflow', 'openlineage-airflow'];
  const days = ['2019-02-06', '2019-02-07', '2021-08-01', '2021-08-02'];
  let k = 0;
  for (const day of days) {
    for (const pkg of packages) {
      for (const version of ['0.1.0', '0.2.0']) {
        const n = (k++ % 4) + 1;
        for (let i = 0; i < n; i++) {
          out.push({ timestamp: `${day}T${String(10 + i).padStart(2, '0')}:00:00.000Z`, country_code: i % 2 ? 'US' : 'DE', url: `/packages/${pkg}-${version}.tar.gz`, project: pkg, version, type: 'sdist' });
        }
      }
    }
  }
  return out;
}

export interface FixtureRows {
  githubStars: Array<{ timestamp: string; project: string; stars: number }>;
  dockerhubPulls: Array<{ timestamp: string; image: string; pull_count: number }>;
  slackMessages: Array<{ message_time: string; domain: string; username: string; channel: string; text: string }>;
}

async function json(rel: string): Promise<unknown> {
  return JSON.parse(await readFile(fixturePath(rel), 'utf8'));
}

/** Raw rows read from the recorded GitHub, Docker Hub and Slack responses. */
export async function fixtureRows(): Promise<FixtureRows> {
  const githubStars: FixtureRows['githubStars'] = [];
  for (const f of ['github/pygithub/get-repository.PyGithub-PyGithub.2025-11-02.json', 'github/pygithub/get-repository.PyGithub-PyGithub.unauthenticated.2026-04-24.json', 'github/octokit/get-repository.json']) {
    const doc = (await json(f)) as { response: { headers: Record<string, string>; body: { full_name: string; stargazers_count: number } } } | Array<{ response: { headers: Record<string, string>; body: { full_name: string; stargazers_count: number } } }>;
    const ex = Array.isArray(doc) ? doc[0]! : doc;
    githubStars.push({ timestamp: new Date(ex.response.headers.date ?? '2017-10-10T16:00:00Z').toISOString(), project: ex.response.body.full_name, stars: ex.response.body.stargazers_count });
  }
  const kube = (await json('github/perceval/github_repo.kubernetes.json')) as { response?: { body: { full_name: string; stargazers_count: number; updated_at: string } }; full_name?: string };
  const kb = (kube.response?.body ?? kube) as { full_name: string; stargazers_count: number; updated_at: string };
  githubStars.push({ timestamp: new Date(kb.updated_at).toISOString(), project: kb.full_name, stars: kb.stargazers_count });
  // A second snapshot on the same day: the model keeps the day's maximum.
  githubStars.push({ timestamp: new Date(new Date(kb.updated_at).getTime() + 60_000).toISOString(), project: kb.full_name, stars: kb.stargazers_count - 3 });

  const hub = (await json('dockerhub/grimoirelab-perceval.json')) as { response: { body: { namespace: string; name: string; pull_count: number; last_updated: string } } };
  const b = hub.response.body;
  const dockerhubPulls = [
    { timestamp: new Date(b.last_updated).toISOString(), image: `${b.namespace}/${b.name}`, pull_count: b.pull_count },
    { timestamp: new Date(new Date(b.last_updated).getTime() + 3_600_000).toISOString(), image: `${b.namespace}/${b.name}`, pull_count: b.pull_count + 2 },
  ];

  const users = new Map<string, string>();
  for (const u of ['U0001', 'U0002', 'U0003']) {
    const doc = (await json(`slack/slack_user_${u}.json`)) as { response: { body: { user: { id: string; name: string } } } };
    users.set(doc.response.body.user.id, doc.response.body.user.name);
  }
  const slackMessages: FixtureRows['slackMessages'] = [];
  for (const f of ['slack/slack_history.json', 'slack/slack_history_next.json', 'slack/slack_history_20150323.json']) {
    const doc = (await json(f)) as { request: { query: { channel: string } }; response: { body: { messages: Array<{ ts: string; user?: string; text: string }> } } };
    for (const m of doc.response.body.messages) {
      const time = new Date(Number(m.ts) * 1000).toISOString();
      // The recordings overlap; the store keeps one row per (domain, channel, message_time).
      if (!m.user || slackMessages.some((s) => s.message_time === time && s.channel === doc.request.query.channel)) continue;
      slackMessages.push({ message_time: time, domain: 'perceval', username: users.get(m.user) ?? m.user, channel: doc.request.query.channel, text: m.text });
    }
  }
  return { githubStars, dockerhubPulls, slackMessages };
}

export const PYPI_TABLE_SQL = `CREATE TABLE IF NOT EXISTS pypi_file_downloads (timestamp TEXT NOT NULL, country_code TEXT, url TEXT, file TEXT NOT NULL)`;

export function insertPypi(store: MetricsStore, rows: PypiDownload[]): void {
  store.db.run(PYPI_TABLE_SQL);
  for (const r of rows) {
    store.db.run('INSERT INTO pypi_file_downloads VALUES (?, ?, ?, ?)', [r.timestamp, r.country_code, r.url, JSON.stringify({ project: r.project, version: r.version, type: r.type })]);
  }
}

/** A store (the real MetricsStore and its migrations) with the fixture rows in its raw tables. */
export async function fixtureStore(file: string): Promise<{ store: MetricsStore; rows: FixtureRows; pypi: PypiDownload[] }> {
  const SQL = await testSqlJs();
  const store = MetricsStore.create(SQL, file);
  const rows = await fixtureRows();
  for (const r of rows.githubStars) store.db.run('INSERT INTO github_stars (timestamp, project, stars) VALUES (?, ?, ?)', [r.timestamp, r.project, r.stars]);
  for (const r of rows.dockerhubPulls) store.db.run('INSERT INTO dockerhub_pulls (timestamp, image, pull_count) VALUES (?, ?, ?)', [r.timestamp, r.image, r.pull_count]);
  for (const r of rows.slackMessages) {
    store.db.run('INSERT INTO slack_messages (message_time, domain, username, channel, text) VALUES (?, ?, ?, ?, ?)', [r.message_time, r.domain, r.username, r.channel, r.text]);
  }
  const pypi = pypiDownloads();
  insertPypi(store, pypi);
  return { store, rows, pypi };
}
