import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { repoRoot } from '../../support/fixtures';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { compileProject } from '../../../src/core/project/manifest';
import { installPackages } from '../../../src/core/project/packages';
import { loadProject } from '../../../src/core/project/project';
import { runProject } from '../../../src/core/project/runner';
import { testSqlJs } from './fixtureStore';

/**
 * `deps` on packages the test makes itself — a local folder, a local git repository with tags, and a
 * "hub" package whose index is served in-process and whose GitHub URL git maps to a local repository
 * (git's own url.<base>.insteadOf) — then package macros, tests and adapter.dispatch. No network.
 */
async function write(dir: string, files: Record<string, string>): Promise<void> {
  for (const [rel, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
    await writeFile(path.join(dir, rel), text);
  }
}

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' } }).toString().trim();
}

async function gitPackage(dir: string, name: string, versions: string[]): Promise<void> {
  await mkdir(dir, { recursive: true });
  git(dir, 'init', '-q', '-b', 'main');
  for (const v of versions) {
    await write(dir, { 'dbt_project.yml': `name: ${name}\nversion: "${v}"\n`, 'macros/greeting.sql': `{% macro greeting() %}'${name} ${v}'{% endmacro %}\n` });
    git(dir, 'add', '-A');
    git(dir, 'commit', '-q', '-m', v);
    git(dir, 'tag', v);
  }
}

describe('packages: deps, package macros and tests, adapter.dispatch', function () {
  this.timeout(60_000);
  let base: string;
  let project: string;
  const savedEnv = { ...process.env };
  const hubIndex = {
    versions: Object.fromEntries(['0.9.0', '1.0.0', '1.2.0', '2.0.0'].map((v) => [v, { downloads: { tarball: `https://codeload.github.com/acme/hubby/tar.gz/${v}` } }])),
  };
  const hubRequests: string[] = [];
  const fetchJson = async (url: string) => {
    hubRequests.push(url);
    if (url === 'http://hub.invalid/api/v1/acme/hubby.json') return hubIndex;
    throw new Error('getaddrinfo ENOTFOUND');
  };

  before(async () => {
    base = await mkdtemp(path.join(tmpdir(), 'cm-deps-test-'));
    await write(path.join(base, 'localpkg'), {
      'dbt_project.yml': 'name: local_helpers\nversion: "1.0"\n',
      'macros/double.sql': [
        "{% macro double(x) %}{{ return(adapter.dispatch('double', 'local_helpers')(x)) }}{% endmacro %}",
        '{% macro default__double(x) %}postgres_only_double({{ x }}){% endmacro %}',
        '{% macro sqlite__double(x) %}({{ x }} * 2){% endmacro %}',
        '',
      ].join('\n'),
      'macros/tests.sql': '{% test is_positive(model, column_name) %}\nselect * from {{ model }} where {{ column_name }} <= 0\n{% endtest %}\n',
    });
    await gitPackage(path.join(base, 'gitrepo'), 'git_utils', ['v1.0.0', 'v1.1.0', 'v2.0.0']);
    await gitPackage(path.join(base, 'hubrepo'), 'hubby', ['0.9.0', '1.0.0', '1.2.0', '2.0.0']);
    // git itself maps the hub package's GitHub URL to the local repository.
    Object.assign(process.env, { GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: `url.${path.join(base, 'hubrepo')}.insteadOf`, GIT_CONFIG_VALUE_0: 'https://github.com/acme/hubby.git' });
    project = path.join(base, 'project');
    await write(project, {
      'dbt_project.yml': 'name: shop\nversion: "1.0"\n',
      'packages.yml': `packages:\n  - local: ../localpkg\n  - git: "${path.join(base, 'gitrepo')}"\n    revision: v1.0.0\n  - package: acme/hubby\n    version: [">=1.0.0", "<2.0.0"]\n`,
      'models/amounts.sql': "select {{ local_helpers.double(3) }} as doubled, {{ git_utils.greeting() }} as g, {{ hubby.greeting() }} as h\n",
      'models/schema.yml': 'version: 2\nmodels:\n  - name: amounts\n    columns:\n      - name: doubled\n        tests:\n          - local_helpers.is_positive\n',
    });
  });
  after(async () => {
    for (const k of Object.keys(process.env)) if (!(k in savedEnv)) delete process.env[k];
    Object.assign(process.env, savedEnv);
    await rm(base, { recursive: true, force: true });
  });

  it('installs local, git (at a revision) and hub (newest in range) packages, with a lock file', async () => {
    const before = await loadProject(project);
    assert.ok(before.diagnostics.some((d) => d.code === 'package' && /community-metrics deps/.test(d.message)));
    const result = await installPackages(project, { hubUrl: 'http://hub.invalid', fetchJson });
    assert.deepEqual(result.problems, []);
    assert.deepEqual(result.installed.map((e) => e.name), ['local_helpers', 'git_utils', 'hubby']);
    assert.equal(result.installed[2]?.version, '1.2.0');
    for (const n of ['local_helpers', 'git_utils', 'hubby']) assert.ok(existsSync(path.join(project, 'dbt_packages', n, 'dbt_project.yml')), n);
    assert.ok(!existsSync(path.join(project, 'dbt_packages/git_utils/.git')));
    const lock = parseYaml(await readFile(path.join(project, 'package-lock.yml'), 'utf8')) as { packages: Array<{ name: string; revision?: string }> };
    assert.equal(lock.packages.find((p) => p.name === 'git_utils')?.revision, git(path.join(base, 'gitrepo'), 'rev-parse', 'v1.0.0'));
  });

  it('renders package macros, dispatches to sqlite__ before default__, and runs package tests', async () => {
    const p = await loadProject(project);
    assert.deepEqual(p.diagnostics.filter((d) => d.severity === 'error'), []);
    const out = compileProject(p);
    assert.match(out.compiled.get('model.shop.amounts') ?? '', /select \(3 \* 2\) as doubled, 'git_utils v1\.0\.0' as g, 'hubby 1\.2\.0' as h/);
    const testId = [...p.nodes.keys()].find((k) => k.startsWith('test.shop.local_helpers_is_positive_amounts_doubled.'));
    assert.ok(testId, [...p.nodes.keys()].join(' '));
    const SQL = await testSqlJs();
    const run = await runProject(p, new SQL.Database(), { command: 'build' });
    assert.deepEqual(run.results.map((r) => [r.name, r.status]), [['amounts', 'success'], ['local_helpers_is_positive_amounts_doubled', 'pass']], JSON.stringify(run.diagnostics));
  });

  it("honours the root project's override and the dispatch: search order", async () => {
    await write(project, { 'macros/double.sql': '{% macro sqlite__double(x) %}({{ x }} + {{ x }}){% endmacro %}\n' });
    assert.match(compileProject(await loadProject(project)).compiled.get('model.shop.amounts') ?? '', /select \(3 \+ 3\) as doubled/);
    await write(project, { 'dbt_project.yml': 'name: shop\nversion: "1.0"\ndispatch:\n  - macro_namespace: local_helpers\n    search_order: [local_helpers]\n' });
    assert.match(compileProject(await loadProject(project)).compiled.get('model.shop.amounts') ?? '', /select \(3 \* 2\) as doubled/);
    await rm(path.join(project, 'macros'), { recursive: true });
    await write(project, { 'dbt_project.yml': 'name: shop\nversion: "1.0"\n' });
  });

  it('a later deps installs the locked commits, even when a tag moved', async () => {
    git(path.join(base, 'gitrepo'), 'tag', '-f', 'v1.0.0', 'v2.0.0');
    const again = await installPackages(project, { hubUrl: 'http://hub.invalid', fetchJson });
    assert.deepEqual(again.problems, []);
    assert.match(await readFile(path.join(project, 'dbt_packages/git_utils/macros/greeting.sql'), 'utf8'), /git_utils v1\.0\.0/);
  });

  it('the deps command installs, and exits 1 naming each entry it could not install', async () => {
    const cliProject = path.join(base, 'cli');
    await write(cliProject, {
      'dbt_project.yml': 'name: cli_project\n',
      'packages.yml': `packages:\n  - local: ../localpkg\n`,
    });
    const cli = async (args: string[]) => {
      try {
        const { stdout, stderr } = await promisify(execFile)(process.execPath, [path.join(repoRoot, 'dist/cli.js'), ...args]);
        return { code: 0, stdout, stderr };
      } catch (err) {
        return err as { code: number; stdout: string; stderr: string };
      }
    };
    const ok = await cli(['deps', '--workspace', cliProject]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /Installed local_helpers \(local: \.\.\/localpkg\)/);
    assert.ok(existsSync(path.join(cliProject, 'dbt_packages/local_helpers/macros/double.sql')));
    await write(cliProject, { 'packages.yml': `packages:\n  - local: ../localpkg\n  - git: "${path.join(base, 'missing-repo')}"\n    revision: v1\n` });
    const bad = await cli(['deps', '--workspace', cliProject]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /Could not install 1 package; dbt_packages\/ lacks:\n {2}packages\.yml entry 2 \(git: .*missing-repo \(revision v1\)\): /);
  });

  it('offline, says exactly which entries could not be installed and why, and keeps the lock', async () => {
    const offline = path.join(base, 'offline');
    await write(offline, {
      'dbt_project.yml': 'name: off\n',
      'packages.yml': `packages:\n  - package: dbt-labs/dbt_utils\n    version: 1.1.1\n  - git: "${path.join(base, 'no-such-repo')}"\n    revision: 1.0.0\n  - local: ../localpkg\n`,
    });
    const r = await installPackages(offline, { hubUrl: 'http://hub.offline.invalid', fetchJson });
    assert.deepEqual(r.problems.map((p) => p.spec.index), [0, 1]);
    assert.match(r.problems[0]?.message ?? '', /package hub \(http:\/\/hub\.offline\.invalid\/api\/v1\/dbt-labs\/dbt_utils\.json\) could not be reached: getaddrinfo ENOTFOUND/);
    assert.match(r.problems[1]?.message ?? '', /no-such-repo/);
    assert.ok(!existsSync(path.join(offline, 'package-lock.yml')));
    const p = await loadProject(offline);
    const d = p.diagnostics.find((x) => /dbt_utils/.test(x.message));
    assert.ok(d && d.file.endsWith('packages.yml') && d.line === 2, JSON.stringify(p.diagnostics));
  });
});
