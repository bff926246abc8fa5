/**
 * Benchmark of the models engine: the seed article's project (test/fixtures/dbt/seed000) over
 * 1,000,000 generated raw events, built on sql.js (the product) and the same SQL on native SQLite
 * (better-sqlite3), untuned ("before") and tuned ("after": pragmas, native date truncation instead of
 * a JavaScript function per row, direct appends for incremental models, key indexes).
 *
 *   node --import tsx bench/models.ts [events]
 *
 * Prints a Markdown section for bench/RESULTS.md. Not part of `npm test`.
 */
import Sqlite from 'better-sqlite3';
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fixturesDir } from '../test/support/fixtures';
import type { Database } from 'sql.js';
import { loadProject } from '../src/core/project/project';
import { runProject } from '../src/core/project/runner';
import type { NodeResult, RunResult } from '../src/core/project/runner';
import { parseSeed } from '../src/core/project/seedLoader';
import { SQL_FUNCTIONS } from '../src/core/project/sqlFunctions';
import { loadSqlJs } from '../src/core/store/sqljs';

const ROOT = path.resolve(__dirname, '..');
const EVENTS = Number(process.argv[2] ?? 1_000_000);
const FIXTURES = fixturesDir();

/** A small deterministic PRNG (mulberry32), so that every run generates the same events. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const RAW_SCHEMA = `
CREATE TABLE github_stars (timestamp TEXT NOT NULL, project TEXT NOT NULL, stars INTEGER NOT NULL);
CREATE TABLE dockerhub_pulls (timestamp TEXT NOT NULL, image TEXT NOT NULL, pull_count INTEGER NOT NULL);
CREATE TABLE slack_messages (message_time TEXT NOT NULL, domain TEXT NOT NULL, username TEXT, realname TEXT, email TEXT, channel TEXT NOT NULL, permalink TEXT, text TEXT);
CREATE TABLE pypi_file_downloads (timestamp TEXT NOT NULL, country_code TEXT, url TEXT, file TEXT NOT NULL);
`;

type Row = Array<string | number | null>;
interface Events {
  github: Row[];
  docker: Row[];
  slack: Row[];
  pypi: Row[];
}

/** 1M events split like a busy community: 40% Slack, 40% PyPI downloads, 10% GitHub, 10% Docker Hub. */
function generate(total: number, seed: number, startMs: number, spanMs: number): Events {
  const r = rng(seed);
  const ts = () => new Date(startMs + Math.floor(r() * spanMs)).toISOString();
  const projects = Array.from({ length: 10 }, (_, i) => `org${i}/repo${i}`);
  const images = Array.from({ length: 10 }, (_, i) => `org${i}/image${i}`);
  const packages = ['marquez-python', 'marquez-airflow', 'openlineage-python', 'openlineage-airflow', 'openlineage-dbt', 'other-package'];
  const e: Events = { github: [], docker: [], slack: [], pypi: [] };
  for (let i = 0; i < total; i++) {
    const k = i % 10;
    if (k === 0) e.github.push([ts(), projects[Math.floor(r() * 10)] as string, Math.floor(r() * 5000)]);
    else if (k === 1) e.docker.push([ts(), images[Math.floor(r() * 10)] as string, Math.floor(r() * 1e6)]);
    else if (k < 6) {
      const user = `user${Math.floor(r() * 300)}`;
      e.slack.push([ts(), r() < 0.5 ? 'openlineage' : 'marquezproject', r() < 0.02 ? 'github' : user, user, `${user}@example.com`, `C${Math.floor(r() * 20)}`, null, 'hello']);
    } else {
      const pkg = packages[Math.floor(r() * packages.length)] as string;
      const version = `0.${Math.floor(r() * 20)}.0`;
      e.pypi.push([ts(), r() < 0.5 ? 'US' : 'DE', `/packages/${pkg}-${version}.tar.gz`, JSON.stringify({ project: pkg, version, type: r() < 0.7 ? 'bdist_wheel' : 'sdist' })]);
    }
  }
  return e;
}

const INSERTS: Array<[keyof Events, string]> = [
  ['github', 'INSERT INTO github_stars VALUES (?, ?, ?)'],
  ['docker', 'INSERT INTO dockerhub_pulls VALUES (?, ?, ?)'],
  ['slack', 'INSERT INTO slack_messages VALUES (?, ?, ?, ?, ?, ?, ?, ?)'],
  ['pypi', 'INSERT INTO pypi_file_downloads VALUES (?, ?, ?, ?)'],
];

function fillSqlJs(db: Database, e: Events): void {
  db.exec('BEGIN');
  for (const [k, sql] of INSERTS) {
    const stmt = db.prepare(sql);
    for (const row of e[k]) stmt.run(row);
    stmt.free();
  }
  db.exec('COMMIT');
}

function fillNative(db: Sqlite.Database, e: Events): void {
  db.transaction(() => {
    for (const [k, sql] of INSERTS) {
      const stmt = db.prepare(sql);
      for (const row of e[k]) stmt.run(row);
    }
  })();
}

const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;
const READ = 'SELECT count(*), sum(github_stars), sum(pypi_downloads), sum(slack_messages) FROM daily_summary';

interface Timing {
  build: number;
  read: number;
  incremental: number;
  perNode: Map<string, number>;
}

async function runSqlJs(dir: string, full: Events, delta: Events, tuned: boolean): Promise<{ timing: Timing; build: RunResult; incremental: RunResult }> {
  const SQL = await loadSqlJs(path.join(ROOT, 'node_modules/sql.js/dist/sql-wasm.wasm'));
  const db = new SQL.Database();
  db.exec(RAW_SCHEMA);
  fillSqlJs(db, full);
  const project = await loadProject(dir);
  let t = process.hrtime.bigint();
  const build = await runProject(project, db, { command: 'build', tuned });
  const buildMs = ms(t);
  t = process.hrtime.bigint();
  db.exec(READ);
  const readMs = ms(t);
  fillSqlJs(db, delta);
  t = process.hrtime.bigint();
  const incremental = await runProject(project, db, { command: 'run', select: ['pypi_downloads+', 'github_daily_summary+', 'slack_daily_summary_by_user'], tuned });
  const incMs = ms(t);
  for (const r of [...build.results, ...incremental.results]) if (!['success', 'pass'].includes(r.status)) throw new Error(`${r.name}: ${r.message}`);
  db.close();
  return { timing: { build: buildMs, read: readMs, incremental: incMs, perNode: new Map(build.results.map((r) => [r.name, r.durationMs])) }, build, incremental };
}

/** The same statements on native SQLite: the SQL the engine ran, with the same materializations. */
async function runNative(dir: string, full: Events, delta: Events, build: RunResult, incremental: RunResult): Promise<Timing> {
  const db = new Sqlite(':memory:');
  for (const f of SQL_FUNCTIONS) db.function(f.name, { deterministic: !f.name.includes('current') }, f.fn as (...a: unknown[]) => unknown);
  db.exec(RAW_SCHEMA);
  fillNative(db, full);
  const perNode = new Map<string, number>();
  const seedTypes: Record<string, Record<string, string>> = {
    github_daily_summary_history: { day: 'date', project: 'string', stars: 'integer' },
    slack_daily_summary_history: { day: 'date', domain: 'string', messages: 'integer' },
  };
  const execute = async (results: NodeResult[], isIncremental: boolean) => {
    for (const r of results) {
      const t = process.hrtime.bigint();
      const q = `"${r.name}"`;
      if (r.resourceType === 'seed') {
        const file = path.join(dir, 'data', `${r.name}.csv`);
        const data = parseSeed(file, await readFile(file, 'utf8'), seedTypes[r.name]);
        db.exec(`DROP TABLE IF EXISTS ${q}; CREATE TABLE ${q} (${data.columns.map((c, i) => `"${c}" ${data.types[i]}`).join(', ')})`);
        const stmt = db.prepare(`INSERT INTO ${q} VALUES (${data.columns.map(() => '?').join(', ')})`);
        db.transaction(() => data.rows.forEach((row) => stmt.run(row)))();
      } else if (r.resourceType === 'test') {
        db.prepare(`SELECT count(*) FROM (\n${r.compiledSql}\n)`).get();
      } else if (r.materialized === 'view') {
        db.exec(`DROP VIEW IF EXISTS ${q}; CREATE VIEW ${q} AS\n${r.compiledSql}\n`);
        db.prepare(`SELECT * FROM ${q} LIMIT 0`).all();
      } else if (r.materialized === 'incremental' && isIncremental) {
        db.transaction(() => db.exec(`INSERT INTO ${q} SELECT * FROM (\n${r.compiledSql}\n)`))();
      } else {
        db.transaction(() => db.exec(`DROP TABLE IF EXISTS ${q}; CREATE TABLE ${q} AS\n${r.compiledSql}\n`))();
      }
      perNode.set(r.name, ms(t));
    }
  };
  let t = process.hrtime.bigint();
  await execute(build.results, false);
  const buildMs = ms(t);
  t = process.hrtime.bigint();
  db.prepare(READ).get();
  const readMs = ms(t);
  fillNative(db, delta);
  t = process.hrtime.bigint();
  await execute(incremental.results, true);
  const incMs = ms(t);
  db.close();
  return { build: buildMs, read: readMs, incremental: incMs, perNode };
}

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'cm-bench-'));
  await cp(path.join(ROOT, 'test/fixtures/dbt/seed000'), dir, { recursive: true });
  for (const f of ['github_daily_summary_history.csv', 'slack_daily_summary_history.csv']) await cp(path.join(FIXTURES, 'dbt', f), path.join(dir, 'data', f));
  const start = Date.UTC(2019, 0, 1);
  const span = 3 * 365 * 86_400_000;
  const full = generate(EVENTS, 42, start, span);
  // The next refresh: 1% more events, all newer than the first batch.
  const delta = generate(Math.round(EVENTS / 100), 7, start + span, 86_400_000);
  const rows: string[] = [];
  const fmt = (n: number) => n.toFixed(0).padStart(6);
  for (const tuned of [false, true]) {
    const label = tuned ? 'after (tuned)' : 'before (untuned)';
    const js = await runSqlJs(dir, full, delta, tuned);
    const native = await runNative(dir, full, delta, js.build, js.incremental);
    rows.push(
      `| ${label} | build | ${fmt(js.timing.build)} | ${fmt(native.build)} | ${(js.timing.build / native.build).toFixed(2)} |`,
      `| ${label} | read daily_summary (view) | ${fmt(js.timing.read)} | ${fmt(native.read)} | ${(js.timing.read / native.read).toFixed(2)} |`,
      `| ${label} | incremental run (+1% events) | ${fmt(js.timing.incremental)} | ${fmt(native.incremental)} | ${(js.timing.incremental / native.incremental).toFixed(2)} |`,
    );
    process.stderr.write(`${label}: sql.js per node (ms) ${JSON.stringify(Object.fromEntries([...js.timing.perNode].map(([k, v]) => [k, Math.round(v)])))}\n`);
    process.stderr.write(`${label}: native per node (ms) ${JSON.stringify(Object.fromEntries([...native.perNode].map(([k, v]) => [k, Math.round(v)])))}\n`);
  }
  await rm(dir, { recursive: true, force: true });
  process.stdout.write(
    [
      `Seed-000 project, ${EVENTS.toLocaleString('en-US')} generated raw events (40% Slack messages, 40% PyPI downloads, 10% GitHub snapshots, 10% Docker Hub snapshots) plus the article's two seed CSVs; times in ms.`,
      '',
      '| variant | step | sql.js | native (better-sqlite3) | ratio |',
      '|---|---|---:|---:|---:|',
      ...rows,
      '',
    ].join('\n'),
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exitCode = 1;
});
