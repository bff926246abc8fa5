import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { importGhArchive } from '../../../src/core/gharchive/importer';
import { silentLogger } from '../../../src/core/log';
import { loadProject } from '../../../src/core/project/project';
import { runProject } from '../../../src/core/project/runner';
import { MetricsStore } from '../../../src/core/store/store';
import { FakeServer } from '../../support/fakeServer';
import { testSqlJs } from '../project/fixtureStore';
import { REAL_HOUR, independentCount, realHourBytes, realHourLines, serveHour } from './archiveFixtures';

/**
 * Issue 15, item 7: GH Archive events kept in the archive's own shape, read by models written for
 * BigQuery's copy of the archive (one table per event type; struct repo/actor/org; a JSON payload
 * read with PARSE_JSON, JSON_EXTRACT, JSON_VALUE, LAX_*), on the real recorded hour.
 */
const TRACKED = ['kaltura/mwEmbed', 'cakephp/cakephp', 'prakhar1989/awesome-courses', 'wasabeef/awesome-android-ui', 'thephpleague/oauth2-server', 'dockerboard/dockerboard'];

const STAGING = (type: string) => `{{ config(materialized='view') }}
SELECT
    id AS ID, type AS EVENT_TYPE, public AS PUBLIC, created_at AS CREATED_AT,
    repo.id AS REPO_ID, repo.name AS REPO_NAME,
    actor.id AS ACTOR_ID, actor.login AS ACTOR_LOGIN,
    org.id AS ORG_ID, org.login AS ORG_LOGIN,
    PARSE_JSON(payload) AS PAYLOAD_JSON,
    LOAD_TIMESTAMP
FROM {{ source('landing_zone', '${type}') }}
`;

describe('GH Archive raw events for BigQuery-shaped pipelines', function () {
  this.timeout(60_000);
  let dir: string;
  let server: FakeServer;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'cm-gh-events-'));
    server = await FakeServer.start();
  });
  after(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('builds staging, core and marts on the imported real hour, agreeing with counts made from the file', async () => {
    const SQL = await testSqlJs();
    const storeFile = path.join(dir, '.community-metrics/metrics.sqlite');
    serveHour(server, REAL_HOUR, realHourBytes());
    await importGhArchive({ SQL, storeFile, logger: silentLogger, repos: TRACKED, from: '2015-01-01T12', to: '2015-01-01T12', baseUrl: server.url, flushIntervalMs: 0 });

    const types = ['PushEvent', 'WatchEvent', 'IssuesEvent', 'PullRequestEvent', 'IssueCommentEvent', 'ForkEvent', 'CreateEvent'];
    const files: Record<string, string> = {
      'dbt_project.yml': "name: 'gh_events'\nversion: '1.0.0'\n",
      'models/sources.yml': `version: 2\nsources:\n  - name: landing_zone\n    database: "{{ env_var('GCP_PROJECT_ID', 'some-project') }}"\n    schema: "{{ env_var('GCP_DATASET', 'gh_events_dataset') }}"\n    tables:\n${types.map((t) => `      - name: ${t}`).join('\n')}\n`,
      'models/core/FCT_EVENTS.sql': `{{ config(materialized='table') }}\n${types.map((t) => `SELECT ID, EVENT_TYPE, REPO_ID, REPO_NAME, ACTOR_LOGIN, ORG_LOGIN, CREATED_AT FROM {{ ref('ODS_${t}') }}`).join('\nUNION ALL\n')}\n`,
      'models/core/FCT_PUSHES.sql': [
        "{{ config(materialized='incremental', unique_key='ID', partition_by={'field': 'CREATED_AT', 'data_type': 'timestamp'}, cluster_by='REPO_ID') }}",
        'SELECT ID, REPO_NAME,',
        "    LAX_INT64(PAYLOAD_JSON.size) AS COMMITS,",
        "    LAX_STRING(JSON_EXTRACT(PAYLOAD_JSON, '$.ref')) AS REF,",
        "    JSON_VALUE(PAYLOAD_JSON, '$.head') AS HEAD_SHA,",
        "    JSON_VALUE(PAYLOAD_JSON, '$.commits[0].author.name') AS FIRST_AUTHOR",
        "FROM {{ ref('ODS_PushEvent') }}",
        '',
      ].join('\n'),
      'models/consumption/TOTAL_EVENTS_PER_TYPE.sql': "SELECT EVENT_TYPE, COUNT(*) AS TOTAL FROM {{ ref('FCT_EVENTS') }} GROUP BY EVENT_TYPE\n",
      'models/core/schema.yml': 'version: 2\nmodels:\n  - name: FCT_EVENTS\n    columns:\n      - name: ID\n        tests: [unique, not_null]\n      - name: REPO_ID\n        tests: [not_null]\n',
    };
    for (const t of types) files[`models/staging/ODS_${t}.sql`] = STAGING(t);
    for (const [rel, text] of Object.entries(files)) {
      await mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
      await writeFile(path.join(dir, rel), text);
    }
    const project = await loadProject(dir);
    assert.deepEqual(project.diagnostics.filter((d) => d.severity === 'error'), []);
    const { store } = await MetricsStore.open(SQL, storeFile, silentLogger);
    try {
      const run = await runProject(project, store.db, { command: 'build' });
      assert.deepEqual(run.results.filter((r) => !['success', 'pass'].includes(r.status)).map((r) => `${r.name}: ${r.message}`), []);

      const expected = independentCount(realHourLines(), TRACKED);
      const got = Object.fromEntries(store.all<{ EVENT_TYPE: string; TOTAL: number }>('SELECT EVENT_TYPE, TOTAL FROM TOTAL_EVENTS_PER_TYPE').map((r) => [r.EVENT_TYPE, r.TOTAL]));
      const wanted = Object.fromEntries(Object.entries(expected.byType).filter(([t]) => types.includes(t)));
      assert.deepEqual(got, wanted);
      assert.ok(Object.keys(wanted).length >= 3);

      // Struct fields and the JSON payload read as BigQuery reads them, checked against the file.
      const pushes = realHourLines()
        .map((l) => JSON.parse(l) as { id: string; type: string; repo: { name: string }; payload: { size: number; ref: string; head: string; commits: Array<{ author: { name: string } }> } })
        .filter((e) => e.type === 'PushEvent' && expected.ids.has(e.id));
      const rows = store.all<{ ID: string; COMMITS: number; REF: string; HEAD_SHA: string; FIRST_AUTHOR: string }>('SELECT ID, COMMITS, REF, HEAD_SHA, FIRST_AUTHOR FROM FCT_PUSHES ORDER BY ID');
      assert.equal(rows.length, pushes.length);
      for (const e of pushes) {
        const r = rows.find((x) => String(x.ID) === e.id);
        assert.deepEqual(r && [r.COMMITS, r.REF, r.HEAD_SHA, r.FIRST_AUTHOR], [e.payload.size, e.payload.ref, e.payload.head, e.payload.commits[0]?.author.name ?? null]);
      }
      const org = store.all<{ n: number }>("SELECT COUNT(*) AS n FROM FCT_EVENTS WHERE ORG_LOGIN = 'cakephp'")[0]?.n;
      assert.equal(org, realHourLines().filter((l) => expected.ids.has((JSON.parse(l) as { id: string }).id) && types.includes((JSON.parse(l) as { type: string }).type) && l.includes('"org":{"id"') && (JSON.parse(l) as { org?: { login: string } }).org?.login === 'cakephp').length);
    } finally {
      store.close();
    }
  });
});
