/**
 * Store scale benchmark (issue 13): what a user's steps cost as history grows, on generated stores of
 * about 100 MB, 400 MB and 1 GB (GH Archive-heavy: 20 tracked repositories, one busy; plus a year of
 * every other table), each step against native SQLite (better-sqlite3, file-backed, same SQL) in
 * the same run.
 *
 *   node --import tsx bench/storeScale.ts                      sizes 100,400,1000 (MB)
 *   node --import tsx bench/storeScale.ts --sizes 100,400      chosen sizes
 *   node --import tsx bench/storeScale.ts --append             also append to bench/RESULTS.md
 *
 * The store is generated natively as the single-file engine wrote it (schema 3), then each engine runs
 * in its own child process (so that peak RSS is its own): sql.js through LiveStore (the first open
 * splits the file into partitions, timed as "upgrade"; then a fresh process measures), native
 * better-sqlite3 on the single file.
 */
import { execFileSync, execSync } from 'node:child_process';
import { appendFile, copyFile, mkdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import Sqlite from 'better-sqlite3';
import { metricSeries } from '../src/core/charts/metricSeries';
import type { SqlReader } from '../src/core/charts/sqlReader';
import { parseProjectConfig } from '../src/core/config/projectConfig';
import { silentLogger } from '../src/core/log';
import { artifactMetrics } from '../src/core/store/artifactMetrics';
import { archiveWriteNeeds } from '../src/core/gharchive/archiveStore';
import { dayTotalsSql, refreshDayTotals } from '../src/core/gharchive/dayTotals';
import { LiveStore } from '../src/core/store/liveStore';
import { MIGRATIONS } from '../src/core/store/migrations';
import { partsDir } from '../src/core/store/partitions';
import { loadSqlJs } from '../src/core/store/sqljs';
import type { MetricsStore } from '../src/core/store/store';

const root = path.resolve(__dirname, '..');
const WORK = '/tmp/i13p-scale';
const REPOS = ['busy/repo', ...Array.from({ length: 19 }, (_, i) => `quiet/repo-${i}`)];
const PYPI = Array.from({ length: 10 }, (_, i) => `pkg${i}`);
const NPM = Array.from({ length: 10 }, (_, i) => `npm${i}`);
const DOCKER = Array.from({ length: 10 }, (_, i) => `ns/img${i}`);
const SLACK = ['acme'];
const DAY = 86_400_000;
const END = Date.UTC(2026, 10, 1);
/** Bytes per GH Archive event in a single-file store with the shipped indexes (measured: about 213). */
const BYTES_PER_EVENT = 213;

const CONFIG = `projects:
  - name: bench
    github: [${REPOS.join(', ')}]
    pypi: [${PYPI.join(', ')}]
    npm: [${NPM.join(', ')}]
    docker: [${DOCKER.join(', ')}]
    slack: [${SLACK.join(', ')}]
`;

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

/** A single-file store of about `mb` MB, as the previous engine wrote it, generated natively. */
function generate(file: string, mb: number): { events: number; days: number } {
  const db = new Sqlite(file);
  db.pragma('journal_mode = OFF');
  db.pragma('synchronous = OFF');
  for (const m of MIGRATIONS.slice(0, 3)) db.exec(m);
  db.pragma('user_version = 3');
  const r = rng(mb);
  const targetEvents = Math.round((mb * 1e6 * 0.92) / BYTES_PER_EVENT);
  // Events per hour: about 60 for the busy repository, 3 for each quiet one.
  const perHour = 60 + 19 * 3;
  const days = Math.ceil(targetEvents / perHour / 24);
  const start = END - days * DAY;
  const ev = db.prepare('INSERT INTO gharchive_events (event_id, type, created_at, hour, repo_id, repo_name, tracked_repo, actor_id, actor_login, action, number) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
  const hr = db.prepare("INSERT INTO gharchive_hours (hour, status, events, matched, repos, imported_at, bytes) VALUES (?, 'imported', ?, ?, ?, ?, ?)");
  const types = ['PushEvent', 'IssueCommentEvent', 'PullRequestEvent', 'WatchEvent', 'IssuesEvent', 'PullRequestReviewEvent', 'ForkEvent'];
  const reposJson = JSON.stringify(REPOS);
  let id = 0;
  const tx = db.transaction((h0: number, h1: number) => {
    for (let h = h0; h < h1; h++) {
      const hour = iso(start + h * 3_600_000);
      let matched = 0;
      for (let ri = 0; ri < REPOS.length; ri++) {
        const n = ri === 0 ? Math.floor(60 * (0.5 + r())) : Math.floor(6 * r());
        for (let k = 0; k < n; k++) {
          id++;
          const repo = REPOS[ri] as string;
          ev.run(String(30_000_000_000 + id), types[Math.floor(r() * types.length)], hour, hour, ri + 1, repo, repo, Math.floor(r() * 50_000), `user${Math.floor(r() * 50_000)}`, r() < 0.5 ? 'opened' : null, Math.floor(r() * 9000));
          matched++;
        }
      }
      hr.run(hour, 150_000 + Math.floor(r() * 20_000), matched, reposJson, hour, 90_000_000);
    }
  });
  for (let h = 0; h < days * 24; h += 24 * 10) tx(h, Math.min(h + 24 * 10, days * 24));

  // Every other table, a year of a modest project each (the same at every size: it does not grow with the archive).
  const other = db.transaction(() => {
    const snapDays = 365;
    for (const repo of REPOS) {
      for (let d = 0; d < snapDays; d++) {
        const ts = iso(END - (snapDays - d) * DAY);
        const stars = 1000 + d * 3;
        db.prepare('INSERT INTO github_stars VALUES (?, ?, ?)').run(ts, repo, stars);
        db.prepare('INSERT INTO github_repo_snapshots (timestamp, repo, repo_id, stars, forks, subscribers, open_issues) VALUES (?, ?, 1, ?, ?, ?, ?)').run(ts, repo, stars, 100 + d, 50, 20);
        db.prepare("INSERT INTO github_star_history VALUES (?, ?, ?, 'history')").run(repo, ts.slice(0, 10), 3);
      }
      for (let n = 1; n <= 1500; n++) {
        const created = iso(END - Math.floor(r() * 365) * DAY);
        db.prepare("INSERT INTO github_issues (repo, number, is_pull_request, author, title, state, labels, comments, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'open', '[\"bug\"]', 2, ?, ?)").run(repo, n, n % 2, `user${n % 300}`, `Issue number ${n} of ${repo}`, created, created);
        for (let c = 0; c < 2; c++) db.prepare('INSERT INTO github_issue_comments VALUES (?, ?, ?, ?, 0, ?)').run(repo, n * 10 + c, n, `user${(n + c) % 300}`, created);
      }
      for (let n = 0; n < 2000; n++) {
        const at = iso(END - Math.floor(r() * 365) * DAY);
        db.prepare('INSERT INTO github_commits (repo, sha, author_login, author_name, author_email, author_date, committer_date) VALUES (?, ?, ?, ?, ?, ?, ?)').run(repo, `${n}-${repo}`.padEnd(40, '0'), `dev${n % 80}`, `Dev ${n % 80}`, `dev${n % 80}@example.com`, at, at);
      }
    }
    for (const pkg of PYPI) {
      for (let d = 0; d < 180; d++) {
        const date = iso(END - (180 - d) * DAY).slice(0, 10);
        for (const [type, cat] of [['overall', 'without_mirrors'], ['overall', 'with_mirrors'], ['python_minor', '3.11'], ['python_minor', '3.12'], ['system', 'Linux'], ['system', 'Darwin']]) {
          db.prepare('INSERT INTO pypi_downloads_daily VALUES (?, ?, ?, ?, ?)').run(date, pkg, type, cat, Math.floor(r() * 10_000));
        }
        db.prepare('INSERT INTO pypi_version_downloads_daily VALUES (?, ?, ?, ?)').run(date, pkg, '1.0.0', Math.floor(r() * 5000));
      }
      for (let d = 0; d < 365; d++) db.prepare('INSERT INTO pypi_recent VALUES (?, ?, 1, 2, ?)').run(iso(END - (365 - d) * DAY), pkg, 30_000 + d);
    }
    for (const pkg of NPM) for (let d = 0; d < 365; d++) db.prepare('INSERT INTO npm_downloads_daily VALUES (?, ?, ?)').run(iso(END - (365 - d) * DAY).slice(0, 10), pkg, Math.floor(r() * 20_000));
    for (const img of DOCKER) {
      for (let d = 0; d < 365; d++) {
        const ts = iso(END - (365 - d) * DAY);
        db.prepare('INSERT INTO dockerhub_pulls VALUES (?, ?, ?)').run(ts, img, 1_000_000 + d * 1000);
        db.prepare('INSERT INTO dockerhub_snapshots VALUES (?, ?, ?, 10, ?)').run(ts, img, 1_000_000 + d * 1000, ts);
      }
    }
    for (let m = 0; m < 50_000; m++) {
      const t = END - Math.floor(r() * 365 * DAY);
      db.prepare('INSERT OR IGNORE INTO slack_messages VALUES (?, ?, ?, ?, ?, ?, ?, ?)').run(`${iso(t)}.${m}`, 'acme', `u${m % 500}`, `User ${m % 500}`, `u${m % 500}@example.com`, `c${m % 12}`, `https://acme.slack.com/p${m}`, `message text number ${m} with a few words in it`);
    }
  });
  other();
  db.close();
  return { events: id, days };
}

// ---- child: one engine over one store ----

interface Timings {
  [step: string]: number;
}

const now = () => Number(process.hrtime.bigint()) / 1e6;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1] as number;

interface Engine {
  open(): Promise<void>;
  read<T>(fn: (reader: SqlReader) => T): Promise<T>;
  /** One refresh's snapshots: a row per artifact. */
  snapshot(ts: string): Promise<void>;
  /** One GH Archive hour: `events` events and the hour's record. */
  importHour(hour: string, events: number): Promise<void>;
  /** Partitions in memory / listed (sql.js only). */
  loaded?(): Promise<{ loaded: number; listed: number }>;
  close(): Promise<void>;
}

function refreshRows(ts: string): { sql: string; params: (string | number)[] }[] {
  const out: { sql: string; params: (string | number)[] }[] = [];
  for (const repo of REPOS) {
    out.push({ sql: 'INSERT OR IGNORE INTO github_stars (timestamp, project, stars) VALUES (?, ?, ?)', params: [ts, repo, 5000] });
    out.push({ sql: 'INSERT OR IGNORE INTO github_repo_snapshots (timestamp, repo, repo_id, stars, forks, subscribers, open_issues) VALUES (?, ?, 1, ?, ?, ?, ?)', params: [ts, repo, 5000, 300, 50, 20] });
  }
  for (const img of DOCKER) out.push({ sql: 'INSERT OR IGNORE INTO dockerhub_pulls VALUES (?, ?, ?)', params: [ts, img, 2_000_000] });
  for (const pkg of PYPI) out.push({ sql: 'INSERT OR IGNORE INTO pypi_recent VALUES (?, ?, 1, 2, 3)', params: [ts, pkg] });
  return out;
}

const EVENT_SQL = 'INSERT OR IGNORE INTO gharchive_events (event_id, type, created_at, hour, repo_id, repo_name, tracked_repo, actor_login) VALUES (?, ?, ?, ?, 1, ?, ?, ?)';
const HOUR_SQL = "INSERT OR REPLACE INTO gharchive_hours (hour, status, events, matched, repos, imported_at) VALUES (?, 'imported', 150000, ?, ?, ?)";

function sqljsEngine(file: string): Engine {
  let live: LiveStore;
  return {
    async open() {
      const SQL = await loadSqlJs(path.join(root, 'node_modules/sql.js/dist/sql-wasm.wasm'));
      live = await LiveStore.open(SQL, file, silentLogger);
    },
    // As the store operations declare them (api/operations.ts): reads load what their SQL names as
    // they go, a refresh of these tables needs nothing loaded, an hour needs its month.
    read: (fn) => live.read((s: MetricsStore) => fn(s), { needs: {} }),
    snapshot: (ts) => live.write((s) => {
      for (const r of refreshRows(ts)) s.db.run(r.sql, r.params);
    }, { needs: {} }),
    loaded: () => live.loadedPartitions(),
    importHour: (hour, events) => live.write((s) => {
      const st = s.db.prepare(EVENT_SQL);
      try {
        for (let i = 0; i < events; i++) st.run([`${hour}-${i}`, 'PushEvent', hour, hour, 'busy/repo', 'busy/repo', `u${i}`]);
      } finally {
        st.free();
      }
      s.db.run(HOUR_SQL, [hour, events, JSON.stringify(REPOS), hour]);
      refreshDayTotals(s, [hour]);
    }, { needs: archiveWriteNeeds([hour]) }),
    close: () => live.close(),
  };
}

/** SQLite numbers a bare `?` one past the largest number so far; better-sqlite3 wants them all numbered to mix them. */
function numbered(sql: string): string {
  let max = 0;
  return sql.replace(/\?(\d*)/g, (_m, n: string) => {
    if (n) {
      max = Math.max(max, Number(n));
      return `?${n}`;
    }
    return `?${++max}`;
  });
}

/** The day totals of [from, to) recomputed natively with the SQL the sql.js side runs (gharchive/dayTotals.ts). */
function nativeDayTotals(db: Sqlite.Database, from: string, to: string): void {
  db.prepare('DELETE FROM gharchive_day_totals WHERE day >= ? AND day < ?').run(from, to);
  db.prepare(`INSERT OR REPLACE INTO gharchive_day_totals (repo, day, hours, events, types) SELECT repo, day, hours, events, types FROM (${dayTotalsSql('main')})`).run({ 1: from, 2: to });
}

/** The native copy brought to today's schema once, before it is measured (what the sql.js side's first open does). */
function prepareNative(file: string): void {
  const db = new Sqlite(file);
  try {
    db.pragma('journal_mode = DELETE');
    const version = Number(db.pragma('user_version', { simple: true }));
    for (const m of MIGRATIONS.slice(version)) db.exec(m);
    db.pragma(`user_version = ${MIGRATIONS.length}`);
    nativeDayTotals(db, '0000', '9999');
    db.exec('DELETE FROM _cm_pending');
  } finally {
    db.close();
  }
}

function nativeEngine(file: string): Engine {
  let db: Sqlite.Database;
  const reader: SqlReader = {
    all: <T>(sql: string, params: unknown[] = []) => db.prepare(numbered(sql)).all(Object.fromEntries(params.map((v, i) => [i + 1, v]))) as T[],
  };
  return {
    async open() {
      db = new Sqlite(file);
      db.pragma('journal_mode = DELETE');
      // The same schema as the sql.js side after its upgrade: today's migrations, natively.
      const version = Number(db.pragma('user_version', { simple: true }));
      for (const m of MIGRATIONS.slice(version)) db.exec(m);
      db.pragma(`user_version = ${MIGRATIONS.length}`);
    },
    read: async (fn) => fn(reader),
    snapshot: async (ts) => {
      db.transaction(() => {
        for (const r of refreshRows(ts)) db.prepare(r.sql).run(...r.params);
      })();
    },
    importHour: async (hour, events) => {
      db.transaction(() => {
        const st = db.prepare(EVENT_SQL);
        for (let i = 0; i < events; i++) st.run(`${hour}-${i}`, 'PushEvent', hour, hour, 'busy/repo', 'busy/repo', `u${i}`);
        db.prepare(HOUR_SQL).run(hour, events, JSON.stringify(REPOS), hour);
        nativeDayTotals(db, hour.slice(0, 10), new Date(Date.parse(`${hour.slice(0, 10)}T00:00:00Z`) + DAY).toISOString().slice(0, 10));
      })();
    },
    close: async () => {
      db.close();
    },
  };
}

async function child(kind: string, file: string): Promise<void> {
  const engine = kind === 'native' ? nativeEngine(file) : sqljsEngine(file);
  const config = parseProjectConfig(CONFIG).config;
  const t: Timings = {};
  const nowDate = new Date(END);
  let t0 = now();
  await engine.open();
  t.open = now() - t0;
  const tree = await engine.read((r) => artifactMetrics(r as unknown as MetricsStore, config, nowDate));
  t.activation = now() - t0;
  const summaries: number[] = [];
  for (let i = 0; i < 3; i++) {
    t0 = now();
    await engine.read((r) => artifactMetrics(r as unknown as MetricsStore, config, nowDate));
    summaries.push(now() - t0);
  }
  t.summaries = median(summaries);
  const afterTree = await engine.loaded?.();
  if (afterTree) {
    t.partsAfterTree = afterTree.loaded;
    t.partsListed = afterTree.listed;
  }
  const charts: number[] = [];
  const ghCharts: number[] = [];
  // The first GH Archive chart: its repository's day totals (every month of them loaded), not the events.
  t0 = now();
  await engine.read((r) => metricSeries(r, 'github:quiet/repo-3', 'gharchive_events', { grain: 'day', mode: 'total', eventType: 'WatchEvent' }));
  t.ghChartFirst = now() - t0;
  for (let i = 0; i < 5; i++) {
    t0 = now();
    await engine.read((r) => metricSeries(r, 'github:busy/repo', 'stars', { grain: 'day', mode: 'total' }));
    charts.push(now() - t0);
    t0 = now();
    await engine.read((r) => metricSeries(r, 'github:quiet/repo-3', 'gharchive_events', { grain: 'day', mode: 'total', eventType: 'WatchEvent' }));
    ghCharts.push(now() - t0);
  }
  t.chart = median(charts);
  t.ghChart = median(ghCharts);
  const writes: number[] = [];
  for (let i = 0; i < 3; i++) {
    t0 = now();
    await engine.snapshot(iso(END + (i + 1) * 3_600_000));
    writes.push(now() - t0);
  }
  t.refresh = median(writes);
  const imports: number[] = [];
  for (let i = 0; i < 3; i++) {
    t0 = now();
    await engine.importHour(iso(END + (i + 1) * 3_600_000), 3000);
    imports.push(now() - t0);
  }
  t.importHour = median(imports);
  await engine.close();
  t.maxRssMb = process.resourceUsage().maxRSS / 1024;
  t.metrics = tree.reduce((n, a) => n + a.metrics.length, 0);
  process.stdout.write(`${JSON.stringify(t)}\n`);
}

async function sizeOnDisk(file: string): Promise<number> {
  let total = (await stat(file)).size;
  try {
    const { readdir } = await import('node:fs/promises');
    for (const n of await readdir(partsDir(file))) total += (await stat(path.join(partsDir(file), n))).size;
  } catch {
    // no partitions
  }
  return total;
}

function runChild(kind: string, file: string): Timings {
  const out = execFileSync(process.execPath, ['--import', 'tsx', __filename, '--child', kind, file], { cwd: root, maxBuffer: 1 << 20 }).toString().trim().split('\n');
  return JSON.parse(out.at(-1) as string) as Timings;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--child') return child(args[1] as string, args[2] as string);
  const sizesArg = args.indexOf('--sizes');
  const sizes = sizesArg >= 0 ? (args[sizesArg + 1] as string).split(',').map(Number) : [100, 400, 1000];
  const rows: string[] = [];
  const notes: string[] = [];
  for (const mb of sizes) {
    const dir = path.join(WORK, String(mb));
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    const seed = path.join(dir, 'seed.sqlite');
    let t0 = now();
    const { events, days } = generate(seed, mb);
    const genMs = now() - t0;
    const seedSize = (await stat(seed)).size;
    const nativeFile = path.join(dir, 'native.sqlite');
    const liveFile = path.join(dir, 'live', 'metrics.sqlite');
    await copyFile(seed, nativeFile);
    prepareNative(nativeFile);
    await mkdir(path.dirname(liveFile), { recursive: true });
    await copyFile(seed, liveFile);
    // First open of a single-file store: the upgrade splits it into partitions (then measured fresh).
    t0 = now();
    const up = runChild('sqljs', liveFile);
    const upgradeMs = now() - t0;
    const live = runChild('sqljs', liveFile);
    const native = runChild('native', nativeFile);
    const mainSize = (await stat(liveFile)).size;
    const total = await sizeOnDisk(liveFile);
    const cell = (k: string, unit = 'ms') => `${(live[k] as number).toFixed(0)} ${unit} / ${(native[k] as number).toFixed(0)} ${unit} (${((live[k] as number) / (native[k] as number)).toFixed(1)}×)`;
    rows.push(`| ${(seedSize / 1e6).toFixed(0)} MB (${events.toLocaleString('en-US')} events, ${days} days) | ${cell('activation')} | ${cell('summaries')} | ${cell('chart')} | ${cell('ghChartFirst')} | ${cell('ghChart')} | ${cell('refresh')} | ${cell('importHour')} | ${cell('maxRssMb', 'MB')} | ${(mainSize / 1e6).toFixed(1)} MB + ${((total - mainSize) / 1e6).toFixed(0)} MB |`);
    notes.push(`- ${mb} MB: generated natively in ${(genMs / 1000).toFixed(0)} s; first sql.js open of the single file (split into partitions, in a child process, wall time) ${(upgradeMs / 1000).toFixed(1)} s, its own open step ${(up.open as number).toFixed(0)} ms; sql.js open alone ${(live.open as number).toFixed(0)} ms, native ${(native.open as number).toFixed(0)} ms; partitions in memory after activation ${live.partsAfterTree ?? '?'} of ${live.partsListed ?? '?'}.`);
    if (!process.env.KEEP_STORES) await rm(dir, { recursive: true, force: true });
  }
  const machine = `${execSync('uname -srvm').toString().trim()}; nproc ${execSync('nproc').toString().trim()}; node ${process.version}; load average at the end ${execSync('cat /proc/loadavg').toString().split(' ').slice(0, 3).join(' ')}`;
  const lines = [
    `## Store scale (issue 13) — ${new Date().toISOString().slice(0, 10)}`,
    '',
    `Machine: ${machine}.`,
    '',
    `\`node --import tsx bench/storeScale.ts --sizes ${sizes.join(',')}\`: stores generated natively as the single-file engine wrote them (20 tracked repositories, one busy; GH Archive events grow with the size, every other table a fixed year: 7,300 star snapshots, 30,000 issues, 60,000 comments, 40,000 commits, 50,000 Slack messages, PyPI/npm/Docker Hub daily rows). Each cell: sql.js through LiveStore (partitioned store) / native better-sqlite3 on the single file (same SQL, same run), and the ratio. Each engine runs in its own process. Activation = open + the tree summaries (artifactMetrics for 51 artifacts); summaries, charts: median of 3/5 warm reads; refresh = one write of a snapshot per artifact (40 rows) including the save; import = one GH Archive hour of 3,000 events of the latest month including the save. The stall of the extension host is not measured here (the worker and its probe are issue 13's other half).`,
    '',
    '| store | activation (open + tree) | tree summaries | chart: stars | first GH Archive chart (loads the day totals) | GH Archive chart after | refresh write | GH Archive hour | peak RSS | on disk: store file + partitions |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
    ...notes,
    '',
  ];
  const text = lines.join('\n');
  console.log(text);
  if (args.includes('--append')) await appendFile(path.join(root, 'bench', 'RESULTS.md'), `\n${text}\n`);
}

void main();
