import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { upsertPypiVersionDaily } from '../../src/core/store/packageRows';
import { upsertSlackMessages } from '../../src/core/store/slackRows';
import { MetricsStore } from '../../src/core/store/store';
import { repoRoot } from '../support/fixtures';
import { testSql } from './store.test';

const CLI = path.join(repoRoot, 'dist/cli.js');
const addDays = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

const config = (marked: string) => `projects:
  - name: marquez
    pypi:
      - name: marquez-airflow
${marked}    slack: [acme]
`;

describe('community-metrics insights (built CLI)', function () {
  this.timeout(30_000);
  let dir: string;
  let storeFile: string;

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'cm-cli-insights-'));
    storeFile = path.join(dir, '.community-metrics', 'metrics.sqlite');
    await mkdir(path.dirname(storeFile), { recursive: true });
    const store = MetricsStore.create(await testSql(), storeFile);
    // One person writes 60% of a Slack workspace's messages; 70% of downloads are of a version before 0.4.0.
    const people = ['ann', 'ann', 'ann', 'ann', 'ann', 'ann', 'bob', 'cat', 'dan', 'eve'];
    upsertSlackMessages(store, Array.from({ length: 60 }, (_, i) => ({
      messageTime: `${addDays('2026-09-01', i)}T10:00:00.000000Z`, domain: 'acme', username: people[i % people.length] as string,
      realname: null, email: null, channel: 'general', permalink: null, text: `m${i}`,
    })));
    upsertPypiVersionDaily(store, [
      { date: '2026-10-01', package: 'marquez-airflow', version: '0.3.9', downloads: 700 },
      { date: '2026-10-01', package: 'marquez-airflow', version: '0.4.0', downloads: 300 },
    ]);
    await store.save();
    store.close();
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  it('prints each flag with its explanation and chart, marking the version from community-metrics.yml', async () => {
    await writeFile(path.join(dir, 'community-metrics.yml'), config("        marked_version: '0.4.0'\n"));
    const before = await readFile(storeFile);
    const r = await cli(['insights', '--workspace', dir]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^marquez \/ acme: ann accounts for 60% of recent messages$/m);
    assert.match(r.stdout, /Contributor absence factor 1/);
    assert.match(r.stdout, /^marquez \/ marquez-airflow: 70% of downloads are of versions older than 0\.4\.0$/m);
    assert.match(r.stdout, /chart: pypi:marquez-airflow/);
    assert.deepEqual(await readFile(storeFile), before, 'a read never writes the store');
  });

  it('says nothing of old versions when none is marked, and --mark marks one', async () => {
    await writeFile(path.join(dir, 'community-metrics.yml'), config(''));
    const plain = JSON.parse((await cli(['insights', '--workspace', dir, '--json'])).stdout) as { kind: string; subject: string }[];
    assert.deepEqual(plain.map((i) => [i.kind, i.subject]), [['concentration', 'marquez / acme']]);
    const marked = JSON.parse((await cli(['insights', '--workspace', dir, '--json', '--mark', 'Marquez_Airflow=0.3.9'])).stdout) as { kind: string; title: string }[];
    // 0.3.9 marked: nothing older was downloaded, so still no old-version flag; 0.4.1 marks everything old.
    assert.deepEqual(marked.map((i) => i.kind), ['concentration']);
    const all = JSON.parse((await cli(['insights', '--workspace', dir, '--json', '--mark', 'marquez-airflow=0.4.1'])).stdout) as { kind: string; title: string }[];
    assert.equal(all.find((i) => i.kind === 'old-versions')?.title, '100% of downloads are of versions older than 0.4.1');
  });

  it('exits 3 with --exit-code when a flag is raised, and names bad input', async () => {
    assert.equal((await cli(['insights', '--workspace', dir, '--exit-code'])).code, 3);
    const bad = await cli(['insights', '--workspace', dir, '--mark', 'marquez-airflow']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--mark takes PACKAGE=VERSION/);
    const empty = await mkdtemp(path.join(tmpdir(), 'cm-cli-insights-empty-'));
    try {
      await writeFile(path.join(empty, 'community-metrics.yml'), config("        marked_version: [x]\n"));
      const none = await cli(['insights', '--workspace', empty]);
      assert.equal(none.code, 2);
      assert.match(none.stderr, /community-metrics\.yml:5:\d+: error: 'marked_version' must be a version/);
      assert.match(none.stderr, /No store at .*metrics\.sqlite: run 'community-metrics refresh' first/);
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });
});
