import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { layoutLineage } from '../core/lineage/elkLayout';
import { lineageGraphFromManifest } from '../core/lineage/lineageGraph';
import { buildLineageView } from '../core/lineage/lineageView';
import type { LineageView } from '../core/lineage/lineageView';
import { kindText } from '../core/lineage/nodeText';
import { emitRunLineage } from '../core/lineage/runLineageEmission';
import { lineageSvg } from '../core/lineage/svgExport';
import { describeError } from '../core/http/errors';
import { compileProject } from '../core/project/manifest';
import { loadProject } from '../core/project/project';
import type { RunInfo } from '../core/lineage/lineageView';
import type { Logger } from '../core/log';
import { stderrLogger } from './output';
import { STORE_RELATIVE_PATH } from './runCommand';
import { openCliStore } from './store';

const USAGE = `Usage: community-metrics lineage [options]

Prints the lineage graph (or writes it as SVG) of the workspace's models, or of any dbt project's
target/manifest.json; sends the latest recorded run to an OpenLineage receiver.

Options:
  --workspace DIR          the workspace; default: current folder
  --manifest FILE          read this dbt manifest.json instead of loading the workspace's models
  --select, -s SEL         dbt selection: +name, name+, 2+name+1, tag:x, path:dir, a,b; default: every node
  --focus NAME             two hops up and down around NAME (with --up N / --down N)
  --up N, --down N         hops for --focus (default 2)
  --svg FILE               write the view as an SVG file instead of printing it (more than 150 nodes:
                           a box per folder, sources per source name, as the panel draws them)
  --every-node             with --svg: draw every node even in a large view
  --format text|json       how to print (default text)
  --openlineage-url URL    send the latest run recorded in the store as OpenLineage events
                           (API key from OPENLINEAGE_API_KEY); a receiver that is down is a warning
  --verbose                log more to stderr
  -h, --help               show this help`;

function printText(view: LineageView, out: NodeJS.WritableStream): void {
  const names = new Map(view.nodes.map((n) => [n.id, n.name]));
  for (const n of view.nodes) {
    const parents = view.edges.filter((e) => e.target === n.id).map((e) => names.get(e.source) ?? e.source);
    const hidden = n.hiddenParents + n.hiddenChildren > 0 ? ` (+${n.hiddenParents} up, +${n.hiddenChildren} down hidden)` : '';
    out.write(`${n.name}  [${kindText(n)}]${parents.length ? `  ← ${parents.join(', ')}` : ''}${hidden}\n`);
  }
}

export async function lineageCommand(argv: string[]): Promise<number> {
  let values;
  try {
    values = parseArgs({
      args: argv,
      options: {
        workspace: { type: 'string' },
        manifest: { type: 'string' },
        select: { type: 'string', short: 's', multiple: true },
        focus: { type: 'string' },
        up: { type: 'string' },
        down: { type: 'string' },
        svg: { type: 'string' },
        'every-node': { type: 'boolean' },
        format: { type: 'string' },
        'openlineage-url': { type: 'string' },
        verbose: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (err) {
    process.stderr.write(`${describeError(err)}\n\n${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const logger = stderrLogger(values.verbose ?? false);
  const workspace = path.resolve(values.workspace ?? process.cwd());
  try {
    let manifest: unknown;
    if (values.manifest) manifest = JSON.parse(await readFile(path.resolve(values.manifest), 'utf8')) as unknown;
    else manifest = compileProject(await loadProject(workspace, { log: (m) => logger.info(m) })).manifest;
    const graph = lineageGraphFromManifest(manifest);
    for (const p of graph.problems) process.stderr.write(`warning: ${p.message}\n`);

    const url = values['openlineage-url'];
    if (url) {
      const storeFile = path.join(workspace, STORE_RELATIVE_PATH);
      if (!existsSync(storeFile)) {
        process.stderr.write(`No store at ${storeFile}: run 'community-metrics build' first.\n`);
        return 1;
      }
      const store = openCliStore(storeFile, logger, { readOnly: true });
      const run = await store.call('latestStoredRun', undefined).finally(() => store.close());
      if (!run) {
        process.stderr.write(`The store holds no run yet: run 'community-metrics build' first.\n`);
        return 1;
      }
      const apiKey = process.env.OPENLINEAGE_API_KEY?.trim();
      const summary = await emitRunLineage(run, manifest, { url, ...(apiKey ? { apiKey } : {}), datasetNamespace: `sqlite://${storeFile.split(path.sep).join('/')}`, logger });
      process.stdout.write(`OpenLineage: ${summary.sent} event(s) of run ${run.runId} sent${summary.dropped ? `, ${summary.dropped} not sent (${summary.error ?? 'error'})` : ''}\n`);
      return 0;
    }

    const focus = values.focus ? [...graph.nodes.values()].find((n) => n.name === values.focus || n.id === values.focus)?.id : undefined;
    if (values.focus && !focus) {
      process.stderr.write(`No node is named '${values.focus}'.\n`);
      return 1;
    }
    // The results of the last run in the store (a build by cron or the editor), shown on the nodes
    // as the panel shows them: a drawing made right after a build does not say "not run yet".
    const runs = await storedRunInfo(workspace, logger);
    const request = {
      ...(values.select?.length ? { selector: values.select.join(' ') } : {}),
      ...(focus ? { focus } : {}),
      ...(values.up ? { up: Number(values.up) } : {}),
      ...(values.down ? { down: Number(values.down) } : {}),
    };
    const view = buildLineageView(graph, request, runs ? { runs } : {});
    if (view.selectorError) {
      process.stderr.write(`${view.selectorError}\n`);
      return 2;
    }
    if (values.svg) {
      const target = path.resolve(values.svg);
      // A large view as the panel draws it: a box per folder (an 800-node drawing is unreadable at any size).
      const drawn = values['every-node'] ? view : buildLineageView(graph, { ...request, clusters: 'auto' }, runs ? { runs } : {});
      await writeFile(target, lineageSvg(drawn, await layoutLineage(drawn), { title: `Lineage of ${graph.projectName || 'the project'}` }));
      const grouped = drawn.clustered ? ` in ${drawn.nodes.length} boxes (${drawn.clustered.groups} folders grouped; --every-node draws each)` : '';
      process.stdout.write(`${view.nodes.length} nodes written${grouped} to ${path.relative(process.cwd(), target) || target}\n`);
      return 0;
    }
    if (values.format === 'json') process.stdout.write(`${JSON.stringify({ nodes: view.nodes, edges: view.edges, problems: view.problems }, null, 2)}\n`);
    else if (view.empty) process.stdout.write(`${view.empty}\n`);
    else printText(view, process.stdout);
    return 0;
  } catch (err) {
    process.stderr.write(`error: ${describeError(err)}\n`);
    return 1;
  }
}

/** The latest run recorded in the workspace's store, per node; undefined without a store or a run. */
async function storedRunInfo(workspace: string, logger: Logger): Promise<Map<string, RunInfo> | undefined> {
  const storeFile = path.join(workspace, STORE_RELATIVE_PATH);
  if (!existsSync(storeFile)) return undefined;
  const store = openCliStore(storeFile, logger, { readOnly: true });
  const run = await store.call('latestStoredRun', undefined).finally(() => store.close());
  if (!run) return undefined;
  return new Map(run.results.map((r) => {
    const info: RunInfo = { status: r.status, durationMs: Math.max(0, Date.parse(r.completedAt) - Date.parse(r.startedAt)) || 0, completedAt: r.completedAt };
    if (r.rowsAffected !== undefined) info.rowsAffected = r.rowsAffected;
    if (r.message) info.message = r.message;
    return [r.uniqueId, info];
  }));
}
