/**
 * Refresh benchmark: 50 artifacts (20 GitHub repositories, 10 PyPI packages, 10 npm packages, 10 Docker
 * Hub images) against the fake server, every response delayed by 100 ms, one server (origin) per
 * service as in production. Reports the cold refresh's wall time against its lower bounds, and what a
 * second, unchanged refresh sends.
 *
 *   node --import tsx bench/refresh.ts            print the results
 *   node --import tsx bench/refresh.ts --append   also append them to bench/RESULTS.md
 *
 * Responses are built here in the shapes of DOMAIN.md (the recordings hold one repository or package
 * each); each service answers with an ETag, as GitHub does.
 */
import { execSync } from 'node:child_process';
import { appendFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseProjectConfig } from '../src/core/config/projectConfig';
import { HttpClient } from '../src/core/http/client';
import { silentLogger } from '../src/core/log';
import { refreshAll } from '../src/core/refresh';
import type { RefreshResult } from '../src/core/refresh';
import { loadSqlJs } from '../src/core/store/sqljs';
import { FakeServer } from '../test/support/fakeServer';
import type { RecordedRequest } from '../test/support/fakeServer';

const LATENCY_MS = 100;
const REPOS = 20;
const PYPI = 10;
const NPM = 10;
const DOCKER = 10;
const NOW = new Date('2026-11-23T12:00:00Z');
const root = path.resolve(__dirname, '..');

/**
 * Longest chain of requests that must follow each other in one artifact, by construction of the data
 * below: GitHub issues = page 1 → page 2 (Link) → the `since` pass that primes the next refresh's
 * validators; npm = registry document → the range queries (in parallel); pypistats and Docker Hub = 1.
 */
const CRITICAL_PATH_REQUESTS = 3;

function serveGitHub(s: FakeServer): void {
  s.respondWith(/^\/repos\/bench\/repo\d+$/, (q) => ({ status: 200, body: { id: Number(q.path.replace(/\D/g, '')), stargazers_count: 1000, forks_count: 10, subscribers_count: 5, open_issues_count: 3, size: 100 } }));
  s.respondWith(/^\/repos\/bench\/repo\d+\/stargazers\/history$/, () => ({ status: 200, body: [{ week: 1763251200, total: 3, days: [1, 0, 1, 0, 1, 0, 0] }] }));
  s.respondWith(/^\/repos\/bench\/repo\d+\/issues$/, (q) => {
    const item = (n: number) => ({ number: n, title: `#${n}`, state: 'open', user: { login: `u${n}`, type: 'User' }, labels: [{ name: 'bug' }], comments: 0, created_at: '2026-01-01T00:00:00Z', updated_at: `2026-01-0${n}T00:00:00Z` });
    if (q.query.since) return { status: 200, body: [item(4)] };
    if (q.query.page === '2') return { status: 200, body: [item(3), item(4)] };
    return { status: 200, headers: { link: `<${s.url}${q.path}?state=all&sort=updated&direction=asc&per_page=100&page=2>; rel="next"` }, body: [item(1), item(2)] };
  });
  s.respondWith(/^\/repos\/bench\/repo\d+\/issues\/comments$/, () => ({ status: 200, body: [] }));
  s.respondWith(/^\/repos\/bench\/repo\d+\/commits$/, (q) => {
    const c = (i: number) => ({ sha: `${q.path}-${i}`, author: { login: 'a' }, committer: { login: 'a' }, commit: { author: { name: 'A', email: 'a@x', date: `2026-02-0${i}T00:00:00Z` }, committer: { name: 'A', email: 'a@x', date: `2026-02-0${i}T00:00:00Z` } } });
    return { status: 200, body: q.query.since ? [c(3)] : [c(3), c(2), c(1)] };
  });
  s.respondWith(/^\/repos\/bench\/repo\d+\/releases$/, () => ({ status: 200, body: [{ id: 1, tag_name: 'v1', name: 'v1', draft: false, prerelease: false, created_at: '2026-01-01T00:00:00Z', published_at: '2026-01-01T00:00:00Z', assets: [{ id: 7, name: 'a.tgz', download_count: 42 }] }] }));
  s.respondWith(/^\/repos\/bench\/repo\d+\/stats\/contributors$/, () => ({ status: 200, body: [{ author: { login: 'a' }, total: 3, weeks: [{ w: 1763251200, a: 10, d: 2, c: 3 }] }] }));
}

function servePypi(s: FakeServer): void {
  s.respondWith(/^\/api\/packages\/pkg\d+\/recent$/, () => ({ status: 200, body: { data: { last_day: 10, last_week: 70, last_month: 300 }, type: 'recent_downloads' } }));
  s.respondWith(/^\/api\/packages\/pkg\d+\/(overall|python_major|python_minor|system)$/, () => ({
    status: 200,
    body: { data: [{ category: 'a', date: '2026-11-21', downloads: 5 }, { category: 'b', date: '2026-11-22', downloads: 6 }] },
  }));
}

function serveNpm(s: FakeServer): void {
  s.respondWith(/^\/npm\d+$/, () => ({ status: 200, body: { time: { created: '2025-06-01T00:00:00.000Z' } } }));
  s.respondWith(/^\/downloads\/range\//, (q) => {
    const [start, end] = (/range\/([\d-]+):([\d-]+)\//.exec(q.path) ?? []).slice(1) as [string, string];
    const downloads = [];
    for (let t = Date.parse(start); t <= Date.parse(end); t += 86_400_000) downloads.push({ day: new Date(t).toISOString().slice(0, 10), downloads: 1 });
    return { status: 200, body: { downloads, start, end } };
  });
}

function serveDocker(s: FakeServer): void {
  s.respondWith(/^\/v2\/repositories\/bench\/img\d+$/, () => ({ status: 200, body: { pull_count: 1234, star_count: 5, last_updated: '2026-11-01T00:00:00Z' } }));
}

function configText(): string {
  const list = (n: number, f: (i: number) => string) => `[${Array.from({ length: n }, (_, i) => f(i)).join(', ')}]`;
  return `projects:
  - name: bench
    github: ${list(REPOS, (i) => `bench/repo${i}`)}
    pypi: ${list(PYPI, (i) => `pkg${i}`)}
    npm: ${list(NPM, (i) => `npm${i}`)}
    docker: ${list(DOCKER, (i) => `bench/img${i}`)}
`;
}

interface Measured {
  label: string;
  githubLimit: number;
  otherLimit: number;
  coldMs: number;
  coldRequests: number;
  perOrigin: Record<string, number>;
  cold: RefreshResult;
  warm: RefreshResult;
  warmRequests: RecordedRequest[];
  forced: RefreshResult;
}

async function measure(label: string, githubLimit: number, otherLimit: number): Promise<Measured> {
  const names = ['github', 'pypistats', 'npm', 'dockerhub'] as const;
  const servers = await Promise.all(names.map(() => FakeServer.start()));
  const [github, pypistats, npm, dockerhub] = servers as [FakeServer, FakeServer, FakeServer, FakeServer];
  serveGitHub(github);
  servePypi(pypistats);
  serveNpm(npm);
  serveDocker(dockerhub);
  for (const s of servers) {
    s.latencyMs = LATENCY_MS;
    s.synthesizeEtags = true;
  }
  const dir = await mkdtemp(path.join(tmpdir(), 'cm-bench-'));
  const http = new HttpClient({
    githubApiUrl: github.url,
    githubToken: () => 'bench-token',
    logger: silentLogger,
    connectionsPerOrigin: otherLimit,
    originConcurrency: { [github.url]: githubLimit },
    timeoutMs: 10_000,
  });
  try {
    const SQL = await loadSqlJs(path.join(root, 'node_modules/sql.js/dist/sql-wasm.wasm'));
    const { config } = parseProjectConfig(configText());
    const run = (now: Date, force = false) =>
      refreshAll(config, {
        SQL, http, githubApiUrl: github.url, storeFile: path.join(dir, 'm.sqlite'), logger: silentLogger, now: () => now, force,
        endpoints: { pypistatsUrl: pypistats.url, npmApiUrl: npm.url, npmRegistryUrl: npm.url, dockerhubUrl: dockerhub.url },
      });
    const t0 = performance.now();
    const cold = await run(NOW);
    const coldMs = performance.now() - t0;
    const perOrigin = Object.fromEntries(names.map((n, i) => [n, (servers[i] as FakeServer).requests.length]));
    const coldRequests = Object.values(perOrigin).reduce((a, b) => a + b, 0);
    const marks = servers.map((s) => s.requests.length);
    const warm = await run(new Date(NOW.getTime() + 3600_000));
    const warmRequests = servers.flatMap((s, i) => s.requests.slice(marks[i]));
    const forced = await run(new Date(NOW.getTime() + 7200_000), true);
    return { label, githubLimit, otherLimit, coldMs, coldRequests, perOrigin, cold, warm, warmRequests, forced };
  } finally {
    await http.close();
    await Promise.all(servers.map((s) => s.close()));
    await rm(dir, { recursive: true, force: true });
  }
}

function report(m: Measured): string {
  const critical = CRITICAL_PATH_REQUESTS * LATENCY_MS;
  // With a per-origin limit, an origin's requests take at least ceil(n / limit) latency rounds.
  const throughput = Math.max(...Object.entries(m.perOrigin).map(([o, n]) => Math.ceil(n / (o === 'github' ? m.githubLimit : m.otherLimit)) * LATENCY_MS));
  const conditional = m.warmRequests.filter((r) => r.headers['if-none-match'] || r.headers['if-modified-since']).length;
  const notModified = m.warmRequests.filter((r) => r.status === 304).length;
  return [
    `**${m.label}** (GitHub origin ${m.githubLimit} in flight, other origins ${m.otherLimit}):`,
    `- cold refresh: ${m.coldMs.toFixed(0)} ms wall, ${m.coldRequests} requests (${Object.entries(m.perOrigin).map(([o, n]) => `${o} ${n}`).join(', ')}), ` +
      `${m.cold.refreshed.length} artifacts refreshed, ${m.cold.failures.length} failed`,
    `- lower bound, critical path: ${CRITICAL_PATH_REQUESTS} requests × ${LATENCY_MS} ms = ${critical} ms → ratio ${(m.coldMs / critical).toFixed(2)}`,
    `- lower bound with the per-origin limits (max over origins of ⌈requests / limit⌉ × latency): ${Math.max(critical, throughput)} ms → ratio ${(m.coldMs / Math.max(critical, throughput)).toFixed(2)}`,
    `- second refresh, nothing changed: ${m.warm.requests.requests} requests, ${conditional} conditional, ${notModified} answered 304, wrote: ${m.warm.wrote} ` +
      `(pypistats and npm not asked: fetched less than a day before)`,
    `- third refresh, nothing changed, --force: ${m.forced.requests.requests} requests, ${m.forced.requests.notModified} answered 304, wrote: ${m.forced.wrote} ` +
      `(npm re-reads its last two days, a new URL, so those ${NPM} requests are unconditional and rewrite identical rows)`,
  ].join('\n');
}

async function main(): Promise<void> {
  const results = [await measure('CLI defaults', 4, 6), await measure('relaxed limits', 64, 64)];
  const machine = ['uname -a', 'nproc', 'node -v'].map((c) => `${c}: ${execSync(c).toString().trim()}`).join('\n');
  const section = `\n## refresh — ${new Date().toISOString().slice(0, 10)}\n\n` +
    `50 artifacts (${REPOS} GitHub repositories with 7 datasets each, ${PYPI} PyPI, ${NPM} npm, ${DOCKER} Docker Hub), fake servers on loopback, ${LATENCY_MS} ms added per response. ` +
    `\`node --import tsx bench/refresh.ts\`.\n\n\`\`\`\n${machine}\n\`\`\`\n\n${results.map(report).join('\n\n')}\n`;
  process.stdout.write(section);
  if (process.argv.includes('--append')) await appendFile(path.join(root, 'bench/RESULTS.md'), section);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
