import path from 'node:path';
import { compileProject, writeCompileOutput } from '../core/project/manifest';
import { loadProject } from '../core/project/project';
import { describeError } from '../core/http/errors';
import { parseProjectOptions, printDiagnostics, usageFor } from './runCommand';

const USAGE = usageFor(
  'compile',
  'Renders every model and test and writes target/manifest.json (dbt shape: nodes, sources, parent_map,\nchild_map) and target/compiled/. Needs no store, and works for SQL written for any warehouse.',
);

export async function compileCommand(argv: string[]): Promise<number> {
  const opts = parseProjectOptions(argv, USAGE);
  if (typeof opts === 'number') return opts;
  try {
    const project = await loadProject(opts.workspace, { vars: opts.vars });
    const out = compileProject(project);
    const file = await writeCompileOutput(project, out);
    printDiagnostics(project, out.diagnostics);
    const errors = out.diagnostics.filter((d) => d.severity === 'error').length;
    process.stdout.write(
      `Compiled ${out.compiled.size} nodes, ${project.sources.size} sources${errors ? `, ${errors} errors` : ''}; manifest ${path.relative(process.cwd(), file) || file}\n`,
    );
    return errors ? 1 : 0;
  } catch (err) {
    process.stderr.write(`error: ${describeError(err)}\n`);
    return 1;
  }
}
