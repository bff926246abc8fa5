/**
 * Runs the corpus of real public dbt projects named in bench/corpus.json (never copied into this
 * repository): each is taken from a local git snapshot at the commit named there, its packages are
 * installed with `deps` (offline: hub and git URLs are served from local snapshots of the package
 * repositories), it is compiled, and built on sql.js where the corpus entry says so. It also compares
 * the two Jinja engines considered (issue 15) on the same files: nunjucks with this code base's
 * Jinja2 fixes, and minijinja-js (bindings of MiniJinja), on syntax and on the semantics dbt needs.
 *
 *   CM_MIRRORS=/work/.mirror node --import tsx bench/corpus.ts
 *
 * CM_MIRRORS holds one bare git repository per GitHub repository, as `<owner>+<name>/repo` (what
 * `git clone --mirror` of https://github.com/<owner>/<name> gives, renamed). minijinja-js is not a
 * dependency of the product: `npm install --no-save minijinja-js` before running to include it.
 * Prints Markdown (for README / bench/RESULTS.md). Not part of `npm test`.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import nunjucks from 'nunjucks';
import type { Database } from 'sql.js';
import { JinjaRenderer, Relation } from '../src/core/project/jinjaRenderer';
import { preprocessJinja } from '../src/core/project/jinjaPreprocess';
import { compileProject } from '../src/core/project/manifest';
import { installPackages } from '../src/core/project/packages';
import { loadProject } from '../src/core/project/project';
import { listFiles } from '../src/core/project/projectLayout';
import { runProject } from '../src/core/project/runner';
import { loadSqlJs } from '../src/core/store/sqljs';
import { MetricsStore } from '../src/core/store/store';
import { importGhArchive } from '../src/core/gharchive/importer';
import { silentLogger } from '../src/core/log';
import { FakeServer } from '../test/support/fakeServer';
import { fixturePath } from '../test/support/fixtures';
import { gunzipSync } from 'node:zlib';

interface CorpusProject {
  name: string;
  repo: string;
  commit: string;
  project: string;
  build?: boolean;
  vars?: Record<string, unknown>;
  sqliteMacros?: Record<string, string>;
  generatedSeeds?: string[];
  /** Build on a store holding this recorded GH Archive hour (../shared/fixtures/gharchive), imported for `repos`. */
  gharchive?: GhArchiveCheck;
}
interface GhArchiveCheck {
  hour: string;
  repos: string[];
  /** Event types the pipeline's fact table does not read (with the reason), left out of the expected counts. */
  notInFact?: Record<string, string>;
}
interface Corpus {
  projects: CorpusProject[];
  packages: Record<string, { repo: string; commit?: string }>;
}

const ROOT = path.resolve(__dirname, '..');
const MIRRORS = process.env.CM_MIRRORS ?? '/work/.mirror';
const mirror = (repo: string) => path.join(MIRRORS, repo.replace('/', '+'), 'repo');

function git(dir: string, args: string[]): Buffer {
  return execFileSync('git', ['-C', dir, ...args], { maxBuffer: 512 * 1024 * 1024 });
}

/** Writes the tree of `commit` (blobs the snapshot lacks are listed, not fatal). */
async function extract(repo: string, commit: string, dest: string): Promise<string[]> {
  const dir = mirror(repo);
  const missing: string[] = [];
  const tree = git(dir, ['ls-tree', '-r', '-z', commit]).toString().split('\0').filter(Boolean);
  for (const entry of tree) {
    const [meta, file] = entry.split('\t') as [string, string];
    const [, type, obj] = meta.split(' ');
    if (type !== 'blob') continue;
    const out = path.join(dest, file);
    await mkdir(path.dirname(out), { recursive: true });
    try {
      await writeFile(out, git(dir, ['cat-file', 'blob', obj as string]));
    } catch {
      missing.push(file);
    }
  }
  return missing;
}

/** A deterministic stand-in for jaffle-shop's two large seeds (absent from the snapshot), consistent with its tests. */
async function jaffleSeeds(dir: string): Promise<void> {
  const seeds = path.join(dir, 'seeds/jaffle-data');
  const rows = (f: string) => readFile(path.join(seeds, f), 'utf8').then((t) => t.trim().split('\n').slice(1).map((l) => l.split(',')));
  const customers = (await rows('raw_customers.csv')).map((r) => r[0] as string);
  const stores = (await rows('raw_stores.csv')).map((r) => ({ id: r[0] as string, tax: Number(r[3]) }));
  const products = (await rows('raw_products.csv')).map((r) => ({ sku: r[0] as string, price: Number(r[3]) }));
  let seed = 42;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const orders = ['id,customer,ordered_at,store_id,subtotal,tax_paid,order_total'];
  const items = ['id,order_id,sku'];
  let itemId = 0;
  for (let i = 0; i < 3000; i++) {
    const id = `order-${i}`;
    const store = stores[Math.floor(rnd() * stores.length)] as { id: string; tax: number };
    let subtotal = 0;
    for (let k = 0, n = 1 + Math.floor(rnd() * 3); k < n; k++) {
      const p = products[Math.floor(rnd() * products.length)] as { sku: string; price: number };
      subtotal += p.price;
      items.push(`item-${itemId++},${id},${p.sku}`);
    }
    const tax = Math.round(subtotal * store.tax);
    const at = new Date(Date.UTC(2016, 8, 1) + Math.floor(rnd() * 700) * 86_400_000 + Math.floor(rnd() * 86_400) * 1000).toISOString().slice(0, 19);
    orders.push(`${id},${customers[Math.floor(rnd() * customers.length)]},${at},${store.id},${subtotal},${tax},${subtotal + tax}`);
  }
  await writeFile(path.join(seeds, 'raw_orders.csv'), `${orders.join('\n')}\n`);
  await writeFile(path.join(seeds, 'raw_items.csv'), `${items.join('\n')}\n`);
}

/** A hub index made from a package snapshot's tags, and git URL rewrites to the snapshots. */
function offlinePackages(corpus: Corpus): { fetchJson: (url: string) => Promise<unknown>; env: Record<string, string> } {
  const env: Record<string, string> = {};
  let n = 0;
  const indexes = new Map<string, unknown>();
  for (const [key, { repo }] of Object.entries(corpus.packages)) {
    if (!existsSync(mirror(repo))) continue;
    env[`GIT_CONFIG_KEY_${n}`] = `url.${mirror(repo)}.insteadOf`;
    env[`GIT_CONFIG_VALUE_${n}`] = `https://github.com/${repo}.git`;
    n++;
    if (!key.includes('://')) {
      const tags = git(mirror(repo), ['tag']).toString().split('\n').filter(Boolean);
      indexes.set(key, { versions: Object.fromEntries(tags.map((t) => [t.replace(/^v/, ''), { downloads: { tarball: `https://codeload.github.com/${repo}/tar.gz/${t}` } }])) });
    }
  }
  env.GIT_CONFIG_COUNT = String(n);
  return {
    env,
    fetchJson: async (url: string) => {
      const m = /\/api\/v1\/(.+)\.json$/.exec(url);
      const found = m ? indexes.get(m[1] as string) : undefined;
      if (!found) throw new Error(`no local snapshot for ${url}`);
      return found;
    },
  };
}

interface EngineCount {
  files: number;
  nunjucks: string[];
  minijinja: string[];
}

type MiniEnv = { addTemplate(n: string, s: string): void; renderStr(s: string, c: unknown): string; enablePyCompat(): void };
function loadMinijinja(): (new () => MiniEnv) | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require('minijinja-js') as { Environment: new () => MiniEnv }).Environment;
  } catch {
    return undefined;
  }
}

/** Syntax: does each engine parse the file? (minijinja parses on addTemplate.) */
async function compareSyntax(files: string[], Mini: (new () => MiniEnv) | undefined): Promise<EngineCount> {
  const out: EngineCount = { files: files.length, nunjucks: [], minijinja: [] };
  const env = new nunjucks.Environment(null, { autoescape: false });
  new JinjaRenderer({ projectName: 'p', vars: {}, missingPackages: [] }); // installs the fixes
  for (const f of files) {
    const text = await readFile(f, 'utf8');
    const pre = preprocessJinja(text, { fileIndex: 0, renameMacros: true, markers: false });
    try {
      new nunjucks.Template(pre.text, env, f, true);
    } catch (err) {
      out.nunjucks.push(`${f}: ${(err as Error).message.split('\n').slice(0, 2).join(' ')}`);
    }
    if (Mini) {
      try {
        const m = new Mini();
        m.addTemplate('t', text);
      } catch (err) {
        out.minijinja.push(`${f}: ${(err as Error).message.split('\n')[0]}`);
      }
    }
  }
  return out;
}

/** What dbt projects need from the engine, rendered by both; the expected output is Jinja2's. */
const PROBES: Array<{ what: string; template: string; expect: string; ctx?: 'kwargs' | 'macroArg' | 'throw' | 'relation' }> = [
  { what: '`{% if [] %}` is false', template: '{% if [] %}T{% else %}F{% endif %}', expect: 'F' },
  { what: '`{{ none }}` prints None', template: '{{ none }}', expect: 'None' },
  { what: 'trailing commas in a list and a call', template: '{{ [1, 2,] | length }}{{ range(3,) | length }}', expect: '23' },
  { what: '`f(**kwargs)` (dbt_utils passes kwargs on)', template: "{% set k = {'a': 1} %}{{ dict(**k).a }}", expect: '1' },
  { what: '`{% do list.append(x) %}`', template: '{% set l = [] %}{% do l.append(1) %}{{ l | length }}', expect: '1' },
  { what: "`reject('==', x)`", template: "{{ [1, 2, 1] | reject('==', 1) | list | length }}", expect: '1' },
  { what: 'keyword arguments reach a host function (config(materialized=...))', template: "{{ f(materialized='table') }}", expect: 'table', ctx: 'kwargs' },
  { what: 'a macro passed to a host function can be called (adapter.dispatch)', template: "{% macro m() %}called{% endmacro %}{{ call(m) }}", expect: 'called', ctx: 'macroArg' },
  { what: 'an error from a host function (unknown ref) leaves the engine usable', template: '{{ boom() }}', expect: 'error, then usable', ctx: 'throw' },
  { what: 'a relation object prints as its name', template: '{{ rel }}', expect: '"main"."orders"', ctx: 'relation' },
];

function probeContext(kind: string | undefined): Record<string, unknown> {
  switch (kind) {
    case 'kwargs':
      return { f: (...a: unknown[]) => { const last = a[a.length - 1] as Record<string, unknown> | Map<string, unknown>; return last instanceof Map ? last.get('materialized') : last?.materialized; } };
    case 'macroArg':
      return { call: (m: unknown) => (typeof m === 'function' ? (m as () => unknown)() : `not callable (${Object.prototype.toString.call(m)})`) };
    case 'throw':
      return { boom: () => { throw new Error('boom'); } };
    case 'relation':
      return { rel: new Relation('orders') };
    default:
      return {};
  }
}

function runProbes(Mini: (new () => MiniEnv) | undefined): Array<{ what: string; nunjucks: string; minijinja: string; expect: string }> {
  const renderer = new JinjaRenderer({ projectName: 'p', vars: {}, missingPackages: [] });
  renderer.installMacros();
  const hooks = { ref: (n: string) => new Relation(n), source: (_s: string, t: string) => new Relation(t), config: () => undefined, configGet: () => undefined, isIncremental: () => false, execute: true };
  return PROBES.map((p) => {
    const ctx = probeContext(p.ctx);
    let nj: string;
    try {
      const env = new nunjucks.Environment(null, { autoescape: false });
      // The product's renderer for plain probes; a bare environment with the same fixes for host functions.
      nj = p.ctx ? new nunjucks.Template(preprocessJinja(p.template, { fileIndex: 0, renameMacros: false, markers: false }).text, env).render(ctx) : renderer.render('/probe.sql', p.template, hooks).sql;
    } catch (err) {
      nj = p.ctx === 'throw' ? 'error, then usable' : `error: ${(err as Error).message.split('\n')[0]}`;
    }
    let mj = 'not installed';
    if (Mini) {
      const env = new Mini();
      env.enablePyCompat();
      try {
        mj = env.renderStr(p.template, ctx);
      } catch (err) {
        mj = `error: ${(err as Error).message.split('\n')[0]}`;
      }
      if (p.ctx === 'throw') {
        try {
          env.renderStr('{{ 1 }}', {});
          mj = mj.startsWith('error') ? 'error, then usable' : mj;
        } catch (err) {
          mj = `engine unusable afterwards: ${((err as Error).message.split('\n')[0] ?? '').slice(0, 80)}`;
        }
      }
    }
    return { what: p.what, nunjucks: nj.trim(), minijinja: mj.trim(), expect: p.expect };
  });
}

interface GhEvent {
  id: string;
  type: string;
  created_at: string;
  repo: { id: number; name: string };
  actor: { id: number; login: string };
  payload: Record<string, unknown>;
}

/**
 * The seed pipeline's marts (de-github-events-pipeline, dbt/gh_events) against counts made directly
 * from the hour's file, each computed here from the JSON lines without SQL, following what the mart
 * means: events per day and type; events per day, hour and type in the 7 days before now; pushes per
 * day and user (users as the pipeline's DIM_USER knows them: people named in comment, issue and pull
 * request payloads, the last one seen per id); per day and repository, the stargazers and other counts
 * of the repository as the latest pull request payload gives them.
 */
function compareGhEventsMarts(db: Database, text: string, check: GhArchiveCheck): string[] {
  const names = new Set(check.repos.map((r) => r.toLowerCase()));
  const all = text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as GhEvent);
  const repoIds = new Set(all.filter((e) => names.has(e.repo.name.toLowerCase())).map((e) => e.repo.id));
  const seen = new Set<string>();
  const events = all.filter((e) => (names.has(e.repo.name.toLowerCase()) || repoIds.has(e.repo.id)) && !seen.has(e.id) && seen.add(e.id));
  const excluded = check.notInFact ?? {};
  const fact = events.filter((e) => !(e.type in excluded));
  const day = (e: GhEvent) => e.created_at.slice(0, 10);
  const count = <K extends string>(xs: K[]) => xs.reduce<Record<string, number>>((m, k) => ((m[k] = (m[k] ?? 0) + 1), m), {});
  const get = (o: unknown, p: string): unknown => p.split('.').reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), o);
  const rows = (sql: string) => {
    const r = db.exec(sql)[0];
    return (r?.values ?? []).map((v) => Object.fromEntries(r!.columns.map((c, i) => [c, v[i]])) as Record<string, unknown>);
  };
  const out: string[] = [];
  const compare = (mart: string, expected: Record<string, unknown>, got: Record<string, unknown>, what: string) => {
    const keys = [...new Set([...Object.keys(expected), ...Object.keys(got)])].sort();
    const differ = keys.filter((k) => JSON.stringify(expected[k] ?? null) !== JSON.stringify(got[k] ?? null));
    out.push(`- ${mart} (${what}): ${differ.length === 0 ? `agrees with the file on all ${keys.length} rows` : `differs on ${differ.length} of ${keys.length} rows: ${differ.slice(0, 5).map((k) => `${k} mart ${JSON.stringify(got[k] ?? null)} / file ${JSON.stringify(expected[k] ?? null)}`).join('; ')}`}`);
  };
  try {
    out.push(`Marts against counts made directly from ${check.hour} (${events.length} events of the ${check.repos.length} tracked repositories${Object.keys(excluded).length ? `; not in the fact table: ${Object.entries(excluded).map(([t, why]) => `${t} (${events.filter((e) => e.type === t).length} events; ${why})`).join(', ')}` : ''}):`);
    compare('TOTAL_EVENTS_PER_TYPE', count(fact.map((e) => `${day(e)} ${e.type}`)), Object.fromEntries(rows('SELECT EVENT_DATE, EVENT_TYPE, TOTAL_EVENTS FROM TOTAL_EVENTS_PER_TYPE').map((r) => [`${r.EVENT_DATE} ${r.EVENT_TYPE}`, r.TOTAL_EVENTS])), 'events per day and type');
    const weekAgo = Date.now() - 7 * 86_400_000;
    compare('DAILY_EVENT_COUNT_PER_TYPE', count(fact.filter((e) => Date.parse(e.created_at) > weekAgo).map((e) => `${day(e)} ${e.created_at.slice(11, 13)} ${e.type}`)), Object.fromEntries(rows('SELECT EVENT_DATE, EVENT_HOUR, EVENT_TYPE, NUM_EVENTS FROM DAILY_EVENT_COUNT_PER_TYPE').map((r) => [`${r.EVENT_DATE} ${r.EVENT_HOUR} ${r.EVENT_TYPE}`, r.NUM_EVENTS])), 'events of the 7 days before now, per hour and type');
    // DIM_USER: the users named in payloads, the latest mention per id.
    const userPaths: Record<string, string[]> = {
      CommitCommentEvent: ['comment.user'],
      PullRequestReviewCommentEvent: ['comment.user', 'pull_request.base.repo', 'pull_request.head.user'],
      IssueCommentEvent: ['issue.user', 'comment.user'],
      PullRequestEvent: ['pull_request.user', 'pull_request.base.user', 'pull_request.head.user'],
      IssuesEvent: ['issue.user'],
    };
    const users = new Map<number, { login: unknown; type: unknown; at: string }>();
    for (const e of events) {
      for (const p of userPaths[e.type] ?? []) {
        const u = get(e.payload, p) as { id?: number; login?: string; type?: string } | undefined;
        if (typeof u?.id !== 'number') continue;
        const was = users.get(u.id);
        if (!was || e.created_at > was.at) users.set(u.id, { login: u.login ?? null, type: u.type ?? null, at: e.created_at });
      }
    }
    const pushers = fact
      .filter((e) => e.type === 'PushEvent')
      .map((e) => ({ e, u: users.get(e.actor.id) }))
      .filter(({ u }) => u && u.type === 'User' && typeof u.login === 'string' && !u.login.toLowerCase().includes('bot'));
    compare('MOST_ACTIVE_USERS_PER_PUSH', count(pushers.map(({ e, u }) => `${day(e)} ${u!.login as string}`)), Object.fromEntries(rows('SELECT EVENT_DATE, USERNAME, TOTAL_PUSHES FROM MOST_ACTIVE_USERS_PER_PUSH').map((r) => [`${r.EVENT_DATE} ${r.USERNAME}`, r.TOTAL_PUSHES])), 'pushes per day and user');
    // DIM_REPO: repositories as pull request payloads describe them, the latest per id.
    const repos = new Map<number, { r: Record<string, unknown>; at: string }>();
    for (const e of events) {
      if (e.type !== 'PullRequestEvent' && e.type !== 'PullRequestReviewCommentEvent') continue;
      for (const p of ['pull_request.base.repo', 'pull_request.head.repo']) {
        const r = get(e.payload, p) as Record<string, unknown> | undefined;
        if (typeof r?.id !== 'number') continue;
        const was = repos.get(r.id);
        if (!was || e.created_at > was.at) repos.set(r.id, { r, at: e.created_at });
      }
    }
    const popular: Record<string, unknown> = {};
    for (const e of fact) {
      const r = repos.get(e.repo.id)?.r;
      if (r?.name === undefined || r.name === null) continue;
      popular[`${day(e)} ${r.name as string}`] = [r.stargazers_count, r.watchers_count, r.forks_count, r.open_issues_count];
    }
    compare('MOST_POPULAR_REPOS_PER_DATE', popular, Object.fromEntries(rows('SELECT EVENT_DATE, REPO_NAME, TOTAL_STARGAZERS, TOTAL_WATCHERS, TOTAL_FORKS, TOTAL_OPEN_ISSUES FROM MOST_POPULAR_REPOS_PER_DATE').map((r) => [`${r.EVENT_DATE} ${r.REPO_NAME}`, [r.TOTAL_STARGAZERS, r.TOTAL_WATCHERS, r.TOTAL_FORKS, r.TOTAL_OPEN_ISSUES]])), 'repository counts per day');
  } catch (err) {
    out.push(`a mart was not built (${(err as Error).message}); no comparison with the file.`);
  }
  return out;
}

async function main(): Promise<void> {
  const corpus = JSON.parse(await readFile(path.join(ROOT, 'bench/corpus.json'), 'utf8')) as Corpus;
  const Mini = loadMinijinja();
  const work = await mkdtemp(path.join(tmpdir(), 'cm-corpus-'));
  const offline = offlinePackages(corpus);
  Object.assign(process.env, offline.env);
  const SQL = await loadSqlJs(path.join(ROOT, 'node_modules/sql.js/dist/sql-wasm.wasm'));
  const lines: string[] = [];
  const say = (s = '') => {
    lines.push(s);
    process.stdout.write(`${s}\n`);
  };
  say(`## ${new Date().toISOString().slice(0, 10)} — dbt corpus: real public projects compiled and built`);
  say();
  say(`Command: \`CM_MIRRORS=... node --import tsx bench/corpus.ts\`; minijinja-js ${Mini ? 'installed (--no-save)' : 'not installed'}.`);
  say();
  const syntaxRows: string[] = [];
  const only = process.env.CM_CORPUS_ONLY;
  for (const p of corpus.projects) {
    if (only && !p.name.includes(only)) continue;
    if (!p.repo || !existsSync(mirror(p.repo))) {
      say(`- ${p.name}: no snapshot of ${p.repo || '(repository not named)'} under ${MIRRORS}; skipped`);
      continue;
    }
    const dir = path.join(work, p.repo.replace('/', '+'));
    const missing = await extract(p.repo, p.commit, dir);
    const root = path.join(dir, p.project);
    for (const [rel, text] of Object.entries(p.sqliteMacros ?? {})) await writeFile(path.join(root, rel), text);
    if (p.generatedSeeds?.length) await jaffleSeeds(root);
    const deps = existsSync(path.join(root, 'packages.yml')) ? await installPackages(root, { fetchJson: offline.fetchJson }) : undefined;
    const t0 = Date.now();
    const project = await loadProject(root, { vars: p.vars ?? {} });
    const out = compileProject(project);
    const compileMs = Date.now() - t0;
    const errors = out.diagnostics.filter((d) => d.severity === 'error');
    say(`### ${p.name} — ${p.repo}@${p.commit.slice(0, 12)}${p.project !== '.' ? ` (${p.project})` : ''}`);
    say();
    if (missing.length) say(`Snapshot lacks ${missing.length} large file(s): ${missing.join(', ')}${p.generatedSeeds?.length ? ' (generated stand-ins, consistent with the project\'s tests)' : ''}.`);
    if (deps) say(`deps: ${deps.installed.map((e) => `${e.name}${e.version ? ` ${e.version}` : ''}`).join(', ') || 'none'}${deps.problems.length ? `; not installed: ${deps.problems.map((x) => `${x.spec.package ?? x.spec.git} (${x.message})`).join('; ')}` : ''}.`);
    say(`compile: ${project.nodes.size} nodes, ${project.sources.size} sources in ${compileMs} ms; ${errors.length} errors.`);
    const byCode = new Map<string, string[]>();
    for (const d of errors) byCode.set(d.code, [...(byCode.get(d.code) ?? []), `${path.relative(root, d.file)}:${d.line}: ${d.message.slice(0, 160)}`]);
    for (const [code, list] of byCode) {
      say(`- ${code} (${list.length}):`);
      for (const l of list.slice(0, 8)) say(`  - ${l}`);
    }
    if (p.build) {
      let db = new SQL.Database();
      let close = () => db.close();
      if (p.gharchive) {
        // The recorded hour, served on loopback and imported as the product imports it.
        const server = await FakeServer.start();
        const bytes = await readFile(fixturePath(`gharchive/${p.gharchive.hour}`));
        server.add({ request: { method: 'GET', path: `/${p.gharchive.hour}` }, response: { status: 200, headers: { 'content-type': 'application/json' }, raw: bytes } });
        const storeFile = path.join(dir, 'store/metrics.sqlite');
        const hour = p.gharchive.hour.replace(/^(\d{4}-\d{2}-\d{2})-(\d{2}).*$/, '$1T$2');
        await importGhArchive({ SQL, storeFile, logger: silentLogger, repos: p.gharchive.repos, from: hour, to: hour, baseUrl: server.url, flushIntervalMs: 0 });
        await server.close();
        const { store } = await MetricsStore.open(SQL, storeFile, silentLogger);
        db = store.db;
        close = () => store.close();
      }
      const run = await runProject(project, db, { command: 'build' });
      const count = (s: string[]) => run.results.filter((r) => s.includes(r.status)).length;
      say(`build on sql.js: PASS=${count(['success', 'pass'])} WARN=${count(['warn'])} ERROR=${count(['error', 'fail'])} SKIP=${count(['skipped'])} TOTAL=${run.results.length}`);
      for (const r of run.results.filter((x) => x.status === 'error' || x.status === 'fail')) say(`  - ${r.status} ${r.name}: ${r.message.slice(0, 200)}`);
      if (p.gharchive) {
        const text = gunzipSync(await readFile(fixturePath(`gharchive/${p.gharchive.hour}`))).toString('utf8');
        for (const line of compareGhEventsMarts(db, text, p.gharchive)) say(line);
      }
      close();
    }
    say();
    const files = await listFiles([...project.layout.modelPaths, ...project.layout.macroPaths, ...project.layout.testPaths, ...project.layout.installedPackages.flatMap((x) => x.macroPaths)], ['.sql']);
    const syn = await compareSyntax(files, Mini);
    syntaxRows.push(`| ${p.name} | ${syn.files} | ${syn.nunjucks.length} | ${Mini ? syn.minijinja.length : 'n/a'} |`);
    for (const s of syn.nunjucks.slice(0, 5)) process.stderr.write(`nunjucks: ${s}\n`);
    for (const s of syn.minijinja.slice(0, 5)) process.stderr.write(`minijinja: ${s}\n`);
  }
  say('### Jinja engines on the same files (templates that fail to parse)');
  say();
  say('| project | .sql files (models, macros, tests, packages) | nunjucks + fixes | minijinja-js |');
  say('|---|---:|---:|---:|');
  for (const r of syntaxRows) say(r);
  say();
  say('### What dbt needs from the engine');
  say();
  say('| probe | Jinja2 (dbt) | nunjucks + fixes | minijinja-js |');
  say('|---|---|---|---|');
  for (const r of runProbes(Mini)) say(`| ${r.what} | ${r.expect} | ${r.nunjucks.replace(/\|/g, '\\|')} | ${r.minijinja.replace(/\|/g, '\\|')} |`);
  if (process.env.CM_CORPUS_KEEP) process.stderr.write(`kept ${work}\n`);
  else await rm(work, { recursive: true, force: true });
  if (process.env.CM_CORPUS_OUT) await writeFile(process.env.CM_CORPUS_OUT, `${lines.join('\n')}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exitCode = 1;
});
