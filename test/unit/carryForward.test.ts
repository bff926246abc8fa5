import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
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

describe('repository snapshots across 304s', () => {
  let dir: string;
  let server: FakeServer;
  let http: HttpClient;
  const config = parseProjectConfig('projects:\n  - name: p\n    github: [PyGithub/PyGithub]\n').config;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'cm-carry-'));
    server = (await FakeServer.start()).loadFixture('github/pygithub/get-repository.PyGithub-PyGithub.2025-11-02.json');
    stubGitHubListings(server, 'PyGithub/PyGithub');
    http = new HttpClient({ githubApiUrl: server.url, logger: silentLogger, timeoutMs: 1000, retries: 0 });
  });
  afterEach(async () => {
    await http.close();
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  const run = async (iso: string) =>
    refreshAll(config, { SQL: await testSql(), http, githubApiUrl: server.url, storeFile: path.join(dir, 'm.sqlite'), logger: silentLogger, now: () => new Date(iso), force: true });
  const history = async () => {
    const { store } = await MetricsStore.open(await testSql(), path.join(dir, 'm.sqlite'), silentLogger);
    try {
      return store.starHistory('PyGithub/PyGithub');
    } finally {
      store.close();
    }
  };

  it('writes nothing for a 304 on a day that has a snapshot, and carries the value into a new day', async () => {
    await run('2026-11-23T08:00:00Z');
    const second = await run('2026-11-23T09:00:00Z');
    assert.equal(server.requestsTo('/repos/PyGithub/PyGithub').at(-1)?.status, 304);
    assert.equal(second.wrote, false);
    assert.deepEqual(await history(), [{ timestamp: '2026-11-23T08:00:00.000Z', stars: 7578 }]);

    await run('2026-11-24T08:00:00Z');
    assert.equal(server.requestsTo('/repos/PyGithub/PyGithub').at(-1)?.status, 304);
    assert.deepEqual(await history(), [
      { timestamp: '2026-11-23T08:00:00.000Z', stars: 7578 },
      { timestamp: '2026-11-24T08:00:00.000Z', stars: 7578 },
    ]);
  });
});
