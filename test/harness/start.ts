// `npm start`: opens the extension on the example workspace in a real VS Code. Desktop VS Code when
// `code` is on PATH (as an extension under development), else code-server in the browser.
import { spawn, spawnSync } from 'node:child_process';
import { cp, mkdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../support/fixtures';
import { startCodeServer } from './codeServer';
import { EXAMPLE_WORKSPACE, STORE_PATH, buildExampleStore } from './exampleWorkspace';

async function main(): Promise<void> {
  // A copy, so that the store written by Refresh never dirties the repository. Its store is built
  // offline, from the real data in the repository, the first time (and again if it was deleted).
  const workspace = path.join(repoRoot, '.tmp', 'example-workspace');
  if (!existsSync(workspace)) {
    await mkdir(path.dirname(workspace), { recursive: true });
    await cp(EXAMPLE_WORKSPACE, workspace, { recursive: true });
  }
  if (!existsSync(path.join(workspace, STORE_PATH))) {
    console.log('Building the example store from the recorded data (offline)…');
    const built = await buildExampleStore(workspace);
    console.log(`  ${built.build.results.length} models, seeds and tests built into ${path.relative(repoRoot, built.storeFile)}`);
  }
  const hasCode = spawnSync('code', ['--version'], { stdio: 'ignore' }).status === 0;
  if (hasCode && !process.env.CM_USE_CODE_SERVER) {
    spawn('code', ['--extensionDevelopmentPath', repoRoot, workspace], { stdio: 'inherit', detached: true }).unref();
    console.log(`Opened ${workspace} in VS Code with the extension under development.`);
    return;
  }
  // The install runs with a clean environment: not the npm_* variables `npm start` exported, whose
  // user agent names Node 20 and made code-server's postinstall refuse to run under Node 24. (The
  // script clears them too, for anyone who runs it from another npm script.)
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_(?!config_(registry|proxy|https_proxy|noproxy|cafile|strict_ssl)$)/i.test(k) && k !== 'INIT_CWD' && k !== 'NODE'));
  const install = spawnSync('bash', [path.join(repoRoot, '.ci/install-code-server.sh')], { stdio: 'inherit', env });
  if (install.status === 2) throw new Error('Install the packages named above, then run `npm start` again.');
  if (install.status !== 0) throw new Error('Could not install code-server (see above). Running `npm start` again starts the install over from a clean folder.');
  const server = await startCodeServer({ workspace, logName: 'start-code-server', port: Number(process.env.PORT ?? 8080) });
  console.log(`\nCommunity Metrics is running in VS Code (code-server) on the example workspace:\n\n    ${server.folderUrl}\n\nOpen that address in a browser. Press Ctrl-C to stop.`);
  const stop = () => void server.stop().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
