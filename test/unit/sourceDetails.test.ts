import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseProjectConfig } from '../../src/core/config/projectConfig';
import { HttpClient } from '../../src/core/http/client';
import { silentLogger } from '../../src/core/log';
import { refreshAll } from '../../src/core/refresh';
import type { RefreshDeps } from '../../src/core/refresh';
import { MetricsStore } from '../../src/core/store/store';
import { FakeServer, readFixture } from '../support/fakeServer';
import { stubGitHubListings } from '../support/githubStubs';
import { loadNpm } from '../support/world';
import { zipStored } from '../support/zipWriter';
import { testSql } from './store.test';

const NOW = new Date('2026-11-23T12:00:00Z');

describe('source details', () => {
  let dir: string;
  let server: FakeServer;
  let http: HttpClient;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'cm-src-'));
    server = await FakeServer.start();
    http = new HttpClient({ githubApiUrl: server.url, logger: silentLogger, timeoutMs: 1000, retries: 0 });
  });
  afterEach(async () => {
    await http.close();
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  const run = async (yaml: string, extra: Partial<RefreshDeps> = {}) => {
    const { config, problems } = parseProjectConfig(yaml);
    assert.deepEqual(problems, []);
    return refreshAll(config, {
      SQL: await testSql(), http, githubApiUrl: server.url, storeFile: path.join(dir, 'm.sqlite'), logger: silentLogger, now: () => NOW,
      endpoints: { npmApiUrl: server.url, npmRegistryUrl: server.url, slackApiUrl: `${server.url}/api` },
      sourceOptions: { statsRetryDelayMs: 5, statsAttempts: 2 }, workspaceDir: dir, ...extra,
    });
  };
  const query = async <T>(sql: string) => {
    const { store } = await MetricsStore.open(await testSql(), path.join(dir, 'm.sqlite'), silentLogger);
    try {
      return store.all<T>(sql);
    } finally {
      store.close();
    }
  };

  it('falls back to the recorded star+json listing when /stargazers/history is not there', async () => {
    server.loadFixture('github/pygithub/Repository.testGetStargazersWithDates.json', undefined, { ignoreQuery: true });
    stubGitHubListings(server, 'danvk/comparea', ['/stargazers/history']);
    const r = await run('projects:\n  - name: c\n    github: [danvk/comparea]\n');
    assert.deepEqual(r.failures, []);
    const listing = server.requests.find((q) => q.path === '/repos/danvk/comparea/stargazers');
    assert.equal(listing?.headers.accept, 'application/vnd.github.star+json');
    assert.equal(Number((await query<{ n: number }>('SELECT COUNT(*) AS n FROM github_stargazers'))[0]?.n), 6);
    const days = await query<{ day: string; stars: number; source: string }>('SELECT day, stars, source FROM github_star_history ORDER BY day');
    assert.ok(days.length > 0 && days.every((d) => d.source === 'stargazers'));
    assert.equal(days.reduce((n, d) => n + d.stars, 0), 6);
  });

  it('treats a forbidden stargazer listing as "not allowed", not as a failure', async () => {
    server.loadFixture('github/pygithub/get-repository.PyGithub-PyGithub.2025-11-02.json');
    stubGitHubListings(server, 'PyGithub/PyGithub', ['/stargazers/history']);
    server.json('/repos/PyGithub/PyGithub/stargazers', { message: 'Must have admin rights to Repository.' }, 403);
    const r = await run('projects:\n  - name: p\n    github: [PyGithub/PyGithub]\n');
    assert.deepEqual(r.failures, []);
    assert.deepEqual(r.refreshed, ['github:PyGithub/PyGithub']);
    assert.match(r.notices.map((n) => n.message).join('\n'), /does not let this token list stargazers \(HTTP 403\)/);
  });

  it('stops the listing cleanly at its page cap (422) and keeps what came before', async () => {
    server.loadFixture('github/pygithub/get-repository.PyGithub-PyGithub.2025-11-02.json');
    stubGitHubListings(server, 'PyGithub/PyGithub', ['/stargazers/history']);
    // Built: page 1 of the listing with a next link, then GitHub's 422 past the last allowed page.
    server.respondWith('/repos/PyGithub/PyGithub/stargazers', (req) =>
      req.query.page === '401'
        ? { status: 422, headers: {} as Record<string, string>, body: { message: 'In order to keep the API fast for everyone, pagination is limited for this resource.' } }
        : { status: 200, headers: { link: `<${server.url}/repos/PyGithub/PyGithub/stargazers?per_page=100&page=401>; rel="next"` }, body: [{ starred_at: '2020-01-01T00:00:00Z', user: { login: 'a' } }] },
    );
    const r = await run('projects:\n  - name: p\n    github: [PyGithub/PyGithub]\n');
    assert.deepEqual(r.failures, []);
    assert.match(r.notices.map((n) => n.message).join('\n'), /stops at 40000 stars/);
    assert.deepEqual(await query('SELECT day, stars FROM github_star_history'), [{ day: '2020-01-01', stars: 1 }]);
  });

  it('gives up on statistics that stay 202 until the next refresh, storing nothing', async () => {
    server.loadFixture('github/pygithub/get-repository.PyGithub-PyGithub.2025-11-02.json');
    stubGitHubListings(server, 'PyGithub/PyGithub', ['/stats/contributors']);
    server.json('/repos/PyGithub/PyGithub/stats/contributors', {}, 202, { etag: '"same-as-the-200-will-have"' });
    const r = await run('projects:\n  - name: p\n    github: [PyGithub/PyGithub]\n');
    assert.deepEqual(r.failures, []);
    assert.match(r.notices.map((n) => n.message).join('\n'), /still computing/);
    assert.equal(server.requestsTo('/repos/PyGithub/PyGithub/stats/contributors').length, 2);
    assert.deepEqual(await query("SELECT * FROM http_validators WHERE url LIKE '%/stats/%'"), [], 'a 202 ETag is never remembered');
    assert.deepEqual(await query('SELECT * FROM github_contributor_weeks'), []);
  });

  it('stitches npm ranges of at most 18 months from 2015-01-10 for a package older than the statistics', async () => {
    loadNpm(server, '2012-03-01T00:00:00.000Z');
    const r = await run('projects:\n  - name: n\n    npm: [left-pad]\n');
    assert.deepEqual(r.failures, []);
    const ranges = server.requests
      .filter((q) => q.path.startsWith('/downloads/range/'))
      .map((q) => (/range\/([\d-]+):([\d-]+)\//.exec(q.path) ?? []).slice(1) as [string, string])
      .sort((a, b) => a[0].localeCompare(b[0]));
    assert.equal(ranges[0]?.[0], '2015-01-10');
    assert.equal(ranges.at(-1)?.[1], '2026-11-22');
    for (let i = 0; i < ranges.length; i++) {
      const [from, to] = ranges[i] as [string, string];
      const limit = new Date(`${from}T00:00:00Z`);
      limit.setUTCMonth(limit.getUTCMonth() + 18);
      assert.ok(Date.parse(`${to}T00:00:00Z`) < limit.getTime(), `${from}:${to} is longer than 18 months`);
      if (i > 0) assert.equal(Date.parse(`${from}T00:00:00Z`) - Date.parse(`${ranges[i - 1]?.[1]}T00:00:00Z`), 86_400_000, 'ranges are contiguous');
    }
    const [{ n, a, b }] = (await query<{ n: number; a: string; b: string }>('SELECT COUNT(*) AS n, MIN(date) AS a, MAX(date) AS b FROM npm_downloads_daily')) as [{ n: number; a: string; b: string }];
    assert.deepEqual([a, b], ['2015-01-10', '2026-11-22']);
    assert.equal(n, (Date.parse('2026-11-22') - Date.parse('2015-01-10')) / 86_400_000 + 1);
    // The next refresh a day later asks for the last days only.
    const before = server.requests.length;
    await refreshAll(parseProjectConfig('projects:\n  - name: n\n    npm: [left-pad]\n').config, {
      SQL: await testSql(), http, githubApiUrl: server.url, storeFile: path.join(dir, 'm.sqlite'), logger: silentLogger,
      now: () => new Date('2026-11-24T12:00:00Z'), endpoints: { npmApiUrl: server.url, npmRegistryUrl: server.url },
    });
    // (and, a day later, the day's snapshot of the per-version counts of the last 7 days)
    assert.deepEqual(server.requests.slice(before).map((q) => q.path).sort(), ['/downloads/range/2026-11-20:2026-11-23/left-pad', '/versions/left-pad/last-week']);
  });

  it('imports a Slack export the same from a folder and from a zip, idempotently', async () => {
    const history = readFixture('slack/slack_history.json')[0]?.response.body as { messages: unknown[] };
    const users = ['U0001', 'U0002', 'U0003'].map((u) => (readFixture(`slack/slack_user_${u}.json`)[0]?.response.body as { user: unknown }).user);
    // Built from the perceval recordings in the layout of a workspace export (none was recorded).
    const files: Record<string, string> = {
      'channels.json': JSON.stringify([{ id: 'C011DUKE8', name: 'general' }, { id: 'C2', name: 'random' }]),
      'users.json': JSON.stringify(users),
      'general/2015-03-23.json': JSON.stringify(history.messages),
      'random/2017-02-13.json': JSON.stringify([{ type: 'message', user: 'U0001', text: 'elsewhere', ts: '1486999999.000100' }]),
    };
    await mkdir(path.join(dir, 'export', 'general'), { recursive: true });
    await mkdir(path.join(dir, 'export', 'random'), { recursive: true });
    for (const [name, content] of Object.entries(files)) await writeFile(path.join(dir, 'export', name), content);
    await writeFile(path.join(dir, 'export.zip'), zipStored(Object.fromEntries(Object.entries(files).map(([k, v]) => [`My Export/${k}`, v]))));

    const viaFolder = await run('projects:\n  - name: s\n    slack:\n      - domain: acme\n        export: export\n        channels: [general]\n');
    assert.deepEqual(viaFolder.failures, []);
    const fromFolder = await query<Record<string, unknown>>('SELECT * FROM slack_messages ORDER BY message_time');
    assert.ok(fromFolder.length >= 4);
    assert.ok(fromFolder.every((m) => m.channel === 'general' && m.domain === 'acme'));
    assert.ok(!fromFolder.some((m) => /has joined/.test(String(m.text))));
    const acs = fromFolder.find((m) => m.username === 'jsmanrique');
    assert.equal(acs?.email, 'jsmanrique@example.com');
    assert.match(String(acs?.permalink), /^https:\/\/acme\.slack\.com\/archives\/C011DUKE8\/p\d{16}$/);

    await rm(path.join(dir, 'm.sqlite'));
    const viaZip = await run('projects:\n  - name: s\n    slack:\n      - domain: acme\n        export: export.zip\n        channels: [general]\n');
    assert.deepEqual(viaZip.failures, []);
    assert.deepEqual(await query('SELECT * FROM slack_messages ORDER BY message_time'), fromFolder);
    // The same export again: skipped, and even forced it adds no duplicate.
    await run('projects:\n  - name: s\n    slack:\n      - domain: acme\n        export: export.zip\n        channels: [general]\n', { force: true });
    assert.deepEqual(await query('SELECT * FROM slack_messages ORDER BY message_time'), fromFolder);
  });

  it('names a Slack workspace with neither export nor token as failed, with what to do', async () => {
    const r = await run('projects:\n  - name: s\n    slack: acme\n');
    assert.equal(r.failures[0]?.artifact, 'slack:acme');
    assert.match(r.failures[0]?.message ?? '', /SLACK_BOT_TOKEN/);
  });
});
