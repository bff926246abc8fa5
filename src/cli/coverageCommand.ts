import { existsSync } from 'node:fs';
import path from 'node:path';
import { CONFIG_FILE_NAME } from '../core/config/projectConfig';
import { staleSeries } from '../core/coverage/coverage';
import type { SeriesCoverage } from '../core/coverage/coverage';
import { describeError } from '../core/http/errors';
import { parseCommandLine, readWorkspaceConfig } from './args';
import { FLAGS_RAISED } from './insightsCommand';
import { stderrLogger } from './output';
import { STORE_RELATIVE_PATH } from './runCommand';
import { openCliStore } from './store';

const USAGE = `Usage: community-metrics coverage [options]

Lists, per tracked artifact and kept series, the days it was not observed: a day the refresh did
not run is lost for Docker Hub pulls, GitHub's repository counters, npm's per-version downloads,
and (after 14 days) GitHub traffic. Gaps end yesterday (today is not over). Reads the store;
never writes it.

Options:
  --workspace DIR        workspace folder holding ${CONFIG_FILE_NAME} (default: current folder)
  --store FILE           store file (default: DIR/${STORE_RELATIVE_PATH})
  --json                 print the coverage as JSON
  --exit-code            exit ${FLAGS_RAISED} when any gap is listed
  --max-gap-days N       alert (exit ${FLAGS_RAISED}) when a series has not been observed for more than N
                         days, e.g. the cron job stopped; older, closed gaps are listed but do not alert
  -h, --help             show this help`;

export async function coverageCommand(argv: string[]): Promise<number> {
  const parsed = parseCommandLine({
    args: argv,
    allowPositionals: true,
    options: {
      workspace: { type: 'string' },
      store: { type: 'string' },
      json: { type: 'boolean' },
      'exit-code': { type: 'boolean' },
      'max-gap-days': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  }, USAGE);
  if (typeof parsed === 'number') return parsed;
  const { values } = parsed;
  let maxGapDays: number | undefined;
  if (values['max-gap-days'] !== undefined) {
    maxGapDays = Number(values['max-gap-days']);
    if (!/^\d+$/.test(values['max-gap-days']) || !Number.isSafeInteger(maxGapDays)) {
      process.stderr.write(`--max-gap-days takes a whole number of days, e.g. --max-gap-days 2 (got '${values['max-gap-days']}').\n`);
      return 2;
    }
  }
  const workspace = path.resolve(values.workspace ?? process.cwd());
  const read = await readWorkspaceConfig(workspace);
  if (typeof read === 'number') return read;
  const file = values.store ? path.resolve(values.store) : path.join(workspace, STORE_RELATIVE_PATH);
  if (!existsSync(file)) {
    process.stderr.write(`No store at ${file}: run 'community-metrics refresh' first.\n`);
    return 2;
  }
  let coverage: SeriesCoverage[];
  try {
    // Read-only, without the lock: saves replace the file atomically, so a read sees a whole store.
    const store = openCliStore(file, stderrLogger(false), { readOnly: true });
    try {
      coverage = await store.call('coverage', { config: read.config, now: new Date() });
    } finally {
      await store.close();
    }
  } catch (err) {
    process.stderr.write(`error: ${describeError(err)}\n`);
    return 1;
  }
  const stale = maxGapDays === undefined ? [] : staleSeries(coverage, maxGapDays);
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ coverage, ...(maxGapDays === undefined ? {} : { maxGapDays, alerts: stale.map((s) => ({ artifactId: s.coverage.artifactId, series: s.coverage.series, ...s.gap })) }) }, null, 2)}\n`);
  } else {
    const gaps = coverage.reduce((n, c) => n + c.gaps.length, 0);
    for (const c of coverage) {
      const head = `${c.artifactId} — ${c.label}`;
      if (c.observedDays === 0) {
        process.stdout.write(`${head}: never observed\n`);
        continue;
      }
      process.stdout.write(`${head}: observed on ${c.observedDays} day${c.observedDays === 1 ? '' : 's'} from ${c.first} to ${c.last}${c.gaps.length ? '' : ', no gap'}\n`);
      for (const g of c.gaps) process.stdout.write(`  ${g.message}\n`);
    }
    process.stdout.write(gaps === 0 ? 'No gap.\n' : `${gaps} gap${gaps === 1 ? '' : 's'}.\n`);
    for (const s of stale) {
      process.stderr.write(`ALERT: ${s.coverage.artifactId} — ${s.coverage.label} not observed for ${s.gap.days} days (more than ${maxGapDays}): ${s.gap.message}\n`);
    }
  }
  if (stale.length > 0) return FLAGS_RAISED;
  if (values['exit-code'] && coverage.some((c) => c.gaps.length > 0)) return FLAGS_RAISED;
  return 0;
}
