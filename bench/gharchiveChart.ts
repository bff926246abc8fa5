/**
 * GH Archive chart query benchmark: the daily series of one tracked repository's archive events,
 * of every type and of one type, as the metric chart reads it (metricSeries over sql.js), on a store
 * of 180 days of imported hours for 20 tracked repositories (one busy, 19 quiet).
 *
 * Question: would an index on gharchive_events (tracked_repo, type, hour) pay for itself? Each query
 * runs on the schema as shipped and with that index added, alternating; the baseline is the same
 * query on native SQLite (better-sqlite3) over the same database, in the same run. The insert time
 * and file size with and without the index say what it costs.
 *
 *   node --import tsx bench/gharchiveChart.ts            print the results
 *   node --import tsx bench/gharchiveChart.ts --append   also append them to bench/RESULTS.md
 */
import { execSync } from 'node:child_process';
import { appendFile } from 'node:fs/promises';
import path from 'node:path';
import { GHARCHIVE_DAILY_SQL } from '../src/core/charts/gharchiveMetric';
import { metricSeries } from '../src/core/charts/metricSeries';
import type { SqlReader } from '../src/core/charts/sqlReader';
import { MetricsStore } from '../src/core/store/store';
import { loadSqlJs } from '../src/core/store/sqljs';
import { nativeReader } from './nativeReader';

const root = path.resolve(__dirname, '..');
const RUNS = 7;
const DAYS = 180;
const START = Date.UTC(2025, 0, 1);
const REPOS = ['busy/repo', ...Array.from({ length: 19 }, (_, i) => `quiet/repo-${i}`)];
/** Events per hour of the busy repository by type, roughly the mix of a popular project. */
const BUSY_MIX: [string, number][] = [['PushEvent', 24], ['IssueCommentEvent', 15], ['PullRequestEvent', 8], ['WatchEvent', 6], ['IssuesEvent', 4], ['PullRequestReviewEvent', 2], ['ReleaseEvent', 0.05]];
const INDEX = 'CREATE INDEX gharchive_events_repo_type ON gharchive_events (tracked_repo, type, hour)';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1] as number;
const now = () => Number(process.hrtime.bigint());
const ms = (t0: number) => Number(process.hrtime.bigint() - BigInt(t0)) / 1e6;

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

function fill(store: MetricsStore): number {
  const db = store.db;
  const r = rng(7);
  const repos = JSON.stringify(REPOS);
  const hour = db.prepare("INSERT INTO gharchive_hours (hour, status, events, matched, repos, imported_at) VALUES (?, 'imported', 100000, ?, ?, '2026-11-23T00:00:00Z')");
  const event = db.prepare('INSERT INTO gharchive_events (event_id, type, created_at, hour, repo_name, tracked_repo) VALUES (?, ?, ?, ?, ?, ?)');
  let id = 0;
  db.exec('BEGIN');
  for (let h = 0; h < DAYS * 24; h++) {
    const key = new Date(START + h * 3_600_000).toISOString().replace('.000Z', 'Z');
    let matched = 0;
    const add = (repo: string, type: string) => {
      event.run([String(++id), type, key, key, repo, repo]);
      matched++;
    };
    for (const [type, rate] of BUSY_MIX) for (let n = Math.floor(rate * (0.5 + r()) + r()); n > 0; n--) add('busy/repo', type);
    for (const repo of REPOS.slice(1)) for (let n = Math.floor(6 * r()); n > 0; n--) add(repo, r() < 0.3 ? 'WatchEvent' : 'PushEvent');
    hour.run([key, matched, repos]);
  }
  db.exec('COMMIT');
  hour.free();
  event.free();
  return id;
}

interface Case {
  name: string;
  repo: string;
  eventType?: string;
}

const CASES: Case[] = [
  { name: 'busy repository, every type', repo: 'busy/repo' },
  { name: 'busy repository, WatchEvent', repo: 'busy/repo', eventType: 'WatchEvent' },
  { name: 'busy repository, ReleaseEvent (rare)', repo: 'busy/repo', eventType: 'ReleaseEvent' },
  { name: 'quiet repository, WatchEvent', repo: 'quiet/repo-3', eventType: 'WatchEvent' },
];

function series(reader: SqlReader, c: Case): number {
  const s = metricSeries(reader, `github:${c.repo}`, 'gharchive_events', { grain: 'day', mode: 'total', ...(c.eventType ? { eventType: c.eventType } : {}) });
  return s.points.reduce((sum, p) => sum + (p.value ?? 0), 0);
}

async function main(): Promise<void> {
  const SQL = await loadSqlJs(path.join(root, 'node_modules/sql.js/dist/sql-wasm.wasm'));
  const plain = MetricsStore.create(SQL, ':memory:');
  let t0 = now();
  const events = fill(plain);
  const insertPlain = ms(t0);
  const plainBytes = plain.db.export();

  const indexed = MetricsStore.create(SQL, ':memory:');
  indexed.db.exec(INDEX);
  t0 = now();
  fill(indexed);
  const insertIndexed = ms(t0);
  const indexedBytes = indexed.db.export();

  const nativePlain = nativeReader(plainBytes);
  const nativeIndexed = nativeReader(indexedBytes);
  const lines: string[] = [];
  const rows: string[] = [];
  for (const c of CASES) {
    const times: Record<string, number[]> = { plain: [], indexed: [], nativePlain: [], nativeIndexed: [] };
    const readers: Record<string, SqlReader> = { plain, indexed, nativePlain: nativePlain.reader, nativeIndexed: nativeIndexed.reader };
    const totals = new Set<number>();
    for (const which of Object.keys(readers)) totals.add(series(readers[which] as SqlReader, c)); // warm-up
    for (let run = 0; run < RUNS; run++) {
      for (const which of Object.keys(readers)) {
        const t = now();
        totals.add(series(readers[which] as SqlReader, c));
        (times[which] as number[]).push(ms(t));
      }
    }
    if (totals.size !== 1) throw new Error(`${c.name}: the four readers disagree: ${[...totals].join(', ')}`);
    const m = (k: string) => median(times[k] as number[]);
    rows.push(`| ${c.name} | ${[...totals][0]} | ${m('plain').toFixed(1)} ms | ${m('indexed').toFixed(1)} ms | ${(m('plain') / m('indexed')).toFixed(2)} | ${m('nativePlain').toFixed(1)} ms | ${m('nativeIndexed').toFixed(1)} ms | ${(m('plain') / m('nativePlain')).toFixed(2)} |`);
  }
  const plan = nativeIndexed.db.prepare(`EXPLAIN QUERY PLAN ${GHARCHIVE_DAILY_SQL}`).all({ 1: 'busy/repo', 2: '["busy/repo"]', 3: 'WatchEvent' }) as { detail: string }[];
  nativePlain.close();
  nativeIndexed.close();

  const machine = `${execSync('uname -srvm').toString().trim()}; nproc ${execSync('nproc').toString().trim()}; node ${process.version}`;
  lines.push(`## GH Archive chart query — ${new Date().toISOString().slice(0, 10)}`, '');
  lines.push(`Machine: ${machine}.`, '');
  lines.push(`\`node --import tsx bench/gharchiveChart.ts\`: ${DAYS} days of imported hours, ${REPOS.length} tracked repositories, ${events.toLocaleString('en-US')} events (one busy repository, 19 quiet ones); the daily series as the metric chart reads it (metricSeries, grain day), median of ${RUNS} alternating runs after a warm-up. "indexed" adds \`${INDEX.replace('CREATE INDEX ', '')}\` to the shipped schema. Every reader returned the same total.`, '');
  lines.push('| series | events counted | sql.js shipped | sql.js + index | shipped / index | native shipped | native + index | sql.js / native (shipped) |', '|---|---|---|---|---|---|---|---|', ...rows, '');
  lines.push(`- Cost of the index (sql.js): insert of all events ${insertPlain.toFixed(0)} ms → ${insertIndexed.toFixed(0)} ms; store file ${(plainBytes.length / 1e6).toFixed(1)} MB → ${(indexedBytes.length / 1e6).toFixed(1)} MB.`);
  lines.push(`- Native plan of the daily GH Archive SQL for one type, with the index: ${plan.map((p) => p.detail).join('; ')}.`, '');
  const text = lines.join('\n');
  console.log(text);
  if (process.argv.includes('--append')) await appendFile(path.join(root, 'bench', 'RESULTS.md'), `\n${text}\n`);
  plain.close();
  indexed.close();
}

void main();
