import path from 'node:path';
import { parseArgs } from 'node:util';
import { request } from 'undici';
import { describeError } from '../core/http/errors';
import { DEFAULT_HUB_URL, describePackage, installPackages } from '../core/project/packages';

const USAGE = `Usage: community-metrics deps [options]

Installs the packages of packages.yml (or dependencies.yml) into dbt_packages/, like 'dbt deps':
local folders, git repositories at their revision, and hub packages (org/name with a version range,
resolved through the hub to their git repository). The commits installed are pinned in
package-lock.yml; with an unchanged packages.yml, the next deps installs the same commits.

Options:
  --workspace DIR   the dbt project; default: current folder
  --hub-url URL     the package hub (default ${DEFAULT_HUB_URL}, or $CM_DBT_HUB_URL)
  --verbose         log each clone
  -h, --help        show this help`;

async function fetchJson(url: string): Promise<unknown> {
  const res = await request(url, { headersTimeout: 20_000, bodyTimeout: 20_000, headers: { accept: 'application/json' } });
  if (res.statusCode !== 200) {
    await res.body.dump();
    throw new Error(`HTTP ${res.statusCode}`);
  }
  return res.body.json();
}

export async function depsCommand(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ args: argv, options: { workspace: { type: 'string' }, 'hub-url': { type: 'string' }, verbose: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } }));
  } catch (err) {
    process.stderr.write(`${describeError(err)}\n\n${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const root = path.resolve(values.workspace ?? process.cwd());
  try {
    const result = await installPackages(root, {
      hubUrl: values['hub-url'] ?? process.env.CM_DBT_HUB_URL ?? DEFAULT_HUB_URL,
      fetchJson,
      ...(values.verbose ? { log: (m: string) => process.stderr.write(`${m}\n`) } : {}),
    });
    for (const e of result.installed) {
      process.stdout.write(`Installed ${e.name}${e.version ? ` ${e.version}` : ''}${e.commit ? ` at ${e.commit.slice(0, 12)}` : ''} (${describePackage(e.spec)})\n`);
    }
    if (result.problems.length > 0) {
      process.stderr.write(`Could not install ${result.problems.length} package${result.problems.length === 1 ? '' : 's'}; dbt_packages/ lacks:\n`);
      for (const p of result.problems) process.stderr.write(`  packages.yml entry ${p.spec.index + 1} (${describePackage(p.spec)}): ${p.message}\n`);
      process.stderr.write('package-lock.yml was not changed.\n');
      return 1;
    }
    if (result.installed.length === 0) process.stdout.write('No packages to install (no packages.yml or dependencies.yml).\n');
    else process.stdout.write(`Pinned in ${path.relative(process.cwd(), result.lockFile ?? '') || result.lockFile}\n`);
    return 0;
  } catch (err) {
    process.stderr.write(`error: ${describeError(err)}\n`);
    return 1;
  }
}
