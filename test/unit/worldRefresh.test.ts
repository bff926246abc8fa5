import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { HttpClient } from '../../src/core/http/client';
import { silentLogger } from '../../src/core/log';
import { refreshAll } from '../../src/core/refresh';
import type { RefreshDeps, RefreshProgress } from '../../src/core/refresh';
import { MetricsStore } from '../../src/core/store/store';
import { ARTIFACTS, WORLD_NOW, startWorld } from '../support/world';
import type { World } from '../support/world';
import { testSql } from './store.test';

const secrets = { getGitHubToken: async () => 'gh-token', getPepyKey: async () => 'pepy-key', getSlackToken: async () => 'xoxb-slack' };

describe('refresh of every source, replayed', () => {
  let dir: string;
  let world: World;
  let http: HttpClient;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'cm-world-'));
    world = await startWorld();
    http = new HttpClient({ githubApiUrl: world.endpoints.githubApiUrl, githubToken: () => 'gh-token', logger: silentLogger, timeoutMs: 1000, retries: 0 });
  });
  afterEach(async () => {
    await http.close();
    await world.close();
    await rm(dir, { recursive: true, force: true });
  });

  const run = async (now = WORLD_NOW, extra: Partial<RefreshDeps> = {}) => {
    const { githubApiUrl, ...endpoints } = world.endpoints;
    return refreshAll(world.config, {
      SQL: await testSql(), http, githubApiUrl, endpoints, storeFile: path.join(dir, 'm.sqlite'), logger: silentLogger,
      now: () => now, secrets, sourceOptions: { statsRetryDelayMs: 10 }, ...extra,
    });
  };
  const open = async () => (await MetricsStore.open(await testSql(), path.join(dir, 'm.sqlite'), silentLogger)).store;

  it('fills every raw table from the recordings', async () => {
    const result = await run();
    assert.deepEqual(result.failures, []);
    assert.deepEqual([...result.refreshed].sort(), Object.values(ARTIFACTS).sort());
    const s = await open();
    try {
      const count = (t: string) => Number(s.all<{ n: number }>(`SELECT COUNT(*) AS n FROM ${t}`)[0]?.n);
      assert.deepEqual(s.all('SELECT project, stars FROM github_stars'), [{ project: 'PyGithub/PyGithub', stars: 7578 }]);
      assert.equal(count('github_star_history'), 14);
      assert.deepEqual(s.all("SELECT day, stars FROM github_star_history WHERE day = '2025-11-17'"), [{ day: '2025-11-17', stars: 2 }]);
      assert.equal(count('github_issues'), 30);
      assert.equal(count('github_issues WHERE is_pull_request = 1'), 9);
      assert.equal(count('github_commits'), 90);
      assert.equal(count('github_releases'), 1);
      assert.equal(count('github_release_assets'), 1);
      assert.ok(count('github_contributor_weeks') > 0);
      // First response: the bot and the author do not count; the third comment does.
      const answered = s.all<{ first_responder: string; first_response_at: string }>('SELECT first_responder, first_response_at FROM github_issues WHERE first_responder IS NOT NULL');
      assert.deepEqual(answered, [{ first_responder: 'EnricoMi', first_response_at: '2024-09-17T12:00:00Z' }]);
      assert.deepEqual(s.all("SELECT category, downloads FROM pypi_downloads_daily WHERE category_type = 'overall' AND date = '2020-05-01' ORDER BY category"), [
        { category: 'with_mirrors', downloads: 2100139 },
        { category: 'without_mirrors', downloads: 2083472 },
      ]);
      assert.equal(count("pypi_downloads_daily WHERE category_type = 'python_minor'"), 10);
      assert.deepEqual(s.all('SELECT last_day, last_week, last_month FROM pypi_recent'), [{ last_day: 2295765, last_week: 15706750, last_month: 67759913 }]);
      assert.equal(count('pypi_version_downloads_daily'), 4);
      // npm: from the first publish day to yesterday, one row a day.
      assert.deepEqual(s.all('SELECT MIN(date) AS a, MAX(date) AS b, COUNT(*) AS n FROM npm_downloads_daily'), [{ a: '2026-01-15', b: '2026-11-22', n: 312 }]);
      assert.deepEqual(s.all('SELECT image, pull_count FROM dockerhub_pulls'), [{ image: 'grimoirelab/perceval', pull_count: 398 }]);
      assert.deepEqual(s.all('SELECT pull_count, star_count FROM dockerhub_snapshots'), [{ pull_count: 398, star_count: 1 }]);
      // Slack: both history pages, channel events left out, users resolved through users.info.
      const messages = s.all<{ username: string; realname: string | null; text: string; channel: string; message_time: string }>(
        'SELECT username, realname, text, channel, message_time FROM slack_messages ORDER BY message_time',
      );
      assert.ok(messages.length >= 5, `${messages.length} messages`);
      assert.ok(messages.every((m) => m.channel === 'test channel'));
      assert.ok(!messages.some((m) => /has joined the channel/.test(m.text)));
      assert.ok(messages.some((m) => m.username === 'jsmanrique' && m.realname === 'Jose Manrique' && m.text === 'tengo el móvil'));
      assert.ok(messages.some((m) => m.message_time === '2015-03-23T18:38:10.000071Z'));
    } finally {
      s.close();
    }
  });

  it('sends only conditional requests the second time, and writes nothing when nothing changed', async () => {
    for (const s of [world.github, world.pypistats, world.pepy, world.npm, world.dockerhub, world.slack]) s.synthesizeEtags = true;
    await run();
    const s1 = await open();
    const before = JSON.stringify(dump(s1));
    s1.close();
    const marks = [world.github, world.pypistats, world.pepy, world.npm, world.dockerhub].map((s) => s.requests.length);
    const second = await run(new Date(WORLD_NOW.getTime() + 3600_000));
    assert.deepEqual(second.failures, []);
    assert.equal(second.wrote, false);
    [world.github, world.pypistats, world.pepy, world.npm, world.dockerhub].forEach((server, i) => {
      for (const r of server.requests.slice(marks[i])) {
        assert.ok(r.headers['if-none-match'] || r.headers['if-modified-since'], `unconditional ${r.path}?${JSON.stringify(r.query)}`);
        assert.equal(r.status, 304, `${r.path} answered ${r.status}`);
      }
    });
    // Daily sources were skipped as asked less than a day ago; forced, they revalidate too.
    const mark = world.pypistats.requests.length;
    const forced = await run(new Date(WORLD_NOW.getTime() + 7200_000), { force: true, only: ['pypi'] });
    assert.equal(forced.wrote, false);
    assert.ok(world.pypistats.requests.length > mark);
    assert.ok(world.pypistats.requests.slice(mark).every((r) => r.headers['if-none-match'] && r.status === 304));
    const s2 = await open();
    assert.equal(JSON.stringify(dump(s2)), before, 'no row added or changed');
    s2.close();
  });

  it('reports progress per source and artifact, and a cancelled refresh keeps what had arrived', async () => {
    const events: RefreshProgress[] = [];
    const abort = new AbortController();
    world.github.latencyMs = 300;
    world.slack.latencyMs = 300;
    const result = await run(WORLD_NOW, {
      signal: abort.signal,
      onArtifact: (p) => {
        events.push(p);
        if (p.artifact === ARTIFACTS.docker && p.phase === 'finished') abort.abort();
      },
    });
    assert.equal(result.cancelled, true);
    assert.deepEqual(result.failures, [], 'a cancellation is not a failure');
    assert.ok(result.refreshed.includes(ARTIFACTS.docker));
    assert.ok(!result.refreshed.includes(ARTIFACTS.github));
    const started = events.filter((e) => e.phase === 'started').map((e) => `${e.source} ${e.artifact}`).sort();
    assert.deepEqual(started, Object.entries(ARTIFACTS).map(([k, v]) => `${k} ${v}`).sort());
    assert.ok(events.some((e) => e.artifact === ARTIFACTS.github && e.phase === 'cancelled'));
    assert.equal(events.at(-1)?.done, 5);
    const s = await open();
    assert.deepEqual(s.all('SELECT pull_count FROM dockerhub_pulls'), [{ pull_count: 398 }]);
    s.close();
  });
});

function dump(s: MetricsStore): Record<string, unknown[]> {
  const tables = s.all<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").map((t) => t.name);
  const order = (t: string) => Array.from({ length: Math.min(3, s.all(`SELECT 1 FROM pragma_table_info('${t}')`).length) }, (_, i) => i + 1).join(', ');
  return Object.fromEntries(tables.map((t) => [t, s.all(`SELECT * FROM ${t} ORDER BY ${order(t)}`)]));
}
