import { existsSync } from 'node:fs';
import path from 'node:path';
import { CONFIG_FILE_NAME, normalizePypiName } from '../core/config/projectConfig';
import { describeError } from '../core/http/errors';
import { parseCommandLine, readWorkspaceConfig } from './args';
import type { Insight } from '../core/insights/insight';
import { markedVersionsOf } from '../core/insights/storeInsights';
import { stderrLogger } from './output';
import { STORE_RELATIVE_PATH } from './runCommand';
import { openCliStore } from './store';

/** Exit code when --exit-code is given and a flag is raised (1 is an error, 2 a usage error). */
export const FLAGS_RAISED = 3;

const USAGE = `Usage: community-metrics insights [options]

Runs the insight detectors over the store, as the editor's tree and dashboard show them:
a download or pull rate that dropped beyond its normal weekly variation, a large share of
downloads on versions older than a marked one, one person making most recent commits or
messages, and star growth accelerating or flattening. Reads the store; never writes it.

Options:
  --workspace DIR          workspace folder holding ${CONFIG_FILE_NAME} (default: current folder)
  --store FILE             store file (default: DIR/${STORE_RELATIVE_PATH})
  --mark PACKAGE=VERSION   mark a PyPI package's version (npm:NAME=VERSION for an npm package), as
                           marked_version: in ${CONFIG_FILE_NAME}; repeatable
  --json                   print the insights as JSON
  --exit-code              exit ${FLAGS_RAISED} when any insight is raised (for cron jobs that alert)
  -h, --help               show this help`;

export async function insightsCommand(argv: string[]): Promise<number> {
  const parsed = parseCommandLine({
    args: argv,
    allowPositionals: true,
    options: {
      workspace: { type: 'string' },
      store: { type: 'string' },
      mark: { type: 'string', multiple: true },
      json: { type: 'boolean' },
      'exit-code': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  }, USAGE);
  if (typeof parsed === 'number') return parsed;
  const { values } = parsed;
  const marks: Record<string, string> = {};
  for (const m of values.mark ?? []) {
    const [name, version] = m.split('=', 2).map((x) => x.trim());
    if (!name || !version) {
      process.stderr.write(`--mark takes PACKAGE=VERSION, e.g. --mark marquez-airflow=0.4.0 (got '${m}').\n`);
      return 2;
    }
    marks[name.includes(':') ? name : `pypi:${normalizePypiName(name)}`] = version;
  }

  const workspace = path.resolve(values.workspace ?? process.cwd());
  const read = await readWorkspaceConfig(workspace);
  if (typeof read === 'number') return read;
  const { config } = read;
  const file = values.store ? path.resolve(values.store) : path.join(workspace, STORE_RELATIVE_PATH);
  if (!existsSync(file)) {
    process.stderr.write(`No store at ${file}: run 'community-metrics refresh' first.\n`);
    return 2;
  }

  let insights: Insight[];
  let names: Map<string, string>;
  try {
    // Read without the lock: saves replace the file atomically, so a read sees a whole store.
    const store = openCliStore(file, stderrLogger(false), { readOnly: true });
    let movedAside = false;
    store.onMovedAside = () => {
      movedAside = true;
    };
    try {
      const { summaries: artifacts } = await store.call('treeSummaries', { config });
      if (movedAside) return 1;
      names = new Map(artifacts.map((a) => [a.artifact, `${a.project} / ${a.name}`]));
      insights = await store.call('insights', { artifacts, options: { markedVersions: { ...markedVersionsOf(config), ...marks } } });
    } finally {
      await store.close();
    }
  } catch (err) {
    process.stderr.write(`error: ${describeError(err)}\n`);
    return 1;
  }

  if (values.json) {
    process.stdout.write(`${JSON.stringify(insights.map((i) => ({ ...i, subject: names.get(i.artifactId) ?? i.artifactId })), null, 2)}\n`);
  } else if (insights.length === 0) {
    process.stdout.write(`No insight raised over ${names.size} artifact${names.size === 1 ? '' : 's'}.\n`);
  } else {
    for (const i of insights) {
      process.stdout.write(`${names.get(i.artifactId) ?? i.artifactId}: ${i.title}\n  ${i.explanation}\n`);
      process.stdout.write(`  chart: ${i.chart.artifactId} ${i.chart.metricKey} by ${i.chart.grain}${i.chart.mode === 'total' ? '' : `, ${i.chart.mode}`}\n`);
    }
  }
  return values['exit-code'] && insights.length > 0 ? FLAGS_RAISED : 0;
}
