import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { emitEvents, lineageEndpoint } from '../../../src/core/lineage/openLineageEmitter';
import { childRunId } from '../../../src/core/lineage/openLineageEvents';
import type { RunEvent } from '../../../src/core/lineage/openLineageEvents';
import { emitRunLineage, eventsForRun } from '../../../src/core/lineage/runLineageEmission';
import { buildManifest } from '../../../src/core/project/manifest';
import { loadProject } from '../../../src/core/project/project';
import { runProject } from '../../../src/core/project/runner';
import { starterProjectFiles } from '../../../src/core/project/starterProject';
import { writeScaffold } from '../../../src/core/project/writeScaffold';
import { fixturePath } from '../../support/fixtures';
import { fixtureStore } from '../project/fixtureStore';

/** The official schema, beside the repository as the issue names it (../shared/fixtures/openlineage). */
const specDir = fixturePath('openlineage');

/** ajv with the official schema and every facet schema of the shared fixtures. */
function validators() {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema(JSON.parse(readFileSync(path.join(specDir, 'OpenLineage.json'), 'utf8')));
  const facets = new Map<string, ReturnType<typeof ajv.compile>>();
  for (const f of readdirSync(path.join(specDir, 'facets'))) {
    const schema = JSON.parse(readFileSync(path.join(specDir, 'facets', f), 'utf8')) as { properties: Record<string, unknown> };
    const key = Object.keys(schema.properties)[0] as string;
    facets.set(key, ajv.compile(schema));
  }
  const runEvent = ajv.getSchema('https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent');
  assert.ok(runEvent);
  return { runEvent, facets, ajv };
}

/** Validates an event against RunEvent and each facet against its own facet schema. */
function validate(v: ReturnType<typeof validators>, event: RunEvent): void {
  assert.ok(v.runEvent(event), `RunEvent: ${v.ajv.errorsText(v.runEvent.errors)}`);
  const check = (facets: unknown) => {
    for (const [key, value] of Object.entries((facets ?? {}) as Record<string, unknown>)) {
      const fn = v.facets.get(key);
      assert.ok(fn, `a schema for facet ${key}`);
      assert.ok(fn({ [key]: value }), `${key}: ${v.ajv.errorsText(fn.errors)}`);
    }
  };
  const e = event as unknown as { run: { facets?: unknown }; job: { facets?: unknown }; inputs: Array<{ facets?: unknown }>; outputs: Array<{ facets?: unknown; outputFacets?: unknown }> };
  check(e.run.facets);
  check(e.job.facets);
  for (const d of e.inputs) check(d.facets);
  for (const d of e.outputs) {
    check(d.facets);
    check(d.outputFacets);
  }
}

async function receiver(status = 200) {
  const events: RunEvent[] = [];
  const auth: Array<string | undefined> = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      if (req.url === '/api/v1/lineage' && req.method === 'POST') {
        events.push(JSON.parse(body) as RunEvent);
        auth.push(req.headers.authorization);
      }
      res.statusCode = status;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { events, auth, url, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe('OpenLineage events of a build', function () {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'cm-ol-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('a build of the starter project, captured by a local receiver, validates against the official schema; daily_summary’s column lineage names the right upstream columns', async () => {
    await writeScaffold(dir, starterProjectFiles());
    await writeFile(path.join(dir, 'seeds/github_daily_summary_history.csv'), 'day,project,stars\n2021-11-01,OpenLineage/OpenLineage,540\n');
    const project = await loadProject(dir);
    const { store } = await fixtureStore(path.join(dir, '.community-metrics/metrics.sqlite'));
    const run = await runProject(project, store.db, { command: 'build' });
    store.close();
    const r = await receiver();
    try {
      const summary = await emitRunLineage(run, buildManifest(project), { url: r.url, apiKey: 'k-123', datasetNamespace: 'sqlite://localhost/metrics.sqlite' });
      assert.equal(summary.dropped, 0);
      assert.equal(r.events.length, summary.sent);
    } finally {
      await r.close();
    }
    assert.ok(r.auth.every((a) => a === 'Bearer k-123'));
    const v = validators();
    for (const e of r.events) validate(v, e);

    const first = r.events[0]!;
    const last = r.events[r.events.length - 1]!;
    assert.equal(first.eventType, 'START');
    assert.equal((first.job as { name: string }).name, 'community_metrics.build');
    assert.equal(last.eventType, 'COMPLETE');
    const models = project.nodes.size - [...project.nodes.values()].filter((n) => n.resourceType === 'test').length;
    assert.equal(r.events.length, 2 + 2 * models);

    const daily = r.events.filter((e) => (e.job as { name: string }).name === 'model.community_metrics.daily_summary');
    assert.deepEqual(daily.map((e) => e.eventType), ['START', 'COMPLETE']);
    const [start, complete] = daily as [RunEvent, RunEvent];
    assert.equal((start.run as { runId: string }).runId, (complete.run as { runId: string }).runId);
    assert.equal((complete.run as { runId: string }).runId, childRunId(run.runId, 'model.community_metrics.daily_summary'));
    const parent = (complete.run as { facets: { parent: { run: { runId: string } } } }).facets.parent;
    assert.equal(parent.run.runId, run.runId);
    assert.match(((complete.job as { facets: { sql: { query: string } } }).facets.sql.query), /left join pypi on pypi\.day = days\.day/);
    assert.deepEqual((complete.inputs as Array<{ name: string }>).map((i) => i.name), ['main.dockerhub_daily_summary', 'main.github_daily_summary', 'main.pypi_daily_summary', 'main.slack_daily_summary']);
    const out = (complete.outputs as Array<{ name: string; facets: { schema: { fields: Array<{ name: string }> }; columnLineage: { fields: Record<string, { inputFields: Array<{ name: string; field: string }> }> } } }>)[0]!;
    assert.equal(out.name, 'main.daily_summary');
    assert.deepEqual(out.facets.schema.fields.map((f) => f.name), ['day', 'pypi_downloads', 'dockerhub_pulls', 'github_stars', 'slack_messages']);
    const cl = out.facets.columnLineage.fields;
    const src = (c: string) => cl[c]!.inputFields.map((i) => `${i.name}.${i.field}`);
    assert.deepEqual(src('github_stars'), ['main.github_daily_summary.stars']);
    assert.deepEqual(src('pypi_downloads'), ['main.pypi_daily_summary.num_downloads']);
    assert.deepEqual(src('dockerhub_pulls'), ['main.dockerhub_daily_summary.total_pulls']);
    assert.deepEqual(src('slack_messages'), ['main.slack_daily_summary.messages']);
    assert.deepEqual(src('day'), ['main.dockerhub_daily_summary.day', 'main.github_daily_summary.day', 'main.pypi_daily_summary.day', 'main.slack_daily_summary.day']);
    const pypiDownloads = r.events.find((e) => e.eventType === 'COMPLETE' && (e.job as { name: string }).name === 'model.community_metrics.pypi_downloads')!;
    assert.deepEqual((pypiDownloads.inputs as Array<{ name: string }>).map((i) => i.name), ['main.pypi_version_downloads_daily']);
  });

  it('a failed model sends FAIL with the error facet, the build FAIL, and skipped nodes send nothing', async () => {
    const run = {
      runId: '2b4f6d2e-8a1c-4e6b-9f3a-0c5d7e9b1a20',
      command: 'run',
      startedAt: '2026-01-01T00:00:00.000Z',
      completedAt: '2026-01-01T00:00:02.000Z',
      success: false,
      results: [
        { uniqueId: 'model.p.a', status: 'error', message: 'no such column: x', startedAt: '2026-01-01T00:00:00.000Z', completedAt: '2026-01-01T00:00:01.000Z' },
        { uniqueId: 'model.p.b', status: 'skipped', message: 'skipped', startedAt: '2026-01-01T00:00:01.000Z', completedAt: '2026-01-01T00:00:01.000Z' },
      ],
    };
    const manifest = { metadata: { project_name: 'p' }, nodes: { 'model.p.a': { resource_type: 'model', name: 'a', compiled_code: 'select x from t' }, 'model.p.b': { resource_type: 'model', name: 'b' } }, parent_map: { 'model.p.b': ['model.p.a'] } };
    const events = eventsForRun(run, manifest, { datasetNamespace: 'sqlite://x' });
    assert.deepEqual(events.map((e) => `${e.eventType} ${(e.job as { name: string }).name}`), ['START p.run', 'START model.p.a', 'FAIL model.p.a', 'FAIL p.run']);
    const v = validators();
    for (const e of events) validate(v, e);
    assert.equal((events[2]!.run as { facets: { errorMessage: { message: string } } }).facets.errorMessage.message, 'no such column: x');
  });

  it('a receiver that is down, or answers 500, never throws: one failure drops the rest of the batch', async () => {
    const down = await receiver();
    await down.close();
    const warnings: string[] = [];
    const logger = { trace: () => undefined, debug: () => undefined, info: () => undefined, warn: (m: string) => warnings.push(m), error: () => undefined };
    const events = [{ eventType: 'START', eventTime: 'x' }, { eventType: 'COMPLETE', eventTime: 'y' }] as RunEvent[];
    const s = await emitEvents(events, { url: down.url, apiKey: 'secret-key', logger, timeoutMs: 2000 });
    assert.equal(s.sent, 0);
    assert.equal(s.dropped, 2);
    assert.match(warnings[0] ?? '', /did not take an event .*2 event\(s\) of this run were not sent/);
    assert.ok(!warnings.join('').includes('secret-key'));
    const failing = await receiver(500);
    try {
      assert.deepEqual(await emitEvents(events, { url: failing.url }), { sent: 0, dropped: 2, error: 'HTTP 500' });
    } finally {
      await failing.close();
    }
    assert.deepEqual(await emitRunLineage({ runId: 'r', command: 'run', startedAt: '', completedAt: '', success: true, results: [] }, null, { url: 'not a url', datasetNamespace: 'x' }), { sent: 0, dropped: 2, error: 'invalid URL' });
    assert.equal(lineageEndpoint('http://h:5000/'), 'http://h:5000/api/v1/lineage');
    assert.equal(lineageEndpoint('http://h/api/v1/lineage'), 'http://h/api/v1/lineage');
  });
});
