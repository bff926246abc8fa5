// The same integration suite, in desktop VS Code downloaded by @vscode/test-electron. For machines
// that can download VS Code; `npm test` here uses the code-server runner (run-integration.ts).
import { runTests } from '@vscode/test-electron';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { repoRoot } from '../support/fixtures';
import { makeWorkspace, startFakeGitHub } from './workspace';

async function main(): Promise<void> {
  const api = await startFakeGitHub();
  const workspace = await makeWorkspace();
  const userDataDir = await mkdtemp(path.join(tmpdir(), 'cm-desktop-user-'));
  await mkdir(path.join(userDataDir, 'User'), { recursive: true });
  await writeFile(path.join(userDataDir, 'User', 'settings.json'), JSON.stringify({ 'communityMetrics.github.apiUrl': api.url, 'security.workspace.trust.enabled': false }));
  try {
    await runTests({
      extensionDevelopmentPath: repoRoot,
      extensionTestsPath: path.join(repoRoot, 'dist-test/integration/index.js'),
      launchArgs: [workspace, '--user-data-dir', userDataDir, '--disable-workspace-trust', '--skip-welcome', '--skip-release-notes'],
      extensionTestsEnv: { CM_FAKE_API: api.url },
    });
  } finally {
    await api.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
