// The messages a first run meets: a repository that does not exist, Slack without a token, a refresh
// with no network. Real refreshes (real undici, the fake server or a closed loopback port).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { envSecretProvider, noSecrets } from '../../src/core/config/secrets';
import { parseProjectConfig } from '../../src/core/config/projectConfig';
import { HttpClient } from '../../src/core/http/client';
import { silentLogger } from '../../src/core/log';
import { refreshAll } from '../../src/core/refresh';
import type { ArtifactFailure, RefreshDeps } from '../../src/core/refresh';
import { failureState, refreshFailureMessage } from '../../src/core/refreshReport';
import { SET_SECRET_COMMANDS, editorHowToSet } from '../../src/extension/secretHints';
import { FakeServer } from '../support/fakeServer';
import { repoRoot } from '../support/fixtures';
import { testSql } from './store.test';

const NOW = new Date('2026-11-23T12:00:00Z');

describe('first-run messages', () => {
  let dir: string;
  let server: FakeServer;
  let http: HttpClient | undefined;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'cm-msg-'));
    server = await FakeServer.start();
  });
  afterEach(async () => {
    await http?.close();
    http = undefined;
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  const run = async (yaml: string, githubApiUrl: string, extra: Partial<RefreshDeps> = {}) => {
    const { config, problems } = parseProjectConfig(yaml);
    assert.deepEqual(problems, []);
    await http?.close();
    http = new HttpClient({ githubApiUrl, logger: silentLogger, timeoutMs: 2000, retries: 0 });
    return refreshAll(config, {
      SQL: await testSql(), http, githubApiUrl, storeFile: path.join(dir, 'm.sqlite'), logger: silentLogger, now: () => NOW,
      endpoints: { slackApiUrl: `${server.url}/api`, pypistatsUrl: githubApiUrl }, sourceOptions: { statsRetryDelayMs: 5, statsAttempts: 1 }, workspaceDir: dir, ...extra,
    });
  };

  it('a repository that does not exist is never called "not allowed to list stargazers"', async () => {
    // The fake server answers 404 to every path it was not given, as GitHub does for a missing repository.
    const r = await run('projects:\n  - name: x\n    github: [no-such-owner/no-such-repo]\n', server.url);
    const said = [...r.failures.map((f) => f.message), ...r.notices.map((n) => n.message)].join('\n');
    assert.doesNotMatch(said, /does not let this token list stargazers/);
    assert.match(said, /does not exist, or is private and not visible to this token; check its name in community-metrics\.yml/);
  });

  it('Slack without a token or an export names the editor command in the editor and the variable in the CLI', async () => {
    const yaml = 'projects:\n  - name: x\n    slack: [acme-chat]\n';
    const editor = await run(yaml, server.url, { secrets: { ...noSecrets, howToSet: editorHowToSet } });
    assert.match(editor.failures[0]?.message ?? '', /no Slack bot token for 'acme-chat' and no export: run “Community Metrics: Set Slack Bot Token” for acme-chat, or add 'export:'/);
    assert.doesNotMatch(editor.failures[0]?.message ?? '', /SLACK_BOT_TOKEN/);
    const cli = await run(yaml, server.url, { secrets: envSecretProvider({}) });
    assert.match(cli.failures[0]?.message ?? '', /set SLACK_BOT_TOKEN \(or SLACK_BOT_TOKEN_ACME_CHAT\), or add 'export:'/);
  });

  it('the commands the editor names exist under those titles', () => {
    const pkg = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { contributes: { commands: { command: string; title: string; category: string }[] } };
    for (const { command, title } of Object.values(SET_SECRET_COMMANDS)) {
      const c = pkg.contributes.commands.find((x) => x.command === command);
      assert.equal(c && `${c.category}: ${c.title}`, title);
    }
  });

  it('a refresh that reaches no host says so in one message, without URLs or "(and 1 more)"', async () => {
    // A closed loopback port: every request is refused, as every request fails when offline.
    const r = await run('projects:\n  - name: a\n    github: [o/one]\n  - name: b\n    github: [o/two]\n    pypi: [pip]\n', 'http://127.0.0.1:9');
    assert.equal(r.refreshed.length, 0);
    const message = refreshFailureMessage(r) ?? '';
    assert.equal(message, 'Could not reach 127.0.0.1:9, so none of 3 artifacts refreshed (offline, or the service is down). The saved data is kept; run Refresh again later.');
    const state = failureState(r.failures[0] as ArtifactFailure);
    assert.equal(state.short, 'unreachable');
    assert.match(state.detail, /could not reach 127\.0\.0\.1:9 \(connection refused\)/);
  });

  it('calls failed name lookups "offline"', () => {
    const f = (artifact: string, url: string): ArtifactFailure => ({
      artifact, message: `Cannot reach ${url}: host not found`, datasets: [{ dataset: 'repository', message: `Cannot reach ${url}: host not found` }, { dataset: 'issues', message: `Cannot reach ${url}/issues: host not found` }],
    });
    const r = { refreshed: [], failures: [f('github:o/r', 'https://api.github.com/repos/o/r'), f('pypi:pip', 'https://pypistats.org/api/packages/pip/recent')] };
    assert.equal(refreshFailureMessage(r), 'Offline: could not look up api.github.com, pypistats.org, so none of 2 artifacts refreshed. The saved data is kept; run Refresh again once you are online.');
    assert.equal(failureState(r.failures[0] as ArtifactFailure).short, 'offline');
  });

  it('other failures: the first cause in words, and how many others, once', () => {
    const r = {
      refreshed: ['github:a/b'],
      failures: [
        { artifact: 'github:o/r', message: 'HTTP 500 (repository); HTTP 500 (issues); and 5 more', datasets: [{ dataset: 'repository', message: 'Server error 500 from https://api.github.com/repos/o/r' }] },
        { artifact: 'npm:p', message: "npm package 'p' not found (HTTP 404)" },
      ],
    };
    const message = refreshFailureMessage(r) ?? '';
    assert.equal(message, "2 artifacts of 3 not refreshed. github:o/r: Server error 500 from https://api.github.com/repos/o/r (repository) — and 1 other artifact (their causes are in the tree's tooltips and the log). The saved data is kept.");
    assert.doesNotMatch(message, /and 5 more/);
  });
});
