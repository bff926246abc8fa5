import path from 'node:path';
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { formatDiagnostic } from '../core/project/diagnostics';
import type { Diagnostic } from '../core/project/diagnostics';
import { loadProject } from '../core/project/project';
import type { Project } from '../core/project/project';
import { buildManifest } from '../core/project/manifest';
import { emitRunLineage } from '../core/lineage/runLineageEmission';
import type { NodeResult, ProgressEvent, RunCommand, RunResult } from '../core/project/runner';
import { selectNodes } from '../core/project/selection';
import { describeError } from '../core/http/errors';
import { stderrLogger } from './output';
import { openCliStore } from './store';

/** `run`, `build`, `test` and `seed`: one implementation, the command decides which nodes run. */
export const STORE_RELATIVE_PATH = '.community-metrics/metrics.sqlite';

export interface ProjectCliOptions {
  workspace: string;
  select: string[];
  exclude: string[];
  fullRefresh: boolean;
  vars: Record<string, unknown>;
  verbose: boolean;
  openlineageUrl?: string;
}

const OPTIONS = {
  workspace: { type: 'string' },
  select: { type: 'string', short: 's', multiple: true },
  models: { type: 'string', short: 'm', multiple: true },
  exclude: { type: 'string', multiple: true },
  'full-refresh': { type: 'boolean' },
  vars: { type: 'string' },
  verbose: { type: 'boolean' },
  'openlineage-url': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export function usageFor(command: string, what: string): string {
  return `Usage: community-metrics ${command} [options]

${what}

Options:
  --workspace DIR      the workspace (dbt_project.yml or models/, seeds/, macros/, tests/); default: current folder
  --select, -s SEL     dbt node selection: name, +name, name+, 2+name+1, tag:x, path:dir, a,b (intersection);
                       repeat or separate with spaces for a union
  --exclude SEL        nodes to leave out, same syntax
  --full-refresh       rebuild incremental models from scratch
  --vars YAML          variables, e.g. '{start_date: 2021-01-01}'
  --openlineage-url URL  send START and COMPLETE/FAIL events of every model to this OpenLineage
                       receiver (API key from OPENLINEAGE_API_KEY); a receiver that is down never fails the run
  --verbose            log more to stderr
  -h, --help           show this help

The store is DIR/${STORE_RELATIVE_PATH}.`;
}

/** Parses the shared options; returns an exit code when the command should stop. */
export function parseProjectOptions(argv: string[], usage: string): ProjectCliOptions | number {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: OPTIONS });
  } catch (err) {
    process.stderr.write(`${describeError(err)}\n\n${usage}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  if (positionals.length > 0) {
    process.stderr.write(`Unexpected argument '${positionals[0]}'.\n\n${usage}\n`);
    return 2;
  }
  let vars: Record<string, unknown> = {};
  if (values.vars) {
    try {
      const v = parseYaml(values.vars) as unknown;
      if (v && typeof v === 'object' && !Array.isArray(v)) vars = v as Record<string, unknown>;
      else throw new Error('expected a mapping');
    } catch (err) {
      process.stderr.write(`--vars is not a YAML mapping: ${describeError(err)}\n`);
      return 2;
    }
  }
  return {
    workspace: path.resolve(values.workspace ?? process.cwd()),
    select: [...(values.select ?? []), ...(values.models ?? [])],
    exclude: values.exclude ?? [],
    fullRefresh: values['full-refresh'] ?? false,
    vars,
    verbose: values.verbose ?? false,
    ...(values['openlineage-url'] ? { openlineageUrl: values['openlineage-url'] } : {}),
  };
}

export function printDiagnostics(project: Project | undefined, diagnostics: Diagnostic[]): void {
  const seen = new Set<string>();
  const rel = (f: string) => (project ? path.relative(project.root, f) || f : f);
  for (const d of diagnostics) {
    const line = formatDiagnostic(d, rel);
    if (seen.has(line)) continue;
    seen.add(line);
    process.stderr.write(`${line}\n`);
  }
}

const STATUS_WORD: Record<NodeResult['status'], string> = { success: 'OK', pass: 'PASS', warn: 'WARN', fail: 'FAIL', error: 'ERROR', skipped: 'SKIP' };

function describeResult(r: NodeResult): string {
  const kind = r.resourceType === 'model' ? `${r.materialized} model` : r.resourceType;
  const rows = r.rowsAffected !== undefined ? `, ${r.rowsAffected} rows` : r.failures ? `, ${r.failures} failing rows` : '';
  return `${STATUS_WORD[r.status]} ${kind} ${r.name} [${r.status === 'skipped' ? r.message : `${(r.durationMs / 1000).toFixed(2)}s${rows}`}]`;
}

export async function runProjectCommand(command: RunCommand, argv: string[], usage: string): Promise<number> {
  const opts = parseProjectOptions(argv, usage);
  if (typeof opts === 'number') return opts;
  const logger = stderrLogger(opts.verbose);
  const abort = new AbortController();
  // SIGINT and SIGTERM alike: finish the current node, save, exit 128+signal.
  let stoppedBy: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    stoppedBy ??= signal;
    process.stderr.write(`Cancelling after the current node (${signal})…\n`);
    abort.abort();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const project = await loadProject(opts.workspace, { vars: opts.vars, log: (m) => logger.info(m) });
    if (opts.select.length > 0 && selectNodes(project, opts.select, opts.exclude).size === 0) {
      printDiagnostics(project, project.diagnostics);
      process.stderr.write(`error: --select ${opts.select.join(' ')} matches no model, seed, snapshot or test of ${project.root}\n`);
      return 1;
    }
    const storeFile = path.join(opts.workspace, STORE_RELATIVE_PATH);
    const store = openCliStore(storeFile, logger);
    let movedAside: string | undefined;
    store.onMovedAside = (aside) => {
      movedAside = aside;
    };
    store.primeProject(project, { version: 1, vars: opts.vars });
    let run: RunResult;
    try {
      ({ run } = await store.call(
        'runProject',
        { project: { root: project.root, version: 1, vars: opts.vars }, command, select: opts.select, exclude: opts.exclude, fullRefresh: opts.fullRefresh },
        {
          signal: abort.signal,
          onProgress: (value) => {
            const e = value as ProgressEvent;
            if (e.kind === 'end') process.stdout.write(`${String(e.index + 1).padStart(String(e.total).length)} of ${e.total} ${describeResult(e.result)}\n`);
          },
        },
      ));
    } finally {
      await store.close();
    }
    if (movedAside) process.stderr.write(`warning: the old store was unreadable and was moved to ${movedAside}\n`);
    if (opts.openlineageUrl) {
      const sent = await emitRunLineage(run, buildManifest(project), {
        url: opts.openlineageUrl,
        apiKey: process.env.OPENLINEAGE_API_KEY || undefined,
        datasetNamespace: `sqlite://${storeFile}`,
        logger,
      });
      logger.info(`OpenLineage: ${JSON.stringify(sent)}`);
    }
    printDiagnostics(project, run.diagnostics);
    const count = (s: NodeResult['status'][]) => run.results.filter((r) => s.includes(r.status)).length;
    process.stdout.write(
      `Done in ${(run.elapsedMs / 1000).toFixed(2)}s. PASS=${count(['success', 'pass'])} WARN=${count(['warn'])} ERROR=${count(['error', 'fail'])} SKIP=${count(['skipped'])} TOTAL=${run.results.length}${run.cancelled ? ' (cancelled)' : ''}\n`,
    );
    const skippedNames = run.results.filter((r) => r.status === 'skipped').map((r) => r.name);
    if (skippedNames.length > 0) process.stdout.write(`Skipped ${skippedNames.length}: ${skippedNames.join(', ')}\n`);
    if (run.projectErrors.length > 0) {
      process.stdout.write(`${run.projectErrors.length} project error${run.projectErrors.length === 1 ? '' : 's'} (listed above) fail this ${command}.\n`);
    }
    if (run.cancelled || stoppedBy) return stoppedBy === 'SIGTERM' ? 143 : 130;
    if (opts.select.length > 0 && run.results.length === 0) {
      process.stderr.write(`error: nothing to ${command}: --select ${opts.select.join(' ')} selects no node this command runs\n`);
      return 1;
    }
    return run.success ? 0 : 1;
  } catch (err) {
    process.stderr.write(`error: ${describeError(err)}\n`);
    return 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

export function runCommand(argv: string[]): Promise<number> {
  return runProjectCommand('run', argv, usageFor('run', 'Builds the selected models on the store, in dependency order.'));
}
