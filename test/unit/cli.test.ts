import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { silentLogger } from '../../src/core/log';
import { MetricsStore } from '../../src/core/store/store';
import { FakeServer } from '../support/fakeServer';
import { stubGitHubListings } from '../support/githubStubs';
import { repoRoot } from '../support/fixtures';
import { testSql } from './store.test';

const run = promisify(execFile);
const CLI = path.join(repoRoot, 'dist/cli.js');

async function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args], { env: { ...process.env, ...env } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('community-metrics CLI (built bundle)', () => {
  let dir: string;
  let server: FakeServer;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'cm-cli-'));
    server = (await FakeServer.start())
      .loadFixture('github/pygithub/get-repository.PyGithub-PyGithub.2025-11-02.json')
      .loadFixture('github/octokit/get-repository.json');
    stubGitHubListings(server, 'PyGithub/PyGithub');
    stubGitHubListings(server, 'octokit-fixture-org/hello-world');
    await writeFile(path.join(dir, 'community-metrics.yml'), 'projects:\n  - name: a\n    github: [PyGithub/PyGithub, octokit-fixture-org/hello-world]\n');
  });
  afterEach(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('refreshes headlessly into the workspace store with GITHUB_TOKEN sent to the API only', async () => {
    const r = await cli(['refresh', '--workspace', dir, '--github-api-url', server.url], { GITHUB_TOKEN: 'cli-secret' });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /refreshed 2, failed 0/);
    assert.doesNotMatch(r.stdout + r.stderr, /cli-secret/);
    assert.ok(server.requests.every((q) => q.headers.authorization === 'Bearer cli-secret'));
    const { store } = await MetricsStore.open(await testSql(), path.join(dir, '.community-metrics/metrics.sqlite'), silentLogger);
    assert.deepEqual([...store.latestStars().entries()].map(([k, v]) => [k, v.stars]).sort(), [['PyGithub/PyGithub', 7578], ['octokit-fixture-org/hello-world', 42]]);
    store.close();
  });

  it('exits non-zero naming the artifact that failed', async () => {
    server.fault('/repos/octokit-fixture-org/hello-world', { kind: 'status', status: 500 });
    const r = await cli(['refresh', '--workspace', dir, '--github-api-url', server.url]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /github:octokit-fixture-org\/hello-world: Server error 500/);
    assert.match(r.stdout, /refreshed 1, failed 1/);
  });

  it('reports a malformed configuration with file and line, and still snapshots the valid entries', async () => {
    await writeFile(path.join(dir, 'community-metrics.yml'), 'projects:\n  - name: a\n    github: [bad repo]\n');
    const none = await cli(['refresh', '--workspace', dir, '--github-api-url', server.url]);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /community-metrics\.yml:3:\d+: error: Not a GitHub repository/);
    assert.equal(server.requests.length, 0);

    await writeFile(path.join(dir, 'community-metrics.yml'), 'projects:\n  - name: a\n    github: [bad repo, PyGithub/PyGithub]\n');
    const partly = await cli(['refresh', '--workspace', dir, '--github-api-url', server.url]);
    assert.equal(partly.code, 1);
    assert.match(partly.stdout, /refreshed 1, failed 0/);
  });

  it('rejects unknown commands and options', async () => {
    assert.equal((await cli(['frobnicate'])).code, 2);
    assert.equal((await cli(['refresh', '--nope'])).code, 2);
  });
});
