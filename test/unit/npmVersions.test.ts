import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Ajv from 'ajv';
import { parse as parseYaml } from 'yaml';
import { npmVersionAdoption } from '../../src/core/charts/trafficViews';
import { parseProjectConfig } from '../../src/core/config/projectConfig';
import { HttpClient } from '../../src/core/http/client';
import { markedVersionsOf, storeInsights } from '../../src/core/insights/storeInsights';
import { silentLogger } from '../../src/core/log';
import { refreshAll } from '../../src/core/refresh';
import { npmVersionsPath } from '../../src/core/sources/npmVersions';
import { MetricsStore } from '../../src/core/store/store';
import { loadDocFixture } from '../support/docFixtures';
import { FakeServer } from '../support/fakeServer';
import { repoRoot } from '../support/fixtures';
import { testSql } from './store.test';

const NOW = new Date('2026-11-23T12:00:00Z');

describe('npm per-version downloads, from responses built on npm\'s documentation', () => {
  let dir: string;
  let server: FakeServer;
  let http: HttpClient;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'cm-npmv-'));
    server = await FakeServer.start();
    // The daily totals and the first publish day are another dataset's: answered empty here.
    server.respondWith(/^\/downloads\/range\//, () => ({ status: 200, headers: {}, body: { downloads: [] } }));
    server.respondWith(/^\/(@[^/]+%2F)?[^/]+$/, () => ({ status: 200, headers: {}, body: { time: { created: '2026-11-01T00:00:00.000Z' } } }));
    for (const f of ['npm-versions.scoped.json', 'npm-versions.unscoped.json', 'npm-versions.empty.json']) loadDocFixture(server, f);
    http = new HttpClient({ githubApiUrl: 'http://127.0.0.1:9', logger: silentLogger, timeoutMs: 1000, retries: 0 });
  });
  afterEach(async () => {
    await http.close();
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  const run = async (yaml: string, now = NOW, force = false) => {
    const { config, problems } = parseProjectConfig(yaml);
    assert.deepEqual(problems, []);
    return refreshAll(config, {
      SQL: await testSql(), http, githubApiUrl: 'http://127.0.0.1:9', storeFile: path.join(dir, 'm.sqlite'), logger: silentLogger, now: () => now,
      endpoints: { npmApiUrl: server.url, npmRegistryUrl: server.url }, force,
    });
  };
  const withStore = async <T>(fn: (s: MetricsStore) => T): Promise<T> => {
    const { store } = await MetricsStore.open(await testSql(), path.join(dir, 'm.sqlite'), silentLogger);
    try {
      return fn(store);
    } finally {
      store.close();
    }
  };

  it('escapes a scoped name as npm\'s docs require: the slash percent-encoded, the @ kept', () => {
    assert.equal(npmVersionsPath('@slack/client'), '@slack%2Fclient');
    assert.equal(npmVersionsPath('fastify'), 'fastify');
  });

  it('keeps a dated snapshot per day, once a day, replacing (never adding to) the day\'s earlier one', async () => {
    const yaml = 'projects:\n  - name: s\n    npm: ["@slack/client", fastify, brand-new-package]\n';
    const r = await run(yaml);
    assert.deepEqual(r.failures, []);
    assert.ok(server.requests.some((q) => q.path === '/versions/@slack%2Fclient/last-week' && q.status === 200));
    const rows = () => withStore((s) => s.all<{ package: string; snapshot_day: string; version: string; downloads: number }>('SELECT package, snapshot_day, version, downloads FROM npm_version_downloads ORDER BY package, snapshot_day, version'));
    const first = await rows();
    assert.deepEqual(first.filter((x) => x.package === '@slack/client'), [
      { package: '@slack/client', snapshot_day: '2026-11-23', version: '3.16.0', downloads: 1289 },
      { package: '@slack/client', snapshot_day: '2026-11-23', version: '4.12.0', downloads: 21876 },
      { package: '@slack/client', snapshot_day: '2026-11-23', version: '4.8.0', downloads: 5313 },
      { package: '@slack/client', snapshot_day: '2026-11-23', version: '5.0.2', downloads: 40112 },
    ]);
    assert.equal(first.filter((x) => x.package === 'fastify').length, 5);
    assert.equal(first.filter((x) => x.package === 'brand-new-package').length, 0, 'an empty mapping stores no version');
    assert.deepEqual(await withStore((s) => s.all("SELECT versions, downloads FROM npm_version_snapshots WHERE package = 'brand-new-package'")), [{ versions: 0, downloads: 0 }], '…but the day was observed');
    const asked = () => server.requests.filter((q) => q.path.startsWith('/versions/')).length;
    const n = asked();
    await run(yaml, new Date(NOW.getTime() + 3600_000));
    assert.equal(asked(), n, 'once a day');
    await run(yaml, new Date(NOW.getTime() + 7200_000), true);
    assert.equal(asked(), n + 3, 'forced: asked again');
    assert.deepEqual(await rows(), first, 'the same day again: replaced, not added');
    await run(yaml, new Date('2026-11-25T12:00:00Z'));
    const later = await rows();
    assert.deepEqual([...new Set(later.map((x) => x.snapshot_day))], ['2026-11-23', '2026-11-25']);
    // Charted like PyPI's version adoption; the day without a snapshot is said, not drawn as 0.
    const chart = await withStore((s) => npmVersionAdoption(s, 'fastify', {}));
    assert.ok(chart);
    assert.deepEqual([...new Set(chart.values.map((v) => v.day))], ['2026-11-23', '2026-11-25']);
    assert.equal(chart.values.filter((v) => v.day === '2026-11-24').length, 0);
    const { compile } = await import('vega-lite');
    assert.ok(compile({ ...chart.spec, data: { values: chart.values } } as never).spec);
    assert.match(chart.summary, /2 daily snapshots .* 1 day without a snapshot, left empty\. On 2026-11-25, 4\.28\.1 had the largest share, 59\.92%\./);
  });

  it('flags a large share of the last week\'s downloads on versions older than marked_version of an npm entry', async () => {
    const yaml = "projects:\n  - name: f\n    npm:\n      - { name: fastify, marked_version: '5.0.0' }\n";
    const { config } = parseProjectConfig(yaml);
    assert.deepEqual(config.projects[0]?.npm, [{ name: 'fastify', markedVersion: '5.0.0' }]);
    assert.deepEqual(markedVersionsOf(config), { 'npm:fastify': '5.0.0' });
    await run(yaml);
    const insights = await withStore((s) => storeInsights(s, [{ artifact: 'npm:fastify', source: 'npm', name: 'fastify' }], { markedVersions: markedVersionsOf(config) }));
    assert.equal(insights.length, 1);
    assert.equal(insights[0]?.kind, 'old-versions');
    assert.equal(insights[0]?.title, '65% of downloads are of versions older than 5.0.0');
    assert.match(insights[0]?.explanation ?? '', /984,545 of 1,507,546 downloads in the 7 days to 2026-11-23 .* 4\.28\.1 \(60%\), 3\.29\.5 \(5%\)\. Counts from npm's per-version downloads/);
  });

  it('agrees with the shipped JSON Schema on marked_version for npm, and puts a bad one on its line', () => {
    const schema = JSON.parse(readFileSync(path.join(repoRoot, 'media/community-metrics.schema.json'), 'utf8')) as object;
    const validate = new Ajv({ allErrors: true }).compile(schema);
    const good = "projects:\n  - name: a\n    npm:\n      - { name: '@s/x', marked_version: '2.0.0' }\n      - left-pad\n";
    assert.ok(validate(parseYaml(good)), JSON.stringify(validate.errors));
    assert.deepEqual(parseProjectConfig(good).problems, []);
    assert.equal(validate(parseYaml("projects:\n  - name: a\n    npm:\n      - { name: x, mark: '1' }\n")), false);
    const bad = parseProjectConfig('projects:\n  - name: a\n    npm:\n      - name: x\n        marked_version: "not a version"\n');
    assert.deepEqual(bad.problems.map((p) => [p.severity, p.range.startLine, p.message]), [['error', 4, "'marked_version' must be a version of 'x', such as '0.4.0'."]]);
  });
});
