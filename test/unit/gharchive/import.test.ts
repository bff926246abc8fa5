import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { SqlJsStatic } from 'sql.js';
import { importGhArchive } from '../../../src/core/gharchive/importer';
import type { GhArchiveImportOptions, GhArchiveProgress } from '../../../src/core/gharchive/importer';
import { silentLogger } from '../../../src/core/log';
import { MetricsStore, updateStore } from '../../../src/core/store/store';
import { FakeServer } from '../../support/fakeServer';
import { testSqlJs } from '../project/fixtureStore';
import { REAL_HOUR, derivedHour, gz, independentCount, realHourBytes, realHourLines, serveHour } from './archiveFixtures';

/** Repositories of the real hour with many event types, a case that differs from the archive's, and owner-less events (ids only). */
const TRACKED = [
  'kaltura/mwEmbed',
  'CapaCity4Dev/Capacity4More',
  'thephpleague/oauth2-server',
  'cakephp/cakephp',
  'dockerboard/dockerboard',
  'auchenberg/chrome-devtools-app',
  'rust-lang/rust',
  'prakhar1989/awesome-courses',
  'wasabeef/awesome-android-ui',
  'nobody-here/never-seen',
];

describe('GH Archive import', function () {
  this.timeout(30_000);
  let server: FakeServer;
  let dir: string;
  let storeFile: string;
  let SQL: SqlJsStatic;
  const lines = realHourLines();

  before(async () => {
    SQL = await testSqlJs();
  });
  beforeEach(async () => {
    server = await FakeServer.start();
    dir = await mkdtemp(path.join(tmpdir(), 'cm-gharchive-'));
    storeFile = path.join(dir, 'metrics.sqlite');
  });
  afterEach(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  const run = (over: Partial<GhArchiveImportOptions> = {}) =>
    importGhArchive({ SQL, storeFile, logger: silentLogger, repos: TRACKED, from: '2015-01-01T12', to: '2015-01-01T12', baseUrl: server.url, flushIntervalMs: 0, retryBaseMs: 10, ...over });

  async function query<T>(sql: string, params: (string | number)[] = []): Promise<T[]> {
    const { store } = await MetricsStore.open(SQL, storeFile, silentLogger);
    try {
      return store.all<T>(sql, params);
    } finally {
      store.close();
    }
  }

  const countsByType = async (where = '1 = 1') =>
    Object.fromEntries((await query<{ type: string; n: number }>(`SELECT type, COUNT(*) AS n FROM gharchive_events WHERE ${where} GROUP BY type`)).map((r) => [r.type, r.n]));

  it('imports the real hour: per-type counts of the tracked repositories equal an independent full parse; a second import adds nothing', async () => {
    serveHour(server, REAL_HOUR, realHourBytes());
    const expected = independentCount(lines, TRACKED);
    assert.ok(expected.total > 150, `the tracked set should be busy enough to mean something (${expected.total})`);
    assert.ok(Object.keys(expected.byType).length >= 8);

    const progress: GhArchiveProgress[] = [];
    const first = await run({ onProgress: (p) => progress.push(p) });
    assert.equal(first.imported, 1);
    assert.equal(first.added, expected.total);
    assert.equal(first.hours[0]?.events, 8273, 'every line of the hour is counted (the recording says 8273 events)');
    assert.deepEqual(await countsByType(), expected.byType);
    assert.deepEqual(new Set((await query<{ event_id: string }>('SELECT event_id FROM gharchive_events')).map((r) => r.event_id)), expected.ids);
    assert.deepEqual(await query('SELECT hour, status, events, matched, bad_lines, suspicious FROM gharchive_hours'), [
      { hour: '2015-01-01T12:00:00Z', status: 'imported', events: 8273, matched: expected.total, bad_lines: 0, suspicious: 0 },
    ]);
    assert.deepEqual(progress.map((p) => p.phase).filter((p) => p !== 'downloading'), ['started', 'imported']);
    assert.equal(progress.at(-1)?.hoursDone, 1);

    // The configured spelling is kept as the tracked name; the archive's spelling as the repository name.
    assert.deepEqual(await query("SELECT DISTINCT tracked_repo, repo_name FROM gharchive_events WHERE repo_id = 18283391"), [
      { tracked_repo: 'CapaCity4Dev/Capacity4More', repo_name: 'capacity4dev/capacity4more' },
    ]);

    const second = await run();
    assert.equal(second.skipped, 1);
    assert.equal(second.added, 0);
    assert.equal(server.requestsTo(`/${REAL_HOUR}`).length, 1, 'an imported hour is not downloaded again');

    const forced = await run({ force: true });
    assert.equal(forced.imported, 1);
    assert.equal(forced.added, 0, 're-importing an hour is harmless');
    assert.deepEqual(await countsByType(), expected.byType);
  });

  it('keeps the payload fields the models need per event type', async () => {
    serveHour(server, REAL_HOUR, realHourBytes());
    await run();
    const push = (await query<Record<string, unknown>>("SELECT * FROM gharchive_events WHERE type = 'PushEvent' AND tracked_repo = 'kaltura/mwEmbed' ORDER BY event_id LIMIT 1"))[0];
    assert.ok(push);
    assert.equal(typeof push.push_size, 'number');
    assert.match(String(push.ref), /^refs\/heads\//);
    assert.match(String(push.head_sha), /^[0-9a-f]{40}$/);
    assert.equal(push.payload, null);
    const prs = await query<{ action: string; merged: number | null; number: number }>("SELECT action, merged, number FROM gharchive_events WHERE type = 'PullRequestEvent'");
    assert.ok(prs.every((p) => ['opened', 'closed', 'reopened'].includes(p.action) && Number.isInteger(p.number)));
    assert.ok(prs.some((p) => p.action === 'closed' && p.merged === 1));
    const releases = await query<{ release_tag: string; action: string }>("SELECT release_tag, action FROM gharchive_events WHERE type = 'ReleaseEvent'");
    assert.equal(releases.length, 2);
    assert.ok(releases.every((r) => r.release_tag && r.action === 'published'));
    const stars = await query<{ action: string }>("SELECT DISTINCT action FROM gharchive_events WHERE type = 'WatchEvent'");
    assert.deepEqual(stars, [{ action: 'started' }]);
    const forks = await query<{ forkee_name: string }>("SELECT forkee_name FROM gharchive_events WHERE type = 'ForkEvent'");
    assert.ok(forks.length > 0 && forks.every((f) => /\//.test(f.forkee_name)));
    const comments = await query<{ comment_id: number; number: number | null }>("SELECT comment_id, number FROM gharchive_events WHERE type IN ('IssueCommentEvent', 'PullRequestReviewCommentEvent', 'CommitCommentEvent')");
    assert.ok(comments.length > 40 && comments.every((c) => Number.isInteger(c.comment_id)));
  });

  it('reports a truncated gzip, a garbage line and a 404 clearly, imports the hours around them, and loses nothing stored', async () => {
    // Something already in the store, from another source and from an earlier import.
    serveHour(server, REAL_HOUR, realHourBytes());
    await run();
    await updateStore(SQL, storeFile, silentLogger, (s) => s.db.run("INSERT INTO github_stars (timestamp, project, stars) VALUES ('2015-01-01T00:00:00Z', 'kaltura/mwEmbed', 42)"));
    const before = await query<{ n: number }>('SELECT COUNT(*) AS n FROM gharchive_events');

    const head = lines.slice(0, 4000);
    const tail = lines.slice(4000);
    serveHour(server, '2015-01-01-9.json.gz', gz(derivedHour(head, '9')));
    const truncated = gz(derivedHour(lines, '10'));
    serveHour(server, '2015-01-01-10.json.gz', truncated.subarray(0, Math.floor(truncated.length / 2)));
    const withGarbage = derivedHour(tail, '11');
    withGarbage.splice(100, 0, 'this is not json at all');
    withGarbage.splice(2000, 0, '{"id":"x","type":"PushEvent","repo":{"id":3388498,"name":"kaltura/mwEmbed"');
    serveHour(server, '2015-01-01-11.json.gz', gz(withGarbage));
    // 2015-01-01-13 is not served: the fake server answers 404.
    serveHour(server, '2015-01-01-14.json.gz', gz(derivedHour(tail, '14')));

    const progress: GhArchiveProgress[] = [];
    const result = await run({ from: '2015-01-01T09', to: '2015-01-01T14', onProgress: (p) => progress.push(p) });
    const byHour = Object.fromEntries(result.hours.map((h) => [h.hour.slice(11, 13), h]));
    assert.equal(byHour['09']?.status, 'imported');
    assert.equal(byHour['12']?.status, 'skipped');
    assert.equal(byHour['14']?.status, 'imported');
    assert.equal(byHour['10']?.status, 'corrupt');
    assert.match(byHour['10']?.message ?? '', /2015-01-01T10:00:00Z: the file is corrupt: the gzip stream ends early \(truncated file\)/);
    assert.equal(byHour['11']?.status, 'corrupt');
    assert.match(byHour['11']?.message ?? '', /2 lines are not JSON events \(first at line 101: "this is not json at all"\)/);
    assert.equal(byHour['13']?.status, 'missing');
    assert.match(byHour['13']?.message ?? '', /2015-01-01T13:00:00Z: not in the archive \(HTTP 404/);
    assert.deepEqual(
      progress.filter((p) => ['missing', 'corrupt'].includes(p.phase)).map((p) => p.hour.slice(11, 13)).sort(),
      ['10', '11', '13'],
    );

    const expectedHead = independentCount(derivedHour(head, '9'), TRACKED).total;
    const expectedTail = independentCount(derivedHour(tail, '14'), TRACKED).total;
    assert.deepEqual(await query("SELECT hour, status, matched FROM gharchive_hours WHERE hour IN ('2015-01-01T09:00:00Z', '2015-01-01T14:00:00Z') ORDER BY hour"), [
      { hour: '2015-01-01T09:00:00Z', status: 'imported', matched: expectedHead },
      { hour: '2015-01-01T14:00:00Z', status: 'imported', matched: expectedTail },
    ]);
    // The good lines of the hour with garbage are kept; so is what the truncated file held before it broke.
    const hour11 = await query<{ n: number }>("SELECT COUNT(*) AS n FROM gharchive_events WHERE hour = '2015-01-01T11:00:00Z'");
    assert.equal(hour11[0]?.n, independentCount(derivedHour(tail, '11'), TRACKED).total);
    assert.deepEqual(await query("SELECT status FROM gharchive_hours WHERE hour = '2015-01-01T13:00:00Z'"), [{ status: 'missing' }]);
    // Nothing stored before was lost.
    assert.deepEqual(await query("SELECT COUNT(*) AS n FROM gharchive_events WHERE hour = '2015-01-01T12:00:00Z'"), before);
    assert.deepEqual(await query('SELECT stars FROM github_stars'), [{ stars: 42 }]);

    // Missing and corrupt hours are tried again next time; imported ones are not.
    server.requests.length = 0;
    const again = await run({ from: '2015-01-01T09', to: '2015-01-01T14' });
    assert.deepEqual(server.requests.map((r) => r.path).sort(), ['/2015-01-01-10.json.gz', '/2015-01-01-11.json.gz', '/2015-01-01-13.json.gz']);
    assert.equal(again.added, 0);
    // A later failure of an hour imported before never replaces it.
    server.fault(`/${REAL_HOUR}`, { kind: 'status', status: 404 });
    const forced = await run({ force: true });
    assert.equal(forced.missing, 1);
    assert.deepEqual(await query("SELECT status FROM gharchive_hours WHERE hour = '2015-01-01T12:00:00Z'"), [{ status: 'imported' }]);
    assert.deepEqual(await query("SELECT COUNT(*) AS n FROM gharchive_events WHERE hour = '2015-01-01T12:00:00Z'"), before);
  });

  it('resumes an interrupted import: hours finished before Cancel are kept and skipped next time', async () => {
    for (let h = 0; h < 4; h++) serveHour(server, `2015-01-01-${h}.json.gz`, gz(derivedHour(lines.slice(h * 2000, h * 2000 + 2000), `${h}-`)));
    server.fault('/2015-01-01-1.json.gz', { kind: 'delay', ms: 300 });
    const abort = new AbortController();
    const first = await run({
      from: '2015-01-01T00',
      to: '2015-01-01T03',
      concurrency: 1,
      signal: abort.signal,
      onProgress: (p) => {
        if (p.phase === 'imported' && p.hour === '2015-01-01T00:00:00Z') abort.abort();
      },
    });
    assert.equal(first.cancelled, true);
    assert.equal(first.imported, 1);
    assert.deepEqual(await query('SELECT hour FROM gharchive_hours'), [{ hour: '2015-01-01T00:00:00Z' }]);

    server.requests.length = 0;
    const second = await run({ from: '2015-01-01T00', to: '2015-01-01T03' });
    assert.equal(second.cancelled, false);
    assert.equal(second.skipped, 1);
    assert.equal(second.imported, 3);
    assert.ok(!server.requests.some((r) => r.path === '/2015-01-01-0.json.gz'));
    const expected = independentCount(lines.slice(0, 8000).map((l, i) => l.replace(/^\{"id":"/, `{"id":"${Math.floor(i / 2000)}-`)), TRACKED);
    assert.deepEqual(await countsByType(), expected.byType);
  });

  it('follows a repository across a rename: an id seen under the tracked name keeps matching under the new one', async () => {
    const kaltura = lines.filter((l) => l.includes('"repo":{"id":3388498,'));
    assert.equal(kaltura.length, 67);
    serveHour(server, '2015-01-01-0.json.gz', gz(derivedHour(kaltura, 'a')));
    serveHour(server, '2015-01-01-1.json.gz', gz(derivedHour(kaltura, 'b', { 'kaltura/mwEmbed': 'kaltura/player' })));
    await run({ repos: ['kaltura/mwEmbed'], from: '2015-01-01T00', to: '2015-01-01T00' });
    // A separate, later import: the id is known from the store.
    await run({ repos: ['kaltura/mwEmbed'], from: '2015-01-01T01', to: '2015-01-01T01' });
    assert.deepEqual(await query('SELECT hour, repo_name, tracked_repo, COUNT(*) AS n FROM gharchive_events GROUP BY hour, repo_name ORDER BY hour'), [
      { hour: '2015-01-01T00:00:00Z', repo_name: 'kaltura/mwEmbed', tracked_repo: 'kaltura/mwEmbed', n: 67 },
      { hour: '2015-01-01T01:00:00Z', repo_name: 'kaltura/player', tracked_repo: 'kaltura/mwEmbed', n: 67 },
    ]);
  });

  it('matches events from before a rename when the GitHub source knows the id of the new name', async () => {
    const kaltura = lines.filter((l) => l.includes('"repo":{"id":3388498,'));
    serveHour(server, '2015-01-01-0.json.gz', gz(derivedHour(kaltura, 'a')));
    await updateStore(SQL, storeFile, silentLogger, (s) =>
      s.addRepositorySnapshot({ timestamp: '2016-01-01T00:00:00Z', repo: 'kaltura/player', repoId: 3388498, stars: 1 }),
    );
    const result = await run({ repos: ['kaltura/player'], from: '2015-01-01T00', to: '2015-01-01T00' });
    assert.equal(result.added, 67);
    assert.deepEqual(await query('SELECT DISTINCT repo_name, tracked_repo FROM gharchive_events'), [{ repo_name: 'kaltura/mwEmbed', tracked_repo: 'kaltura/player' }]);
  });
});
