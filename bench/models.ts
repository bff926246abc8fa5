/**
 * Benchmark of the models engine: the seed article's project (test/fixtures/dbt/seed000) over
 * 1,000,000 generated raw events, built on sql.js (the product) and the same SQL on native SQLite
 * (better-sqlite3), in the same process, one after the other.
 *
 *   node --import tsx bench/models.ts [events] [--before <git-rev>] [--untuned] [--runs N] [--shapes]
 *
 * Each measured engine version runs in its own child process (`--child`), so that one version's
 * JIT-compiled WebAssembly or garbage does not help or hurt the next: the engine of this working tree
 * ("after"), the engine of <git-rev> extracted to a temporary folder with git archive ("before", optional), and
 * this engine with tuning off (`--untuned`, optional). In a child, native SQLite is filled from the
 * generated events and sql.js opens the same database from its bytes, as the store worker opens a store
 * file (so no million inserts have compiled sql.js's hot code before the build). The events are then
 * dropped and collected before anything is timed: the generator's million JavaScript arrays are bench
 * scaffolding that no store process holds, and V8 was marking them on every major GC that WebAssembly
 * memory growth triggers (sql.js only).
 * Steps: build (first in the process), build again (warm, --full-refresh, same work), a read of the
 * daily_summary view chain, an incremental run after 1% newer events. Native replays the SQL the
 * engine ran with the same materializations. Prints a Markdown section for bench/RESULTS.md.
 * Not part of `npm test`.
 */
import Sqlite from 'better-sqlite3';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import type { Database } from 'sql.js';
import { fixturesDir } from '../test/support/fixtures';
import type { NodeResult, RunResult, RunOptions } from '../src/core/project/runner';
import type { Project } from '../src/core/project/project';
import type { SqlFunction } from '../src/core/project/sqlFunctions';

const ROOT = path.resolve(__dirname, '..');
const args = process.argv.slice(2);
const flag = (name: string) => args.includes(name);
const option = (name: string) => ((i) => (i >= 0 ? args[i + 1] : undefined))(args.indexOf(name));
const EVENTS = Number(args.find((a, i) => /^\d+$/.test(a) && !['--runs'].includes(args[i - 1] ?? '')) ?? 1_000_000);
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
const START = Date.UTC(2019, 0, 1);
const SPAN = 3 * 365 * 86_400_000;
const fullEvents = () => generate(EVENTS, 42, START, SPAN);
/** The next refresh: 1% more events, all newer than the first batch. */
const deltaEvents = () => generate(Math.round(EVENTS / 100), 7, START + SPAN, 86_400_000);

/** The engine's modules, loaded from the root of the version measured (this tree, or the sources of <git-rev>). */
interface Engine {
  loadProject: (dir: string) => Promise<Project>;
  runProject: (project: Project, db: Database, options: RunOptions) => Promise<RunResult>;
  parseSeed: (file: string, text: string, types?: Record<string, string>) => { columns: string[]; types: string[]; rows: unknown[][] };
  SQL_FUNCTIONS: readonly SqlFunction[];
  loadSqlJs: (wasm: string) => Promise<{ Database: new () => Database }>;
}

async function loadEngine(root: string): Promise<Engine> {
  const from = (m: string) => import(path.join(root, 'src/core', m)) as Promise<Record<string, unknown>>;
  const [project, runner, seeds, fns, sqljs] = await Promise.all([from('project/project.ts'), from('project/runner.ts'), from('project/seedLoader.ts'), from('project/sqlFunctions.ts'), from('store/sqljs.ts')]);
  return { ...project, ...runner, ...seeds, ...fns, ...sqljs } as unknown as Engine;
}

const STEPS = ['build', 'build again (warm)', 'read daily_summary (view)', 'incremental run (+1% events)'] as const;
type Step = (typeof STEPS)[number];
interface ChildResult {
  sqljs: Record<Step, number>;
  native: Record<Step, number>;
  /** CPU time of the process (all its threads) per step: less sensitive than wall time to other load on the machine. */
  cpu: { sqljs: Record<Step, number>; native: Record<Step, number> };
  perNode: { sqljs: Record<string, number>; native: Record<string, number> };
  shapes?: ShapeResult[];
}

/**
 * Statement shapes the models are made of, each alone on the same data (after the runs above): where
 * the remaining ratio comes from. sql.js runs them with the engine's settings, then once more with
 * temp_store = MEMORY (the setting runs used before) for the shapes that use temporary storage.
 */
const rows = (share: number) => `${Math.round((EVENTS * share) / 1000)}k`;
const SHAPES: Array<{ name: string; sql: string; temp?: boolean }> = [
  { name: `scan ${rows(0.4)} rows, sum(length(text))`, sql: 'SELECT sum(length(message_time)) FROM slack_messages' },
  { name: `date() per row (${rows(0.4)})`, sql: 'SELECT count(date(message_time)) FROM slack_messages' },
  { name: `json_extract(file, '$.project') per row (${rows(0.4)})`, sql: "SELECT count(*) FROM pypi_file_downloads WHERE json_extract(file, '$.project') = 'marquez-python'" },
  { name: `GROUP BY day, domain, username (sorter, ${rows(0.4)})`, temp: true, sql: 'SELECT count(*) FROM (SELECT date(message_time) AS day, domain, username, count(*) FROM slack_messages GROUP BY 1, 2, 3)' },
  { name: `SELECT DISTINCT (temp b-tree, ${rows(0.4)})`, temp: true, sql: 'SELECT count(*) FROM (SELECT DISTINCT message_time, username FROM slack_messages)' },
  { name: `IN (subquery) (temp b-tree, ${rows(0.4)})`, temp: true, sql: 'SELECT count(*) FROM pypi_file_downloads WHERE timestamp IN (SELECT message_time FROM slack_messages)' },
  { name: `registered JS function, number (safe_divide, ${rows(0.1)})`, sql: 'SELECT count(safe_divide(stars, 7)) FROM github_stars' },
  { name: `registered JS function, text (timestamp_trunc(x, 'HOUR'), ${rows(0.4)})`, sql: "SELECT count(timestamp_trunc(message_time, 'HOUR')) FROM slack_messages" },
];
interface ShapeResult {
  name: string;
  sqljs: number;
  sqljsTempMemory?: number;
  native: number;
}

function measureShapes(db: Database, nat: Sqlite.Database): ShapeResult[] {
  // The best of 3, alternating the two temp_store settings: a shape's own cost, once its code is
  // compiled and its pages are cached. temp_store = DEFAULT is what the engine leaves (a file).
  const time = (fn: () => unknown) => ((t) => (fn(), ms(t)))(process.hrtime.bigint());
  return SHAPES.map((s) => {
    const r: ShapeResult = { name: s.name, sqljs: Infinity, native: Infinity, ...(s.temp ? { sqljsTempMemory: Infinity } : {}) };
    for (let i = 0; i < 3; i++) {
      db.exec('PRAGMA temp_store = DEFAULT');
      r.sqljs = Math.min(r.sqljs, time(() => db.exec(s.sql)));
      if (s.temp) {
        db.exec('PRAGMA temp_store = MEMORY');
        r.sqljsTempMemory = Math.min(r.sqljsTempMemory as number, time(() => db.exec(s.sql)));
      }
      r.native = Math.min(r.native, time(() => nat.prepare(s.sql).get()));
    }
    return r;
  });
}

/** Runs in a child process: one engine version, sql.js then native. */
async function child(engineRoot: string, tuned: boolean): Promise<ChildResult> {
  const engine = await loadEngine(engineRoot);
  const dir = await mkdtemp(path.join(tmpdir(), 'cm-bench-'));
  try {
    await cp(path.join(ROOT, 'test/fixtures/dbt/seed000'), dir, { recursive: true });
    for (const f of ['github_daily_summary_history.csv', 'slack_daily_summary_history.csv']) await cp(path.join(FIXTURES, 'dbt', f), path.join(dir, 'data', f));
    const nat = new Sqlite(':memory:');
    for (const f of engine.SQL_FUNCTIONS) nat.function(f.name, { deterministic: !f.name.includes('current') }, f.fn as (...a: unknown[]) => unknown);
    nat.exec(RAW_SCHEMA);
    fillNative(nat, fullEvents());
    // sql.js opens the same database from its bytes, as the store worker opens a store file: no
    // million inserts before the build that would have compiled sql.js's hot code already.
    const SQL = await engine.loadSqlJs(path.join(ROOT, 'node_modules/sql.js/dist/sql-wasm.wasm'));
    const db = new (SQL.Database as unknown as new (data?: Uint8Array) => Database)(nat.serialize());
    (globalThis as { gc?: () => void }).gc?.();

    const project = await engine.loadProject(dir);
    const sqljs = {} as Record<Step, number>;
    const native = {} as Record<Step, number>;
    const cpu = { sqljs: {} as Record<Step, number>, native: {} as Record<Step, number> };
    const timed = async <T>(step: Step, into: Record<Step, number>, fn: () => T | Promise<T>): Promise<T> => {
      const t = process.hrtime.bigint();
      const c = process.cpuUsage();
      const out = await fn();
      into[step] = ms(t);
      const used = process.cpuUsage(c);
      cpu[into === sqljs ? 'sqljs' : 'native'][step] = (used.user + used.system) / 1000;
      return out;
    };
    const ok = (r: RunResult) => {
      for (const n of r.results) if (!['success', 'pass'].includes(n.status)) throw new Error(`${n.name}: ${n.message}`);
      return r;
    };
    const build = ok(await timed('build', sqljs, () => engine.runProject(project, db, { command: 'build', tuned })));
    ok(await timed('build again (warm)', sqljs, () => engine.runProject(project, db, { command: 'build', tuned, fullRefresh: true })));
    await timed('read daily_summary (view)', sqljs, () => db.exec(READ));
    const delta = deltaEvents();
    fillSqlJs(db, delta);
    const select = ['pypi_downloads+', 'github_daily_summary+', 'slack_daily_summary_by_user'];
    const incremental = ok(await timed('incremental run (+1% events)', sqljs, () => engine.runProject(project, db, { command: 'run', select, tuned })));

    const perNodeNative: Record<string, number> = {};
    const replay = async (results: NodeResult[], isIncremental: boolean) => {
      for (const r of results) {
        const t = process.hrtime.bigint();
        await replayNode(engine, nat, dir, r, isIncremental);
        if (!isIncremental) perNodeNative[r.name] = Math.round(ms(t));
      }
    };
    await timed('build', native, () => replay(build.results, false));
    await timed('build again (warm)', native, () => replay(build.results, false));
    await timed('read daily_summary (view)', native, () => nat.prepare(READ).get());
    fillNative(nat, delta);
    await timed('incremental run (+1% events)', native, () => replay(incremental.results, true));
    const shapes = flag('--shapes') ? measureShapes(db, nat) : undefined;
    db.close();
    nat.close();
    return { sqljs, native, cpu, perNode: { sqljs: Object.fromEntries(build.results.map((r) => [r.name, r.durationMs])), native: perNodeNative }, ...(shapes ? { shapes } : {}) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const SEED_TYPES: Record<string, Record<string, string>> = {
  github_daily_summary_history: { day: 'date', project: 'string', stars: 'integer' },
  slack_daily_summary_history: { day: 'date', domain: 'string', messages: 'integer' },
};

/** One node on native SQLite: the statements the engine ran, with the same materialization. */
async function replayNode(engine: Engine, db: Sqlite.Database, dir: string, r: NodeResult, isIncremental: boolean): Promise<void> {
  const q = `"${r.name}"`;
  if (r.resourceType === 'seed') {
    const file = path.join(dir, 'data', `${r.name}.csv`);
    const data = engine.parseSeed(file, await readFile(file, 'utf8'), SEED_TYPES[r.name]);
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
}

interface Version {
  label: string;
  root: string;
  tuned: boolean;
  shapes?: boolean;
}

function runChild(v: Version): ChildResult {
  // CM_BENCH_NODE_FLAGS: extra Node/V8 flags for the children (e.g. to try a WebAssembly compiler setting).
  const flags = (process.env.CM_BENCH_NODE_FLAGS ?? '').split(/\s+/).filter(Boolean);
  const out = spawnSync(process.execPath, [...flags, '--expose-gc', '--import', 'tsx', __filename, String(EVENTS), '--child', v.root, ...(v.tuned ? [] : ['--untuned']), ...(v.shapes ? ['--shapes'] : [])], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (out.status !== 0) throw new Error(`${v.label}: child exited ${out.status}`);
  return JSON.parse(out.stdout) as ChildResult;
}

/** The engine's sources at <rev> (git archive: src/, package.json, tsconfig.json) in a temp folder, with this tree's node_modules. */
async function sourcesAt(rev: string): Promise<{ root: string; remove: () => Promise<void> }> {
  const sha = execFileSync('git', ['rev-parse', '--verify', `${rev}^{commit}`], { cwd: ROOT, encoding: 'utf8' }).trim();
  const root = await mkdtemp(path.join(tmpdir(), 'cm-bench-before-'));
  const tar = execFileSync('git', ['archive', '--format=tar', sha, 'src', 'package.json', 'tsconfig.json'], { cwd: ROOT, maxBuffer: 256 * 1024 * 1024 });
  execFileSync('tar', ['-x', '-C', root], { input: tar });
  await symlink(path.join(ROOT, 'node_modules'), path.join(root, 'node_modules'));
  return { root, remove: () => rm(root, { recursive: true, force: true }) };
}

const median = (xs: number[]) => ((s) => (s.length % 2 ? (s[(s.length - 1) / 2] as number) : ((s[s.length / 2 - 1] as number) + (s[s.length / 2] as number)) / 2))([...xs].sort((a, b) => a - b));

async function main(): Promise<void> {
  if (flag('--child')) {
    const result = await child(option('--child') as string, !flag('--untuned'));
    process.stdout.write(JSON.stringify(result));
    return;
  }
  const runs = Number(option('--runs') ?? 1);
  const shapes = flag('--shapes');
  const before = option('--before');
  const tree = before ? await sourcesAt(before) : undefined;
  const versions: Version[] = [
    ...(flag('--untuned') ? [{ label: 'this tree, untuned', root: ROOT, tuned: false }] : []),
    ...(tree && before ? [{ label: `before (${before})`, root: tree.root, tuned: true }] : []),
    { label: 'after (this tree)', root: ROOT, tuned: true, shapes },
  ];
  const load = () => os.loadavg().map((l) => l.toFixed(2)).join(', ');
  const loadAtStart = load();
  const wall = process.hrtime.bigint();
  const results = new Map<string, ChildResult[]>(versions.map((v) => [v.label, []]));
  try {
    // Versions alternate within each round, so that the machine's load falls on all of them alike.
    for (let i = 0; i < runs; i++) {
      for (const v of versions) {
        const r = runChild(v);
        results.get(v.label)?.push(r);
        process.stderr.write(`${v.label} run ${i + 1}: ${JSON.stringify({ sqljs: r.sqljs, native: r.native, cpu: r.cpu })}\n`);
      }
    }
  } finally {
    await tree?.remove();
  }
  const fmt = (n: number) => n.toFixed(0).padStart(6);
  const rows: string[] = [];
  const perNode: string[] = [];
  for (const v of versions) {
    const rs = results.get(v.label) as ChildResult[];
    for (const step of STEPS) {
      const a = median(rs.map((r) => r.sqljs[step]));
      const b = median(rs.map((r) => r.native[step]));
      const ca = median(rs.map((r) => r.cpu.sqljs[step]));
      const cb = median(rs.map((r) => r.cpu.native[step]));
      const each = (f: (r: ChildResult) => number) => (rs.length > 1 ? ` (${rs.map((r) => f(r).toFixed(2)).join(', ')})` : '');
      rows.push(
        `| ${v.label} | ${step} | ${fmt(a)} | ${fmt(b)} | ${(a / b).toFixed(2)}${each((r) => r.sqljs[step] / r.native[step])} | ${fmt(ca)} | ${fmt(cb)} | ${(ca / cb).toFixed(2)}${each((r) => r.cpu.sqljs[step] / r.cpu.native[step])} |`,
      );
    }
    const first = rs[0] as ChildResult;
    perNode.push(`- ${v.label}, build per node (ms), sql.js: ${JSON.stringify(first.perNode.sqljs)}`, `- ${v.label}, build per node (ms), native: ${JSON.stringify(first.perNode.native)}`);
  }
  process.stdout.write(
    [
      `Seed-000 project, ${EVENTS.toLocaleString('en-US')} generated raw events (40% Slack messages, 40% PyPI downloads, 10% GitHub snapshots, 10% Docker Hub snapshots) plus the article's two seed CSVs; times in ms${runs > 1 ? `, median of ${runs} runs` : ''}.`,
      `Machine: ${execFileSync('uname', ['-a'], { encoding: 'utf8' }).trim()}; nproc ${os.cpus().length}; Node ${process.version}; sql.js ${pkgVersion('sql.js')}; better-sqlite3 ${pkgVersion('better-sqlite3')}; load average ${loadAtStart} at the start, ${load()} at the end; wall ${(ms(wall) / 1000).toFixed(0)} s.`,
      '',
      '| engine | step | sql.js wall | native wall | ratio (each run) | sql.js CPU | native CPU | CPU ratio (each run) |',
      '|---|---|---:|---:|---:|---:|---:|---:|',
      ...rows,
      '',
      ...perNode,
      '',
      ...shapeTable(results.get('after (this tree)')?.[0]?.shapes),
    ].join('\n'),
  );
}

function shapeTable(shapes: ShapeResult[] | undefined): string[] {
  if (!shapes) return [];
  const f = (n: number | undefined) => (n === undefined ? '' : n.toFixed(0));
  return [
    'Statement shapes alone on the same data (after the runs above, best of 3, ms; sql.js with the engine\'s settings, and with temp_store = MEMORY where temporary storage is used):',
    '',
    '| shape | sql.js | sql.js, temp_store = MEMORY | native | ratio |',
    '|---|---:|---:|---:|---:|',
    ...shapes.map((s) => `| ${s.name} | ${f(s.sqljs)} | ${f(s.sqljsTempMemory)} | ${f(s.native)} | ${(s.sqljs / s.native).toFixed(2)} |`),
    '',
  ];
}

function pkgVersion(name: string): string {
  const file = path.join(ROOT, 'node_modules', name, 'package.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version : '?';
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exitCode = 1;
});
