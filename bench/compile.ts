/**
 * Compile time of a generated 1,000-model dbt project: load (parse render of every model, yml,
 * macros, graph) and compile (render every model and test, build the manifest), with this checkout's
 * engine (nunjucks with the Jinja2 fixes of issue 15) and with a baseline checkout's engine (the
 * engine before them), each in its own process, in the same run.
 *
 *   node --import tsx bench/compile.ts [models] [baseline checkout, default /work/main]
 *   node --import tsx bench/compile.ts --generate DIR [models]     (the project only, for profiling)
 *
 * Prints a Markdown section for bench/RESULTS.md. Not part of `npm test`.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import type * as ManifestModule from '../src/core/project/manifest';
import type * as ProjectModule from '../src/core/project/project';

const ROOT = path.resolve(__dirname, '..');

/** Staging models over 10 sources, intermediate models joining two earlier ones, marts over them; macros with if/for/dispatch. */
async function generate(dir: string, models: number): Promise<void> {
  const files: Record<string, string> = {
    'dbt_project.yml': 'name: big\nversion: "1.0"\nvars:\n  lookback_days: 30\nmodels:\n  big:\n    staging:\n      +materialized: view\n    marts:\n      +materialized: table\n',
    'macros/helpers.sql': [
      '{% macro cents_to_dollars(col, scale=2) %}{{ return(adapter.dispatch("cents_to_dollars")(col, scale)) }}{% endmacro %}',
      '{% macro default__cents_to_dollars(col, scale) %}round({{ col }} / 100.0, {{ scale }}){% endmacro %}',
      '{% macro select_columns(cols, prefix=none) %}{% for c in cols %}{{ prefix ~ "." if prefix else "" }}{{ c }}{{ "," if not loop.last }}{% endfor %}{% endmacro %}',
      '{% macro recent(col) %}{{ col }} >= {{ dbt.dateadd("day", -var("lookback_days"), "current_date") }}{% endmacro %}',
      '',
    ].join('\n'),
    'models/sources.yml': `version: 2\nsources:\n  - name: raw\n    tables:\n${Array.from({ length: 10 }, (_, i) => `      - name: events_${i}`).join('\n')}\n`,
  };
  const yml: string[] = ['version: 2', 'models:'];
  const names: string[] = [];
  for (let i = 0; i < models; i++) {
    let name: string;
    let sql: string;
    if (i < models * 0.3) {
      name = `stg_${i}`;
      sql = `{{ config(tags=['staging']) }}\nselect\n  {{ select_columns(['id', 'user_id', 'amount', 'created_at']) }},\n  {{ cents_to_dollars('amount') }} as amount_dollars\nfrom {{ source('raw', 'events_${i % 10}') }}\nwhere {{ recent('created_at') }}\n`;
    } else if (i < models * 0.8) {
      const a = names[(i * 7) % names.length] as string;
      const b = names[(i * 13 + 1) % names.length] as string;
      name = `int_${i}`;
      sql = `{% set joins = [] %}\n{% set metrics = ['amount', 'amount_dollars'] %}\nwith a as (select * from {{ ref('${a}') }}),\nb as (select * from {{ ref('${b}') }})\nselect a.id, a.user_id,\n{% for m in metrics %}  sum(a.{{ m }}) as {{ m }}_total{{ ',' if not loop.last }}\n{% endfor %}\nfrom a join b on a.id = b.id\n{% if joins %}{% for j in joins %} join {{ j }}{% endfor %}{% endif %}\ngroup by 1, 2\n`;
    } else {
      const a = names[(i * 11) % names.length] as string;
      name = `mart_${i}`;
      sql = `{{ config(materialized='table', unique_key='id') }}\nselect id, user_id, amount_total from {{ ref('${a}') }}\n{% if is_incremental() %}where id > (select max(id) from {{ this }}){% endif %}\n`;
    }
    names.push(name);
    const folder = name.startsWith('stg') ? 'staging' : name.startsWith('int') ? 'intermediate' : 'marts';
    files[`models/${folder}/${name}.sql`] = sql;
    if (i % 4 === 0) yml.push(`  - name: ${name}`, '    columns:', '      - name: id', '        tests: [not_null, unique]');
  }
  files['models/schema.yml'] = `${yml.join('\n')}\n`;
  for (const [rel, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
    await writeFile(path.join(dir, rel), text);
  }
}

/** In a child process: load + compile with the engine of `engineRoot`, three times; prints JSON. */
async function measure(engineRoot: string, dir: string): Promise<void> {
  const { loadProject } = (await import(path.join(engineRoot, 'src/core/project/project.ts'))) as typeof ProjectModule;
  const { compileProject } = (await import(path.join(engineRoot, 'src/core/project/manifest.ts'))) as typeof ManifestModule;
  const runs: Array<{ load: number; compile: number; nodes: number; errors: number }> = [];
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    const project = await loadProject(dir);
    const t1 = performance.now();
    const out = compileProject(project);
    const t2 = performance.now();
    runs.push({ load: t1 - t0, compile: t2 - t1, nodes: project.nodes.size, errors: out.diagnostics.filter((d) => d.severity === 'error').length });
  }
  process.stdout.write(JSON.stringify(runs));
}

async function main(): Promise<void> {
  if (process.argv[2] === '--measure') return measure(process.argv[3] as string, process.argv[4] as string);
  // `--generate DIR [models]`: only write the project (to profile one engine on it).
  if (process.argv[2] === '--generate') return generate(process.argv[3] as string, Number(process.argv[4] ?? 1000));
  const models = Number(process.argv[2] ?? 1000);
  const baseline = path.resolve(process.argv[3] ?? '/work/main');
  const dir = await mkdtemp(path.join(tmpdir(), 'cm-compile-bench-'));
  await generate(dir, models);
  const run = (engine: string) =>
    JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', __filename, '--measure', engine, dir], { cwd: engine, maxBuffer: 64 * 1024 * 1024 }).toString()) as Array<{ load: number; compile: number; nodes: number; errors: number }>;
  // Rounds alternate the two engines (a fresh process each), so that the load of a shared machine
  // falls on both alike.
  const rounds = Number(process.env.CM_BENCH_ROUNDS ?? 3);
  const base: ReturnType<typeof run> = [];
  const mine: ReturnType<typeof run> = [];
  const load0 = os.loadavg().map((x) => x.toFixed(2)).join(', ');
  for (let r = 0; r < rounds; r++) {
    base.push(...run(baseline));
    mine.push(...run(ROOT));
  }
  const load1 = os.loadavg().map((x) => x.toFixed(2)).join(', ');
  await rm(dir, { recursive: true, force: true });
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
  const head = (root: string) => execFileSync('git', ['-C', root, 'rev-parse', '--short', 'HEAD'], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
  // The first run of each process is the first load of a project (cold: every template compiled);
  // the later runs load the same project again in the same process, as the editor does after a save.
  const first = (r: typeof base) => r.filter((_, i) => i % 3 === 0);
  const again = (r: typeof base) => r.filter((_, i) => i % 3 !== 0);
  const total = (r: typeof base) => median(r.map((x) => x.load + x.compile));
  const line = (label: string, r: typeof base) =>
    `| ${label} | ${r[0]?.nodes} | ${r[0]?.errors} | ${median(r.map((x) => x.load)).toFixed(0)} | ${median(r.map((x) => x.compile)).toFixed(0)} | ${total(r).toFixed(0)} |`;
  const label = (root: string) => {
    try {
      return head(root);
    } catch {
      return path.basename(root);
    }
  };
  const out = [
    `## ${new Date().toISOString().slice(0, 10)} — compile time of a ${models}-model project (Jinja engine of issue 15 vs the engine before)`,
    '',
    `Machine: ${os.type()} ${os.release()} ${os.arch()}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'}), Node ${process.version}; load average ${load0} at the start, ${load1} at the end. Command: \`node --import tsx bench/compile.ts ${models} ${baseline}\`; ${rounds} rounds, each running the two engines one after the other in a fresh process of its own, 3 load + compile runs per process; medians in ms.`,
    '',
    `Generated project: ${models} models (30% staging over 10 sources with macros and a dispatch, 50% intermediate joining two earlier models with for/if loops, 20% marts), not_null + unique tests on every 4th model.`,
    '',
    '| engine | runs | nodes | errors | load (parse renders, graph) | compile (render all, manifest) | total |',
    '|---|---|---:|---:|---:|---:|---:|',
    line(`before (baseline ${label(baseline)}) | first load in a process`, first(base)),
    line(`nunjucks + Jinja2 fixes (this checkout ${label(ROOT)}) | first load in a process`, first(mine)),
    line(`before (baseline ${label(baseline)}) | loaded again in the same process`, again(base)),
    line(`nunjucks + Jinja2 fixes (this checkout ${label(ROOT)}) | loaded again in the same process`, again(mine)),
    '',
    `Ratio (this / before), total: first load ${(total(first(mine)) / total(first(base))).toFixed(2)}, loaded again ${(total(again(mine)) / total(again(base))).toFixed(2)}.`,
    '',
    `Every run (load + compile, ms, three per process): before ${base.map((x) => (x.load + x.compile).toFixed(0)).join(', ')}; this ${mine.map((x) => (x.load + x.compile).toFixed(0)).join(', ')}.`,
    '',
  ];
  process.stdout.write(`${out.join('\n')}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exitCode = 1;
});
