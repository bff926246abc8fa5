import path from 'node:path';
import { CLICKHOUSE_MAX_ANSWER_BYTES, CLICKPY_DEFAULTS } from '../core/clickhouse/connection';
import { importPypiHistory } from '../core/clickhouse/pypiHistory';
import type { PypiHistoryResult } from '../core/clickhouse/pypiHistory';
import { HttpClient } from '../core/http/client';
import { describeError } from '../core/http/errors';
import type { OperationResult } from '../core/store/api/operations';
import { CONFIG_FILE_NAME } from '../core/config/projectConfig';
import { parseCommandLine, readWorkspaceConfig } from './args';
import { stderrLogger } from './output';
import { openCliStore } from './store';

const USAGE = `Usage: community-metrics pypi history [options]

Reads each tracked PyPI package's daily downloads since its first release from ClickPy (ClickHouse's
public PyPI tables): overall, by version, installer, Python version, system and country, into
pypi_downloads_history. Only the days after the last one stored are asked again. The view
pypi_downloads_merged adds pypistats/pepy.tech rows for days ClickPy lacks, never counting a day twice.
Then prints, per package, the share of recent downloads by mirrors and other tools vs installers
people run, and version adoption per year. Exits 1 when a package failed.

Options:
  --workspace DIR          workspace folder holding ${CONFIG_FILE_NAME} (default: current folder)
  --store FILE             store file (default: DIR/.community-metrics/metrics.sqlite)
  --package NAME           this package instead of the configured ones; repeat or comma-separate
  --force                  ask the whole history again
  --clickhouse-url URL     ClickHouse HTTP interface (default: ${CLICKPY_DEFAULTS.url})
  --clickhouse-user USER   (default: ${CLICKPY_DEFAULTS.user}; password from CLICKHOUSE_PASSWORD)
  --clickhouse-database DB database holding ClickPy's tables (default: ${CLICKPY_DEFAULTS.database})
  --timeout SECONDS        time allowed for each answer (default: 300)
  --verbose                log every query to stderr
  -h, --help               show this help`;

export async function pypiCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (!sub || sub === '--help' || sub === '-h') {
    process.stdout.write(`${USAGE}\n`);
    return sub ? 0 : 2;
  }
  if (sub !== 'history') {
    process.stderr.write(`Unknown pypi command '${sub}'.\n\n${USAGE}\n`);
    return 2;
  }
  const parsed = parseCommandLine(
    {
      args: rest,
      allowPositionals: false,
      options: {
        workspace: { type: 'string' },
        store: { type: 'string' },
        package: { type: 'string', multiple: true },
        force: { type: 'boolean' },
        'clickhouse-url': { type: 'string' },
        'clickhouse-user': { type: 'string' },
        'clickhouse-database': { type: 'string' },
        timeout: { type: 'string' },
        verbose: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    },
    USAGE,
  );
  if (typeof parsed === 'number') return parsed;
  const { values } = parsed;
  const workspace = path.resolve(values.workspace ?? process.cwd());
  const packages: string[] = [];
  if (values.package) {
    packages.push(...values.package.flatMap((p) => p.split(',')).map((p) => p.trim()).filter(Boolean));
  } else {
    const read = await readWorkspaceConfig(workspace, ' (or name packages with --package)');
    if (typeof read === 'number') return read;
    packages.push(...read.config.projects.flatMap((p) => (p.pypi ?? []).map((x) => x.name)));
    if (packages.length === 0) {
      process.stderr.write(`Nothing to import: ${read.configFile} lists no PyPI package.\n`);
      return 2;
    }
  }
  const timeoutSeconds = Number(values.timeout ?? 300);
  const timeoutMs = (Number.isFinite(timeoutSeconds) && timeoutSeconds > 0 ? timeoutSeconds : 300) * 1000;
  const logger = stderrLogger(values.verbose ?? false);
  const storeFile = path.resolve(workspace, values.store ?? '.community-metrics/metrics.sqlite');
  const connection = {
    url: values['clickhouse-url'] ?? CLICKPY_DEFAULTS.url,
    user: values['clickhouse-user'] ?? CLICKPY_DEFAULTS.user,
    database: values['clickhouse-database'] ?? CLICKPY_DEFAULTS.database,
    ...(process.env.CLICKHOUSE_PASSWORD ? { password: process.env.CLICKHOUSE_PASSWORD } : {}),
  };
  const http = new HttpClient({ githubApiUrl: 'https://api.github.com', timeoutMs, logger, userAgent: 'community-metrics-cli', connectionsPerOrigin: 1, maxBodyBytes: CLICKHOUSE_MAX_ANSWER_BYTES });
  const abort = new AbortController();
  const onSigint = () => abort.abort();
  process.once('SIGINT', onSigint);
  try {
    const store = openCliStore(storeFile, logger);
    let result: PypiHistoryResult;
    let summaries: OperationResult<'pypiHistorySummary'>;
    try {
      result = await importPypiHistory({
        store,
        logger,
        http,
        connection,
        packages,
        force: values.force ?? false,
        signal: abort.signal,
        timeoutMs,
        onProgress: (p) => {
          if (p.phase === 'failed') process.stderr.write(`${p.package}: failed: ${p.message ?? ''}\n`);
        },
      });
      summaries = await store.call('pypiHistorySummary', { packages: result.packages.filter((p) => p.status === 'stored').map((p) => p.package) });
    } finally {
      await store.close();
    }
    for (const p of result.packages) {
      if (p.status !== 'stored') continue;
      process.stdout.write(`${p.package}: ${p.rows} rows from ClickPy${p.first ? ` (days ${p.first} … ${p.last} asked)` : ' (nothing new)'}\n`);
      const summary = summaries.find((x) => x.package === p.package);
      const share = summary?.share;
      if (share) {
        const pc = (x: number) => `${((100 * x) / share.total).toFixed(1)}%`;
        process.stdout.write(
          `  downloads ${share.from} … ${share.to}: installers people run ${pc(share.installer)}, mirrors ${pc(share.mirror)}, other tools/bots ${pc(share.other)}` +
            ` (top: ${share.top.map((t) => `${t.installer} ${pc(t.downloads)}`).join(', ')})\n`,
        );
      }
      for (const y of summary?.years ?? []) {
        process.stdout.write(`  ${y.year}: ${y.series.map((s) => `${s.series} ${(100 * s.share).toFixed(1)}%`).join(', ')} of ${y.total.toLocaleString('en-US')} downloads\n`);
      }
    }
    const s = result.stats;
    process.stderr.write(`${s.requests} queries, ${(s.bytes / 1e6).toFixed(2)} MB received from ${connection.url}\n`);
    if (result.cancelled) return 130;
    return result.packages.some((p) => p.status === 'failed') ? 1 : 0;
  } catch (err) {
    process.stderr.write(`error: ${describeError(err)}\n`);
    return 1;
  } finally {
    process.off('SIGINT', onSigint);
    await http.close().catch(() => undefined);
  }
}
