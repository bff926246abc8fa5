// Runs the integration suite (test/integration) inside a real VS Code: code-server's extension host,
// started by Chromium connecting to its workbench. The suite is bundled into a small test-runner
// extension installed next to the extension under test; it writes its results to a file read here.
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createClickPy, createGithubEvents, loadGithubEvents } from '../support/clickhouseFixtures';
import { ClickHouseTestServer } from '../support/clickhouseServer';
import { fixturePath, repoRoot } from '../support/fixtures';
import { gunzipSync } from 'node:zlib';
import { launchBrowser, openWorkbench } from './browser';
import { startCodeServer } from './codeServer';
import { makeWorkspace, startFakeGitHub } from './workspace';
import { useRunTempDir } from '../support/runTempDir';

const TIMEOUT_MS = 6 * 60_000;

async function makeRunnerExtension(resultsFile: string): Promise<string> {
  const suite = path.join(repoRoot, 'dist-test/integration/index.js');
  if (!existsSync(suite)) throw new Error('dist-test/integration/index.js is missing: run `npm run build` first.');
  const dir = path.join(await mkdtemp(path.join(tmpdir(), 'cm-runner-')), 'community-metrics-tests.test-runner-0.0.1');
  await mkdir(dir, { recursive: true });
  await copyFile(suite, path.join(dir, 'suite.js'));
  await writeFile(
    path.join(dir, 'package.json'),
    JSON.stringify({
      name: 'test-runner',
      publisher: 'community-metrics-tests',
      version: '0.0.1',
      engines: { vscode: '^1.100.0' },
      activationEvents: ['onStartupFinished'],
      main: './extension.js',
    }),
  );
  await writeFile(
    path.join(dir, 'extension.js'),
    `const fs = require('fs');
exports.activate = function () {
  const out = process.env.CM_TEST_RESULTS;
  if (!out) return;
  setTimeout(() => {
    require('./suite.js').run().catch((err) => {
      if (!fs.existsSync(out)) fs.writeFileSync(out, JSON.stringify({ records: [], failures: 1, crash: String(err && err.stack || err) }));
    });
  }, 500);
};
exports.deactivate = function () {};
`,
  );
  void resultsFile;
  return dir;
}

interface Results {
  records: { title: string; state: string; durationMs: number; error?: string }[];
  failures: number;
  crash?: string;
}

async function main(): Promise<number> {
  const resultsFile = path.join(await mkdtemp(path.join(tmpdir(), 'cm-results-')), 'results.json');
  const api = await startFakeGitHub();
  const workspace = await makeWorkspace();
  const runner = await makeRunnerExtension(resultsFile);
  // A real ClickHouse (Debian's clickhouse-server) holding github_events and ClickPy's tables.
  const clickhouse = await ClickHouseTestServer.start();
  await createGithubEvents(clickhouse);
  const hour = gunzipSync(await readFile(fixturePath('gharchive/2015-01-01-12.json.gz'))).toString('utf8').split('\n').filter(Boolean);
  await loadGithubEvents(clickhouse, hour, '2015-01-01 12:00:00');
  await createClickPy(clickhouse);
  const server = await startCodeServer({
    workspace,
    settings: {
      'communityMetrics.github.apiUrl': api.url,
      'communityMetrics.gharchive.url': api.url,
      'communityMetrics.clickhouse.githubEvents.url': clickhouse.url,
      'communityMetrics.clickhouse.clickpy.url': clickhouse.url,
    },
    extraExtensions: [runner],
    env: { CM_TEST_RESULTS: resultsFile, CM_FAKE_API: api.url },
    logName: 'integration-code-server',
  });
  const browser = await launchBrowser();
  try {
    console.log(`Integration suite inside VS Code (code-server ${server.url}), workspace ${workspace}`);
    const page = await openWorkbench(browser, server.folderUrl);
    const deadline = Date.now() + TIMEOUT_MS;
    while (!existsSync(resultsFile)) {
      if (Date.now() > deadline) {
        await mkdir(path.join(repoRoot, 'test-results'), { recursive: true });
        await page.screenshot({ path: path.join(repoRoot, 'test-results', 'integration-timeout.png') });
        throw new Error('The integration suite did not report within 6 minutes (screenshot in test-results/).');
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    await new Promise((r) => setTimeout(r, 200));
    const results = JSON.parse(await readFile(resultsFile, 'utf8')) as Results;
    if (results.crash) console.error(`The suite crashed: ${results.crash}`);
    for (const r of results.records) {
      const mark = r.state === 'passed' ? '✔' : r.state === 'failed' ? '✘' : '-';
      console.log(`  ${mark} ${r.title} (${r.durationMs} ms)`);
      if (r.error) console.log(`      ${r.error.split('\n').join('\n      ')}`);
    }
    const passed = results.records.filter((r) => r.state === 'passed').length;
    const pending = results.records.filter((r) => r.state === 'pending').length;
    console.log(`\n  integration (VS Code extension host): ${passed} passing, ${results.failures} failing, ${pending} pending`);
    if (results.records.length === 0 || pending > 0) return 1;
    return results.failures > 0 ? 1 : 0;
  } finally {
    await browser.close();
    await server.stop();
    await api.close();
    await clickhouse.close();
    await rm(workspace, { recursive: true, force: true });
    await rm(path.dirname(runner), { recursive: true, force: true });
  }
}

// Everything the run puts in the temp directory (code-server's included) goes with it at the end.
const releaseTempDir = useRunTempDir();
main().then(
  (code) => {
    releaseTempDir();
    process.exit(code);
  },
  (err: unknown) => {
    console.error(err);
    releaseTempDir();
    process.exit(1);
  },
);
