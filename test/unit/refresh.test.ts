import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseProjectConfig } from '../../src/core/config/projectConfig';
import { HttpClient } from '../../src/core/http/client';
import { silentLogger } from '../../src/core/log';
import { refreshAll } from '../../src/core/refresh';
import { MetricsStore } from '../../src/core/store/store';
import { FakeServer } from '../support/fakeServer';
import { stubGitHubListings } from '../support/githubStubs';
import { testSql } from './store.test';

const CONFIG = parseProjectConfig(`projects:
  - name: pygithub
    github: [PyGithub/PyGithub]
  - name: octokit
    github: [https://github.com/octokit-fixture-org/hello-world]
`).config;

describe('refresh', () => {
  let dir: string;
  let server: FakeServer;
  let http: HttpClient;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'cm-refresh-'));
    server = (await FakeServer.start())
      .loadFixture('github/pygithub/get-repository.PyGithub-PyGithub.2025-11-02.json')
      .loadFixture('github/octokit/get-repository.json');
    stubGitHubListings(server, 'PyGithub/PyGithub');
    stubGitHubListings(server, 'octokit-fixture-org/hello-world');
    http = new HttpClient({ githubApiUrl: server.url, logger: silentLogger, timeoutMs: 1000, retries: 0 });
  });
  afterEach(async () => {
    await http.close();
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  const run = async (now: string) =>
    refreshAll(CONFIG, { SQL: await testSql(), http, githubApiUrl: server.url, storeFile: path.join(dir, 'm.sqlite'), logger: silentLogger, now: () => new Date(now) });

  it('appends a github_stars snapshot per repository when it changed, and nothing when a 304 says it did not', async () => {
    const first = await run('2026-11-23T10:00:00Z');
    assert.deepEqual(first.failures, []);
    const second = await run('2026-11-23T11:00:00Z');
    assert.equal(second.wrote, false, 'an unchanged world writes nothing');
    assert.equal(second.requests.requests, second.requests.notModified, 'every request of the second refresh was answered 304');
    // The repository changes (another recorded answer with another ETag): a new snapshot is appended.
    server.json('/repos/octokit-fixture-org/hello-world', { id: 1000, stargazers_count: 43 }, 200, { etag: '"changed"' });
    await run('2026-11-23T12:00:00Z');
    const { store } = await MetricsStore.open(await testSql(), path.join(dir, 'm.sqlite'), silentLogger);
    assert.deepEqual(store.all('SELECT timestamp, project, stars FROM github_stars ORDER BY project, timestamp'), [
      { timestamp: '2026-11-23T10:00:00.000Z', project: 'PyGithub/PyGithub', stars: 7578 },
      { timestamp: '2026-11-23T10:00:00.000Z', project: 'octokit-fixture-org/hello-world', stars: 42 },
      { timestamp: '2026-11-23T12:00:00.000Z', project: 'octokit-fixture-org/hello-world', stars: 43 },
    ]);
    store.close();
  });

  it('keeps refreshing the others when one artifact fails, and keeps saved rows', async () => {
    await run('2026-11-23T10:00:00Z');
    server.honorConditional = false;
    server.fault('/repos/PyGithub/PyGithub', { kind: 'status', status: 500 });
    const second = await run('2026-11-23T11:00:00Z');
    assert.deepEqual(second.refreshed, ['github:octokit-fixture-org/hello-world']);
    assert.equal(second.failures.length, 1);
    assert.equal(second.failures[0]?.artifact, 'github:PyGithub/PyGithub');
    assert.match(second.failures[0]?.message ?? '', /Server error 500/);
    const { store } = await MetricsStore.open(await testSql(), path.join(dir, 'm.sqlite'), silentLogger);
    assert.equal(store.starHistory('PyGithub/PyGithub').length, 1);
    assert.equal(store.starHistory('octokit-fixture-org/hello-world').length, 2);
    store.close();
  });

  it('writes nothing when every artifact fails', async () => {
    await run('2026-11-23T10:00:00Z');
    const before = await readFile(path.join(dir, 'm.sqlite'));
    await server.close();
    const result = await run('2026-11-23T11:00:00Z');
    assert.deepEqual(result.failures.map((f) => f.artifact).sort(), ['github:PyGithub/PyGithub', 'github:octokit-fixture-org/hello-world']);
    assert.match(result.failures[0]?.message ?? '', /connection refused/);
    assert.deepEqual(await readFile(path.join(dir, 'm.sqlite')), before);
    server = await FakeServer.start();
  });
});
