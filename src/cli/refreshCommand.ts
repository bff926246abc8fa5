import path from 'node:path';
import { CONFIG_FILE_NAME } from '../core/config/projectConfig';
import type { ProjectConfig } from '../core/config/projectConfig';
import { envSecretProvider } from '../core/config/secrets';
import { HttpClient } from '../core/http/client';
import { describeError } from '../core/http/errors';
import { parseCommandLine, readWorkspaceConfig } from './args';
import { SOURCE_KINDS, refreshAll } from '../core/refresh';
import type { SourceKind } from '../core/refresh';
import { DEFAULT_ENDPOINTS } from '../core/sources/context';
import type { SourceEndpoints } from '../core/sources/context';
import { loadSqlJs } from '../core/store/sqljs';
import { stderrLogger } from './output';

const USAGE = `Usage: community-metrics refresh [options]

Fetches every tracked artifact and appends snapshots to the store, saving each artifact as it
completes. Exits 1 when any artifact failed; on SIGINT or SIGTERM saves what arrived and exits 130/143.

Options:
  --workspace DIR          workspace folder holding ${CONFIG_FILE_NAME} (default: current folder)
  --store FILE             store file (default: DIR/.community-metrics/metrics.sqlite)
  --only SOURCE            refresh only this source (${SOURCE_KINDS.join(', ')}); repeat or comma-separate
  --force                  ask daily sources (pypistats, pepy, npm) again even within a day
  --github-api-url URL     GitHub API base URL (default: ${DEFAULT_ENDPOINTS.githubApiUrl})
  --pypistats-url URL      pypistats base URL (default: ${DEFAULT_ENDPOINTS.pypistatsUrl})
  --pepy-url URL           pepy.tech API base URL (default: ${DEFAULT_ENDPOINTS.pepyUrl})
  --npm-url URL            npm downloads API base URL (default: ${DEFAULT_ENDPOINTS.npmApiUrl})
  --npm-registry-url URL   npm registry base URL (default: ${DEFAULT_ENDPOINTS.npmRegistryUrl})
  --dockerhub-url URL      Docker Hub base URL (default: ${DEFAULT_ENDPOINTS.dockerhubUrl})
  --slack-api-url URL      Slack Web API base URL (default: ${DEFAULT_ENDPOINTS.slackApiUrl})
  --timeout SECONDS        per-request timeout: to the first byte and between bytes; a whole
                           answer gets at most three times it (default: 30)
  --deadline SECONDS       stop the whole refresh after this long, keeping what arrived (default: none)
  --max-body-mb N          largest answer read from any service, in MiB (default: 64)
  --verbose                log every request and artifact to stderr
  -h, --help               show this help

Environment (each sent to its own service's origin only, never logged):
  GITHUB_TOKEN             GitHub token
  PEPY_API_KEY             pepy.tech API key (per-version PyPI downloads)
  SLACK_BOT_TOKEN          Slack bot token (or SLACK_BOT_TOKEN_<DOMAIN> per workspace)`;

/** CLI flag → endpoint it overrides. */
const URL_FLAGS: Record<string, keyof SourceEndpoints> = {
  'github-api-url': 'githubApiUrl',
  'pypistats-url': 'pypistatsUrl',
  'pepy-url': 'pepyUrl',
  'npm-url': 'npmApiUrl',
  'npm-registry-url': 'npmRegistryUrl',
  'dockerhub-url': 'dockerhubUrl',
  'slack-api-url': 'slackApiUrl',
};

function countArtifacts(config: ProjectConfig, only: SourceKind[]): number {
  const wanted = (s: SourceKind) => only.length === 0 || only.includes(s);
  return config.projects.reduce(
    (n, p) =>
      n +
      (wanted('github') ? p.github.length : 0) +
      (wanted('pypi') ? (p.pypi?.length ?? 0) : 0) +
      (wanted('npm') ? (p.npm?.length ?? 0) : 0) +
      (wanted('docker') ? (p.docker?.length ?? 0) : 0) +
      (wanted('slack') ? (p.slack?.length ?? 0) : 0),
    0,
  );
}

export async function refreshCommand(argv: string[]): Promise<number> {
  const parsed = parseCommandLine({
    args: argv,
    allowPositionals: true,
    options: {
      workspace: { type: 'string' },
      store: { type: 'string' },
      only: { type: 'string', multiple: true },
      force: { type: 'boolean' },
      ...Object.fromEntries(Object.keys(URL_FLAGS).map((f) => [f, { type: 'string' as const }])),
      timeout: { type: 'string' },
      deadline: { type: 'string' },
      'max-body-mb': { type: 'string' },
      verbose: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  }, USAGE);
  if (typeof parsed === 'number') return parsed;
  const { values } = parsed;
  const only: SourceKind[] = [];
  for (const o of (values.only as string[] | undefined) ?? []) {
    for (const part of o.split(',').map((x) => x.trim()).filter(Boolean)) {
      if (!(SOURCE_KINDS as readonly string[]).includes(part)) {
        process.stderr.write(`--only: unknown source '${part}' (one of ${SOURCE_KINDS.join(', ')}).\n`);
        return 2;
      }
      only.push(part as SourceKind);
    }
  }
  const endpoints: SourceEndpoints = { ...DEFAULT_ENDPOINTS };
  const flagValues = values as Record<string, unknown>;
  for (const [flag, key] of Object.entries(URL_FLAGS)) {
    const value = flagValues[flag];
    if (typeof value !== 'string') continue;
    try {
      const u = new URL(value);
      if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new Error('not http(s)');
    } catch {
      process.stderr.write(`--${flag} is not an http(s) URL: ${value}\n`);
      return 2;
    }
    endpoints[key] = value;
  }

  const logger = stderrLogger(values.verbose ?? false);
  const workspace = path.resolve(values.workspace ?? process.cwd());
  const read = await readWorkspaceConfig(workspace);
  if (typeof read === 'number') return read;
  const { config, problems, configFile } = read;
  const configErrors = problems.some((p) => p.severity === 'error');
  if (countArtifacts(config, only) === 0) {
    process.stderr.write(`Nothing to refresh: ${configFile} lists no valid artifact${only.length > 0 ? ` for ${only.join(', ')}` : ''}.\n`);
    return 2;
  }

  const timeoutSeconds = Number(values.timeout ?? 30);
  const positive = (flag: string, raw: unknown): number | undefined | 'bad' => {
    if (raw === undefined) return undefined;
    const n = Number(raw);
    if (!Number.isFinite(n) || n <= 0) {
      process.stderr.write(`--${flag} must be a positive number, got '${String(raw)}'.\n`);
      return 'bad';
    }
    return n;
  };
  const deadlineSeconds = positive('deadline', values.deadline);
  const maxBodyMb = positive('max-body-mb', values['max-body-mb']);
  if (deadlineSeconds === 'bad' || maxBodyMb === 'bad') return 2;
  const storeFile = path.resolve(workspace, values.store ?? '.community-metrics/metrics.sqlite');
  const secrets = envSecretProvider();
  const http = new HttpClient({
    githubApiUrl: endpoints.githubApiUrl,
    githubToken: () => secrets.getGitHubToken(),
    timeoutMs: (Number.isFinite(timeoutSeconds) && timeoutSeconds > 0 ? timeoutSeconds : 30) * 1000,
    ...(maxBodyMb !== undefined ? { maxBodyBytes: Math.round(maxBodyMb * 1024 * 1024) } : {}),
    // GitHub advises few parallel requests per token; pepy's free tier allows a handful a minute.
    // Keyed by each service's base URL, so that services sharing one origin keep their own limits.
    originConcurrency: { [endpoints.githubApiUrl]: 4, [endpoints.pepyUrl]: 1 },
    logger,
    userAgent: 'community-metrics-cli',
  });
  const abort = new AbortController();
  // Ctrl-C and the SIGTERM of `timeout`, systemd and cron wrappers alike: stop fetching, save what
  // arrived, exit 128+signal. A second signal ends the process at once (the handlers are `once`).
  let stoppedBy: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    stoppedBy ??= signal;
    process.stderr.write(`Cancelling (${signal}); saving what arrived…\n`);
    abort.abort();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const SQL = await loadSqlJs(path.join(__dirname, 'sql-wasm.wasm'));
    const { githubApiUrl, ...others } = endpoints;
    const result = await refreshAll(config, {
      SQL,
      http,
      githubApiUrl,
      endpoints: others,
      storeFile,
      logger,
      signal: abort.signal,
      secrets,
      only,
      force: values.force ?? false,
      workspaceDir: workspace,
      ...(deadlineSeconds !== undefined ? { deadlineMs: deadlineSeconds * 1000 } : {}),
      onArtifact: (p) => {
        if (p.phase !== 'started') logger.info(`[${p.done}/${p.total}] ${p.artifact}: ${p.phase}`);
      },
    });
    if (result.movedAside) process.stderr.write(`warning: the old store was unreadable and was moved to ${result.movedAside}\n`);
    for (const n of result.notices) process.stderr.write(`note: ${n.artifact}: ${n.message}\n`);
    for (const f of result.failures) process.stderr.write(`error: ${f.artifact}: ${f.message}\n`);
    process.stdout.write(
      `refreshed ${result.refreshed.length}, failed ${result.failures.length}${result.cancelled ? ', cancelled' : ''}; ` +
        `${result.requests.requests} requests (${result.requests.notModified} unchanged); ${result.wrote ? 'store' : 'nothing new for'} ${storeFile}\n`,
    );
    if (result.cancelled || stoppedBy) return stoppedBy === 'SIGTERM' ? 143 : 130;
    // The valid part of a partly broken configuration is still snapshotted, but the run is not clean.
    return result.failures.length > 0 || configErrors ? 1 : 0;
  } catch (err) {
    process.stderr.write(`error: ${describeError(err)}\n`);
    return 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await http.close();
  }
}

