import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { silentLogger } from '../../src/core/log';
import { MetricsStore } from '../../src/core/store/store';
import { repoRoot } from '../support/fixtures';
import { ARTIFACTS, PRIMARY_PATHS, startWorld } from '../support/world';
import type { World } from '../support/world';
import { testSql } from './store.test';

const CLI = path.join(repoRoot, 'dist/cli.js');

interface Running {
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
  kill(signal: NodeJS.Signals): void;
}

function startCli(args: string[]): Running {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { exited, kill: (s) => child.kill(s) };
}

async function rowCounts(file: string): Promise<{ stars: number; npm: number; docker: number }> {
  if (!existsSync(file)) return { stars: 0, npm: 0, docker: 0 };
  const { store } = await MetricsStore.open(await testSql(), file, silentLogger);
  try {
    const n = (sql: string) => Number(store.all<{ n: number }>(sql)[0]?.n ?? 0);
    return {
      stars: n("SELECT COUNT(*) AS n FROM github_stars WHERE project = 'PyGithub/PyGithub'"),
      npm: n("SELECT COUNT(*) AS n FROM npm_downloads_daily"),
      docker: n('SELECT COUNT(*) AS n FROM dockerhub_pulls'),
    };
  } finally {
    store.close();
  }
}

describe('community-metrics refresh (built CLI) with one server trickling', function () {
  this.timeout(40_000);
  let dir: string;
  let world: World;
  let storeFile: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'cm-cli-hostile-'));
    world = await startWorld();
    await writeFile(path.join(dir, 'community-metrics.yml'), world.configText);
    storeFile = path.join(dir, '.community-metrics/metrics.sqlite');
    // Docker Hub answers one byte every 200 ms: never idle long enough for the per-byte timeout.
    world.dockerhub.fault(PRIMARY_PATHS.docker, { kind: 'trickle', intervalMs: 200 });
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
    '--timeout', '30',
  ];

  it('saves the other sources as they complete, and on SIGTERM exits 143 keeping them', async () => {
    const cli = startCli(['refresh', ...flags()]);
    let exitedEarly = false;
    void cli.exited.then(() => (exitedEarly = true));
    // The fast sources are saved while Docker Hub still trickles.
    for (;;) {
      const counts = await rowCounts(storeFile).catch(() => ({ stars: 0, npm: 0, docker: 0 }));
      if (counts.stars > 0 && counts.npm > 0) break;
      assert.equal(exitedEarly, false, 'the refresh ended before the stuck source let go');
      await new Promise((r) => setTimeout(r, 100));
    }
    cli.kill('SIGTERM');
    const r = await cli.exited;
    assert.equal(r.code, 143, r.stderr);
    assert.match(r.stdout, /cancelled/);
    const counts = await rowCounts(storeFile);
    assert.ok(counts.stars > 0 && counts.npm > 0, JSON.stringify(counts));
    assert.equal(counts.docker, 0);
  });

  it('stops at --deadline, names the stuck artifact and keeps everything else', async () => {
    const r = await startCli(['refresh', ...flags(), '--only', 'npm,docker,pypi', '--deadline', '4']).exited;
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`error: ${ARTIFACTS.docker}: not finished by the refresh deadline \\(4 s\\)`));
    assert.match(r.stdout, /refreshed 2, failed 1/, r.stderr);
    const counts = await rowCounts(storeFile);
    assert.ok(counts.npm > 0, JSON.stringify(counts));
  });
});
