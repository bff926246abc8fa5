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

  it('builds the seed pipeline\'s core and marts (QUALIFY, merge incrementals, a dimension from payloads) on the real hour, agreeing with the file', async () => {
    // The constructs of de-github-events-pipeline's dbt/gh_events (bench/corpus.ts builds the real
    // project): facts and dimensions deduplicated with QUALIFY over a union of staging models read
    // with `SELECT *`, incremental merge models, marts grouped and filtered with QUALIFY on a window
    // over COUNT(*), a select list with a trailing comma, APPROX_COUNT_DISTINCT, FORMAT_TIMESTAMP('%a').
    const SQL = await testSqlJs();
    const root = path.join(dir, 'seed');
    const storeFile = path.join(root, '.community-metrics/metrics.sqlite');
    serveHour(server, REAL_HOUR, realHourBytes());
    await importGhArchive({ SQL, storeFile, logger: silentLogger, repos: TRACKED, from: '2015-01-01T12', to: '2015-01-01T12', baseUrl: server.url, flushIntervalMs: 0 });
    const types = ['PushEvent', 'IssuesEvent', 'IssueCommentEvent', 'PullRequestEvent', 'WatchEvent'];
    const userOf: Record<string, string> = { IssuesEvent: "'$.issue.user'", IssueCommentEvent: "'$.comment.user'", PullRequestEvent: "'$.pull_request.user'" };
    const merge = (key: string) => `{{ config(materialized='incremental', unique_key=${key}, incremental_strategy='merge', partition_by={'field': 'CREATED_AT', 'data_type': 'timestamp'}) }}`;
    const files: Record<string, string> = {
      'dbt_project.yml': "name: 'gh_events'\nversion: '1.0.0'\n",
      'models/sources.yml': `version: 2\nsources:\n  - name: landing_zone\n    tables:\n${types.map((t) => `      - name: ${t}`).join('\n')}\n`,
      'macros/fields.sql': '{% macro main_fields(final=false) %}\n    id AS ID, type AS EVENT_TYPE, created_at AS CREATED_AT,\n    repo.id AS REPO_ID, repo.name AS REPO_NAME, actor.id AS ACTOR_ID {{ "," if not final }}\n{% endmacro %}\n',
      'models/core/FCT_EVENTS.sql': [
        merge("'ID'"),
        'with unioned as (',
        types.map((t) => `    SELECT ID, EVENT_TYPE, REPO_ID, REPO_NAME, ACTOR_ID, CREATED_AT, LOAD_TIMESTAMP FROM {{ ref('ODS_${t}') }}`).join('\n    UNION ALL\n'),
        ')',
        'SELECT',
        '    *',
        'FROM unioned',
        'QUALIFY ROW_NUMBER() OVER (PARTITION BY ID ORDER BY CREATED_AT) = 1',
      ].join('\n'),
      'models/core/DIM_USER.sql': [
        merge("'USER_ID'"),
        'WITH unioned AS (',
        Object.keys(userOf).map((t) => `    SELECT LAX_INT64(USER_JSON.id) AS USER_ID, LAX_STRING(USER_JSON.login) AS USERNAME, LAX_STRING(USER_JSON.type) AS USER_TYPE, CREATED_AT AS UPDATED_AT FROM {{ ref('ODS_${t}') }}`).join('\n    UNION ALL\n'),
        ')',
        'SELECT USER_ID, USERNAME, USER_TYPE, UPDATED_AT',
        'FROM unioned',
        'WHERE USER_ID IS NOT NULL',
        'QUALIFY ROW_NUMBER() OVER (PARTITION BY USER_ID ORDER BY UPDATED_AT DESC) = 1',
      ].join('\n'),
      'models/core/DTM_GH_EVENTS.sql': [
        "{{ config(materialized='incremental') }}",
        'WITH F AS (SELECT ID, EVENT_TYPE, CREATED_AT AS EVENT_DATE, REPO_NAME, ACTOR_ID FROM {{ ref("FCT_EVENTS") }}',
        // (The seed writes >=, which re-adds the events at the boundary on every incremental run, on BigQuery too.)
        '  {% if is_incremental() %} WHERE CREATED_AT > coalesce((SELECT MAX(EVENT_DATE) FROM {{ this }}), \'1900-01-01\') {% endif %})',
        'SELECT F.*, USR.USERNAME, USR.USER_TYPE,',
        "    FORMAT_TIMESTAMP('%Y', EVENT_DATE) AS EVENT_YEAR,",
        "    FORMAT_TIMESTAMP('%a', EVENT_DATE) AS WEEKDAY_SHORT",
        'FROM F LEFT JOIN {{ ref("DIM_USER") }} AS USR ON F.ACTOR_ID = USR.USER_ID',
      ].join('\n'),
      'models/consumption/TOTAL_EVENTS_PER_TYPE.sql': "{{ config(materialized='incremental', unique_key=['EVENT_DATE', 'EVENT_TYPE']) }}\nSELECT DATE(EVENT_DATE) AS EVENT_DATE, EVENT_TYPE, count(*) AS TOTAL_EVENTS\nFROM {{ ref('DTM_GH_EVENTS') }}\nGROUP BY DATE(EVENT_DATE), EVENT_TYPE\n",
      'models/consumption/DAILY_EVENT_COUNT_PER_TYPE.sql': "{{ config(materialized='table') }}\nSELECT DATE(EVENT_DATE) AS EVENT_DATE, FORMAT_TIMESTAMP('%H', EVENT_DATE) AS EVENT_HOUR, EVENT_TYPE, COUNT(1) AS NUM_EVENTS, APPROX_COUNT_DISTINCT(ACTOR_ID) AS NUM_DISTINCT_USERS\nFROM {{ ref('DTM_GH_EVENTS') }}\nWHERE EVENT_DATE > TIMESTAMP_SUB(TIMESTAMP '2015-01-02 00:00:00', INTERVAL 7 DAY)\nGROUP BY DATE(EVENT_DATE), FORMAT_TIMESTAMP('%H', EVENT_DATE), EVENT_TYPE\n",
      'models/consumption/MOST_ACTIVE_REPOS.sql': [
        "{{ config(materialized='incremental', unique_key=['EVENT_DATE', 'REPO_NAME']) }}",
        'SELECT',
        '    DATE(EVENT_DATE) AS EVENT_DATE,',
        '    REPO_NAME AS REPO_NAME,',
        '    COUNT(*) AS TOTAL_EVENTS,',
        "FROM {{ ref('DTM_GH_EVENTS') }}",
        'GROUP BY DATE(EVENT_DATE), REPO_NAME',
        'QUALIFY ROW_NUMBER() OVER (PARTITION BY DATE(EVENT_DATE) ORDER BY COUNT(*) DESC, REPO_NAME) <= 3',
      ].join('\n'),
      'models/core/schema.yml': 'version: 2\nmodels:\n  - name: FCT_EVENTS\n    columns:\n      - name: id\n        tests: [unique, not_null]\n  - name: DIM_USER\n    columns:\n      - name: user_id\n        data_tests: [unique, not_null]\n',
    };
    for (const t of types) {
      const extra = userOf[t] ? `\n    PARSE_JSON(JSON_EXTRACT(payload, ${userOf[t]})) AS USER_JSON,` : '';
      files[`models/staging/ODS_${t}.sql`] = `{{ config(materialized='view') }}\nSELECT\n    {{ main_fields() }}\n    PARSE_JSON(payload) AS PAYLOAD_JSON,${extra}\n    LOAD_TIMESTAMP\nFROM {{ source('landing_zone', '${t}') }}\n`;
    }
    for (const [rel, text] of Object.entries(files)) {
      await mkdir(path.dirname(path.join(root, rel)), { recursive: true });
      await writeFile(path.join(root, rel), text);
    }
    const project = await loadProject(root);
    assert.deepEqual(project.diagnostics.filter((d) => d.severity === 'error'), []);
    const { store } = await MetricsStore.open(SQL, storeFile, silentLogger);
    try {
      for (const round of ['first build', 'incremental build']) {
        const run = await runProject(project, store.db, { command: 'build' });
        assert.deepEqual(run.results.filter((r) => !['success', 'pass'].includes(r.status)).map((r) => `${r.name}: ${r.message}`), [], round);
        assert.equal(run.results.filter((r) => r.status === 'pass').length, 4, `${round}: the 4 schema tests ran and passed`);
      }

      // Counts made from the file, without SQL.
      const expected = independentCount(realHourLines(), TRACKED);
      const events = realHourLines()
        .map((l) => JSON.parse(l) as { id: string; type: string; created_at: string; repo: { name: string }; actor: { id: number }; payload: Record<string, Record<string, unknown>> })
        .filter((e) => expected.ids.has(e.id) && types.includes(e.type));
      const byType: Record<string, number> = {};
      for (const e of events) byType[`2015-01-01 ${e.type}`] = (byType[`2015-01-01 ${e.type}`] ?? 0) + 1;
      const totals = store.all<{ EVENT_DATE: string; EVENT_TYPE: string; TOTAL_EVENTS: number }>('SELECT * FROM TOTAL_EVENTS_PER_TYPE');
      assert.deepEqual(Object.fromEntries(totals.map((r) => [`${r.EVENT_DATE} ${r.EVENT_TYPE}`, r.TOTAL_EVENTS])), byType);
      assert.ok(Object.keys(byType).length >= 4);

      // The fact and the dimension have exactly the columns their SELECTs name (no helper column of the QUALIFY translation).
      assert.deepEqual(store.all<{ name: string }>("SELECT name FROM pragma_table_info('FCT_EVENTS')").map((c) => c.name), ['ID', 'EVENT_TYPE', 'REPO_ID', 'REPO_NAME', 'ACTOR_ID', 'CREATED_AT', 'LOAD_TIMESTAMP']);
      assert.deepEqual(store.all<{ name: string }>("SELECT name FROM pragma_table_info('DIM_USER')").map((c) => c.name), ['USER_ID', 'USERNAME', 'USER_TYPE', 'UPDATED_AT']);
      assert.equal(store.all<{ n: number }>('SELECT COUNT(*) AS n FROM FCT_EVENTS')[0]?.n, events.length);

      // DIM_USER: one row per user named in the payloads, the latest mention.
      const users = new Map<number, { login: string; type: string; at: string }>();
      for (const e of events) {
        const p = e.type === 'IssuesEvent' ? e.payload.issue?.user : e.type === 'IssueCommentEvent' ? e.payload.comment?.user : e.type === 'PullRequestEvent' ? e.payload.pull_request?.user : undefined;
        const u = p as { id: number; login: string; type: string } | undefined;
        if (!u) continue;
        if (!users.has(u.id) || e.created_at > users.get(u.id)!.at) users.set(u.id, { login: u.login, type: u.type, at: e.created_at });
      }
      const dim = store.all<{ USER_ID: number; USERNAME: string; USER_TYPE: string }>('SELECT USER_ID, USERNAME, USER_TYPE FROM DIM_USER ORDER BY USER_ID');
      assert.deepEqual(dim.map((r) => [r.USER_ID, r.USERNAME, r.USER_TYPE]), [...users.entries()].sort((a, b) => a[0] - b[0]).map(([id, u]) => [id, u.login, u.type]));
      assert.ok(dim.length > 0);
      const weekday = store.all<{ w: string }>('SELECT DISTINCT WEEKDAY_SHORT AS w FROM DTM_GH_EVENTS').map((r) => r.w);
      assert.deepEqual(weekday, ['Thu'], '2015-01-01 was a Thursday');

      // The marts.
      const hourly = store.all<{ EVENT_HOUR: string; EVENT_TYPE: string; NUM_EVENTS: number; NUM_DISTINCT_USERS: number }>('SELECT * FROM DAILY_EVENT_COUNT_PER_TYPE');
      for (const t of types) {
        const of = events.filter((e) => e.type === t);
        const row = hourly.find((r) => r.EVENT_TYPE === t);
        assert.deepEqual(row && [row.EVENT_HOUR, row.NUM_EVENTS, row.NUM_DISTINCT_USERS], of.length ? ['12', of.length, new Set(of.map((e) => e.actor.id)).size] : undefined, t);
      }
      const perRepo = new Map<string, number>();
      for (const e of events) perRepo.set(e.repo.name, (perRepo.get(e.repo.name) ?? 0) + 1);
      const top = [...perRepo.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 3);
      assert.deepEqual(store.all<{ REPO_NAME: string; TOTAL_EVENTS: number }>('SELECT REPO_NAME, TOTAL_EVENTS FROM MOST_ACTIVE_REPOS ORDER BY TOTAL_EVENTS DESC, REPO_NAME').map((r) => [r.REPO_NAME, r.TOTAL_EVENTS]), top);
      assert.ok(perRepo.size > 3, 'the QUALIFY of the mart left some repositories out');
    } finally {
      store.close();
    }
  });
});
