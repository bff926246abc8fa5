/**
 * GH Archive import benchmark: the real hour of ../shared/fixtures/gharchive (2.6 MB gzip, 18 MB of
 * JSON lines) and a ~110 MB-uncompressed file made by repeating it (concatenated gzip members, as
 * `cat a.gz a.gz > b.gz` makes; zcat and node:zlib both read those), each served over loopback HTTP by
 * the fake server and imported into a fresh store for 10 tracked repositories (and 100 for the big
 * file, to show what more names cost the pre-filter).
 *
 * Compared in the same run, on the same file: `zcat FILE | grep -c PATTERN` (the speed floor of
 * "find the lines that mention a repository"), and node:zlib's streamed gunzip with no work at all.
 * Peak memory: each import runs in a child process under /usr/bin/time -v (maximum resident set
 * size), next to a child that loads the same modules and imports nothing (the baseline).
 *
 *   node --import tsx bench/gharchive.ts            print the results
 *   node --import tsx bench/gharchive.ts --append   also append them to bench/RESULTS.md
 */
import { execFileSync, execSync, spawn } from 'node:child_process';
import { createReadStream, existsSync } from 'node:fs';
import { appendFile, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import { createGunzip, gunzipSync } from 'node:zlib';
import { importGhArchive } from '../src/core/gharchive/importer';
import { silentLogger } from '../src/core/log';
import { loadSqlJs } from '../src/core/store/sqljs';
import { FakeServer } from '../test/support/fakeServer';
import { fixturePath, repoRoot } from '../test/support/fixtures';

const TRACKED = [
  'kaltura/mwEmbed', 'CapaCity4Dev/Capacity4More', 'thephpleague/oauth2-server', 'cakephp/cakephp', 'dockerboard/dockerboard',
  'auchenberg/chrome-devtools-app', 'rust-lang/rust', 'prakhar1989/awesome-courses', 'wasabeef/awesome-android-ui', 'nobody-here/never-seen',
];
const MANY = [...TRACKED, ...Array.from({ length: 90 }, (_, i) => `someone-${i}/project-${i}`)];
const REPEAT = 6;
const RUNS = 3;
const DATA = path.join(repoRoot, 'bench/.data');
const WASM = path.join(repoRoot, 'node_modules/sql.js/dist/sql-wasm.wasm');

interface ChildResult {
  ms: number;
  imported: number;
  added: number;
  events: number;
  peakRssSampled: number;
}

/** Child mode: import one hour from the parent's server into a fresh store and print the timing. */
async function child(argv: string[]): Promise<void> {
  const [mode, baseUrl, hour, repoCount] = argv;
  const SQL = await loadSqlJs(WASM);
  if (mode === 'baseline') {
    process.stdout.write(JSON.stringify({ ms: 0, imported: 0, added: 0, events: 0, peakRssSampled: process.memoryUsage().rss }));
    return;
  }
  const dir = await mkdtemp(path.join(tmpdir(), 'cm-bench-gha-'));
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
  const t0 = performance.now();
  const result = await importGhArchive({
    SQL,
    storeFile: path.join(dir, 'metrics.sqlite'),
    logger: silentLogger,
    repos: Number(repoCount) > TRACKED.length ? MANY : TRACKED,
    from: hour as string,
    to: hour as string,
    baseUrl: baseUrl as string,
    flushIntervalMs: 0,
  });
  const ms = performance.now() - t0;
  clearInterval(sampler);
  if (result.imported !== 1) throw new Error(`the hour was not imported: ${JSON.stringify(result.hours)}`);
  peak = Math.max(peak, process.memoryUsage().rss);
  await rm(dir, { recursive: true, force: true });
  const out: ChildResult = { ms, imported: result.imported, added: result.added, events: result.hours[0]?.events ?? 0, peakRssSampled: peak };
  process.stdout.write(JSON.stringify(out));
}

/**
 * Runs a child under /usr/bin/time -v when there is one; returns its result and max RSS in kB.
 * Asynchronous: the fake server that feeds the child lives in this process's event loop.
 */
async function runChild(args: string[]): Promise<{ result: ChildResult; maxRssKb?: number }> {
  const nodeArgs = ['--import', 'tsx', path.join(repoRoot, 'bench/gharchive.ts'), '--child', ...args];
  const useTime = existsSync('/usr/bin/time');
  const proc = useTime ? spawn('/usr/bin/time', ['-v', process.execPath, ...nodeArgs], { cwd: repoRoot }) : spawn(process.execPath, nodeArgs, { cwd: repoRoot });
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  proc.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const code = await new Promise<number | null>((resolve) => proc.on('close', resolve));
  if (code !== 0) throw new Error(`child failed: ${stderr}`);
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr)?.[1];
  return { result: JSON.parse(stdout) as ChildResult, ...(rss ? { maxRssKb: Number(rss) } : {}) };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

function timeShell(cmd: string): { ms: number; out: string } {
  const t0 = performance.now();
  const out = execSync(cmd, { encoding: 'utf8', shell: '/bin/bash' }).trim();
  return { ms: performance.now() - t0, out };
}

async function gunzipOnly(file: string): Promise<number> {
  const t0 = performance.now();
  await pipeline(createReadStream(file), createGunzip({ chunkSize: 256 * 1024 }), new Writable({ write: (_c, _e, cb) => cb() }));
  return performance.now() - t0;
}

async function main(): Promise<void> {
  const append = process.argv.includes('--append');
  const loadAtStart = loadavg().map((l) => l.toFixed(2)).join(', ');
  await mkdir(DATA, { recursive: true });
  const real = fixturePath('gharchive/2015-01-01-12.json.gz');
  const realBytes = await readFile(real);
  const big = path.join(DATA, `2015-01-01-12.x${REPEAT}.json.gz`);
  if (!existsSync(big)) await writeFile(big, Buffer.concat(Array.from({ length: REPEAT }, () => realBytes)));
  const bigBytes = await readFile(big);
  const realRaw = gunzipSync(realBytes).length;
  const files = [
    { label: 'real hour', file: real, bytes: realBytes, hour: '2015-01-01T12', name: '2015-01-01-12.json.gz', repos: TRACKED.length },
    { label: `real hour ×${REPEAT}`, file: big, bytes: bigBytes, hour: '2015-01-01T13', name: '2015-01-01-13.json.gz', repos: TRACKED.length },
    { label: `real hour ×${REPEAT}, 100 repositories`, file: big, bytes: bigBytes, hour: '2015-01-01T13', name: '2015-01-01-13.json.gz', repos: MANY.length },
  ];
  const server = await FakeServer.start();
  const served = new Set<string>();
  for (const f of files) {
    if (served.has(f.name)) continue;
    served.add(f.name);
    server.add({ request: { method: 'GET', path: `/${f.name}` }, response: { status: 200, headers: { 'content-type': 'application/json', 'content-length': String(f.bytes.length) }, raw: f.bytes } });
  }

  const baseline = await runChild(['baseline', server.url, '', '0']);
  const single = TRACKED[0] as string;
  const alternation = TRACKED.join('|');
  const rows: string[] = [];
  const details: string[] = [];
  for (const f of files) {
    const rawSize = f.file === real ? realRaw : realRaw * REPEAT;
    const imports = [];
    for (let i = 0; i < RUNS; i++) imports.push(await runChild(['import', server.url, f.hour, String(f.repos)]));
    const importMs = median(imports.map((i) => i.result.ms));
    const rssKb = Math.max(...imports.map((i) => i.maxRssKb ?? 0));
    const grep1 = Array.from({ length: RUNS }, () => timeShell(`zcat ${f.file} | grep -c '${single}'`));
    const grepN = Array.from({ length: RUNS }, () => timeShell(`zcat ${f.file} | grep -c -E '${alternation}'`));
    const gunzips = [];
    for (let i = 0; i < RUNS; i++) gunzips.push(await gunzipOnly(f.file));
    const g1 = median(grep1.map((g) => g.ms));
    const gN = median(grepN.map((g) => g.ms));
    const gz = median(gunzips);
    const mb = rawSize / 1e6;
    rows.push(
      `| ${f.label} | ${(f.bytes.length / 1e6).toFixed(1)} / ${mb.toFixed(1)} | ${f.repos} | ${importMs.toFixed(0)} ms (${(mb / (importMs / 1000)).toFixed(0)} MB/s) | ` +
        `${g1.toFixed(0)} ms | ${gN.toFixed(0)} ms | ${(importMs / gN).toFixed(2)} | ${gz.toFixed(0)} ms | ${rssKb ? `${(rssKb / 1024).toFixed(0)} MB` : 'n/a'} |`,
    );
    details.push(`${f.label}: ${imports[0]?.result.events} lines, ${imports[0]?.result.added} events stored; grep -c '${single}' = ${grep1[0]?.out}, grep -c -E (10 names) = ${grepN[0]?.out}; import runs ${imports.map((i) => i.result.ms.toFixed(0)).join(', ')} ms`);
  }
  await server.close();

  const machine = `${execFileSync('uname', ['-a'], { encoding: 'utf8' }).trim()}; nproc ${execFileSync('nproc', { encoding: 'utf8' }).trim()}; node ${process.version}`;
  // The machine is shared: say how busy it was, so that a slow run can be read for what it is.
  const load = `load average ${loadavg().map((l) => l.toFixed(2)).join(', ')} at the end (${loadAtStart} at the start)`;
  const section = [
    `## gharchive import — ${new Date().toISOString().slice(0, 10)}`,
    '',
    `Machine: ${machine}; ${load}.`,
    '',
    `\`node --import tsx bench/gharchive.ts\`: each import in a child process (fresh store, loopback HTTP from the fake server, ` +
      `tracked repositories as in test/unit/gharchive), median of ${RUNS}; zcat | grep and node:zlib gunzip on the same file in the same run, median of ${RUNS}. ` +
      `Ratio = import / (zcat | grep -c -E with the 10 names). Peak RSS = max of /usr/bin/time -v over the runs; a child that loads the same modules and imports nothing peaks at ${baseline.maxRssKb ? `${(baseline.maxRssKb / 1024).toFixed(0)} MB` : 'n/a'}.`,
    '',
    '| file | gzip / raw MB | repos | import (raw MB/s) | zcat \\| grep -c one name | zcat \\| grep -c -E 10 names | ratio | node gunzip only | peak RSS |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
    ...details.map((d) => `- ${d}`),
    '',
  ].join('\n');
  process.stdout.write(`${section}\n`);
  if (append) {
    const results = path.join(repoRoot, 'bench/RESULTS.md');
    const size = existsSync(results) ? (await stat(results)).size : 0;
    await appendFile(results, `${size > 0 ? '\n' : '# Benchmark results\n\n'}${section}`);
  }
}

if (process.argv[2] === '--child') {
  child(process.argv.slice(3)).catch((err: unknown) => {
    process.stderr.write(`${String(err)}\n`);
    process.exitCode = 1;
  });
} else {
  main().catch((err: unknown) => {
    process.stderr.write(`${String(err)}\n`);
    process.exitCode = 1;
  });
}
