/**
 * The extension host's longest event-loop stall while the store works, measured inside a real VS Code
 * (code-server's extension host, started as the integration suite starts it), on a generated
 * GH Archive-heavy store. A small runner extension drives the steps through the extension's API and
 * reads the stall probe (the internal command communityMetrics._maxEventLoopStallMs, Node's
 * monitorEventLoopDelay histogram in the extension host) after each one; the wall time of each step is
 * what the host would have stalled had the step's SQL run on its thread, as it did before the worker.
 *
 *   node --import tsx bench/hostStall.ts [--events 450000] [--append]
 *
 * Needs `npm run build` (the extension with dist/storeWorker.js) and code-server in the cache.
 */
import { execSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { appendFile, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { rebuildDayTotals } from '../src/core/gharchive/dayTotals';
import { EVENT_COLUMNS } from '../src/core/gharchive/eventRow';
import { loadSqlJs } from '../src/core/store/sqljs';
import { MetricsStore } from '../src/core/store/store';
import { launchBrowser, openWorkbench } from '../test/harness/browser';
import { startCodeServer } from '../test/harness/codeServer';

const root = path.resolve(__dirname, '..');
const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const EVENTS = Number(arg('events') ?? 450_000);
const REPOS = ['busy/repo', ...Array.from({ length: 19 }, (_, i) => `quiet/repo-${i}`)];
const DAYS = 180;
const START = Date.UTC(2025, 0, 1);

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

/** A store of EVENTS GH Archive events over DAYS days (half the busy repository's), and a star snapshot a day per repository. */
async function makeStore(file: string): Promise<void> {
  const SQL = await loadSqlJs(path.join(root, 'node_modules/sql.js/dist/sql-wasm.wasm'));
  const store = MetricsStore.create(SQL, file);
  const db = store.db;
  const r = rng(11);
  const types = ['PushEvent', 'IssueCommentEvent', 'PullRequestEvent', 'WatchEvent', 'IssuesEvent', 'ForkEvent'];
  const event = db.prepare('INSERT INTO gharchive_events (event_id, type, created_at, hour, repo_name, tracked_repo, actor_login) VALUES (?, ?, ?, ?, ?, ?, ?)');
  const hour = db.prepare("INSERT INTO gharchive_hours (hour, status, events, matched, repos, imported_at) VALUES (?, 'imported', 100000, ?, ?, '2026-11-23T00:00:00Z')");
  const hours = DAYS * 24;
  const perHour = EVENTS / hours;
  const repos = JSON.stringify(REPOS.map((x) => x.toLowerCase()));
  let id = 0;
  db.exec('BEGIN');
  for (let h = 0; h < hours; h++) {
    const key = new Date(START + h * 3_600_000).toISOString().replace('.000Z', 'Z');
    const n = Math.round(perHour * (0.5 + r()));
    for (let i = 0; i < n; i++) {
      const repo = r() < 0.5 ? 'busy/repo' : (REPOS[1 + Math.floor(r() * 19)] as string);
      event.run([String(++id), types[Math.floor(r() * types.length)] as string, key, key, repo, repo, `user${Math.floor(r() * 5000)}`]);
    }
    hour.run([key, n, repos]);
  }
  for (let d = 0; d < DAYS; d++) {
    const ts = new Date(START + d * 86_400_000).toISOString();
    for (const [i, repo] of REPOS.entries()) store.addRepositorySnapshot({ timestamp: ts, repo, stars: 1000 * (i + 1) + d, forks: 10 + d });
  }
  // The day totals an import keeps as it writes (gharchive/dayTotals.ts), for the rows made here.
  rebuildDayTotals(store);
  db.exec('COMMIT');
  event.free();
  hour.free();
  await mkdir(path.dirname(file), { recursive: true });
  await store.save();
  store.close();
}

/** The runner extension: steps in the extension host, results to CM_BENCH_RESULTS. */
const RUNNER_JS = `const vscode = require('vscode');
const fs = require('fs');
exports.activate = function () {
  const out = process.env.CM_BENCH_RESULTS;
  if (!out) return;
  setTimeout(() => run(out).catch((err) => fs.writeFileSync(out, JSON.stringify({ error: String(err && err.stack || err) }))), 1000);
};
async function run(out) {
  const ext = vscode.extensions.getExtension('community-metrics.community-metrics');
  const api = await ext.activate();
  const client = () => api.services.store.client();
  const probe = (reset) => vscode.commands.executeCommand('communityMetrics._maxEventLoopStallMs', reset);
  const steps = [];
  const step = async (name, fn) => {
    await new Promise((r) => setTimeout(r, 300));
    await probe(true);
    const t0 = performance.now();
    try {
      await fn();
    } catch (err) {
      throw new Error(name + ': ' + (err && err.message));
    }
    const ms = performance.now() - t0;
    const stall = await probe(true);
    steps.push({ name, ms, stall });
  };
  await api.services.model.reloadStore();
  await step('idle 2 s (the probe with nothing running)', () => new Promise((r) => setTimeout(r, 2000)));
  // A cold start: the worker is stopped, then the tree's first read starts it, loads the store and reads the summaries.
  await vscode.commands.executeCommand('communityMetrics._crashStoreWorker');
  const w = api.services.store.worker();
  const restarts = w.restartCount;
  while (w.restartCount === restarts) await new Promise((r) => setTimeout(r, 20));
  await step('cold: worker start, store load, tree summaries', () => api.services.model.reloadStore());
  for (let i = 0; i < 3; i++) await step('tree summaries (warm)', () => api.services.model.reloadStore());
  for (let i = 0; i < 3; i++) await step('metric chart read (stars, busy/repo)', () => client().call('metricChart', { series: [{ artifactId: 'github:busy/repo', metricKey: 'stars' }], options: { grain: 'day', mode: 'total' } }));
  for (let i = 0; i < 3; i++) await step('GH Archive chart read (events, busy/repo)', () => client().call('metricChart', { series: [{ artifactId: 'github:busy/repo', metricKey: 'gharchive_events' }], options: { grain: 'day', mode: 'total' }, eventTypesOf: ['busy/repo'] }));
  for (let i = 0; i < 3; i++) {
    const at = new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString();
    await step('refresh write: one snapshot per repository (20), saved', () => client().call('applyRefresh', { at, artifacts: ${JSON.stringify(REPOS)}.map((repo, k) => ({ artifact: 'github:' + repo, writes: [{ op: 'addRepositorySnapshot', args: [{ timestamp: at, repo, stars: 5000 + k }] }], validators: [], states: [] })) }));
  }
  {
    const hour = '2026-01-02T00:00:00Z';
    const events = [];
    const blank = Object.fromEntries(${JSON.stringify(EVENT_COLUMNS)}.map((c) => [c, null]));
    for (let i = 0; i < 3000; i++) events.push({ ...blank, event_id: 'new' + i, type: 'PushEvent', created_at: hour, hour, repo_name: 'busy/repo', tracked_repo: 'busy/repo', actor_login: 'u' + (i % 300) });
    await step('GH Archive hour import: 3,000 events, saved', () => client().call('ghArchiveWrite', { events, hours: [{ hour, status: 'imported', events: 100000, badLines: 0, bytes: 1, repos: ['busy/repo'] }], now: new Date() }));
  }
  fs.writeFileSync(out, JSON.stringify({ steps }));
}
exports.deactivate = function () {};
`;

interface Step {
  name: string;
  ms: number;
  stall: number;
}

async function main(): Promise<void> {
  if (!existsSync(path.join(root, 'dist/storeWorker.js'))) throw new Error('Run `npm run build` first.');
  const work = await mkdtemp(path.join(tmpdir(), 'cm-stall-'));
  const workspace = path.join(work, 'ws');
  await mkdir(workspace, { recursive: true });
  await writeFile(path.join(workspace, 'community-metrics.yml'), `projects:\n  - name: bench\n    github:\n${REPOS.map((r) => `      - ${r}`).join('\n')}\n`);
  const storeFile = path.join(workspace, '.community-metrics', 'metrics.sqlite');
  console.log(`generating a store of ${EVENTS.toLocaleString('en-US')} GH Archive events…`);
  await makeStore(storeFile);
  const size = (await stat(storeFile)).size;
  console.log(`store: ${(size / 1e6).toFixed(1)} MB`);
  const runner = path.join(work, 'community-metrics-bench.stall-runner-0.0.1');
  await mkdir(runner, { recursive: true });
  await writeFile(path.join(runner, 'package.json'), JSON.stringify({ name: 'stall-runner', publisher: 'community-metrics-bench', version: '0.0.1', engines: { vscode: '^1.100.0' }, activationEvents: ['onStartupFinished'], main: './extension.js' }));
  await writeFile(path.join(runner, 'extension.js'), RUNNER_JS);
  const resultsFile = path.join(work, 'results.json');
  const server = await startCodeServer({ workspace, extraExtensions: [runner], env: { CM_BENCH_RESULTS: resultsFile }, logName: 'bench-stall-code-server' });
  const browser = await launchBrowser();
  let steps: Step[];
  try {
    await openWorkbench(browser, server.folderUrl);
    const deadline = Date.now() + 10 * 60_000;
    while (!existsSync(resultsFile)) {
      if (Date.now() > deadline) throw new Error('the runner did not report within 10 minutes');
      await new Promise((r) => setTimeout(r, 500));
    }
    await new Promise((r) => setTimeout(r, 200));
    const results = JSON.parse(await readFile(resultsFile, 'utf8')) as { steps?: Step[]; error?: string };
    if (!results.steps) throw new Error(`runner failed: ${results.error}`);
    steps = results.steps;
  } finally {
    await browser.close();
    await server.stop();
    await rm(work, { recursive: true, force: true });
  }

  const cpu = execSync("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2", { encoding: 'utf8' }).trim();
  const lines = [
    '',
    `## Extension host stall while the store works (bench/hostStall.ts, ${new Date().toISOString().slice(0, 16)}Z)`,
    '',
    `Machine: ${cpu}, ${execSync('nproc', { encoding: 'utf8' }).trim()} cores shared with other work, Node ${process.version}. Store: ${(size / 1e6).toFixed(1)} MB (${EVENTS.toLocaleString('en-US')} GH Archive events over ${DAYS} days, 20 repositories, a star snapshot a day each), written as one file and split into monthly partition files by the extension's first open, before the steps; load average at the end ${execSync('cat /proc/loadavg', { encoding: 'utf8' }).split(' ').slice(0, 3).join(' ')}. Inside code-server's extension host; every step runs in the store worker. "Step" is the wall time the caller waited (before the worker, the host's thread was blocked that long); "host stall" is the longest event-loop delay of the extension host during the step (Node's monitorEventLoopDelay, 10 ms resolution), target ≤ 50 ms.`,
    '',
    '| step | step (ms) | host stall (ms) |',
    '|---|---:|---:|',
    ...steps.map((s) => `| ${s.name} | ${s.ms.toFixed(0)} | ${s.stall.toFixed(1)} |`),
    '',
  ];
  const text = lines.join('\n');
  console.log(text);
  if (process.argv.includes('--append')) await appendFile(path.join(root, 'bench/RESULTS.md'), text);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
