import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { CONFIG_FILE_NAME, parseProjectConfig } from '../core/config/projectConfig';
import { HttpClient } from '../core/http/client';
import { describeError } from '../core/http/errors';
import { refreshAll } from '../core/refresh';
import { loadSqlJs } from '../core/store/sqljs';
import { stderrLogger } from './output';

const USAGE = `Usage: community-metrics refresh [options]

Fetches every tracked artifact and appends snapshots to the store.

Options:
  --workspace DIR        workspace folder holding ${CONFIG_FILE_NAME} (default: current folder)
  --store FILE           store file (default: DIR/.community-metrics/metrics.sqlite)
  --github-api-url URL   GitHub API base URL (default: https://api.github.com)
  --timeout SECONDS      per-request timeout (default: 30)
  --verbose              log every request to stderr
  -h, --help             show this help

Environment:
  GITHUB_TOKEN           token sent to the GitHub API origin only`;

export async function refreshCommand(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        workspace: { type: 'string' },
        store: { type: 'string' },
        'github-api-url': { type: 'string' },
        timeout: { type: 'string' },
        verbose: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    process.stderr.write(`${describeError(err)}\n\n${USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (positionals.length > 0) {
    process.stderr.write(`Unexpected argument '${positionals[0]}'.\n\n${USAGE}\n`);
    return 2;
  }
  const logger = stderrLogger(values.verbose ?? false);
  const workspace = path.resolve(values.workspace ?? process.cwd());
  const configFile = path.join(workspace, CONFIG_FILE_NAME);
  let text: string;
  try {
    text = await readFile(configFile, 'utf8');
  } catch (err) {
    process.stderr.write(`Cannot read ${configFile}: ${describeError(err)}\n`);
    return 2;
  }
  const { config, problems } = parseProjectConfig(text);
  for (const p of problems) {
    process.stderr.write(`${configFile}:${p.range.startLine + 1}:${p.range.startColumn + 1}: ${p.severity}: ${p.message}\n`);
  }
  const configErrors = problems.some((p) => p.severity === 'error');
  if (config.projects.every((p) => p.github.length === 0)) {
    process.stderr.write(`Nothing to refresh: ${configFile} lists no valid artifact.\n`);
    return 2;
  }

  const githubApiUrl = values['github-api-url'] ?? 'https://api.github.com';
  try {
    new URL(githubApiUrl);
  } catch {
    process.stderr.write(`--github-api-url is not a URL: ${githubApiUrl}\n`);
    return 2;
  }
  const timeoutSeconds = Number(values.timeout ?? 30);
  const storeFile = path.resolve(workspace, values.store ?? '.community-metrics/metrics.sqlite');
  const http = new HttpClient({
    githubApiUrl,
    githubToken: () => process.env.GITHUB_TOKEN || undefined,
    timeoutMs: (Number.isFinite(timeoutSeconds) && timeoutSeconds > 0 ? timeoutSeconds : 30) * 1000,
    logger,
    userAgent: 'community-metrics-cli',
  });
  const abort = new AbortController();
  const onSigint = () => {
    process.stderr.write('Cancelling…\n');
    abort.abort();
  };
  process.once('SIGINT', onSigint);
  try {
    const SQL = await loadSqlJs(path.join(__dirname, 'sql-wasm.wasm'));
    const result = await refreshAll(config, { SQL, http, githubApiUrl, storeFile, logger, signal: abort.signal });
    if (result.movedAside) process.stderr.write(`warning: the old store was unreadable and was moved to ${result.movedAside}\n`);
    for (const f of result.failures) process.stderr.write(`error: ${f.artifact}: ${f.message}\n`);
    process.stdout.write(`refreshed ${result.refreshed.length}, failed ${result.failures.length}${result.cancelled ? ', cancelled' : ''}; store ${storeFile}\n`);
    if (result.cancelled) return 130;
    // The valid part of a partly broken configuration is still snapshotted, but the run is not clean.
    return result.failures.length > 0 || configErrors ? 1 : 0;
  } catch (err) {
    process.stderr.write(`error: ${describeError(err)}\n`);
    return 1;
  } finally {
    process.off('SIGINT', onSigint);
    await http.close();
  }
}

