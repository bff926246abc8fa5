import { describeError } from '../core/http/errors';
import { buildCommand } from './buildCommand';
import { compileCommand } from './compileCommand';
import { coverageCommand } from './coverageCommand';
import { depsCommand } from './depsCommand';
import { lineageCommand } from './lineageCommand';
import { gharchiveCommand } from './gharchiveCommand';
import { insightsCommand } from './insightsCommand';
import { pypiCommand } from './pypiCommand';
import { queryCommand } from './queryCommand';
import { refreshCommand } from './refreshCommand';
import { runCommand } from './runCommand';
import { seedCommand } from './seedCommand';
import { testCommand } from './testCommand';

/** A CLI command takes its own arguments and returns the process exit code. */
export type CliCommand = (argv: string[]) => Promise<number>;

/** The command table; `community-metrics <command> --help` describes each. */
const COMMANDS: Record<string, { run: CliCommand; summary: string }> = {
  refresh: { run: refreshCommand, summary: 'fetch every tracked artifact and append snapshots to the store' },
  deps: { run: depsCommand, summary: 'install the packages of packages.yml into dbt_packages/ (local, git, hub)' },
  compile: { run: compileCommand, summary: 'render the models and write target/manifest.json (dbt shape)' },
  run: { run: runCommand, summary: 'build the selected models on the store' },
  build: { run: buildCommand, summary: 'load seeds, build models and run tests, in dependency order' },
  test: { run: testCommand, summary: 'run the schema and singular tests' },
  seed: { run: seedCommand, summary: 'load the seed CSV files into the store' },
  query: { run: queryCommand, summary: 'run SQL on the store and print json or csv' },
  lineage: { run: lineageCommand, summary: 'print the lineage graph, write it as SVG, or send the last run to OpenLineage' },
  insights: { run: insightsCommand, summary: 'print the insight flags (rate drops, old versions, one-person activity, star trend)' },
  coverage: { run: coverageCommand, summary: 'list the days each kept series was not observed (gaps), and alert on a stale one' },
  gharchive: { run: gharchiveCommand, summary: 'import GH Archive hours (public events) for the tracked repositories' },
  pypi: { run: pypiCommand, summary: 'read PyPI download history since the first release from ClickPy (ClickHouse)' },
};

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return `Usage: community-metrics <command> [options]\n\nCommands:\n${lines.join('\n')}\n\nRun 'community-metrics <command> --help' for a command's options.`;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h') {
    process.stdout.write(`${usage()}\n`);
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`Unknown command '${name}'.\n\n${usage()}\n`);
    return 2;
  }
  return command.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`${describeError(err)}\n`);
    process.exitCode = 1;
  },
);
