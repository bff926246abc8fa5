import path from 'node:path';
import { parseArgs } from 'node:util';
import { CONFIG_FILE_NAME, parseGitHubRepository } from '../core/config/projectConfig';
import { describeError } from '../core/http/errors';
import { DEFAULT_GHARCHIVE_URL, importGhArchive } from '../core/gharchive/importer';
import type { GhArchiveProgress } from '../core/gharchive/importer';
import { HourRangeError, hoursBetween, parseHour } from '../core/gharchive/hours';
import { loadSqlJs } from '../core/store/sqljs';
import { readWorkspaceConfig } from './args';
import { CLICKHOUSE_OPTIONS, CLICKHOUSE_USAGE, gharchiveViaClickHouse } from './gharchiveClickHouse';
import { stderrLogger } from './output';

const USAGE = `Usage: community-metrics gharchive import --from HOUR --to HOUR [options]

Imports GH Archive hourly files (public GitHub events) for the tracked GitHub repositories into the
store: gharchive_events (one row per event) and gharchive_hours (what each hour held). Hours already
imported for the same repositories are skipped; missing or corrupt hours are reported and the others
continue. Exits 1 when any hour was missing, corrupt or could not be downloaded; 130 when cancelled.

Options:
  --from HOUR              first hour, UTC: YYYY-MM-DDTHH (e.g. 2015-01-01T00); a bare date is its first hour
  --to HOUR                last hour, included (a bare date is its last hour)
  --workspace DIR          workspace folder holding ${CONFIG_FILE_NAME} (default: current folder)
  --store FILE             store file (default: DIR/.community-metrics/metrics.sqlite)
  --repo OWNER/NAME        import for this repository instead of the configured ones; repeat or comma-separate
  --force                  read hours again even if they were imported already
  --gharchive-url URL      archive base URL (default: ${DEFAULT_GHARCHIVE_URL})
  --concurrency N          hours downloaded at once (default: 2)
  --timeout SECONDS        time allowed between bytes of a download (default: 60); a whole hour
                           file gets ten times that, at least 10 minutes
  --deadline SECONDS       stop the whole import after this long, keeping the finished hours (exit 1)
${CLICKHOUSE_USAGE}
  --verbose                log every hour to stderr
  -h, --help               show this help`;

export async function gharchiveCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (!sub || sub === '--help' || sub === '-h') {
    process.stdout.write(`${USAGE}\n`);
    return sub ? 0 : 2;
  }
  if (sub !== 'import') {
    process.stderr.write(`Unknown gharchive command '${sub}'.\n\n${USAGE}\n`);
    return 2;
  }
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      allowPositionals: false,
      options: {
        from: { type: 'string' },
        to: { type: 'string' },
        workspace: { type: 'string' },
        store: { type: 'string' },
        repo: { type: 'string', multiple: true },
        force: { type: 'boolean' },
        'gharchive-url': { type: 'string' },
        concurrency: { type: 'string' },
        timeout: { type: 'string' },
        deadline: { type: 'string' },
        verbose: { type: 'boolean' },
        ...CLICKHOUSE_OPTIONS,
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    process.stderr.write(`${describeError(err)}\n\n${USAGE}\n`);
    return 2;
  }
  const { values } = parsed;
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (!values.from || !values.to) {
    process.stderr.write(`Both --from and --to are needed.\n\n${USAGE}\n`);
    return 2;
  }
  const via = values.via ?? 'files';
  if (via !== 'files' && via !== 'clickhouse') {
    process.stderr.write(`--via is 'files' (the hourly files, default) or 'clickhouse'.\n`);
    return 2;
  }
  let hourCount = 0;
  try {
    if (via === 'clickhouse') {
      parseHour(values.from, 'from');
      parseHour(values.to, 'to');
    } else hourCount = hoursBetween(parseHour(values.from, 'from'), parseHour(values.to, 'to')).length;
  } catch (err) {
    if (err instanceof HourRangeError) {
      process.stderr.write(`${err.message}\n`);
      return 2;
    }
    throw err;
  }
  const baseUrl = values['gharchive-url'] ?? DEFAULT_GHARCHIVE_URL;
  try {
    const u = new URL(baseUrl);
    if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new Error('not http(s)');
  } catch {
    process.stderr.write(`--gharchive-url is not an http(s) URL: ${baseUrl}\n`);
    return 2;
  }
  const concurrency = Number(values.concurrency ?? 2);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 16) {
    process.stderr.write(`--concurrency must be a whole number from 1 to 16.\n`);
    return 2;
  }
  const timeoutSeconds = Number(values.timeout ?? 60);
  const deadlineSeconds = values.deadline === undefined ? undefined : Number(values.deadline);
  if (deadlineSeconds !== undefined && !(Number.isFinite(deadlineSeconds) && deadlineSeconds > 0)) {
    process.stderr.write(`--deadline must be a positive number of seconds, got '${String(values.deadline)}'.\n`);
    return 2;
  }

  const workspace = path.resolve(values.workspace ?? process.cwd());
  const repos: string[] = [];
  if (values.repo) {
    for (const part of values.repo.flatMap((r) => r.split(',')).map((r) => r.trim()).filter(Boolean)) {
      const parsedRepo = parseGitHubRepository(part);
      if (!parsedRepo) {
        process.stderr.write(`--repo: '${part}' is not OWNER/NAME or a github.com URL.\n`);
        return 2;
      }
      repos.push(parsedRepo.fullName);
    }
  } else {
    const read = await readWorkspaceConfig(workspace, ' (or name repositories with --repo)');
    if (typeof read === 'number') return read;
    const { config, configFile } = read;
    repos.push(...config.projects.flatMap((p) => p.github.map((g) => g.fullName)));
    if (repos.length === 0) {
      process.stderr.write(`Nothing to import: ${configFile} lists no GitHub repository.\n`);
      return 2;
    }
  }

  const logger = stderrLogger(values.verbose ?? false);
  const storeFile = path.resolve(workspace, values.store ?? '.community-metrics/metrics.sqlite');
  if (via === 'clickhouse') {
    return gharchiveViaClickHouse({ values, repos, storeFile, logger, timeoutSeconds: values.timeout ? timeoutSeconds : 300, wasmPath: path.join(__dirname, 'sql-wasm.wasm') });
  }
  const abort = new AbortController();
  // SIGINT and SIGTERM (timeout, systemd, cron wrappers) alike: finished hours are saved.
  let stoppedBy: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    stoppedBy ??= signal;
    process.stderr.write(`Cancelling (${signal})… (finished hours are kept; run again to resume)\n`);
    abort.abort();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  // The whole import's deadline: finished hours are kept, the rest is asked again next time.
  let deadlineHit = false;
  const deadline =
    deadlineSeconds !== undefined
      ? setTimeout(() => {
          deadlineHit = true;
          process.stderr.write(`The import deadline of ${deadlineSeconds} s was reached; finished hours are kept, run again to resume.\n`);
          abort.abort();
        }, deadlineSeconds * 1000)
      : undefined;
  try {
    const SQL = await loadSqlJs(path.join(__dirname, 'sql-wasm.wasm'));
    process.stderr.write(`GH Archive: ${hourCount} hour${hourCount === 1 ? '' : 's'} for ${repos.length} repositor${repos.length === 1 ? 'y' : 'ies'} from ${baseUrl}\n`);
    const result = await importGhArchive({
      SQL,
      storeFile,
      logger,
      repos,
      from: values.from,
      to: values.to,
      baseUrl,
      force: values.force ?? false,
      signal: abort.signal,
      concurrency,
      timeoutMs: (Number.isFinite(timeoutSeconds) && timeoutSeconds > 0 ? timeoutSeconds : 60) * 1000,
      userAgent: 'community-metrics-cli',
      onProgress: (p) => {
        const line = progressLine(p);
        if (line) process.stderr.write(`${line}\n`);
      },
    });
    if (result.movedAside) process.stderr.write(`warning: the old store was unreadable and was moved to ${result.movedAside}\n`);
    const suspicious = result.hours.filter((h) => h.suspicious).map((h) => h.hour);
    if (suspicious.length > 0) process.stderr.write(`note: suspiciously few events (flagged in gharchive_hours): ${suspicious.join(', ')}\n`);
    process.stdout.write(
      `imported ${result.imported}, skipped ${result.skipped}, missing ${result.missing}, corrupt ${result.corrupt}, failed ${result.failed}` +
        `${result.cancelled ? ', cancelled' : ''}; ${result.added} new events in ${storeFile}\n`,
    );
    if (stoppedBy) return stoppedBy === 'SIGTERM' ? 143 : 130;
    if (deadlineHit) return 1;
    if (result.cancelled) return 130;
    return result.missing + result.corrupt + result.failed > 0 ? 1 : 0;
  } catch (err) {
    process.stderr.write(`error: ${describeError(err)}\n`);
    return 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if (deadline) clearTimeout(deadline);
  }
}

/** One stderr line per finished hour; problems always, with their message. */
function progressLine(p: GhArchiveProgress): string | undefined {
  const at = `[${p.hoursDone}/${p.hoursTotal}] ${p.hour}`;
  switch (p.phase) {
    case 'imported':
      return `${at} imported: ${p.matched ?? 0} of ${p.events ?? 0} events are of tracked repositories`;
    case 'skipped':
      return `${at} skipped (imported already; --force to read it again)`;
    case 'missing':
    case 'corrupt':
    case 'failed':
      return `${at} ${p.phase}: ${(p.message ?? '').replace(`${p.hour}: `, '')}`;
    default:
      return undefined;
  }
}
