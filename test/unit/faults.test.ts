import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { HttpClient } from '../../src/core/http/client';
import { silentLogger } from '../../src/core/log';
import { refreshAll } from '../../src/core/refresh';
import type { RefreshResult } from '../../src/core/refresh';
import { MetricsStore } from '../../src/core/store/store';
import type { Fault } from '../support/fakeServer';
import { ARTIFACTS, PRIMARY_PATHS, WORLD_NOW, loadDockerHub, loadGitHub, loadNpm, loadPypi, loadSlack, serverOf, startWorld } from '../support/world';
import type { World } from '../support/world';
import { testSql } from './store.test';

type Source = keyof typeof PRIMARY_PATHS;
const SOURCES = Object.keys(PRIMARY_PATHS) as Source[];
const SECRETS = ['gh-token', 'pepy-key', 'xoxb-slack'];
const secrets = { getGitHubToken: async () => 'gh-token', getPepyKey: async () => 'pepy-key', getSlackToken: async () => 'xoxb-slack' };

interface Case {
  name: string;
  fault: (world: World, source: Source) => Fault;
  times?: number;
  /** The cause the failure message must name; absent when the refresh must succeed. */
  cause?: RegExp;
  /** Sources for which this case is a failure with this cause instead. */
  failsFor?: Partial<Record<Source, RegExp>>;
}

const CASES: Case[] = [
  { name: '500', fault: () => ({ kind: 'status', status: 500, body: { message: 'boom' } }), cause: /Server error 500/ },
  { name: '502', fault: () => ({ kind: 'status', status: 502 }), cause: /Server error 502/ },
  { name: 'connection reset mid-body', fault: () => ({ kind: 'resetMidBody' }), cause: /connection dropped/ },
  { name: 'timeout', fault: () => ({ kind: 'hang' }), cause: /timed out/ },
  { name: 'malformed JSON', fault: () => ({ kind: 'malformed' }), cause: /Malformed JSON/ },
  {
    name: '403 with x-ratelimit-remaining: 0',
    fault: () => ({ kind: 'status', status: 403, headers: { 'x-ratelimit-remaining': '0' }, body: { message: 'API rate limit exceeded' } }),
    cause: /rate limit|Rate limited/i,
  },
  { name: '429 with a long retry-after', fault: () => ({ kind: 'status', status: 429, headers: { 'retry-after': '3600' } }), cause: /Rate limited|rate limit/i },
  { name: '429 with a short retry-after, then 200', fault: () => ({ kind: 'status', status: 429, headers: { 'retry-after': '1' } }), times: 1 },
  { name: '202 then 200', fault: () => ({ kind: 'status', status: 202, body: {} }), times: 1 },
  // Slack gives no validators and npm's re-read range is a new URL: their requests are not conditional,
  // so a 304 answers no question of ours and is an error.
  { name: '304', fault: () => ({ kind: 'status', status: 304 }), failsFor: { slack: /Unexpected 304/, npm: /Unexpected 304/ } },
  {
    name: 'redirect to another origin',
    fault: (world, source) => ({ kind: 'redirect', location: `${world.elsewhere.url}${PRIMARY_PATHS[source]}`, status: 307 }),
    times: 1,
  },
];

/** Every row of every raw table (bookkeeping left out), as strings for set comparison. */
function rows(s: MetricsStore): Set<string> {
  const out = new Set<string>();
  const tables = s.all<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT IN ('http_validators', 'sync_state', '_cm_partitions')");
  for (const { name } of tables) for (const r of s.all(`SELECT * FROM ${name}`)) out.add(`${name} ${JSON.stringify(r)}`);
  return out;
}

describe('faults, per source: no crash, a message naming artifact and cause, saved rows kept, others refreshed', function () {
  this.timeout(20_000);
  let dir: string;
  let world: World;
  let http: HttpClient;
  const logs: string[] = [];
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'cm-faults-'));
    world = await startWorld();
    // Every service answers with validators here, so that a second refresh is all 304s but for the fault.
    for (const s of [world.github, world.pypistats, world.pepy, world.npm, world.dockerhub, world.slack, world.elsewhere]) s.synthesizeEtags = true;
    logs.length = 0;
    const log = (m: string) => logs.push(m);
    http = new HttpClient({
      githubApiUrl: world.endpoints.githubApiUrl,
      githubToken: () => 'gh-token',
      logger: { trace: log, debug: log, info: log, warn: log, error: log },
      timeoutMs: 300,
      retries: 1,
      retryBaseMs: 5,
      maxRateLimitWaitMs: 2_000,
      acceptedDelayMs: 10,
    });
  });
  afterEach(async () => {
    await http.close();
    await world.close();
    await rm(dir, { recursive: true, force: true });
  });

  const run = async (now: Date): Promise<RefreshResult> => {
    const { githubApiUrl, ...endpoints } = world.endpoints;
    const log = (m: string) => logs.push(m);
    return refreshAll(world.config, {
      SQL: await testSql(), http, githubApiUrl, endpoints, storeFile: path.join(dir, 'm.sqlite'),
      logger: { trace: log, debug: log, info: log, warn: log, error: log },
      now: () => now, secrets, force: true, sourceOptions: { statsRetryDelayMs: 10 },
    });
  };
  const snapshot = async () => {
    const { store } = await MetricsStore.open(await testSql(), path.join(dir, 'm.sqlite'), silentLogger);
    try {
      return rows(store);
    } finally {
      store.close();
    }
  };

  for (const source of SOURCES) {
    for (const c of CASES) {
      it(`${source}: ${c.name}`, async () => {
        const first = await run(WORLD_NOW);
        assert.deepEqual(first.failures, []);
        const before = await snapshot();
        if (c.name.startsWith('redirect')) {
          // The other origin serves the same data, so the redirect is followed to a real answer.
          ({ github: loadGitHub, pypi: loadPypi, npm: loadNpm, docker: loadDockerHub, slack: loadSlack })[source](world.elsewhere);
        }
        serverOf(world, source).fault(PRIMARY_PATHS[source], c.fault(world, source), c.times ?? Infinity);

        const result = await run(new Date(WORLD_NOW.getTime() + 3600_000));

        const failure = result.failures.find((f) => f.artifact === ARTIFACTS[source]);
        const cause = c.failsFor?.[source] ?? c.cause;
        if (cause) {
          assert.ok(failure, `expected ${ARTIFACTS[source]} to fail; failures: ${JSON.stringify(result.failures)}`);
          assert.match(failure.message, cause);
        } else {
          assert.equal(failure, undefined, JSON.stringify(failure));
          assert.ok(result.refreshed.includes(ARTIFACTS[source]));
        }
        for (const other of SOURCES.filter((s) => s !== source)) {
          assert.ok(result.refreshed.includes(ARTIFACTS[other]), `${ARTIFACTS[other]} not refreshed: ${JSON.stringify(result.failures)}`);
        }
        const after = await snapshot();
        for (const r of before) assert.ok(after.has(r), `row lost: ${r}`);
        if (c.name === '304') {
          const added = [...after].filter((r) => !before.has(r));
          assert.deepEqual(added, [], 'a 304 writes no row');
        }
        for (const req of world.elsewhere.requests) {
          assert.equal(req.headers.authorization, undefined, 'no Authorization to another origin');
          assert.equal(req.headers['x-api-key'], undefined, 'no API key to another origin');
        }
        if (c.name.startsWith('redirect')) assert.ok(world.elsewhere.requests.length > 0, 'the redirect was followed');
        for (const line of logs) for (const secret of SECRETS) assert.ok(!line.includes(secret), `secret in log: ${line}`);
      });
    }
  }
});
