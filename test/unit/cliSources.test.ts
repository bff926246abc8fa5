import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { silentLogger } from '../../src/core/log';
import { MetricsStore, updateStore } from '../../src/core/store/store';
import { repoRoot } from '../support/fixtures';
import { ARTIFACTS, startWorld } from '../support/world';
import type { World } from '../support/world';
import { testSql } from './store.test';

const CLI = path.join(repoRoot, 'dist/cli.js');
const SECRETS = { GITHUB_TOKEN: 'ghp_cli_secret_1', PEPY_API_KEY: 'pepy_cli_secret_2', SLACK_BOT_TOKEN: 'xoxb-cli-secret-3' };

function cli(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env: { ...process.env, ...env } }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('community-metrics refresh (built CLI) over every source', function () {
  this.timeout(30_000);
  let dir: string;
  let world: World;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'cm-cli-all-'));
    world = await startWorld();
    await writeFile(path.join(dir, 'community-metrics.yml'), world.configText);
  });
  afterEach(async () => {
    await world.close();
    await rm(dir, { recursive: true, force: true });
  });

  const flags = () => [
    '--workspace', dir,
    '--github-api-url', world.endpoints.githubApiUrl,
    '--pypistats-url', world.endpoints.pypistatsUrl,
    '--pepy-url', world.endpoints.pepyUrl,
    '--npm-url', world.endpoints.npmApiUrl,
    '--npm-registry-url', world.endpoints.npmRegistryUrl,
    '--dockerhub-url', world.endpoints.dockerhubUrl,
    '--slack-api-url', world.endpoints.slackApiUrl,
  ];

  it('refreshes all sources, each secret going to its own service only and never into the output', async () => {
    const r = await cli(['refresh', ...flags(), '--verbose'], SECRETS);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /refreshed 5, failed 0/);
    assert.match(r.stderr, /\[trace\] GET /, 'verbose logs every request');
    for (const secret of Object.values(SECRETS)) assert.ok(!(r.stdout + r.stderr).includes(secret), `${secret} appears in the output`);
    const headerValues = (s: typeof world.github) => s.requests.map((q) => JSON.stringify(q.headers)).join('\n');
    assert.ok(world.github.requests.every((q) => q.headers.authorization === `Bearer ${SECRETS.GITHUB_TOKEN}`));
    assert.ok(world.pepy.requests.every((q) => q.headers['x-api-key'] === SECRETS.PEPY_API_KEY) && world.pepy.requests.length > 0);
    assert.ok(world.slack.requests.every((q) => q.headers.authorization === `Bearer ${SECRETS.SLACK_BOT_TOKEN}`));
    for (const [server, own] of [[world.github, 'GITHUB_TOKEN'], [world.pepy, 'PEPY_API_KEY'], [world.slack, 'SLACK_BOT_TOKEN'], [world.pypistats, ''], [world.npm, ''], [world.dockerhub, '']] as const) {
      for (const [name, secret] of Object.entries(SECRETS)) {
        if (name !== own) assert.ok(!headerValues(server).includes(secret), `${name} sent to the wrong service`);
      }
    }
  });

  it('refreshes only the source asked for, and exits 1 naming the artifact that failed', async () => {
    world.dockerhub.fault('/v2/repositories/grimoirelab/perceval', { kind: 'status', status: 503 });
    const r = await cli(['refresh', ...flags(), '--only', 'docker,npm', '--timeout', '2'], {});
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`error: ${ARTIFACTS.docker}: Server error 503`));
    assert.match(r.stdout, /refreshed 1, failed 1/);
    assert.equal(world.github.requests.length + world.pypistats.requests.length + world.slack.requests.length, 0);
    assert.equal((await cli(['refresh', ...flags(), '--only', 'gitlab'], {})).code, 2);
  });

  it('loses no row when the CLI and another process write the same store at the same time', async () => {
    const file = path.join(dir, '.community-metrics/metrics.sqlite');
    const SQL = await testSql();
    // Slow every service down so that the CLI's refresh overlaps the writes made here.
    for (const s of [world.github, world.pypistats, world.pepy, world.npm, world.dockerhub, world.slack]) s.latencyMs = 40;
    let running = true;
    const child = cli(['refresh', ...flags()], SECRETS).finally(() => {
      running = false;
    });
    let written = 0;
    while (running) {
      const i = written++;
      await updateStore(SQL, file, silentLogger, (s) => s.addRepositorySnapshot({ timestamp: `2026-01-01T00:00:${String(i % 60).padStart(2, '0')}.${String(i).padStart(3, '0')}Z`, repo: 'editor/writes', stars: i }));
    }
    const r = await child;
    assert.equal(r.code, 0, r.stderr);
    assert.ok(written > 3, `only ${written} concurrent writes`);
    const { store } = await MetricsStore.open(SQL, file, silentLogger);
    try {
      assert.equal(store.starHistory('editor/writes').length, written, 'every in-process row survived');
      assert.equal(store.starHistory('PyGithub/PyGithub').length, 1, 'the CLI row survived');
      assert.equal(store.all('SELECT * FROM dockerhub_pulls').length, 1);
      assert.ok(store.all('SELECT * FROM github_issues').length > 0);
    } finally {
      store.close();
    }
  });
});
